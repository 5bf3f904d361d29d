import type { RunningEmulator } from '@f7cloud/assistant-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulator, runNode } from './support/run-node';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => await emu.close());

const send = (sessionId: string, message: string, extra: Record<string, unknown> = {}) =>
  runNode(emu, {
    resource: 'chat',
    operation: 'sendMessage',
    sessionId,
    message,
    wait: true,
    options: { timeout: 30 },
    ...extra,
  });

describe('chat operations', () => {
  it('starts a session on the fly, names it after the first message and returns the reply', async () => {
    const { items } = await send('', 'What is the capital of France?');
    const json = items[0]?.json as Record<string, unknown>;
    expect(json).toMatchObject({
      sessionCreated: true,
      sessionId: expect.any(Number),
      messageId: expect.any(Number),
      replyStored: true,
    });
    expect(String(json.reply)).toContain('What is the capital of France?');
    const sessions = await runNode(emu, { resource: 'chat', operation: 'getSessions' });
    const session = sessions.items.find((s) => s.json.sessionId === json.sessionId);
    expect(session?.json.title).toBe('What is the capital of France?');
  });

  it('continues a session and lists all its messages in order', async () => {
    const first = await send('', 'One');
    const sessionId = String(first.items[0]?.json.sessionId);
    await send(sessionId, 'Two');
    const all = await runNode(emu, {
      resource: 'chat',
      operation: 'getMessages',
      sessionId,
      returnAll: true,
    });
    const human = all.items.filter((m) => m.json.role === 'human').map((m) => m.json.content);
    expect(human).toEqual(['One', 'Two']);
    const limited = await runNode(emu, {
      resource: 'chat',
      operation: 'getMessages',
      sessionId,
      returnAll: false,
      limit: 2,
    });
    expect(limited.items).toHaveLength(2);
    expect(limited.items[0]?.json.content).toBe('Two');
  });

  it('sends without waiting and returns the generation task', async () => {
    const { items } = await send('', 'Later please', { wait: false });
    expect(items[0]?.json).toMatchObject({ taskId: expect.any(Number) });
    expect(items[0]?.json.reply).toBeUndefined();
  });

  it('creates, renames, checks and deletes a session', async () => {
    const created = await runNode(emu, { resource: 'chat', operation: 'createSession', title: 'Planning' });
    const sessionId = String(created.items[0]?.json.sessionId);
    await runNode(emu, { resource: 'chat', operation: 'renameSession', sessionId, title: 'Planning 2027' });
    const sessions = await runNode(emu, { resource: 'chat', operation: 'getSessions' });
    expect(sessions.items.find((s) => String(s.json.sessionId) === sessionId)?.json.title).toBe(
      'Planning 2027',
    );
    const check = await runNode(emu, { resource: 'chat', operation: 'checkSession', sessionId });
    expect(check.items[0]?.json).toMatchObject({
      sessionId: Number(sessionId),
      sessionTitle: 'Planning 2027',
    });
    await runNode(emu, { resource: 'chat', operation: 'deleteSession', sessionId });
    const after = await runNode(emu, { resource: 'chat', operation: 'getSessions' });
    expect(after.items.some((s) => String(s.json.sessionId) === sessionId)).toBe(false);
  });

  it('gets, regenerates and deletes messages, and generates a title', async () => {
    const first = await send('', 'Tell me a joke');
    const sessionId = String(first.items[0]?.json.sessionId);
    const replyId = String(first.items[0]?.json.replyMessageId);

    const one = await runNode(emu, {
      resource: 'chat',
      operation: 'getMessage',
      sessionId,
      messageId: replyId,
    });
    expect(one.items[0]?.json).toMatchObject({ id: Number(replyId), role: 'assistant' });

    const regenerated = await runNode(emu, {
      resource: 'chat',
      operation: 'regenerate',
      sessionId,
      messageId: replyId,
      wait: true,
      options: { timeout: 30 },
    });
    expect(regenerated.items[0]?.json).toMatchObject({
      taskId: expect.any(Number),
      reply: expect.stringContaining('Tell me a joke'),
    });
    expect(regenerated.items[0]?.json.replyMessageId).not.toBe(Number(replyId));

    const title = await runNode(emu, {
      resource: 'chat',
      operation: 'generateTitle',
      sessionId,
      wait: true,
      options: { timeout: 30 },
    });
    expect(String(title.items[0]?.json.title)).toMatch(/\S/);

    const messageId = String(first.items[0]?.json.messageId);
    await runNode(emu, { resource: 'chat', operation: 'deleteMessage', sessionId, messageId });
    const left = await runNode(emu, {
      resource: 'chat',
      operation: 'getMessages',
      sessionId,
      returnAll: true,
    });
    expect(left.items.some((m) => String(m.json.id) === messageId)).toBe(false);
  });
});
