import { describe, expect, it } from 'vitest';
import { json, ocs, task, testClient, type Seen } from './helpers.js';

const CHAT = '/ocs/v2.php/apps/assistant/chat';

function message(id: number, role: string, content: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    session_id: 1,
    role,
    content,
    timestamp: 1_800_000_000,
    attachments: [],
    ocp_task_id: null,
    sources: '[]',
    ...extra,
  };
}

/** A small chat server: the reply task finishes after `polls` reads; the reply is stored after `storeAfter` checks. */
function chatServer(
  options: {
    polls?: number;
    storeAfter?: number;
    neverStore?: boolean;
    scheduledBeforeLoss?: boolean;
    generate?: (req: Seen) => ReturnType<typeof json> | undefined;
  } = {},
) {
  let taskReads = 0;
  let checks = 0;
  let generates = 0;
  return {
    get generates() {
      return generates;
    },
    handler: (req: Seen) => {
      if (req.path === `${CHAT}/new_message`)
        return json(message(3, 'human', String((req.json as { content: string }).content)));
      if (req.path === `${CHAT}/generate`) {
        generates++;
        return options.generate?.(req) ?? json({ taskId: 9 });
      }
      if (req.path === `${CHAT}/regenerate`) return json({ taskId: 12 });
      if (req.path === `${CHAT}/generate_title`) return json({ taskId: 10 });
      if (req.path.startsWith('/ocs/v2.php/taskprocessing/task/')) {
        const done = ++taskReads > (options.polls ?? 1);
        const id = Number(req.path.split('/').pop());
        return ocs({
          task: task({
            id,
            type: 'core:text2text:chat',
            status: done ? 'STATUS_SUCCESSFUL' : 'STATUS_RUNNING',
            output: done ? { output: 'From the task' } : null,
          }),
        });
      }
      if (req.path === `${CHAT}/check_generation` || req.path === `${CHAT}/check_title_generation`) {
        checks++;
        if (options.neverStore || checks <= (options.storeAfter ?? 0)) return json({ task_status: 3 }, 417);
        return req.path.endsWith('title_generation')
          ? json({ result: 'Capitals of Europe' })
          : json({
              ...message(4, 'assistant', 'Paris.', { ocp_task_id: 9 }),
              sessionAgencyPendingActions: null,
            });
      }
      if (req.path === '/ocs/v2.php/taskprocessing/tasks/app/assistant:chatty-llm') {
        // the lost generate did schedule task 9 for the message just sent; 8 answered an older message
        const older = task({ id: 8, input: { input: 'older' } });
        const mine = task({ id: 9, input: { input: 'Hi' }, scheduledAt: 1_800_000_000 });
        return ocs({ tasks: options.scheduledBeforeLoss === false ? [older] : [older, mine] });
      }
      if (req.path === `${CHAT}/check_session`)
        return json({
          messageTaskId: 9,
          titleTaskId: null,
          sessionTitle: null,
          sessionAgencyPendingActions: null,
        });
      throw new Error(`unexpected ${req.method} ${req.path}`);
    },
  };
}

describe('chat', () => {
  it('creates a session with a unix-seconds timestamp and lists sessions', async () => {
    const { client, requests } = testClient((req) =>
      req.method === 'PUT'
        ? json({
            session: {
              id: 1,
              user_id: 'alice',
              title: 'Trip',
              timestamp: 1_800_000_000,
              agency_conversation_token: null,
              agency_pending_actions: null,
            },
          })
        : json([]),
    );
    const session = await client.chat.createSession({ title: 'Trip' });
    expect(session.id).toBe(1);
    // A 2.13 server (the capabilities read is answered 404 here): the legacy PUT new_session.
    expect(requests.find((r) => r.method === 'PUT')!.json).toEqual({
      timestamp: 1_800_000_000,
      title: 'Trip',
    });
    expect(await client.chat.sessions()).toEqual([]);
  });

  it('sends as "human", generates, waits for the task and returns the stored reply', async () => {
    const server = chatServer({ polls: 2, storeAfter: 1 });
    const { client, requests } = testClient(server.handler);
    const result = await client.chat.send(1, 'What is the capital of France?', {
      attachments: [{ type: 'File', fileId: 93 }],
      firstHumanMessage: true,
    });
    expect(result.reply).toMatchObject({ content: 'Paris.', stored: true, taskId: 9 });
    const sent = requests[0]!.json as Record<string, unknown>;
    expect(sent).toMatchObject({
      sessionId: 1,
      role: 'human',
      content: 'What is the capital of France?',
      attachments: [{ type: 'File', file_id: 93 }],
      firstHumanMessage: true,
    });
    expect(requests[1]!).toMatchObject({
      method: 'GET',
      path: `${CHAT}/generate`,
      query: { sessionId: '1', format: 'json' },
    });
    expect(server.generates).toBe(1);
  });

  it('returns the task id without waiting when asked', async () => {
    const { client, requests } = testClient(chatServer().handler);
    const result = await client.chat.send(1, 'Hi', { wait: false });
    expect(result).toMatchObject({ taskId: 9 });
    expect(result.reply).toBeUndefined();
    expect(requests).toHaveLength(2);
  });

  it('reads the reply from the task when the server never stores it', async () => {
    const { client, clock } = testClient(chatServer({ neverStore: true }).handler);
    const start = clock.now;
    const result = await client.chat.send(1, 'Hi');
    expect(result.reply).toEqual({
      content: 'From the task',
      taskId: 9,
      message: null,
      stored: false,
      pendingActions: [],
    });
    expect(clock.now - start).toBeLessThan(15_000);
  });

  it('refuses empty and over-long messages before sending', async () => {
    const { client, requests } = testClient(chatServer().handler);
    await expect(client.chat.send(1, '   ')).rejects.toThrow(/message is empty/);
    await expect(client.chat.send(1, 'é'.repeat(32_001))).rejects.toThrow(
      /64002 bytes long; the server accepts at most 64000/,
    );
    expect(requests).toHaveLength(0);
  });

  it('never repeats generate blindly: after a lost answer it finds the task scheduled for this message', async () => {
    const server = chatServer({ generate: () => json({}, 502) });
    const { client, requests } = testClient(server.handler);
    const result = await client.chat.send(1, 'Hi');
    expect(server.generates).toBe(1);
    expect(result.taskId).toBe(9);
    expect(result.reply?.content).toBe('Paris.');
    expect(requests.find((r) => r.path.includes('/tasks/app/'))!.query.customId).toBe('chatty-llm:1');
  });

  it('asks again after a lost answer when nothing was scheduled for this message', async () => {
    let calls = 0;
    const server = chatServer({
      scheduledBeforeLoss: false,
      generate: () => (++calls === 1 ? json({}, 502) : undefined),
    });
    const { client } = testClient(server.handler);
    const result = await client.chat.send(1, 'Hi');
    expect(server.generates).toBe(2);
    expect(result.taskId).toBe(9);
  });

  it('says when the assistant is still answering', async () => {
    const { client } = testClient(
      chatServer({ generate: () => json({ error: 'session_already_thinking' }, 400) }).handler,
    );
    await expect(client.chat.send(1, 'Hi')).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/still answering/),
    });
  });

  it('reports a failed generation as task_failed', async () => {
    const { client } = testClient((req) => {
      if (req.path.startsWith('/ocs/v2.php/taskprocessing/task/'))
        return ocs({ task: task({ id: 9, status: 'STATUS_FAILED' }) });
      return chatServer().handler(req);
    });
    await expect(client.chat.send(1, 'Hi')).rejects.toMatchObject({ code: 'task_failed' });
  });

  it('reads all messages page by page, oldest first, stopping at a short page', async () => {
    const all = Array.from({ length: 120 }, (_, i) =>
      message(i + 1, i % 2 ? 'assistant' : 'human', `m${i + 1}`),
    );
    const { client, requests } = testClient((req) => {
      const limit = Number(req.query.limit);
      const cursor = Number(req.query.cursor);
      const end = all.length - cursor;
      return json(all.slice(Math.max(0, end - limit), end));
    });
    const messages = await client.chat.messages(1, { all: true });
    expect(messages.map((m) => m.id)).toEqual(all.map((m) => m.id));
    expect(requests.map((r) => r.query.cursor)).toEqual(['0', '50', '100']);
  });

  it('treats the 500 for a cursor past the end as the end of the conversation', async () => {
    const all = Array.from({ length: 50 }, (_, i) => message(i + 1, 'human', `m${i + 1}`));
    const { client, requests } = testClient((req) =>
      req.query.cursor === '0'
        ? json(all)
        : {
            status: 500,
            headers: { 'content-type': 'text/xml; charset=UTF-8' },
            body: '<?xml version="1.0"?><ocs><meta><statuscode>996</statuscode></meta></ocs>',
          },
    );
    expect(await client.chat.messages(1, { all: true })).toHaveLength(50);
    expect(requests).toHaveLength(2);
  });

  it('reads one page with limit and cursor', async () => {
    const { client, requests } = testClient(() => json([message(5, 'human', 'x')]));
    await client.chat.messages(1, { limit: 1, cursor: 2 });
    expect(requests[0]!.query).toMatchObject({ sessionId: '1', limit: '1', cursor: '2' });
  });

  it('regenerates, generates a title, renames, deletes and checks', async () => {
    const server = chatServer();
    const { client, requests } = testClient((req) => {
      if (
        req.path === `${CHAT}/update_session` ||
        req.path === `${CHAT}/delete_session` ||
        req.path === `${CHAT}/delete_message`
      )
        return json([]);
      if (req.path === `${CHAT}/sessions/1/messages/4`) return json(message(4, 'assistant', 'Paris.'));
      return server.handler(req);
    });
    expect((await client.chat.regenerate(1, 4)).reply?.content).toBe('Paris.');
    expect(requests.find((r) => r.path.endsWith('/regenerate'))!.query).toMatchObject({
      sessionId: '1',
      messageId: '4',
    });
    expect(await client.chat.generateTitle(1)).toEqual({ taskId: 10, title: 'Capitals of Europe' });
    await client.chat.renameSession(1, 'Europe');
    expect(requests.find((r) => r.method === 'PATCH')!.json).toEqual({ sessionId: 1, title: 'Europe' });
    expect((await client.chat.message(1, 4)).content).toBe('Paris.');
    await client.chat.deleteMessage(1, 4);
    await client.chat.deleteSession(1);
    expect(requests.filter((r) => r.method === 'DELETE').map((r) => r.query)).toEqual([
      { sessionId: '1', messageId: '4', format: 'json' },
      { sessionId: '1', format: 'json' },
    ]);
    expect((await client.chat.checkSession(1)).messageTaskId).toBe(9);
  });
});

describe('chat paging against a broken server', () => {
  it('stops when the server ignores the cursor instead of looping forever', async () => {
    const page = Array.from({ length: 50 }, (_, i) => message(i + 1, 'human', `m${i}`));
    const { client, requests } = testClient(() => json(page));
    await expect(client.chat.messages(1, { all: true })).rejects.toThrow(
      /same page of messages for every cursor/,
    );
    expect(requests).toHaveLength(2);
  });
});
