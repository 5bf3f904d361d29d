import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  API,
  data,
  schedule,
  startTestEmulator,
  TP,
  until,
  waitTask,
  type Task,
  type TestEnv,
} from './helpers.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEmulator({
    providers: {
      default: { pickupMs: 20, runMs: 40 },
      'core:text2text:headline': { pickupMs: 400, runMs: 400 },
    },
    rateLimit: { schedule: { limit: 1000, windowMs: 120_000 } },
  });
});
afterAll(() => env.emu.close());
afterEach(() => env.emu.control.reset());

describe('core TaskProcessing', () => {
  it('schedules a task, goes scheduled → running → successful, with ids from 1', async () => {
    const task = await schedule(env.alice, 'core:text2text', { input: 'Write a haiku' }, { customId: 'c-1' });
    expect(task).toMatchObject({
      id: 1,
      status: 'STATUS_SCHEDULED',
      progress: null,
      customId: 'c-1',
      userId: 'alice',
      output: null,
    });
    expect(task.input).toEqual({ max_tokens: 1234, model: 'model_2', input: 'Write a haiku' });
    expect(task.completionExpectedAt).toBeGreaterThanOrEqual(task.scheduledAt!);
    const done = await waitTask(env.alice, task.id);
    expect(done.status).toBe('STATUS_SUCCESSFUL');
    expect(done.progress).toBe(1);
    expect(done.output?.output).toContain('Prompt: Write a haiku');
    expect(done.startedAt).not.toBeNull();
    expect((await schedule(env.alice, 'core:text2text', { input: 'x' })).id).toBe(2);
  });

  it('shows waiting-for-pickup separately from running (phases held by a paused provider)', async () => {
    const status = async (id: number): Promise<string> =>
      data<{ task: Task }>(await env.alice.get(`${TP}/task/${id}`)).task.status;
    env.emu.control.setProvider('core:text2text:summary', { paused: true });
    const task = await schedule(env.alice, 'core:text2text:summary', { input: 'Long text' });
    expect(await status(task.id)).toBe('STATUS_SCHEDULED');
    // resuming picks the waiting task up at once; pausing again holds its completion
    env.emu.control.setProvider('core:text2text:summary', { paused: false });
    env.emu.control.setProvider('core:text2text:summary', { paused: true });
    expect(await status(task.id)).toBe('STATUS_RUNNING');
    await new Promise((r) => setTimeout(r, 100)); // past runMs (40): the completion came due while paused
    expect(await status(task.id)).toBe('STATUS_RUNNING');
    env.emu.control.setProvider('core:text2text:summary', { paused: false });
    expect((await waitTask(env.alice, task.id)).output?.output).toContain('This is a fake summary');
  });

  it('refuses a paused flag that is not a boolean', () => {
    expect(() => env.emu.control.setProvider('default', { paused: 'yes' as never })).toThrow(
      /providers\["default"\]\.paused must be true or false, got "yes"/,
    );
  });

  it('runs every required provider, images and speech as real PNG / WAV output files', async () => {
    const inputs: Record<string, Record<string, unknown>> = {
      'core:text2text:headline': { input: 'A long article about otters' },
      'core:text2text:translate': { input: 'Hallo Welt', origin_language: 'de', target_language: 'en' },
      'core:text2text:chat': { input: 'Hi', system_prompt: 'Be brief', history: [] },
    };
    env.emu.control.setProvider('core:text2text:headline', { pickupMs: 10, runMs: 10 });
    for (const [type, input] of Object.entries(inputs)) {
      const done = await waitTask(env.alice, (await schedule(env.alice, type, input)).id);
      expect(done.status, type).toBe('STATUS_SUCCESSFUL');
      expect(typeof done.output?.output).toBe('string');
    }
    const image = await waitTask(
      env.alice,
      (await schedule(env.alice, 'core:text2image', { input: 'A lighthouse', numberOfImages: 2 })).id,
    );
    const images = image.output?.images as number[];
    expect(images).toHaveLength(2);
    const png = await env.alice.get(`${TP}/tasks/${image.id}/file/${images[0]}`);
    expect(png.status).toBe(200);
    expect(png.bytes.subarray(1, 4).toString()).toBe('PNG');
    const idat = png.bytes.indexOf('IDAT');
    const len = png.bytes.readUInt32BE(idat - 4);
    expect(inflateSync(png.bytes.subarray(idat + 4, idat + 4 + len)).length).toBe(256 * (1 + 256 * 3));
    const speech = await waitTask(
      env.alice,
      (await schedule(env.alice, 'core:text2speech', { input: 'Hello there' })).id,
    );
    const wav = await env.alice.get(`${API}/task/${speech.id}/output-file/${speech.output?.speech}/download`);
    expect(wav.contentType).toBe('audio/x-wav');
    expect(wav.bytes.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.bytes.subarray(8, 12).toString()).toBe('WAVE');
  });

  it('refuses bad input with the real statuses: 400 missing key, 412 unknown type, 401 foreign file', async () => {
    const missing = await env.alice.post(`${TP}/schedule`, {
      json: { type: 'core:text2text', input: {}, appId: 'a' },
    });
    expect(missing.status).toBe(400);
    expect(data(missing)).toEqual({ message: 'Missing key: "input"' });
    const unknown = await env.alice.post(`${TP}/schedule`, {
      json: { type: 'no:such:type', input: { input: 'x' }, appId: 'a' },
    });
    expect(unknown.status).toBe(412);
    expect(data<{ message: string }>(unknown).message).toBe('The given provider is not available');
    const bobFile = data<{ fileId: number }>(
      await env.bob.post(`${API}/input-file`, { body: form('x.wav', 'RIFF') }),
    );
    const foreign = await env.alice.post(`${TP}/schedule`, {
      json: { type: 'core:audio2text', input: { input: bobFile.fileId }, appId: 'a' },
    });
    expect(foreign.status).toBe(401);
    const tooLong = await env.alice.post(`${TP}/schedule`, {
      json: { type: 'core:text2text', input: { input: 'x'.repeat(512_001) }, appId: 'a' },
    });
    expect(tooLong.status).toBe(400);
  });

  it('rate-limits schedule per user (429, empty body, no Retry-After as recorded), other users unaffected', async () => {
    env.emu.control.setRateLimit('schedule', { limit: 3, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) await schedule(env.alice, 'core:text2text', { input: `${i}` });
    const limited = await env.alice.post(`${TP}/schedule`, {
      json: { type: 'core:text2text', input: { input: 'x' }, appId: 'a' },
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeNull();
    expect([limited.contentType, limited.text]).toEqual(['text/html; charset=UTF-8', '']);
    expect((await schedule(env.bob, 'core:text2text', { input: 'bob' })).userId).toBe('bob');
    env.emu.control.setRateLimit('schedule', { limit: 1000, windowMs: 120_000 });
  });

  it('cancels, deletes and lists tasks by type, custom id and app', async () => {
    const slow = await schedule(env.alice, 'core:text2text:headline', { input: 'x' }, { customId: 'keep' });
    const cancelled = data<{ task: Task }>(await env.alice.post(`${TP}/tasks/${slow.id}/cancel`)).task;
    expect(cancelled.status).toBe('STATUS_CANCELLED');
    const other = await schedule(env.alice, 'core:text2text', { input: 'y' }, { appId: 'other-app' });
    const ids = async (path: string, query?: Record<string, string>): Promise<number[]> =>
      data<{ tasks: Task[] }>(await env.alice.get(path, { query })).tasks.map((t) => t.id);
    expect(await ids(`${TP}/tasks`, { taskType: 'core:text2text' })).toEqual([other.id]);
    expect(await ids(`${TP}/tasks`, { customId: 'keep' })).toEqual([slow.id]);
    expect(await ids(`${TP}/tasks/app/other-app`)).toEqual([other.id]);
    expect(data<{ tasks: unknown[] }>(await env.alice.get(`${API}/tasks`)).tasks).toHaveLength(2);
    expect((await env.alice.delete(`${TP}/task/${other.id}`)).status).toBe(200);
    expect((await env.alice.get(`${TP}/task/${other.id}`)).status).toBe(404);
  });

  it("hides other users' tasks (404) and never lets them cancel or delete", async () => {
    const task = await schedule(env.alice, 'core:text2text:headline', { input: 'private' });
    expect((await env.bob.get(`${TP}/task/${task.id}`)).status).toBe(404);
    expect((await env.bob.post(`${TP}/tasks/${task.id}/cancel`)).status).toBe(404);
    await env.bob.delete(`${TP}/task/${task.id}`);
    expect(data<{ tasks: Task[] }>(await env.bob.get(`${TP}/tasks`)).tasks).toEqual([]);
    expect(data<{ task: Task }>(await env.alice.get(`${TP}/task/${task.id}`)).task.status).not.toBe(
      'STATUS_CANCELLED',
    );
  });

  it('injects provider failures per type', async () => {
    env.emu.control.setProvider('core:text2text', { fail: 'model exploded' });
    const done = await waitTask(env.alice, (await schedule(env.alice, 'core:text2text', { input: 'x' })).id);
    expect(done.status).toBe('STATUS_FAILED');
    expect(env.emu.control.tasks()[0]).toMatchObject({ errorMessage: 'model exploded' });
  });

  it('posts {task} to the webhook (127.0.0.1 receiver) once per finished task', async () => {
    const received: { method: string; body: { task: Task } }[] = [];
    const receiver = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ method: req.method ?? '', body: JSON.parse(body) as { task: Task } });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const uri = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    try {
      const task = await schedule(
        env.alice,
        'core:text2text',
        { input: 'hook me' },
        { webhookUri: uri, webhookMethod: 'HTTP:POST' },
      );
      await waitTask(env.alice, task.id);
      await until(async () => received.length === 1);
      await env.emu.control.idle();
      expect(received[0]!.method).toBe('POST');
      expect(received[0]!.body.task).toMatchObject({ id: task.id, status: 'STATUS_SUCCESSFUL' });
      expect(env.emu.control.webhooks()).toEqual([
        expect.objectContaining({ taskId: task.id, uri, method: 'POST', status: 200, error: null }),
      ]);
    } finally {
      receiver.close();
    }
  });

  it('notify-when-ready: record while pending, notification when done, empty record otherwise', async () => {
    env.emu.control.setProvider('core:text2text:headline', { paused: true });
    const task = await schedule(env.alice, 'core:text2text:headline', { input: 'notify me' });
    expect(data(await env.alice.post(`${API}/task/${task.id}/notify`))).toBe('');
    const rec = data(await env.alice.get(`${API}/task/${task.id}/notify`));
    expect(rec).toMatchObject({ ocp_task_id: task.id });
    expect(data(await env.alice.delete(`${API}/task/${task.id}/notify`))).toBe('');
    expect(data(await env.alice.get(`${API}/task/${task.id}/notify`))).toEqual({
      id: null,
      ocp_task_id: null,
      timestamp: null,
    });
    await env.alice.post(`${API}/task/${task.id}/notify`);
    env.emu.control.setProvider('core:text2text:headline', { paused: false });
    await waitTask(env.alice, task.id);
    expect(data(await env.alice.get(`${API}/task/${task.id}/notify`))).toEqual({
      id: null,
      ocp_task_id: null,
      timestamp: null,
    });
    const list = data(await env.alice.get('/ocs/v2.php/apps/notifications/api/v2/notifications'));
    expect(list).toEqual([expect.objectContaining({ object_id: String(task.id), app: 'assistant' })]);
    expect(data(await env.bob.get('/ocs/v2.php/apps/notifications/api/v2/notifications'))).toEqual([]);
    // someone else's task: GET crashes like the real server, POST is a silent no-op
    expect((await env.bob.get(`${API}/task/${task.id}/notify`)).status).toBe(500);
    expect((await env.bob.post(`${API}/task/${task.id}/notify`)).status).toBe(200);
    expect(env.emu.control.notifyRecords()).toEqual([]);
  });

  it('rate-limits the notify routes per client IP, also across users (as recorded)', async () => {
    env.emu.control.setRateLimit('notify', { limit: 2, windowMs: 60_000 });
    const task = await schedule(env.alice, 'core:text2text', { input: 'x' });
    expect((await env.alice.get(`${API}/task/${task.id}/notify`)).status).toBe(200);
    expect((await env.alice.get(`${API}/task/${task.id}/notify`)).status).toBe(200);
    const limited = await env.alice.get(`${API}/task/${task.id}/notify`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeNull();
    expect(limited.text).toBe('');
    // bob calls from the same address: limited too, before his request is even looked at
    expect((await env.bob.get(`${API}/task/${task.id}/notify`)).status).toBe(429);
    // another method has its own window
    expect((await env.alice.post(`${API}/task/${task.id}/notify`)).status).toBe(200);
    env.emu.control.setRateLimit('notify', { limit: 1000, windowMs: 60_000 });
  });
});

function form(name: string, content: string): FormData {
  const f = new FormData();
  f.append('data', new Blob([content]), name);
  f.append('filename', name);
  return f;
}
