// Options the benchmarks need: providers without (or with a wrong) completion estimate, and exact end times
// in the control view so "task ended → client noticed" can be measured.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';
import { data, schedule, startTestEmulator, TP, waitTask, type Task, type TestEnv } from './helpers.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEmulator({
    providers: {
      default: { pickupMs: 20, runMs: 40 },
      'core:text2text:summary': { pickupMs: 20, runMs: 40, eta: 'none' },
      'core:text2text:headline': { pickupMs: 0, runMs: 60_000, etaErrorMs: -50_000 },
    },
    rateLimit: { schedule: { limit: 1000, windowMs: 120_000 } },
  });
});
afterAll(() => env.emu.close());
afterEach(() => env.emu.control.reset());

describe('completionExpectedAt', () => {
  it('announces the real end, rounded up to the second, by default', async () => {
    env.emu.control.setProvider('core:text2text', { pickupMs: 0, runMs: 4_000 });
    const before = Date.now();
    const task = await schedule(env.alice, 'core:text2text', { input: 'x' });
    expect(task.completionExpectedAt).toBeGreaterThanOrEqual(Math.floor((before + 4_000) / 1000));
    expect(task.completionExpectedAt).toBeLessThanOrEqual(Math.ceil((Date.now() + 4_000) / 1000));
  });

  it('is null for a provider configured with eta "none", in every view of the task', async () => {
    const task = await schedule(env.alice, 'core:text2text:summary', { input: 'x' });
    expect(task.completionExpectedAt).toBeNull();
    expect(
      data<{ task: Task }>(await env.alice.get(`${TP}/task/${task.id}`)).task.completionExpectedAt,
    ).toBeNull();
    expect(
      data<{ tasks: Task[] }>(await env.alice.get(`${TP}/tasks`)).tasks[0]?.completionExpectedAt,
    ).toBeNull();
    expect((await waitTask(env.alice, task.id)).status).toBe('STATUS_SUCCESSFUL');
  });

  it('is off by etaErrorMs when the provider is told to misjudge', async () => {
    const before = Date.now();
    const task = await schedule(env.alice, 'core:text2text:headline', { input: 'a long article' });
    // runs 60 s but claims to be done ~10 s after scheduling
    expect(task.completionExpectedAt).toBeLessThanOrEqual(Math.ceil((Date.now() + 10_000) / 1000));
    expect(task.completionExpectedAt).toBeGreaterThanOrEqual(Math.floor((before + 10_000) / 1000));
  });

  it('can be switched over the control API, and reset restores the start-up setting', async () => {
    const put = await fetch(`${env.emu.url}/__emulator/providers/core:text2text`, {
      method: 'PUT',
      body: JSON.stringify({ eta: 'none' }),
    });
    expect(put.status).toBe(200);
    expect((await schedule(env.alice, 'core:text2text', { input: 'x' })).completionExpectedAt).toBeNull();
    env.emu.control.reset();
    expect((await schedule(env.alice, 'core:text2text', { input: 'x' })).completionExpectedAt).toEqual(
      expect.any(Number),
    );
  });

  it('refuses an unknown eta mode or a non-numeric error with a message naming the option', async () => {
    const bad = await fetch(`${env.emu.url}/__emulator/providers/default`, {
      method: 'PUT',
      body: JSON.stringify({ eta: 'sometimes' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('eta must be "accurate" or "none"');
    await expect(startEmulator({ providers: { default: { etaErrorMs: Number.NaN } } })).rejects.toThrow(
      /providers\["default"\]\.etaErrorMs must be a number of milliseconds/,
    );
  });
});

describe('control view of tasks', () => {
  it('carries the millisecond times of scheduling and of the end', async () => {
    const before = Date.now();
    const task = await schedule(env.alice, 'core:text2text', { input: 'x' });
    expect(env.emu.control.tasks()[0]).toMatchObject({ id: task.id, endedAtMs: null });
    await waitTask(env.alice, task.id);
    const [view] = env.emu.control.tasks() as { scheduledAtMs: number; endedAtMs: number }[];
    expect(view!.scheduledAtMs).toBeGreaterThanOrEqual(before);
    // pickup 20 ms + run 40 ms
    expect(view!.endedAtMs - view!.scheduledAtMs).toBeGreaterThanOrEqual(55);
    expect(view!.endedAtMs).toBeLessThanOrEqual(Date.now());
  });

  it('records when a task was cancelled', async () => {
    env.emu.control.setProvider('core:text2text', { pickupMs: 10_000 });
    const task = await schedule(env.alice, 'core:text2text', { input: 'x' });
    const before = Date.now();
    expect((await env.alice.post(`${TP}/tasks/${task.id}/cancel`)).status).toBe(200);
    const [view] = env.emu.control.tasks() as { status: string; endedAtMs: number }[];
    expect(view!.status).toBe('STATUS_CANCELLED');
    expect(view!.endedAtMs).toBeGreaterThanOrEqual(before);
  });
});
