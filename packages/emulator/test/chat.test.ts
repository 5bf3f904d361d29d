import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CHAT,
  TP,
  data,
  until,
  startTestEmulator,
  type ChatMessage,
  type ChatSession,
  type ChatTaskId,
  type Client,
  type Schemas,
  type Task,
  type TestEnv,
} from './helpers.js';

let env: TestEnv;
beforeAll(async () => {
  // Tests that look at a phase (waiting, generated but not stored) hold it with a paused provider or a
  // long store delay and then let it go: no test depends on a timer firing before a request arrives.
  env = await startTestEmulator({
    chat: { storeDelayMs: 60 },
    providers: { default: { pickupMs: 20, runMs: 40 }, 'core:text2text:chat': { pickupMs: 150, runMs: 60 } },
  });
});
afterAll(() => env.emu.close());
afterEach(() => env.emu.control.reset());

async function session(c: Client, title?: string): Promise<number> {
  const res = await c.put(`${CHAT}/new_session`, {
    json: { timestamp: 1_700_000_000, ...(title ? { title } : {}) },
  });
  return (res.body as { session: ChatSession }).session.id;
}

async function say(
  c: Client,
  sessionId: number,
  content: string,
  extra: Record<string, unknown> = {},
): Promise<ChatMessage> {
  const res = await c.put(`${CHAT}/new_message`, {
    json: { sessionId, role: 'human', content, timestamp: 1_700_000_001, ...extra },
  });
  return res.body as ChatMessage;
}

describe('chat', () => {
  it('goes 417 {task_status, slow_pickup} → 417 {task_status:3} → 200 message', async () => {
    env.emu.control.setProvider('core:text2text:chat', { paused: true });
    env.emu.control.setChat({ storeDelayMs: 600_000 });
    const sid = await session(env.alice);
    const human = await say(env.alice, sid, 'What is the capital of France?', { firstHumanMessage: true });
    expect(human).toMatchObject({ role: 'human', ocp_task_id: null, sources: '[]', attachments: [] });
    const { taskId } = (await env.alice.get(`${CHAT}/generate`, { query: { sessionId: sid } }))
      .body as ChatTaskId;
    const task = data<{ task: Task }>(await env.alice.get(`${TP}/task/${taskId}`)).task;
    expect(task).toMatchObject({
      type: 'core:text2text:chat',
      appId: 'assistant:chatty-llm',
      customId: `chatty-llm:${sid}`,
    });
    const first = await env.alice.get(`${CHAT}/check_generation`, { query: { taskId, sessionId: sid } });
    expect(first.status).toBe(417);
    expect(first.body).toEqual({ task_status: 1, slow_pickup: false });
    expect((await env.alice.get(`${CHAT}/generate`, { query: { sessionId: sid } })).body).toEqual({
      error: 'session_already_thinking',
    });
    expect(
      (
        (await env.alice.get(`${CHAT}/check_session`, { query: { sessionId: sid } }))
          .body as Schemas['ChatSessionCheck']
      ).messageTaskId,
    ).toBe(taskId);
    env.emu.control.setProvider('core:text2text:chat', { paused: false });
    const stored = await until(async () => {
      const r = await env.alice.get(`${CHAT}/check_generation`, { query: { taskId, sessionId: sid } });
      return r.status === 417 && (r.body as { task_status: number }).task_status === 3 ? r : undefined;
    });
    expect(stored.body).toEqual({ task_status: 3 });
    // a shorter delay applies to the reply already waiting: it is stored now
    env.emu.control.setChat({ storeDelayMs: 0 });
    const done = await until(async () => {
      const r = await env.alice.get(`${CHAT}/check_generation`, { query: { taskId, sessionId: sid } });
      return r.status === 200 ? r : undefined;
    });
    expect(done.body).toMatchObject({
      role: 'assistant',
      ocp_task_id: taskId,
      sessionAgencyPendingActions: null,
    });
    expect((done.body as ChatMessage).content).toContain('Input message: What is the capital of France?');
    const check = (await env.alice.get(`${CHAT}/check_session`, { query: { sessionId: sid } })).body;
    expect(check).toEqual({
      messageTaskId: null,
      titleTaskId: null,
      sessionTitle: 'What is the capital of France?',
      sessionAgencyPendingActions: null,
    });
  });

  it('reports slow_pickup once the task waited longer than the threshold', async () => {
    env.emu.control.setProvider('core:text2text:chat', { paused: true });
    env.emu.control.setChat({ slowPickupMs: 30 });
    const sid = await session(env.alice);
    await say(env.alice, sid, 'hello?');
    const { taskId } = (await env.alice.get(`${CHAT}/generate`, { query: { sessionId: sid } }))
      .body as ChatTaskId;
    await new Promise((r) => setTimeout(r, 60));
    expect(
      (await env.alice.get(`${CHAT}/check_generation`, { query: { taskId, sessionId: sid } })).body,
    ).toEqual({ task_status: 1, slow_pickup: true });
  });

  it('never stores the reply under the never-store-reply fault: 417 {task_status:3} forever', async () => {
    env.emu.control.setFaults([{ kind: 'never-store-reply' }]);
    const sid = await session(env.alice);
    await say(env.alice, sid, 'anyone?');
    const { taskId } = (await env.alice.get(`${CHAT}/generate`, { query: { sessionId: sid } }))
      .body as ChatTaskId;
    await until(
      async () =>
        data<{ task: Task }>(await env.alice.get(`${TP}/task/${taskId}`)).task.status === 'STATUS_SUCCESSFUL',
    );
    // idle() waits for every result the listener still has to store: none under this fault
    await env.emu.control.idle();
    const r = await env.alice.get(`${CHAT}/check_generation`, { query: { taskId, sessionId: sid } });
    expect(r.status).toBe(417);
    expect(r.body).toEqual({ task_status: 3 });
    expect(env.emu.control.messages().filter((m) => m.role === 'assistant')).toEqual([]);
  });

  it('answers 400 {error, task_status} when generation failed', async () => {
    env.emu.control.setProvider('core:text2text:chat', { fail: true });
    const sid = await session(env.alice);
    await say(env.alice, sid, 'fail please');
    const { taskId } = (await env.alice.get(`${CHAT}/generate`, { query: { sessionId: sid } }))
      .body as ChatTaskId;
    const r = await until(async () => {
      const res = await env.alice.get(`${CHAT}/check_generation`, { query: { taskId, sessionId: sid } });
      return res.status === 400 ? res : undefined;
    });
    expect((r.body as { task_status: number }).task_status).toBe(4);
  });

  it('needs role human for generation (a `user` message makes generate crash)', async () => {
    const sid = await session(env.alice);
    await env.alice.put(`${CHAT}/new_message`, {
      json: { sessionId: sid, role: 'user', content: 'hi', timestamp: 1 },
    });
    expect((await env.alice.get(`${CHAT}/generate`, { query: { sessionId: sid } })).status).toBe(500);
  });

  it('limits messages to 64 000 bytes and refuses empty content', async () => {
    const sid = await session(env.alice);
    expect(
      (
        await env.alice.put(`${CHAT}/new_message`, {
          json: { sessionId: sid, role: 'human', content: 'B'.repeat(64_000), timestamp: 1 },
        })
      ).status,
    ).toBe(200);
    const long = await env.alice.put(`${CHAT}/new_message`, {
      json: { sessionId: sid, role: 'human', content: 'A'.repeat(64_001), timestamp: 1 },
    });
    expect(long.status).toBe(400);
    expect(long.body).toEqual({ error: 'The new message is too long' });
    const multibyte = await env.alice.put(`${CHAT}/new_message`, {
      json: { sessionId: sid, role: 'human', content: 'é'.repeat(32_001), timestamp: 1 },
    });
    expect(multibyte.status).toBe(400);
    const empty = await env.alice.put(`${CHAT}/new_message`, {
      json: { sessionId: sid, role: 'human', content: '   ', timestamp: 1 },
    });
    expect(empty.body).toEqual({ error: 'Message content is empty' });
  });

  it('pages messages from the newest by cursor, each page oldest-first, 500 past the end', async () => {
    const sid = await session(env.alice);
    expect((await env.alice.get(`${CHAT}/messages`, { query: { sessionId: sid } })).body).toEqual([]);
    const ids: number[] = [];
    for (let i = 1; i <= 5; i++) ids.push((await say(env.alice, sid, `m${i}`)).id);
    const page = async (q: Record<string, number | string>): Promise<number[]> =>
      (
        (await env.alice.get(`${CHAT}/messages`, { query: { sessionId: sid, ...q } })).body as ChatMessage[]
      ).map((m) => m.id);
    expect(await page({ limit: 2, cursor: 0 })).toEqual([ids[3], ids[4]]);
    expect(await page({ limit: 2, cursor: 2 })).toEqual([ids[1], ids[2]]);
    expect(await page({ limit: 2, cursor: 4 })).toEqual([ids[0]]);
    expect(await page({ limit: 0 })).toEqual(ids);
    expect(await page({ limit: 'ten' })).toEqual(ids);
    expect((await env.alice.get(`${CHAT}/messages`, { query: { sessionId: sid, cursor: 5 } })).status).toBe(
      500,
    );
    // the hidden system message used an id: the first human message is not the session's first id
    expect(ids[0]).toBeGreaterThan(1);
  });

  it('regenerates: deletes that message and schedules a new reply; titles via generate_title', async () => {
    const sid = await session(env.alice);
    await say(env.alice, sid, 'Tell me a joke');
    const gen = (await env.alice.get(`${CHAT}/generate`, { query: { sessionId: sid } })).body as ChatTaskId;
    const reply = await until(async () => {
      const r = await env.alice.get(`${CHAT}/check_generation`, {
        query: { taskId: gen.taskId, sessionId: sid },
      });
      return r.status === 200 ? (r.body as ChatMessage) : undefined;
    });
    const regen = await env.alice.get(`${CHAT}/regenerate`, {
      query: { sessionId: sid, messageId: reply.id },
    });
    expect(regen.status).toBe(200);
    expect((regen.body as ChatTaskId).taskId).toBeGreaterThan(gen.taskId);
    expect((await env.alice.get(`${CHAT}/sessions/${sid}/messages/${reply.id}`)).status).toBe(500);
    const second = await until(async () => {
      const r = await env.alice.get(`${CHAT}/check_generation`, {
        query: { taskId: (regen.body as ChatTaskId).taskId, sessionId: sid },
      });
      return r.status === 200 ? (r.body as ChatMessage) : undefined;
    });
    expect(second.id).not.toBe(reply.id);
    env.emu.control.setProvider('core:text2text:chat', { paused: true });
    const title = (await env.alice.get(`${CHAT}/generate_title`, { query: { sessionId: sid } }))
      .body as ChatTaskId;
    const first = await env.alice.get(`${CHAT}/check_title_generation`, {
      query: { taskId: title.taskId, sessionId: sid },
    });
    expect(first.status).toBe(417);
    expect(first.body).toEqual({ task_status: 1 });
    env.emu.control.setProvider('core:text2text:chat', { paused: false });
    const result = await until(async () => {
      const r = await env.alice.get(`${CHAT}/check_title_generation`, {
        query: { taskId: title.taskId, sessionId: sid },
      });
      return r.status === 200 ? (r.body as { result: string }) : undefined;
    });
    const sessions = (await env.alice.get(`${CHAT}/sessions`)).body as ChatSession[];
    expect(sessions.find((s) => s.id === sid)?.title).toBe(result.result);
  });

  it('manages sessions: newest first, rename, delete (query or JSON body), [] answers', async () => {
    const a = await session(env.alice, 'first');
    const later = await env.alice.put(`${CHAT}/new_session`, { json: { timestamp: 1_800_000_000 } });
    const b = (later.body as { session: ChatSession }).session.id;
    expect(((await env.alice.get(`${CHAT}/sessions`)).body as ChatSession[]).map((s) => s.id)).toEqual([
      b,
      a,
    ]);
    expect(
      (await env.alice.patch(`${CHAT}/update_session`, { json: { sessionId: a, title: 'renamed' } })).body,
    ).toEqual([]);
    expect((await env.alice.delete(`${CHAT}/delete_session`, { query: { sessionId: b } })).body).toEqual([]);
    expect((await env.alice.delete(`${CHAT}/delete_session`, { json: { sessionId: a } })).body).toEqual([]);
    expect((await env.alice.get(`${CHAT}/sessions`)).body).toEqual([]);
    expect((await env.alice.get(`${CHAT}/messages`, { query: { sessionId: a } })).status).toBe(404);
    const s = await session(env.alice);
    const m = await say(env.alice, s, 'bye');
    expect(
      (await env.alice.delete(`${CHAT}/delete_message`, { query: { sessionId: s, messageId: m.id } })).body,
    ).toEqual([]);
    expect(
      (await env.alice.delete(`${CHAT}/delete_message`, { query: { sessionId: s, messageId: 99999 } }))
        .status,
    ).toBe(500);
  });

  it("keeps each user's chats private (404 Session not found) while no-op routes still answer []", async () => {
    const sid = await session(env.alice, 'mine');
    const msg = await say(env.alice, sid, 'secret');
    const notFound = { error: 'Session not found' };
    expect((await env.bob.get(`${CHAT}/messages`, { query: { sessionId: sid } })).body).toEqual(notFound);
    expect((await env.bob.get(`${CHAT}/sessions/${sid}/messages/${msg.id}`)).body).toEqual(notFound);
    expect((await env.bob.get(`${CHAT}/generate`, { query: { sessionId: sid } })).status).toBe(404);
    expect(
      (
        await env.bob.put(`${CHAT}/new_message`, {
          json: { sessionId: sid, role: 'human', content: 'hijack', timestamp: 1 },
        })
      ).status,
    ).toBe(404);
    expect(
      (await env.bob.patch(`${CHAT}/update_session`, { json: { sessionId: sid, title: 'hijacked' } })).body,
    ).toEqual([]);
    expect((await env.bob.delete(`${CHAT}/delete_session`, { query: { sessionId: sid } })).body).toEqual([]);
    const mine = (await env.alice.get(`${CHAT}/sessions`)).body;
    expect(mine).toEqual([expect.objectContaining({ id: sid, title: 'mine' })]);
    expect((await env.alice.get(`${CHAT}/messages`, { query: { sessionId: sid } })).body).toHaveLength(1);
    for (const bad of ['abc', '-1', '99999999999999999999']) {
      expect((await env.alice.get(`${CHAT}/check_session`, { query: { sessionId: bad } })).status).toBe(404);
    }
    expect((await env.alice.get(`${CHAT}/check_session`, { query: { sessionId: `${sid}.5` } })).status).toBe(
      200,
    );
    expect(
      (await env.alice.get(`${CHAT}/check_generation`, { query: { sessionId: sid, taskId: 99999 } })).body,
    ).toEqual({ error: 'task_not_found' });
  });
});
