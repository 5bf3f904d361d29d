// The f7cloud Assistant Memory against the emulator: through the real AI node SDK (the LangChain memory the
// AI Agent uses) and through its own classes, checking what the assistant's chat session holds.
import type { RunningEmulator } from '@f7cloud/assistant-emulator';
import { createNodeClient } from '@f7cloud/assistant-client/node';
import type { Message } from '@n8n/ai-node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F7CloudAssistantMemory } from '../nodes/F7CloudAssistantMemory/F7CloudAssistantMemory.node';
import { createContext, emulatorCredentials } from './support/context';
import { CANARY, emulator } from './support/run-node';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => await emu.close());

const client = () => createNodeClient({ baseUrl: emu.url, auth: { user: 'alice', appPassword: CANARY } });

interface LcMemory {
  loadMemoryVariables(values: object): Promise<{ chat_history: { content: unknown; getType(): string }[] }>;
  saveContext(input: object, output: object): Promise<void>;
  clear(): Promise<void>;
  memory: { chatHistory: { addMessages(messages: Message[]): Promise<void> } };
}

/** Supplies the memory as n8n does; a new call stands for a new execution (or another n8n process). */
async function supplyMemory(parameters: Record<string, unknown>) {
  const fake = createContext({ parameters, credentials: emulatorCredentials(emu) });
  const context = Object.assign(fake.context as object, {
    addInputData: () => ({ index: 0 }),
    addOutputData: () => undefined,
    logAiEvent: () => undefined,
    getNextRunIndex: () => 0,
  });
  const supplied = await new F7CloudAssistantMemory().supplyData.call(context as never, 0);
  return supplied.response as LcMemory;
}

const byKey = (key: string, extra: Record<string, unknown> = {}) => ({
  session: 'key',
  sessionKey: key,
  sessionTitle: 'Support bot',
  contextWindowLength: 5,
  ...extra,
});

const text = (m: { content: unknown }) =>
  typeof m.content === 'string' ? m.content : (m.content as { text: string }[]).map((c) => c.text).join('');

async function sessionFor(key: string) {
  return (await client().chat.sessions()).filter((s) => s.title?.endsWith(`[n8n:${key}]`));
}

describe('f7cloud Assistant Memory', () => {
  it('keeps turns in an assistant chat session found again by its key', async () => {
    const first = await supplyMemory(byKey('user-42'));
    expect((await first.loadMemoryVariables({})).chat_history).toEqual([]);
    expect(await sessionFor('user-42')).toEqual([]); // nothing is created by reading
    await first.saveContext({ input: 'My name is Ada.' }, { output: 'Nice to meet you, Ada.' });

    const [session, ...more] = await sessionFor('user-42');
    expect(more).toEqual([]);
    expect(session?.title).toBe('Support bot [n8n:user-42]');
    const stored = await client().chat.messages(session!.id, { all: true });
    expect(stored.filter((m) => m.role !== 'system').map((m) => [m.role, m.content])).toEqual([
      ['human', 'My name is Ada.'],
      ['assistant', 'Nice to meet you, Ada.'],
    ]);

    // A later execution (no state carried over) continues the same session.
    const later = await supplyMemory(byKey('user-42'));
    const history = (await later.loadMemoryVariables({})).chat_history;
    expect(history.map((m) => [m.getType(), text(m)])).toEqual([
      ['human', 'My name is Ada.'],
      ['ai', 'Nice to meet you, Ada.'],
    ]);
    await later.saveContext({ input: 'What is my name?' }, { output: 'Ada.' });
    expect(await sessionFor('user-42')).toHaveLength(1);
    expect(
      (await client().chat.messages(session!.id, { all: true })).filter((m) => m.role === 'human'),
    ).toHaveLength(2);
    // Another key is another conversation.
    expect((await (await supplyMemory(byKey('user-43'))).loadMemoryVariables({})).chat_history).toEqual([]);
  });

  it('gives the model only the last Context Window Length exchanges', async () => {
    const memory = await supplyMemory(byKey('window', { contextWindowLength: 2 }));
    for (const n of [1, 2, 3]) await memory.saveContext({ input: `q${n}` }, { output: `a${n}` });
    const history = (await memory.loadMemoryVariables({})).chat_history;
    expect(history.map(text)).toEqual(['q2', 'a2', 'q3', 'a3']);
  });

  it('stores what the user sees of a turn with tool calls: the question and the final answer', async () => {
    const memory = await supplyMemory(byKey('tools'));
    await memory.memory.chatHistory.addMessages([
      { role: 'user', content: [{ type: 'text', text: 'What is 12 * 7 + 5?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Calling calculator with input: {"input":"12 * 7 + 5"}' },
          { type: 'tool-call', toolCallId: 'c1', toolName: 'calculator', input: '{"input":"12 * 7 + 5"}' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', result: '89' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'It is 89.' }] },
    ]);
    const [session] = await sessionFor('tools');
    const stored = await client().chat.messages(session!.id, { all: true });
    expect(stored.filter((m) => m.role !== 'system').map((m) => [m.role, m.content])).toEqual([
      ['human', 'What is 12 * 7 + 5?'],
      ['assistant', 'It is 89.'],
    ]);
  });

  it('says clearly when its session was deleted on the server, by key and by ID', async () => {
    const memory = await supplyMemory(byKey('deleted'));
    await memory.saveContext({ input: 'hello' }, { output: 'hi' });
    const [session] = await sessionFor('deleted');
    const sameRun = await supplyMemory(byKey('deleted'));
    await sameRun.loadMemoryVariables({}); // the execution found the session…
    await client().chat.deleteSession(session!.id); // …and then the user deleted it in the web UI
    await expect(sameRun.saveContext({ input: 'again' }, { output: 'x' })).rejects.toThrow(
      /was deleted on the server while this execution used it.*Run the workflow again/,
    );
    // The next execution starts a new conversation for the key.
    const next = await supplyMemory(byKey('deleted'));
    expect((await next.loadMemoryVariables({})).chat_history).toEqual([]);

    const byId = await supplyMemory({ session: 'id', sessionId: session!.id, contextWindowLength: 5 });
    await expect(byId.loadMemoryVariables({})).rejects.toThrow(
      new RegExp(`session ${session!.id} does not exist on the server \\(was it deleted\\?\\)`),
    );
  });

  it('uses an existing session by ID, and clear() deletes the session', async () => {
    const created = await client().chat.createSession({ title: 'Started in the web UI' });
    const memory = await supplyMemory({ session: 'id', sessionId: created.id, contextWindowLength: 5 });
    await memory.saveContext({ input: 'ping' }, { output: 'pong' });
    const stored = await client().chat.messages(created.id, { all: true });
    expect(stored.filter((m) => m.role !== 'system').map((m) => m.content)).toEqual(['ping', 'pong']);
    await memory.clear();
    expect((await client().chat.sessions()).map((s) => s.id)).not.toContain(created.id);
  });

  it('refuses an empty or overlong session key before sending anything', async () => {
    await expect(supplyMemory(byKey('  '))).rejects.toThrow(/The Session Key is empty/);
    await expect(supplyMemory(byKey('k'.repeat(201)))).rejects.toThrow(/at most 200/);
  });
});
