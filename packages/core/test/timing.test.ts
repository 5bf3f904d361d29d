import { describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { createTiming, TIMING_SAMPLES, TIMING_TYPES } from '../src/timing.js';
import { expectedEnd, nextDelay, PROBE_PHASE_MS } from '../src/wait.js';
import { APP_PASSWORD, BASE, fakeServer, task } from './helpers.js';
import { runBatch, simClient, simServer } from './sim-server.js';
import { virtualClock } from './virtual-clock.js';

const T0 = 1_800_000_000;
const done = (id: number, scheduledAt: number, startedAt: number, endedAt: number, type = 'core:text2text') =>
  task({ id, type, status: 'STATUS_SUCCESSFUL', scheduledAt, startedAt, endedAt }) as never;

describe('learned timing', () => {
  it('learns pickup and run time per task type, once per task', () => {
    const timing = createTiming(BASE);
    expect(timing.estimate('core:text2text')).toBeUndefined();
    timing.learn(done(1, T0, T0 + 2, T0 + 3));
    timing.learn(done(1, T0, T0 + 2, T0 + 3));
    timing.learn(done(2, T0 + 10, T0 + 12, T0 + 13));
    expect(timing.estimate('core:text2text')).toMatchObject({ pickupMs: 2000, runMs: 1000, samples: 2 });
    expect(timing.estimate('core:text2image')).toBeUndefined();
    // failed tasks and tasks without timestamps teach nothing
    timing.learn(task({ id: 3, status: 'STATUS_FAILED', startedAt: T0, endedAt: T0 + 50 }) as never);
    timing.learn(task({ id: 4, status: 'STATUS_SUCCESSFUL', startedAt: null, endedAt: T0 }) as never);
    expect(timing.estimate('core:text2text')?.samples).toBe(2);
  });

  it('counts a queued task from the end of the one before it: one worker, one task at a time', () => {
    const timing = createTiming(BASE);
    // a burst of 4 scheduled at once, picked up after 2 s, run 1 s each one after the other
    for (let i = 0; i < 4; i++) timing.learn(done(10 + i, T0, T0 + 2 + i, T0 + 3 + i));
    expect(timing.estimate('core:text2text')).toMatchObject({ runMs: 1000, parallel: false });
    // first pickup 2 s, the others 0 s after the previous end: trimmed mean of [2, 0, 0, 0]
    expect(timing.estimate('core:text2text')!.pickupMs).toBe(500);
    // two seen running at once: the server runs them in parallel
    timing.learn(done(20, T0 + 20, T0 + 21, T0 + 25));
    timing.learn(done(21, T0 + 20, T0 + 22, T0 + 26));
    expect(timing.estimate('core:text2text')!.parallel).toBe(true);
  });

  it('exports a small state and imports it for the same server only, whatever was stored', () => {
    const timing = createTiming(BASE);
    for (let i = 0; i < 50; i++) timing.learn(done(i + 1, T0 + i, T0 + i + 1, T0 + i + 3, `type:${i % 40}`));
    for (let i = 0; i < 30; i++) timing.learn(done(100 + i, T0 + 100, T0 + 101, T0 + 102));
    const state = timing.export();
    expect(Object.keys(state.types).length).toBeLessThanOrEqual(TIMING_TYPES);
    expect(state.types['core:text2text']!.run).toHaveLength(TIMING_SAMPLES);
    expect(JSON.stringify(state).length).toBeLessThan(8_000);
    const restored = createTiming(BASE);
    restored.import(JSON.parse(JSON.stringify(state)));
    expect(restored.estimate('core:text2text')).toEqual(timing.estimate('core:text2text'));
    const other = createTiming('https://other.example.com');
    other.import(state);
    expect(other.estimate('core:text2text')).toBeUndefined();
    for (const junk of [
      null,
      'x',
      42,
      { version: 2 },
      { version: 1, server: BASE, types: { a: { pickup: 'x' } } },
    ]) {
      const t = createTiming(BASE);
      t.import(junk);
      expect(t.export().types).toEqual({});
    }
  });

  it('plans the first check at the learned end, not at the optimistic completionExpectedAt', () => {
    const now = T0 * 1000 + 100;
    const fresh = task({ scheduledAt: T0, completionExpectedAt: T0 + 1 }) as never;
    // nothing learned: the server's guess
    expect(nextDelay(fresh, now, 0)).toBe(1000 - 100 + 150);
    const learned = { pickupMs: 2000, runMs: 1000, pickupSpreadMs: 2000, parallel: false, samples: 5 };
    expect(expectedEnd(fresh, { learned })).toBe(T0 * 1000 + 3500);
    // scheduled at a moment our own clock knows: finer than the server's second
    expect(expectedEnd(fresh, { learned, scheduledMs: T0 * 1000 + 850 })).toBe(T0 * 1000 + 3850);
    expect(nextDelay(fresh, now, 0, undefined, { learned })).toBe(3500 - 100 + 150);
    // past the learned end: a short back-off, growing slowly
    const late = T0 * 1000 + 4000;
    expect(nextDelay(fresh, late, 0, undefined, { learned })).toBe(400);
    expect(nextDelay(fresh, late, 2, undefined, { learned })).toBe(900);
    // a coarse progress (0.5 after 8.7 s of a task that runs 10 s) does not push the check past the learned end
    const running = task({
      status: 'STATUS_RUNNING',
      scheduledAt: T0,
      startedAt: T0 + 2,
      progress: 0.5,
    }) as never;
    const at = (T0 + 2) * 1000 + 8_700;
    expect(nextDelay(running, at, 0)).toBeGreaterThan(8_000);
    expect(nextDelay(running, at, 0, undefined, { learned: { ...learned, runMs: 10_000 } })).toBe(
      (T0 + 2) * 1000 + 500 + 10_000 - at + 150,
    );
    // behind another task of a serial worker: after that one, plus a run
    expect(expectedEnd(fresh, { learned, aheadEnd: T0 * 1000 + 9000 })).toBe(T0 * 1000 + 10_000);
    // an end the plan moved to, which passed unseen since the last read: looked at now, not a back-off later
    expect(nextDelay(fresh, late, 0, undefined, { learned, readAt: T0 * 1000 + 100 })).toBe(0);
    expect(nextDelay(fresh, late, 0, undefined, { learned, readAt: T0 * 1000 + 3800 })).toBe(400);
  });

  it("learns how long a free worker takes; a queue's first short task is checked past the longest of it", () => {
    const timing = createTiming(BASE);
    // two bursts of 3 tasks of 1 s: the first of each waited for the worker (1 s, then 2 s), the rest queued
    for (const [base, pickup] of [
      [T0, 1],
      [T0 + 20, 2],
    ] as const)
      for (let i = 0; i < 3; i++)
        timing.learn(done(base + i, base, base + pickup + i, base + pickup + i + 1));
    const learned = timing.estimate('core:text2text')!;
    expect(learned).toMatchObject({ runMs: 1000, freePickupMs: 2000 });
    expect(learned.pickupMs).toBeLessThan(1000);
    expect(timing.export().types['core:text2text']!.idle).toEqual([1, 2]);
    const head = task({ scheduledAt: T0 + 60 }) as never;
    const scheduledMs = (T0 + 60) * 1000 + 300;
    // alone, it is checked at the usual pickup (its result comes soon after its end)
    expect(expectedEnd(head, { learned, scheduledMs })).toBe(scheduledMs + learned.pickupMs + 1000);
    // with others behind it, past the longest pickup a free worker took: one read finds it ended
    expect(expectedEnd(head, { learned, scheduledMs, queuedBehind: true })).toBe(scheduledMs + 3000);
    // tasks that run longer than a pickup can take keep the early check (their start is worth a read)
    const long = { ...learned, runMs: 10_000 };
    expect(expectedEnd(head, { learned: long, scheduledMs, queuedBehind: true })).toBe(
      scheduledMs + learned.pickupMs + 10_000,
    );
  });

  it('a client that learned the server checks each task about once; the state carries over to a new client', async () => {
    const clock = virtualClock();
    const sim = simServer({
      pickupEveryMs: 3000,
      phaseMs: 0,
      runMs: 1000,
      limit: null,
      now: () => clock.now,
    });
    const fake = fakeServer(sim.handler);
    const make = (timing?: unknown) =>
      createClient({
        baseUrl: BASE,
        auth: { user: 'alice', appPassword: APP_PASSWORD },
        transport: fake.transport,
        sleep: clock.sleep,
        now: () => clock.now,
        ...(timing ? { timing } : {}),
      });
    const first = make();
    const runOne = async (client: ReturnType<typeof make>) => {
      // start right after a pickup tick: pickup ~3 s, run 1 s
      clock.now = Math.ceil((clock.now + 1) / 3000) * 3000 + 10;
      const before = sim.counts.get;
      await clock.run(client.tasks.run({ type: 'core:text2text', input: { input: 'x' } }));
      return sim.counts.get - before;
    };
    const untrained = await runOne(first);
    for (let i = 0; i < 4; i++) await runOne(first);
    const trained = await runOne(first);
    expect(untrained).toBeGreaterThanOrEqual(3);
    expect(trained).toBeLessThanOrEqual(2);
    const second = make(first.timing.export());
    expect(await runOne(second)).toBeLessThanOrEqual(2);
  });

  it('learns cron ticks: a task scheduled mid-interval is checked right after the next pickup run', async () => {
    const {
      clock,
      server: sim,
      client,
    } = simClient({
      pickupEveryMs: 60_000,
      phaseMs: 7_000,
      runMs: 1000,
      limit: null,
    });
    const runAt = async (offsetInMinute: number) => {
      clock.now = Math.ceil(clock.now / 60_000) * 60_000 + offsetInMinute;
      const before = sim.counts.get;
      const done = await clock.run(client.tasks.run({ type: 'core:text2text', input: { input: 'x' } }));
      return {
        gets: sim.counts.get - before,
        delay: clock.now - sim.tasks.find((t) => t.id === done.id)!.endMs,
      };
    };
    for (const offset of [20_000, 45_000, 30_000, 50_000]) await runAt(offset);
    expect(client.timing.export().types['core:text2text']!.ticks!.length).toBeGreaterThanOrEqual(3);
    const trained = [await runAt(25_000), await runAt(40_000), await runAt(10_000)];
    // polling every 2 s would take ~15-30 GETs per task here
    for (const t of trained) {
      expect(t.gets).toBeLessThanOrEqual(2);
      expect(t.delay).toBeLessThan(1500);
    }
  });
  it('one cron run of a queue is evidence of pickup runs; two runs give their period; a 2 s worker is neither', () => {
    const timing = createTiming(BASE);
    // five scheduled within 2 s, the first picked up 40 s later, the others one after the other
    for (let i = 0; i < 5; i++) timing.learn(done(30 + i, T0 + (i > 2 ? 1 : 0), T0 + 40 + i, T0 + 41 + i));
    expect(timing.estimate('core:text2text')).toMatchObject({ pickupRuns: true });
    expect(timing.estimate('core:text2text')!.pickupTicks).toBeUndefined();
    // what was seen of the run survives a host's store
    const stored = createTiming(BASE);
    stored.import(JSON.parse(JSON.stringify(timing.export())));
    expect(stored.estimate('core:text2text')).toMatchObject({ pickupRuns: true });
    // the next run, 60 s later: the period
    timing.learn(done(40, T0 + 70, T0 + 100, T0 + 101));
    expect(timing.estimate('core:text2text')!.pickupTicks).toEqual({
      periodMs: 60_000,
      tickMs: (T0 + 100) * 1000,
    });
    // two runs 180 s apart after waits of at most 50 s: 60, 90 or 180 s — the period stays unknown
    const far = createTiming(BASE);
    far.learn(done(60, T0, T0 + 40, T0 + 41));
    far.learn(done(61, T0 + 170, T0 + 220, T0 + 221));
    expect(far.estimate('core:text2text')).toMatchObject({ pickupRuns: true });
    expect(far.estimate('core:text2text')!.pickupTicks).toBeUndefined();
    // a worker polling every 2 s: pickups of 2 s at times 10 s apart are no pickup runs
    const worker = createTiming(BASE);
    worker.learn(done(50, T0, T0 + 2, T0 + 3));
    worker.learn(done(51, T0 + 8, T0 + 10, T0 + 11));
    expect(worker.estimate('core:text2text')!.pickupRuns).toBeUndefined();
    expect(worker.estimate('core:text2text')!.pickupTicks).toBeUndefined();
  });

  it('after one cron run was seen, a batch waiting for the next is checked on the run-time rhythm: every result soon after its end', async () => {
    const setup = simClient({
      pickupEveryMs: 60_000,
      phaseMs: 7_000,
      runMs: 1000,
      limit: null,
    });
    const { clock, client } = setup;
    const batch = async (offsetInMinute: number) => {
      clock.now = Math.ceil(clock.now / 60_000) * 60_000 + offsetInMinute;
      return runBatch(setup, 5, 400);
    };
    await batch(20_000);
    const entry = client.timing.export().types['core:text2text']!;
    expect(new Set(entry.ticks).size).toBe(1);
    const second = await batch(30_000);
    // 2 s polling: about 20 GETs for each of the 5 tasks waiting ~37 s for the run
    expect(second.reads).toBeLessThanOrEqual(30);
    expect(second.delays[2]).toBeLessThan(1000);
    expect(second.delays[4]).toBeLessThan(2500);
  });

  it('a batch paced by the rate limit is no cron: item by item, every result soon after its end', async () => {
    // a 2 s worker; 20 schedules per 120 s: after each window the next task waits a little longer for the
    // worker, 120 s apart, which looked like a cron run every 120 s (results came a minute late)
    const { clock, server, client } = simClient({
      pickupEveryMs: 2000,
      phaseMs: 300,
      runMs: 1000,
      limit: { limit: 20, windowMs: 120_000 },
    });
    const delays: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t = await clock.run(client.tasks.run({ type: 'core:text2text', input: { input: `x${i}` } }));
      delays.push(clock.now - server.tasks.find((x) => x.id === t.id)!.endMs);
    }
    expect(Math.max(...delays)).toBeLessThan(2500);
    expect(client.timing.export().types['core:text2text']!.quick?.length).toBeGreaterThan(0);
  });

  it('past a known run that did not take the task, the next check is at the next run', () => {
    const learned = {
      pickupMs: 0,
      runMs: 1000,
      pickupSpreadMs: 40_000,
      parallel: false,
      samples: 5,
      pickupRuns: true,
      pickupTicks: { periodMs: 60_000, tickMs: (T0 + 40) * 1000 },
    };
    const waiting = task({ scheduledAt: T0 + 50 }) as never;
    // just after the expected run: soon, on a 2 s grid of the clock (one run time, at least 2 s)
    expect(nextDelay(waiting, (T0 + 102) * 1000 + 300, 1, undefined, { learned })).toBe(1700);
    expect(nextDelay(waiting, (T0 + 103) * 1000 + 900, 9, undefined, { learned })).toBe(2100);
    // 20 s past it (that run skipped it): at the next run
    expect(nextDelay(waiting, (T0 + 120) * 1000, 9, undefined, { learned })).toBe(40_000 + 500 + 150);
  });
});

describe('the sub-second phase of ends', () => {
  const ended = (id: number, endedAt: number, type = 'core:text2text') =>
    task({
      id,
      type,
      status: 'STATUS_SUCCESSFUL',
      scheduledAt: endedAt - 3,
      startedAt: endedAt - 1,
      endedAt,
    }) as never;
  const running = (id: number, type = 'core:text2text') =>
    task({ id, type, status: 'STATUS_RUNNING' }) as never;
  /** One wait's last two readings: running when sent at `beforeMs`, ended when answered at `afterMs`. */
  const bracket = (
    timing: ReturnType<typeof createTiming>,
    id: number,
    second: number,
    beforeMs: number,
    afterMs: number,
  ) => {
    timing.observe(running(id), second * 1000 + beforeMs, second * 1000 + beforeMs + 5);
    timing.observe(ended(id, second), second * 1000 + afterMs - 5, second * 1000 + afterMs);
    timing.learn(ended(id, second));
  };

  it('is learned once two waits bracket it alike, and kept with the exported state', () => {
    const timing = createTiming(BASE);
    bracket(timing, 1, T0 + 10, 100, 600);
    // one wait is not enough to plan by
    expect(timing.estimate('core:text2text')!.endPhase).toBeUndefined();
    bracket(timing, 2, T0 + 20, 300, 900);
    expect(timing.estimate('core:text2text')!.endPhase).toEqual({ loMs: 300, hiMs: 600 });
    // a reading long after the end, or one that only saw it ended, narrows nothing
    timing.observe(ended(3, T0 + 30), (T0 + 35) * 1000, (T0 + 35) * 1000 + 10);
    expect(timing.estimate('core:text2text')!.endPhase).toEqual({ loMs: 300, hiMs: 600 });
    const restored = createTiming(BASE);
    restored.import(JSON.parse(JSON.stringify(timing.export())));
    expect(restored.estimate('core:text2text')!.endPhase).toEqual({ loMs: 300, hiMs: 600 });
    for (const phase of ['x', [1, 2], [500, 100, 2], [0, 10, 0], [-5000, 10, 3]]) {
      const junk = createTiming(BASE);
      const state = timing.export();
      junk.import({ ...state, types: { 'core:text2text': { ...state.types['core:text2text'], phase } } });
      expect(junk.estimate('core:text2text')!.endPhase).toBeUndefined();
    }
  });

  it('is circular: ends at 990 ms and at 10 ms of the next second are one phase', () => {
    const timing = createTiming(BASE);
    bracket(timing, 1, T0 + 10, 960, 1000);
    bracket(timing, 2, T0 + 20, 0, 30);
    const phase = timing.estimate('core:text2text')!.endPhase!;
    expect(phase.hiMs - phase.loMs).toBeLessThanOrEqual(70);
    expect([phase.loMs % 1000, phase.hiMs % 1000].some((v) => v >= 960 || v <= 30)).toBe(true);
  });

  it('is dropped when the ends stop agreeing (run times that vary): plans go back to the half second', () => {
    const timing = createTiming(BASE);
    bracket(timing, 1, T0 + 10, 100, 300);
    bracket(timing, 2, T0 + 20, 150, 350);
    expect(timing.estimate('core:text2text')!.endPhase).toEqual({ loMs: 150, hiMs: 300 });
    bracket(timing, 3, T0 + 30, 600, 800);
    expect(timing.estimate('core:text2text')!.endPhase).toBeUndefined();
    const learned = timing.estimate('core:text2text')!;
    const now = (T0 + 40) * 1000;
    const runningTask = task({ status: 'STATUS_RUNNING', startedAt: T0 + 40 }) as never;
    expect(expectedEnd(runningTask, { learned })).toBe(now + 500 + learned.runMs);
  });

  it('one probe of a type at a time: the waits of a batch share what it finds', () => {
    const timing = createTiming(BASE);
    const at = T0 * 1000;
    expect(timing.mayProbe('core:text2text', at)).toBe(true);
    expect(timing.mayProbe('core:text2text', at + 3_000)).toBe(false);
    expect(timing.mayProbe('core:text2image', at + 3_000)).toBe(true);
    expect(timing.mayProbe('core:text2text', at + 12_000)).toBe(true);
  });

  it('a rough phase is probed in its middle, once per wait: either answer halves it', () => {
    const learned = { pickupMs: 0, runMs: 10_000, pickupSpreadMs: 0, parallel: false, samples: 5 };
    const runningTask = task({ status: 'STATUS_RUNNING', startedAt: T0 }) as never;
    const now = T0 * 1000 + 2_000;
    const rough = { ...learned, endPhase: { loMs: 100, hiMs: 700 } };
    // the end is at 100–700 ms of second T0 + 10: checked at its latest moment, or probed at 400 ms
    expect(nextDelay(runningTask, now, 0, undefined, { learned: rough })).toBe(8_000 + 700 + 40);
    expect(nextDelay(runningTask, now, 0, undefined, { learned: rough, probe: true })).toBe(8_000 + 400);
    // a narrow phase is not worth a read
    const narrow = { ...learned, endPhase: { loMs: 620, hiMs: 700 } };
    expect(nextDelay(runningTask, now, 0, undefined, { learned: narrow, probe: true })).toBe(8_000 + 740);
  });

  it('plans each check at the latest moment of the learned phase: results within a read of their end', async () => {
    // a worker looking for work every 2 s at 130 ms past the second, tasks of 1 s one after the other
    const setup = simClient({
      pickupEveryMs: 2000,
      phaseMs: 130,
      runMs: 1000,
      limit: null,
    });
    const { clock, client } = setup;
    const batch = async () => {
      clock.now += 5000;
      return runBatch(setup, 5, 400);
    };
    for (let i = 0; i < 3; i++) await batch();
    // the waits' probes narrowed where in its second a task ends (130 ms on the server's worker grid)
    const [lo, hi] = client.timing.export().types['core:text2text']!.phase!;
    expect(hi - lo).toBeLessThanOrEqual(PROBE_PHASE_MS);
    expect(lo).toBeLessThanOrEqual(130);
    expect(hi).toBeGreaterThanOrEqual(130);
    const learned = await batch();
    // placed half a second into each second, the checks would come ~370 ms after every end (or a back-off later)
    expect(learned.delays[2]).toBeLessThanOrEqual(100);
    // one read per task: the queue's first is checked past the longest pickup a free worker took (an earlier
    // read would find it not started or still running), the others at their own ends
    expect(learned.reads).toBe(5);
  });

  it('a queue of long tasks on a first run: no check sleeps through the end on the server guess', async () => {
    const { clock, server: sim, client } = simClient({ pickupEveryMs: 2000, runMs: 60_000, limit: null });
    // the second one's completionExpectedAt counts the first (120 s): a minute past its own end if slept on
    const runs = [0, 1].map((k) =>
      clock.sleep(k * 1000).then(async () => {
        const t = await client.tasks.run({ type: 'core:text2text', input: { input: `x${k}` } });
        return clock.now - sim.tasks.find((s) => s.id === t.id)!.endMs;
      }),
    );
    const delays = await clock.run(Promise.all(runs));
    expect(Math.max(...delays)).toBeLessThan(2000);
    expect(sim.counts.get).toBeLessThanOrEqual(20);
  });
});
