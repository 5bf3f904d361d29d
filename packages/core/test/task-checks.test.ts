import { describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { APP_PASSWORD, BASE, fakeServer, ocs, task } from './helpers.js';
import { simServer } from './sim-server.js';
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
});
