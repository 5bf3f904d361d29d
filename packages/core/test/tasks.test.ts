import { virtualClock } from './virtual-clock.js';
import { describe, expect, it } from 'vitest';
import { AssistantError, type WaitProgress } from '../src/index.js';
import { json, ocs, task, testClient } from './helpers.js';

const TP = '/ocs/v2.php/taskprocessing';
const API = '/ocs/v2.php/apps/assistant/api/v1';

describe('task types', () => {
  it('lists task types lowest priority first, with empty maps as objects', async () => {
    const { client, requests } = testClient(() =>
      ocs({
        types: [
          {
            id: 'core:text2image',
            name: 'Image',
            description: '',
            priority: 5,
            inputShape: { input: { name: 'Prompt', description: '', type: 'Text' } },
            optionalInputShape: [],
            outputShape: [],
            optionalOutputShape: [],
            inputShapeEnumValues: [],
          },
          {
            id: 'chatty-llm',
            name: 'Chat with AI',
            description: '',
            priority: 1,
            inputShape: [],
            optionalInputShape: [],
            outputShape: [],
            optionalOutputShape: [],
          },
        ],
      }),
    );
    const types = await client.taskTypes();
    expect(types.map((t) => t.id)).toEqual(['chatty-llm', 'core:text2image']);
    expect(types[1]!.optionalInputShape).toEqual({});
    expect(types[1]!.inputShapeEnumValues).toEqual({});
    expect(types[1]!.inputShape.input!.type).toBe('Text');
    expect(requests[0]!.path).toBe(`${API}/task-types`);
  });
});

describe('tasks', () => {
  it('schedules with appId "assistant" by default and sends the input as JSON', async () => {
    const { client, requests } = testClient(() => ocs({ task: task() }));
    const t = await client.tasks.schedule({ type: 'core:text2text', input: { input: 'Hi' }, customId: 'c1' });
    expect(t.id).toBe(7);
    expect(requests[0]!.method).toBe('POST');
    expect(requests[0]!.path).toBe(`${TP}/schedule`);
    expect(requests[0]!.json).toEqual({
      type: 'core:text2text',
      input: { input: 'Hi' },
      appId: 'assistant',
      customId: 'c1',
    });
  });

  it('adds HTTP:POST when a webhook is given', async () => {
    const { client, requests } = testClient(() => ocs({ task: task() }));
    await client.tasks.schedule({
      type: 'core:text2text',
      input: { input: 'Hi' },
      webhookUri: 'http://127.0.0.1:5678/hook',
    });
    expect(requests[0]!.json).toMatchObject({
      webhookUri: 'http://127.0.0.1:5678/hook',
      webhookMethod: 'HTTP:POST',
    });
  });

  it.each([
    [{ type: '', input: { input: 'x' } }, /task type is missing/],
    [{ type: 'core:text2text', input: 'x' }, /must be an object/],
    [
      { type: 'core:text2text', input: { input: { nested: true } } },
      /Input "input" must be a text, a number/,
    ],
    [{ type: 'core:text2text', input: { input: 'x'.repeat(512_001) } }, /longer than the server accepts/],
    [{ type: 'core:text2text', input: { input: 'x' }, webhookUri: 'ftp://x' }, /webhookUri must be an http/],
    [
      { type: 'core:text2text', input: { input: 'x' }, webhookUri: 'http://x', webhookMethod: 'POST' },
      /webhookMethod must be/,
    ],
  ])('refuses bad schedule input before sending: %#', async (request, message) => {
    const { client, requests } = testClient(() => ocs({ task: task() }));
    await expect(client.tasks.schedule(request as never)).rejects.toThrow(message);
    expect(requests).toHaveLength(0);
  });

  it('runs a task: waits through pickup and running, reports phases, returns the output', async () => {
    const states = [
      task({ status: 'STATUS_SCHEDULED' }),
      task({ status: 'STATUS_SCHEDULED' }),
      task({ status: 'STATUS_RUNNING', startedAt: 1_800_000_001, progress: 0.5 }),
      task({ status: 'STATUS_SUCCESSFUL', progress: 1, output: { output: 'Hello!' } }),
    ];
    const { client, requests, clock } = testClient((req) =>
      ocs({ task: req.method === 'POST' ? states[0] : (states.shift() ?? states[0]) }),
    );
    const phases: WaitProgress[] = [];
    const done = await client.tasks.run(
      { type: 'core:text2text', input: { input: 'Hi' } },
      { onProgress: (p) => phases.push(p) },
    );
    expect(done.output).toEqual({ output: 'Hello!' });
    expect(phases.map((p) => p.phase)).toEqual(['scheduled', 'running', 'done']);
    expect(phases[1]!.progress).toBe(0.5);
    expect(requests.filter((r) => r.method === 'GET').every((r) => r.path === `${TP}/task/7`)).toBe(true);
    expect(clock.slept.length).toBe(requests.length - 1);
  });

  it('sleeps until completionExpectedAt instead of polling often', async () => {
    const { client, requests, clock } = testClient((req) => {
      const now = Math.floor(clock.now / 1000);
      const t = task({ completionExpectedAt: 1_800_000_030 });
      return ocs({
        task:
          req.method === 'POST' || now < 1_800_000_030
            ? t
            : { ...t, status: 'STATUS_SUCCESSFUL', output: { output: 'ok' } },
      });
    });
    await client.tasks.run({ type: 'core:text2text', input: { input: 'Hi' } });
    // 2 s polling would have taken 15 requests for this 30 s task.
    expect(requests.length).toBeLessThanOrEqual(3);
    expect(clock.now - 1_800_000_000_000).toBeLessThan(31_000);
  });

  it('flags slow pickup after 5 minutes and times out with the task id to resume', async () => {
    const { client } = testClient(() => ocs({ task: task() }));
    const phases: WaitProgress[] = [];
    const error = await client.tasks
      .run(
        { type: 'core:text2text', input: { input: 'Hi' } },
        { timeoutMs: 6 * 60_000, onProgress: (p) => phases.push(p) },
      )
      .catch((e) => e);
    expect(AssistantError.isInstance(error)).toBe(true);
    expect(error.code).toBe('timeout');
    expect(error.details.taskId).toBe(7);
    expect(error.message).toMatch(/still waiting to be picked up after 6 min/);
    expect(phases.some((p) => p.slowPickup)).toBe(true);
    expect(phases[0]!.slowPickup).toBe(false);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    let polls = 0;
    const { client } = testClient(() => {
      if (++polls === 3) controller.abort();
      return ocs({ task: task() });
    });
    const error = await client.tasks
      .run({ type: 'core:text2text', input: { input: 'Hi' } }, { signal: controller.signal })
      .catch((e) => e);
    expect(error.code).toBe('aborted');
    expect(polls).toBe(3);
  });

  it('reports a failed task as task_failed with the task', async () => {
    const { client } = testClient(() =>
      ocs({ task: task({ status: 'STATUS_FAILED', errorMessage: 'Provider crashed' }) }),
    );
    const error = await client.tasks.wait(7).catch((e) => e);
    expect(error.code).toBe('task_failed');
    expect(error.message).toContain('Provider crashed');
    expect(error.details.task.id).toBe(7);
  });

  it('lists, filters, cancels and deletes', async () => {
    const { client, requests } = testClient((req) =>
      req.method === 'DELETE'
        ? ocs(null)
        : req.path.endsWith('/cancel')
          ? ocs({ task: task({ status: 'STATUS_CANCELLED' }) })
          : ocs({ tasks: [task()] }),
    );
    expect(await client.tasks.list({ taskTypeId: 'core:text2text' })).toHaveLength(1);
    expect(requests[0]!.query.taskTypeId).toBe('core:text2text');
    expect((await client.tasks.cancel(7)).status).toBe('STATUS_CANCELLED');
    expect(requests[1]!).toMatchObject({ method: 'POST', path: `${TP}/tasks/7/cancel` });
    await client.tasks.delete(7);
    expect(requests[2]!).toMatchObject({ method: 'DELETE', path: `${TP}/task/7` });
    await client.tasks.find({ appId: 'assistant', customId: 'file-action:5' });
    expect(requests[3]!).toMatchObject({
      path: `${TP}/tasks/app/assistant`,
      query: { customId: 'file-action:5', format: 'json' },
    });
  });

  it('reads, sets and cancels notifications', async () => {
    let registered = false;
    const { client, requests } = testClient((req) => {
      if (req.method === 'POST') registered = true;
      if (req.method === 'DELETE') registered = false;
      if (req.method !== 'GET') return ocs('');
      return ocs(
        registered
          ? { id: 3, ocp_task_id: 7, timestamp: 1_800_000_000 }
          : { id: null, ocp_task_id: null, timestamp: null },
      );
    });
    expect(await client.tasks.getNotification(7)).toBeNull();
    await client.tasks.notifyWhenReady(7);
    expect(await client.tasks.getNotification(7)).toEqual({
      id: 3,
      ocp_task_id: 7,
      timestamp: 1_800_000_000,
    });
    await client.tasks.cancelNotification(7);
    expect(await client.tasks.getNotification(7)).toBeNull();
    expect(requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET', 'DELETE', 'GET']);
    expect(requests[1]!.path).toBe(`${API}/task/7/notify`);
  });

  it('downloads, previews, saves and shares output files', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const { client, requests } = testClient((req) => {
      if (req.path.endsWith('/download'))
        return {
          status: 200,
          headers: { 'content-type': 'image/png', 'content-disposition': 'attachment; filename="6-98"' },
          body: png,
        };
      if (req.path.endsWith('/preview'))
        return { status: 200, headers: { 'content-type': 'image/png' }, body: png };
      if (req.path.endsWith('/save')) return ocs({ fileId: 120, path: '/Assistant/6-98.png' });
      return ocs({ shareToken: 'Ag8draHkKzfz4Mp' });
    });
    const file = await client.tasks.downloadOutputFile(6, 98);
    expect(file).toMatchObject({ contentType: 'image/png', fileName: '6-98', size: 4 });
    expect(file.data).toEqual(png);
    await client.tasks.previewOutputFile(6, 98, { x: 64, y: 64 });
    expect(requests[1]!.query).toMatchObject({ x: '64', y: '64' });
    expect(await client.tasks.saveOutputFile(6, 98)).toEqual({ fileId: 120, path: '/Assistant/6-98.png' });
    expect(await client.tasks.shareOutputFile(6, 98)).toEqual({
      shareToken: 'Ag8draHkKzfz4Mp',
      url: 'https://cloud.example.com/s/Ag8draHkKzfz4Mp',
    });
  });

  it('repeats a read after a 503 but never a schedule after a 500', async () => {
    let calls = 0;
    const { client, clock } = testClient(() => (++calls < 3 ? json({}, 503) : ocs({ task: task() })));
    await client.tasks.get(7);
    expect(calls).toBe(3);
    expect(clock.slept).toEqual([500, 1000]);

    let schedules = 0;
    const second = testClient(() => (++schedules, json({}, 500)));
    await expect(
      second.client.tasks.schedule({ type: 'core:text2text', input: { input: 'x' } }),
    ).rejects.toMatchObject({ code: 'server' });
    expect(schedules).toBe(1);
  });

  it('retries a rate-limited schedule after Retry-After: nothing ran, so nothing runs twice', async () => {
    let schedules = 0;
    const { client, clock } = testClient(() =>
      ++schedules === 1 ? { status: 429, headers: { 'retry-after': '12' }, body: '' } : ocs({ task: task() }),
    );
    const t = await client.tasks.schedule({ type: 'core:text2text', input: { input: 'x' } });
    expect(t.id).toBe(7);
    expect(schedules).toBe(2);
    expect(clock.slept).toEqual([12_100]);
  });

  it('gives up on a limiter that answers 429 with Retry-After: 0 forever', async () => {
    const { client, clock } = testClient(() => ({ status: 429, headers: { 'retry-after': '0' }, body: '' }));
    const error = await client.tasks
      .schedule({ type: 'core:text2text', input: { input: 'x' } })
      .catch((e) => e);
    expect(error.code).toBe('rate_limited');
    expect(clock.slept.length).toBeGreaterThan(10);
    expect(clock.slept.length).toBeLessThanOrEqual(101);
  });

  it('makes every request of the client wait out a rate limit, and lets one probe before the rest go', async () => {
    const clock = virtualClock();
    const sent: { at: number; input: string }[] = [];
    let hits = 0;
    const { client } = testClient(
      async (req) => {
        sent.push({ at: clock.now, input: (req.json as { input: { input: string } }).input.input });
        if (++hits === 1) return { status: 429, headers: { 'retry-after': '30' }, body: '' };
        // the probe takes a while to answer: nobody else may go before it has
        if (hits === 2) await clock.sleep(1000);
        return ocs({ task: task() });
      },
      { now: () => clock.now, sleep: clock.sleep },
    );
    const t0 = clock.now;
    const schedule = (input: string) => client.tasks.schedule({ type: 'core:text2text', input: { input } });
    const first = schedule('a');
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    // b and c come after the 429: they do not reach the server before the window reopens
    await clock.run(Promise.all([first, schedule('b'), schedule('c')]));
    expect(sent.map((s) => s.at - t0)).toEqual([0, 30_100, 31_100, 31_100]);
    expect(sent.map((s) => s.input).slice(0, 2)).toEqual(['a', 'a']);
    expect(hits).toBe(4);
  });

  it('hands a long rate limit to the caller with the time to wait', async () => {
    const { client } = testClient(() => ({ status: 429, headers: { 'retry-after': '600' }, body: '' }));
    const error = await client.tasks
      .schedule({ type: 'core:text2text', input: { input: 'x' } })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: 600_000, retryable: true });
    expect(error.message).toMatch(/Try again in 600 s/);
  });
});
