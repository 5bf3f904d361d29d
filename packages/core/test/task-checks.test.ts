import { describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { createTaskChecks } from '../src/task-checks.js';
import { APP_PASSWORD, BASE, fakeServer, ocs, task } from './helpers.js';
import { runBatch, simClient, simServer } from './sim-server.js';
import { virtualClock } from './virtual-clock.js';

function setup(extraHistory = 0) {
  const clock = virtualClock();
  const sim = simServer({ pickupEveryMs: 2000, runMs: 1000, limit: null, now: () => clock.now });
  const old = Array.from({ length: extraHistory }, (_, i) =>
    task({ id: 10_000 + i, appId: 'app', status: 'STATUS_SUCCESSFUL', endedAt: 1_700_000_000 }),
  );
  const fake = fakeServer((req) => {
    const answer = sim.handler(req);
    if (!req.path.includes('/tasks/app/') || !extraHistory) return answer;
    const listed = JSON.parse(String(answer.body)).ocs.data.tasks;
    return ocs({ tasks: [...old, ...listed] });
  });
  const client = createClient({
    baseUrl: BASE,
    auth: { user: 'alice', appPassword: APP_PASSWORD },
    transport: fake.transport,
    sleep: clock.sleep,
    now: () => clock.now,
  });
  return { clock, sim, client };
}

// ten tasks of ten types: one worker per type, so they all end at about the same time
const requests = Array.from({ length: 10 }, (_, i) => ({
  type: `core:type${i}`,
  input: { input: `x${i}` },
  appId: 'app',
}));

describe('waits checked together', () => {
  it('checks many waits of one app with one list request per round', async () => {
    const { clock, sim, client } = setup();
    const scheduled = await clock.run(Promise.all(requests.map((r) => client.tasks.schedule(r))));
    const done = await clock.run(Promise.all(scheduled.map((t) => client.tasks.wait(t.id))));
    expect(done.every((t) => t.status === 'STATUS_SUCCESSFUL')).toBe(true);
    // tasks.wait reads each task once first; the rounds after it are shared
    const rounds = sim.counts.get + sim.counts.list - 10;
    expect(sim.counts.list).toBeGreaterThan(0);
    expect(rounds).toBeLessThanOrEqual(5);
  });

  it('stops listing when the list holds far more than the tasks waited for', async () => {
    const { clock, sim, client } = setup(1000);
    const scheduled = await clock.run(Promise.all(requests.map((r) => client.tasks.schedule(r))));
    await clock.run(Promise.all(scheduled.map((t) => client.tasks.wait(t.id))));
    // one list of the app, then GETs (a list by task type would serve only one wait each)
    expect(sim.counts.list).toBe(1);
  });
  it('wakes a wait whose task a list round of another wait found changed, and only then', async () => {
    let now = 1000;
    const listed: unknown[] = [];
    const learned: number[] = [];
    const checks = createTaskChecks({
      now: () => now,
      list: async () => listed as never,
      learn: (t) => learned.push(t.id),
    });
    const a = task({ id: 1, appId: 'app', status: 'STATUS_RUNNING' }) as never;
    const b = task({ id: 2, appId: 'app', status: 'STATUS_RUNNING' }) as never;
    const c = task({ id: 3, appId: 'app', status: 'STATUS_RUNNING' }) as never;
    const woken: number[] = [];
    checks.plan(a, 1000, undefined, () => woken.push(1));
    checks.plan(b, 1400, undefined, () => woken.push(2));
    checks.plan(c, 1300, undefined, () => woken.push(3));
    // b finished (started after a), c still running
    listed.push(
      task({ id: 1, appId: 'app', status: 'STATUS_SUCCESSFUL', startedAt: 20, endedAt: 21 }),
      task({ id: 2, appId: 'app', status: 'STATUS_SUCCESSFUL', startedAt: 21, endedAt: 22 }),
      task({ id: 3, appId: 'app', status: 'STATUS_RUNNING', startedAt: 22 }),
    );
    const mine = await checks.read(
      a,
      async () => {
        throw new Error('a list round, not a GET');
      },
      { deadline: Infinity },
    );
    expect(mine.status).toBe('STATUS_SUCCESSFUL');
    expect(woken).toEqual([2]);
    // the round's finished tasks are learned in the order they ran
    expect(learned).toEqual([1, 2]);
    // b takes the reading without sending anything
    now = 1010;
    const bRead = await checks.read(
      b,
      async () => {
        throw new Error('no request expected');
      },
      { deadline: Infinity },
    );
    expect(bRead.status).toBe('STATUS_SUCCESSFUL');
  });

  it('a wait not due yet takes a list reading that shows its task finished, and is woken for it', async () => {
    const now = 1000;
    const listed: unknown[] = [];
    const observed: number[] = [];
    const checks = createTaskChecks({
      now: () => now,
      list: async () => listed as never,
      observe: (t) => observed.push(t.id),
    });
    const a = task({ id: 1, appId: 'app', status: 'STATUS_RUNNING' }) as never;
    const b = task({ id: 2, appId: 'app', status: 'STATUS_RUNNING' }) as never;
    const late = task({ id: 3, appId: 'app', status: 'STATUS_RUNNING' }) as never;
    const idle = task({ id: 4, appId: 'app', status: 'STATUS_RUNNING' }) as never;
    const woken: number[] = [];
    checks.plan(a, 1000, undefined, () => woken.push(1));
    checks.plan(b, 1200, undefined, () => woken.push(2));
    // planned a minute later: its task ended long before that
    checks.plan(late, 61_000, undefined, () => woken.push(3));
    checks.plan(idle, 61_000, undefined, () => woken.push(4));
    listed.push(
      task({ id: 1, appId: 'app', status: 'STATUS_RUNNING', startedAt: 20 }),
      task({ id: 2, appId: 'app', status: 'STATUS_RUNNING', startedAt: 20 }),
      task({ id: 3, appId: 'app', status: 'STATUS_SUCCESSFUL', startedAt: 20, endedAt: 21 }),
      task({ id: 4, appId: 'app', status: 'STATUS_RUNNING', startedAt: 20 }),
    );
    await checks.read(a, async () => a, { deadline: Infinity });
    // the finished one is woken; the unchanged one sleeps on (its reading would be old by its check)
    expect(woken).toEqual([3]);
    expect(observed.sort()).toEqual([1, 2, 3, 4]);
    const reading = await checks.read(
      late,
      async () => {
        throw new Error('no request expected');
      },
      { deadline: Infinity },
    );
    expect(reading.status).toBe('STATUS_SUCCESSFUL');
  });

  it("the check of a queue's first task, not seen started, reads the tasks queued behind it too", async () => {
    const now = 1000;
    const lists: unknown[] = [];
    const checks = createTaskChecks({
      now: () => now,
      list: async (query) => {
        lists.push(query);
        return [
          task({ id: 1, appId: 'app', status: 'STATUS_SUCCESSFUL', startedAt: 20, endedAt: 21 }),
          task({ id: 2, appId: 'app', status: 'STATUS_SUCCESSFUL', startedAt: 21, endedAt: 22 }),
          task({ id: 3, appId: 'app', status: 'STATUS_RUNNING', startedAt: 22 }),
          task({ id: 4, appId: 'app' }),
        ] as never;
      },
    });
    const waited = (id: number) => task({ id, appId: 'app' }) as never;
    const [head, second, third, fourth] = [waited(1), waited(2), waited(3), waited(4)];
    const woken: number[] = [];
    // only the head is due; the others are planned from its (unknown) start, seconds later
    checks.plan(head, 1000, 3000);
    checks.plan(second, 4000, 4000, () => woken.push(2));
    checks.plan(third, 5000, 5000, () => woken.push(3));
    checks.plan(fourth, 6000, 6000, () => woken.push(4));
    expect(checks.behind(head)).toBe(true);
    expect(checks.behind(fourth)).toBe(false);
    const reading = await checks.read(head, async () => head, { deadline: Infinity });
    // one request for the head, and the two behind it that moved on are woken with their readings
    expect(lists).toHaveLength(1);
    expect(reading.status).toBe('STATUS_SUCCESSFUL');
    expect(woken).toEqual([2, 3]);
    const single = async () => {
      throw new Error('no request expected');
    };
    expect((await checks.read(second, single, { deadline: Infinity })).status).toBe('STATUS_SUCCESSFUL');
    // a wait whose task did not change keeps its own check (an old reading would stand in for it)
    checks.leave(1, reading);
    let own = 0;
    await checks.read(fourth, async () => (own++, fourth), { deadline: Infinity });
    expect(own).toBe(1);
  });

  it('a task that ended before the next one was scheduled does not put that one in a queue', () => {
    const checks = createTaskChecks({ now: () => 0, list: async () => [] });
    const before = task({
      id: 1,
      status: 'STATUS_SUCCESSFUL',
      scheduledAt: 100,
      startedAt: 101,
      endedAt: 102,
    });
    checks.leave(1, before as never);
    // scheduled while the first was still running (its end second or before): queued behind that end
    expect(checks.ahead(task({ id: 2, scheduledAt: 102 }) as never)).toEqual({ endedAt: 102 });
    // scheduled seconds after that end: the worker was free, this one heads a queue of its own
    expect(checks.ahead(task({ id: 3, scheduledAt: 110 }) as never)).toBeUndefined();
  });

  it('a queue plans again when the task ahead moves or ends: about one read per task, none a second early', async () => {
    const setup = simClient({
      pickupEveryMs: 2000,
      phaseMs: 300,
      runMs: 10_000,
      limit: null,
    });
    const { clock } = setup;
    /** Four 10 s tasks scheduled `offset` ms after a worker tick, one after the other on the server. */
    const batch = async (offset: number) => {
      clock.now = Math.ceil((clock.now + 60_000 - 300) / 2000) * 2000 + 300 + offset;
      return runBatch(setup, 4, 100);
    };
    // learned: a pickup moments after scheduling
    for (let i = 0; i < 3; i++) await batch(1700);
    // now the worker comes ~2 s later than learned: the first task's plan moves by that, and so do the
    // plans queued behind it (without replanning each would check too early once: ~14 reads)
    const late = await batch(100);
    expect(late.reads).toBeLessThanOrEqual(6);
    expect(Math.max(...late.delays)).toBeLessThan(500);
  });
});
