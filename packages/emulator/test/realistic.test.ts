import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmulatorOptions } from '../src/options.js';
import type { RunningEmulator } from '../src/index.js';
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

// The realistic profile behaves like the measured server (docs/api-behaviour.md, "Waiting, batches and
// workers"; recordings in real-server-2). Assertions use lower bounds of timers only (a timer never fires
// early), so a loaded machine makes the tests slower, never wrong.

let env: TestEnv | undefined;
afterEach(async () => {
  await env?.emu.close();
  env = undefined;
});

async function start(options: EmulatorOptions): Promise<TestEnv> {
  // startTestEmulator's fast default providers would hide the profile's own timing
  env = await startTestEmulator({ providers: {}, ...options });
  return env;
}

const SLACK = 5; // ms a timer callback may be seen early through Date.now() rounding

/** control.tasks(): the wire task plus the engine's ms timestamps */
type TaskView = Task & { startedAtMs: number | null; endedAtMs: number | null };
const taskViews = (emu: RunningEmulator): TaskView[] => emu.control.tasks() as TaskView[];

describe('realistic profile', () => {
  it('runs a burst of one type one task after the other, other types beside it', async () => {
    const { alice, emu } = await start({
      profile: 'realistic',
      pickup: { mode: 'worker', pollMs: 200 },
      providers: { default: { runMs: 300 } },
    });
    const burst: Task[] = [];
    for (let i = 0; i < 4; i++)
      burst.push(await schedule(alice, 'core:text2text', { input: `b${i}` }, { appId: 'burst' }));
    const other = await schedule(alice, 'core:text2text:summary', { input: 'beside' });
    // the server's guess: scheduledAt + this task's run and those ahead of it, no pickup delay
    expect(burst.map((t) => t.completionExpectedAt! - t.scheduledAt!)).toEqual([1, 1, 1, 2]);
    // one request lists the whole batch while the worker runs it one by one (recorded: tasks-app__batch)
    const listing = await until(async () => {
      const tasks = data<{ tasks: Task[] }>(await alice.get(`${TP}/tasks/app/burst`)).tasks;
      return tasks.some((t) => t.status === 'STATUS_RUNNING') ? tasks : undefined;
    });
    expect(listing).toHaveLength(4);
    expect(listing.filter((t) => t.status === 'STATUS_RUNNING')).toHaveLength(1);
    for (const t of [...burst, other]) await waitTask(alice, t.id);
    const view = new Map(taskViews(emu).map((t) => [t.id, t]));
    const runs = burst.map((t) => view.get(t.id)!);
    for (let i = 1; i < runs.length; i++) {
      expect(runs[i]!.startedAtMs!).toBeGreaterThanOrEqual(runs[i - 1]!.endedAtMs! - SLACK);
      expect(runs[i]!.endedAtMs! - runs[i - 1]!.endedAtMs!).toBeGreaterThanOrEqual(300 - SLACK);
    }
    // the other type did not wait for the burst
    expect(view.get(other.id)!.endedAtMs!).toBeLessThan(runs[3]!.endedAtMs!);
    for (const t of runs) {
      for (const key of [
        'scheduledAt',
        'startedAt',
        'endedAt',
        'lastUpdated',
        'completionExpectedAt',
      ] as const)
        expect(Number.isInteger(t[key]), key).toBe(true);
    }
  });

  it('with cron, tasks wait for the next run; one run works through the queue', async () => {
    const { alice, emu } = await start({
      profile: 'realistic',
      pickup: { mode: 'cron', intervalMs: 1_000 },
      providers: { default: { runMs: 100 } },
    });
    const first: Task[] = [];
    for (let i = 0; i < 3; i++) first.push(await schedule(alice, 'core:text2text', { input: `c${i}` }));
    for (const t of first) await waitTask(alice, t.id);
    const late = await schedule(alice, 'core:text2text', { input: 'after the run' });
    await waitTask(alice, late.id);
    const view = new Map(taskViews(emu).map((t) => [t.id, t]));
    const runs = first.map((t) => view.get(t.id)!);
    for (let i = 1; i < runs.length; i++)
      expect(runs[i]!.startedAtMs!).toBeGreaterThanOrEqual(runs[i - 1]!.endedAtMs! - SLACK);
    // the next cron run comes a whole interval after the one that ran the queue (that one's timer may have
    // fired late on a loaded machine; a pickup in the same run would start within ~0.3 s of it)
    expect(view.get(late.id)!.startedAtMs! - runs[0]!.startedAtMs!).toBeGreaterThanOrEqual(1_000 - 200);
    expect(late.completionExpectedAt! - late.scheduledAt!).toBe(1);
  });

  it('limits schedule to 20 per 120 s and answers 429 as recorded', async () => {
    const { alice, bob } = await start({ profile: 'realistic', providers: { default: { runMs: 50 } } });
    for (let i = 0; i < 20; i++) await schedule(alice, 'core:text2text', { input: `${i}` });
    const recorded = JSON.parse(
      readFileSync(
        new URL(
          '../../core/test/fixtures/real-server-2/core-taskprocessing-schedule__rate_limited.json',
          import.meta.url,
        ),
        'utf8',
      ),
    ) as { response: { status: number; headers: [string, string][]; body: string } };
    const res = await alice.post(`${TP}/schedule`, {
      json: { type: 'core:text2text', input: { input: 'x' }, appId: 'test' },
      raw: true,
    });
    expect(res.status).toBe(recorded.response.status);
    const header = (name: string): string | undefined =>
      recorded.response.headers.find(([k]) => k.toLowerCase() === name)?.[1];
    expect(res.contentType).toBe(header('content-type'));
    expect(res.headers.get('retry-after')).toBe(header('retry-after') ?? null);
    expect(res.text).toBe(recorded.response.body);
    expect((await schedule(bob, 'core:text2text', { input: 'bob has his own' })).userId).toBe('bob');
  });

  it('limits the notify routes to 10 per 60 s per client IP as recorded', async () => {
    const { alice } = await start({ profile: 'realistic', providers: { default: { runMs: 50 } } });
    const task = await schedule(alice, 'core:text2text', { input: 'x' });
    for (let i = 0; i < 10; i++) expect((await alice.get(`${API}/task/${task.id}/notify`)).status).toBe(200);
    const res = await alice.get(`${API}/task/${task.id}/notify`, { raw: true });
    expect([res.status, res.text, res.headers.get('retry-after')]).toEqual([429, '', null]);
  });

  it('keeps the idealised profile the default: everything picked up at once', async () => {
    const { alice, emu } = await start({ providers: { default: { pickupMs: 20, runMs: 200 } } });
    const tasks: Task[] = [];
    for (let i = 0; i < 3; i++) tasks.push(await schedule(alice, 'core:text2text', { input: `${i}` }));
    for (const t of tasks) await waitTask(alice, t.id);
    const view = taskViews(emu).filter((t) => tasks.some((s) => s.id === t.id));
    // all three ran at the same time: each started before the first ended
    const firstEnd = Math.min(...view.map((t) => t.endedAtMs!));
    for (const t of view) expect(t.startedAtMs!).toBeLessThan(firstEnd);
  });
});
