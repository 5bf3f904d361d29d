import { AssistantError, createNodeClient } from '@f7cloud/assistant-client/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';

// The core client's full scenario against the emulator, exactly as a user would run it against a server.

let emu: RunningEmulator;
let client: ReturnType<typeof createNodeClient>;
let bob: ReturnType<typeof createNodeClient>;

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    providers: { default: { pickupMs: 20, runMs: 40 } },
    chat: { storeDelayMs: 30 },
  });
  const [a, b] = emu.users;
  client = createNodeClient({ baseUrl: emu.url, auth: { user: a!.user, appPassword: a!.appPassword } });
  bob = createNodeClient({ baseUrl: emu.url, auth: { user: b!.user, appPassword: b!.appPassword } });
});
afterAll(async () => {
  client.close();
  bob.close();
  await emu.close();
});

async function errorOf(p: Promise<unknown>): Promise<AssistantError> {
  try {
    await p;
  } catch (e) {
    if (AssistantError.isInstance(e)) return e;
    throw e;
  }
  throw new Error('expected an AssistantError');
}

describe('core client against the emulator', () => {
  it('lists task types including the chat entry', async () => {
    const types = await client.taskTypes();
    const ids = types.map((t) => t.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'core:text2text',
        'core:text2text:summary',
        'core:text2image',
        'core:audio2text',
        'core:text2speech',
      ]),
    );
    expect(types.find((t) => t.id === 'core:text2text')?.name).toBe('Generate text');
  });

  it('runs a task and waits for its output, reporting pickup and running phases', async () => {
    const phases = new Set<string>();
    const task = await client.tasks.run(
      { type: 'core:text2text', input: { input: 'Write a haiku about spreadsheets' } },
      { timeoutMs: 10_000, onProgress: (p) => phases.add(p.phase) },
    );
    expect(task.status).toBe('STATUS_SUCCESSFUL');
    expect(String(task.output?.output)).toContain('Write a haiku about spreadsheets');
    expect(phases.has('scheduled')).toBe(true);
    expect(phases.has('done')).toBe(true);
    expect((await client.tasks.get(task.id)).id).toBe(task.id);
    expect((await client.tasks.list()).map((t) => t.id)).toContain(task.id);
  });

  it('uploads, extracts text, runs a file action and gets the generated file', async () => {
    const { fileId, path } = await client.files.upload('/Reports/q3.md', '# Q3\n\nRevenue grew **12 %**.\n');
    expect(path).toBe('/Reports/q3.md');
    expect(await client.files.resolve('/Reports/q3.md')).toBe(fileId);
    expect(await client.files.extractText({ fileId })).toBe('Q3\nRevenue grew 12 %.\n');
    expect(await client.files.extractText({ path: '/Reports/q3.md' })).toContain('Revenue');
    const info = await client.files.info(fileId);
    expect(info).toMatchObject({ name: 'q3.md', owner: 'alice' });
    const input = await client.files.uploadInput(new TextEncoder().encode('plain input'), {
      filename: 'in.txt',
    });
    expect(Buffer.from((await client.files.download(input.fileId)).data!).toString()).toBe('plain input');
    const action = await client.files.runAction(fileId, 'core:text2text:summary', { wait: true });
    expect(action.task?.customId).toBe(`file-action:${fileId}`);
    expect(action.file?.path).toBe('/Reports/q3.md - summarized.md');
    const summary = await client.files.download(action.file!.fileId);
    expect(Buffer.from(summary.data!).toString()).toContain('This is a fake summary');
  });

  it('chats: session, message and reply, title, regenerate, paging, delete', async () => {
    const session = await client.chat.createSession();
    const sent = await client.chat.send(session.id, 'What is the capital of France?', {
      firstHumanMessage: true,
    });
    expect(sent.message.role).toBe('human');
    expect(sent.reply?.stored).toBe(true);
    expect(sent.reply?.content).toContain('What is the capital of France?');
    const title = await client.chat.generateTitle(session.id);
    expect(title.title).toBeTruthy();
    expect((await client.chat.sessions()).find((s) => s.id === session.id)?.title).toBe(title.title);
    const replyId = sent.reply!.message!.id;
    const regen = await client.chat.regenerate(session.id, replyId);
    expect(regen.reply?.content).toBeTruthy();
    expect(regen.reply?.message?.id).not.toBe(replyId);
    for (let i = 0; i < 3; i++)
      await client.chat
        .send(session.id, `more ${i}`, { wait: false })
        .then((r) => client.chat.waitForReply(session.id, r.taskId));
    const all = await client.chat.messages(session.id, { all: true });
    expect(all.length).toBe(8);
    expect(all.map((m) => m.id)).toEqual([...all.map((m) => m.id)].sort((x, y) => x - y));
    expect((await client.chat.message(session.id, all[0]!.id)).content).toBe(
      'What is the capital of France?',
    );
    expect((await client.chat.checkSession(session.id)).messageTaskId).toBeNull();
    await client.chat.deleteMessage(session.id, all[all.length - 1]!.id);
    await client.chat.renameSession(session.id, 'Geography');
    expect((await client.chat.sessions()).find((s) => s.id === session.id)?.title).toBe('Geography');
    await client.chat.deleteSession(session.id);
    expect((await client.chat.sessions()).some((s) => s.id === session.id)).toBe(false);
  });

  it('notifications: notify when ready, read and cancel the record', async () => {
    // held until the notification record has been read and changed
    emu.control.setProvider('core:text2text:headline', { paused: true });
    const task = await client.tasks.schedule({
      type: 'core:text2text:headline',
      input: { input: 'Otters hold hands' },
    });
    await client.tasks.notifyWhenReady(task.id);
    expect((await client.tasks.getNotification(task.id))?.ocp_task_id).toBe(task.id);
    await client.tasks.cancelNotification(task.id);
    expect(await client.tasks.getNotification(task.id)).toBeNull();
    await client.tasks.notifyWhenReady(task.id);
    emu.control.setProvider('core:text2text:headline', { paused: false });
    await client.tasks.wait(task.id, { timeoutMs: 30_000 });
    expect(emu.control.notifications().map((n) => n.object_id)).toContain(String(task.id));
  });

  it('output files: download, preview, save and share', async () => {
    const task = await client.tasks.run(
      { type: 'core:text2image', input: { input: 'A lighthouse', numberOfImages: 1 } },
      { timeoutMs: 30_000 },
    );
    const fileId = (task.output?.images as number[])[0]!;
    const png = await client.tasks.downloadOutputFile(task.id, fileId);
    expect(png.contentType).toBe('image/png');
    expect(Buffer.from(png.data!).subarray(1, 4).toString()).toBe('PNG');
    const preview = await client.tasks.previewOutputFile(task.id, fileId, { x: 32, y: 32 });
    expect(Buffer.from(preview.data!).readUInt32BE(16)).toBe(32);
    const saved = await client.tasks.saveOutputFile(task.id, fileId);
    expect(saved.path).toMatch(/^\/Assistant\/.*\.png$/);
    const shared = await client.tasks.shareOutputFile(task.id, fileId);
    expect(shared.shareToken).toMatch(/^[A-Za-z0-9]{15}$/);
    expect(shared.url).toContain(`/s/${shared.shareToken}`);
  });

  it('maps errors to the right codes', async () => {
    const [a, b] = emu.users;
    const retry = { retries: 0, baseDelayMs: 10 };
    const strictBob = createNodeClient({
      baseUrl: emu.url,
      auth: { user: b!.user, appPassword: b!.appPassword },
      retry,
    });
    // no retries, so answers from injected faults surface at once
    const strict = createNodeClient({
      baseUrl: emu.url,
      auth: { user: a!.user, appPassword: a!.appPassword },
      retry,
    });
    expect((await errorOf(client.tasks.get(999_999))).code).toBe('not_found');
    const mine = await client.tasks.schedule({ type: 'core:text2text', input: { input: 'mine' } });
    expect((await errorOf(bob.tasks.get(mine.id))).code).toBe('not_found');
    const wrong = createNodeClient({
      baseUrl: emu.url,
      auth: { user: 'alice', appPassword: 'wrong-app-password' },
    });
    const auth = await errorOf(wrong.taskTypes());
    wrong.close();
    expect(auth.code).toBe('auth');
    expect(JSON.stringify(auth)).not.toContain('wrong-app-password');
    expect((await errorOf(client.tasks.schedule({ type: 'no:such:type', input: { input: 'x' } }))).code).toBe(
      'invalid_input',
    );
    emu.control.setProvider('core:text2text', { fail: 'boom' });
    expect(
      (
        await errorOf(
          client.tasks.run({ type: 'core:text2text', input: { input: 'x' } }, { timeoutMs: 30_000 }),
        )
      ).code,
    ).toBe('task_failed');
    emu.control.setProvider('core:text2text', { fail: false });
    // a Retry-After longer than the client's total rate-limit wait (130 s) is handed to the caller (a proxy's
    // 429: the server's own has none, as recorded)
    emu.control.setFaults([
      { kind: 'rate-limit', retryAfter: 3600, route: 'task_processing_api-schedule', times: 1 },
    ]);
    const limited = await errorOf(
      strictBob.tasks.schedule({ type: 'core:text2text', input: { input: '2' } }),
    );
    expect(limited.code).toBe('rate_limited');
    expect(limited.retryAfterMs).toBeGreaterThan(0);
    emu.control.setFaults([{ kind: 'status', status: 500, route: 'assistant_api-get-available-task-types' }]);
    expect((await errorOf(strict.taskTypes())).code).toBe('server');
    emu.control.setFaults([{ kind: 'html-login', route: 'assistant_api-get-available-task-types' }]);
    expect((await errorOf(strict.taskTypes())).code).toBe('not_assistant_server');
    emu.control.clearFaults();
    strict.close();
    strictBob.close();
  });
});
