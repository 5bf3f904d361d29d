// f7cloud-chat in the real Node-RED runtime against the emulator.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { helper, loadNode, send, startTestEmulator } from './support/harness.mjs';

let emulator;
beforeEach(async () => {
  emulator = await startTestEmulator();
});
afterEach(async () => {
  await helper.unload();
  await emulator.close();
});

const chat = (props) => ({ type: 'f7cloud-chat', ...props });

async function run(props, msg) {
  await loadNode(emulator.url, chat(props));
  const result = await send(msg);
  await helper.unload();
  return result;
}

describe('f7cloud-chat', () => {
  it('starts a session for the first message, continues it with msg.sessionId, and lists its messages', async () => {
    const first = await run({ operation: 'sendMessage' }, { payload: 'What can you do?' });
    expect(first.error).toBeUndefined();
    expect(first.msg.payload).toContain('Input message: What can you do?');
    expect(typeof first.msg.sessionId).toBe('number');
    const session = emulator.control.sessions().find((s) => s.id === first.msg.sessionId);
    expect(session.title).toBe('What can you do?');

    const second = await run(
      { operation: 'sendMessage' },
      { payload: 'Shorter please', sessionId: first.msg.sessionId },
    );
    expect(second.msg.sessionId).toBe(first.msg.sessionId);
    expect(second.msg.payload).toContain('Input message: Shorter please');

    const history = await run({ operation: 'getMessages' }, { sessionId: first.msg.sessionId });
    const texts = history.msg.payload.filter((m) => m.role === 'human').map((m) => m.content);
    expect(texts).toEqual(['What can you do?', 'Shorter please']);
    expect(history.msg.payload.filter((m) => m.role === 'assistant')).toHaveLength(2);
  });

  it('creates, lists, renames, checks and deletes sessions', async () => {
    const created = await run({ operation: 'createSession', title: 'Planning' }, {});
    const id = created.msg.sessionId;
    expect(created.msg.payload).toMatchObject({ id, title: 'Planning' });

    const renamed = await run({ operation: 'renameSession', title: 'Roadmap' }, { sessionId: id });
    expect(renamed.error).toBeUndefined();
    const listed = await run({ operation: 'getSessions' }, {});
    expect(listed.msg.payload.find((s) => s.id === id).title).toBe('Roadmap');

    const checked = await run({ operation: 'checkSession' }, { sessionId: id });
    expect(checked.msg.payload).toHaveProperty('messageTaskId');

    await run({ operation: 'deleteSession', sessionId: String(id) }, {});
    expect(emulator.control.sessions().find((s) => s.id === id)).toBeUndefined();
  });

  it('gets one message, regenerates a reply, generates a title and deletes a message', async () => {
    const sent = await run({ operation: 'sendMessage' }, { payload: 'Tell me a fact' });
    const sessionId = sent.msg.sessionId;
    const replyId = sent.msg.messageId;
    expect(typeof replyId).toBe('number');

    const one = await run({ operation: 'getMessage' }, { sessionId, messageId: replyId });
    expect(one.msg.payload).toBe(sent.msg.payload);

    const again = await run({ operation: 'regenerate' }, { sessionId, messageId: replyId });
    expect(again.error).toBeUndefined();
    expect(again.msg.payload).toContain('Input message: Tell me a fact');
    expect(again.msg.messageId).not.toBe(replyId);

    const title = await run({ operation: 'generateTitle' }, { sessionId });
    expect(typeof title.msg.payload).toBe('string');
    expect(title.msg.payload.length).toBeGreaterThan(0);

    await run({ operation: 'deleteMessage' }, { sessionId, messageId: again.msg.messageId });
    expect(emulator.control.messages().find((m) => m.id === again.msg.messageId)).toBeUndefined();
  });

  it('returns the generation task id without waiting', async () => {
    const sent = await run({ operation: 'sendMessage', wait: false }, { payload: 'No hurry' });
    expect(typeof sent.msg.payload).toBe('number');
    expect(sent.msg.taskId).toBe(sent.msg.payload);
  });

  it('explains a missing message and a missing session id', async () => {
    const empty = await run({ operation: 'sendMessage' }, { payload: '' });
    expect(empty.error.message).toContain('There is no message to send');
    const noSession = await run({ operation: 'getMessages' }, {});
    expect(noSession.error.message).toContain(
      'Session ID is missing: set it in the node or send it as msg.sessionId',
    );
    const tooLong = await run({ operation: 'sendMessage' }, { payload: 'x'.repeat(64_001) });
    expect(tooLong.msg.assistantError.code).toBe('invalid_input');
  });
});
