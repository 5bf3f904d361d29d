import { describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { APP_PASSWORD, BASE, fakeServer, ocs } from './helpers.js';
import { simClient, simServer } from './sim-server.js';
import { virtualClock } from './virtual-clock.js';

const setup = simClient;

const docs = (n: number, type = 'core:text2text') =>
  Array.from({ length: n }, (_, i) => ({ type, input: { input: `Document ${i}` }, appId: 'batch-test' }));

describe('tasks.runMany', () => {
  it('schedules 100 tasks under the 20 per 120 s limit without a refusal, none surfaced, results in order', async () => {
    const { clock, server, client } = setup({ pickupEveryMs: 2000, runMs: 1000 });
    const results = await clock.run(client.tasks.runMany(docs(100), { wait: false }));
    expect(results.map((r) => r.status)).toEqual(Array(100).fill('fulfilled'));
    const tasks = results.map((r) => (r as PromiseFulfilledResult<{ id: number; input: unknown }>).value);
    expect(tasks.map((t) => t.input)).toEqual(docs(100).map((d) => d.input));
    expect(new Set(tasks.map((t) => t.id)).size).toBe(100);
    expect(server.tasks).toHaveLength(100);
    // 100 accepted, none refused: the gate counts the known limit's slots from the first call
    expect(server.counts.schedule).toBe(100);
    expect(server.counts.refused).toBe(0);
    // four windows after the first: about 4 × 120 s, not more
    const elapsed = clock.now - 1_800_000_000_000;
    expect(elapsed).toBeGreaterThanOrEqual(4 * 120_000);
    expect(elapsed).toBeLessThan(4 * 120_000 + 10_000);
  });

  it('100 callers with a batch of one each (the messages of a flow) share the limit: no window sent twice over', async () => {
    const { clock, server, client } = setup({ pickupEveryMs: 2000, runMs: 1000 });
    const results = await clock.run(
      Promise.all(docs(100).map((d) => client.tasks.runMany([d], { wait: false }))),
    );
    expect(results.flat().every((r) => r.status === 'fulfilled')).toBe(true);
    expect(server.tasks).toHaveLength(100);
    expect(server.counts.schedule).toBeLessThanOrEqual(105);
    const elapsed = clock.now - 1_800_000_000_000;
    expect(elapsed).toBeLessThan(4 * 120_000 + 10_000);
  });

  it('follows rate limits given for a server whose windows differ from a real one', async () => {
    const sim = { pickupEveryMs: 1000, runMs: 500, limit: { limit: 20, windowMs: 2000 } };
    const { clock, server, client } = setup(sim, {
      rateLimits: { 'task_processing_api-schedule': { limit: 20, windowMs: 2000 } },
    });
    const results = await clock.run(client.tasks.runMany(docs(100), { wait: false }));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(server.counts.schedule).toBeLessThanOrEqual(105);
    expect(clock.now - 1_800_000_000_000).toBeLessThan(4 * 2000 + 2000);
    expect(() => setup(sim, { rateLimits: { x: { limit: 0, windowMs: 1 } } })).toThrow(
      /rateLimits\["x"\] needs a positive whole limit/,
    );
  });

  it('scheduleLimit: a server that allows more than 20 per 2 minutes gets its batch at once, nothing refused', async () => {
    const sim = { pickupEveryMs: 1000, runMs: 500, limit: { limit: 100, windowMs: 120_000 } };
    const { clock, server, client } = setup(sim, { scheduleLimit: 100 });
    const results = await clock.run(client.tasks.runMany(docs(60), { wait: false }));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(server.counts).toMatchObject({ schedule: 60, refused: 0 });
    // scheduled within a second, where the usual 20 per 2 minutes paces 60 over 4 minutes
    expect(clock.now - 1_800_000_000_000).toBeLessThan(1000);
    for (const bad of [0, 1.5, -3, Number.NaN])
      expect(() => setup(sim, { scheduleLimit: bad })).toThrow(
        /scheduleLimit must be a positive whole number of tasks/,
      );
  });

  it('waits for all tasks concurrently: about one read per task where 2 s polling needs ~3', async () => {
    const { clock, server, client } = setup({ pickupEveryMs: 2000, runMs: 1000, limit: null });
    const results = await clock.run(client.tasks.runMany(docs(10)));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const outputs = results.map((r) => (r as PromiseFulfilledResult<{ output: unknown }>).value.output);
    expect(outputs).toEqual(server.tasks.map((t) => ({ output: `done ${t.id}` })));
    // 10 serial 1 s tasks: polling every 2 s would GET each task (its end − schedule) / 2 s times, ~30 GETs;
    // the server's guess for a queued task counts the tasks ahead, so each wait checks once near its end
    // (list rounds, when waits fall due together: task-checks.test.ts)
    const reads = server.counts.get + server.counts.list;
    expect(reads).toBeLessThanOrEqual(12);
  });

  it('reports each failure on its own and keeps the others', async () => {
    const clock = virtualClock();
    const sim = simServer({ pickupEveryMs: 1000, runMs: 500, limit: null, now: () => clock.now });
    const fake = fakeServer((req) =>
      req.json && (req.json as { input: { input: string } }).input.input === 'bad'
        ? ocs({ message: 'Missing key: "input"' }, 400)
        : sim.handler(req),
    );
    const client = createClient({
      baseUrl: BASE,
      auth: { user: 'alice', appPassword: APP_PASSWORD },
      transport: fake.transport,
      sleep: clock.sleep,
      now: () => clock.now,
    });
    const requests = [
      { type: 'core:text2text', input: { input: 'one' } },
      { type: 'core:text2text', input: { input: 'bad' } },
      { type: '', input: { input: 'no type' } },
      { type: 'core:text2text', input: { input: 'four' } },
    ];
    const results = await clock.run(client.tasks.runMany(requests));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'invalid_input', sent: true });
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({
      code: 'invalid_input',
      sent: false,
    });
    expect(sim.tasks.map((t) => t.input.input)).toEqual(['one', 'four']);
  });

  it('never schedules twice: a schedule whose answer was lost is found by its custom id', async () => {
    const { clock, server, client } = setup({
      pickupEveryMs: 1000,
      runMs: 500,
      limit: null,
      loseAnswerOf: [2, 4],
    });
    const results = await clock.run(client.tasks.runMany(docs(5), { concurrency: 1 }));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(server.tasks).toHaveLength(5);
    expect(server.counts.schedule).toBe(5);
    const ids = results.map((r) => (r as PromiseFulfilledResult<{ id: number }>).value.id);
    expect(ids).toEqual(server.tasks.map((t) => t.id));
    // the custom ids the batch gave are distinct: each lookup finds exactly its own task
    expect(new Set(server.tasks.map((t) => t.customId)).size).toBe(5);
  });

  it('finds a lost schedule although the server added its default inputs, and a failed look-up schedules nothing', async () => {
    const { clock, server, client } = setup({
      pickupEveryMs: 1000,
      runMs: 500,
      limit: null,
      loseAnswerOf: [1, 2],
      // real servers store the optional inputs with their defaults (recorded: max_tokens, model)
      inputDefaults: { max_tokens: 1234, model: 'model_2' },
      // the look-up after the second lost answer fails, and so do the client's own retries of it
      failListsOf: [2, 3, 4, 5],
    });
    const results = await clock.run(client.tasks.runMany(docs(2), { concurrency: 1 }));
    // each document exists once on the server, whatever its caller was told
    expect(server.tasks).toHaveLength(2);
    expect(server.counts.schedule).toBe(2);
    const [first, second] = results;
    expect(first?.status).toBe('fulfilled');
    expect((first as PromiseFulfilledResult<{ id: number }>).value.id).toBe(server.tasks[0]!.id);
    // not known whether it was scheduled: an error that says so, not a second task
    expect(second?.status).toBe('rejected');
    const error = (second as PromiseRejectedResult).reason as { code: string; message: string };
    expect(error.message).toMatch(/may have been scheduled/);
  });

  it('checks its options before sending anything', async () => {
    const { client, requests } = setup({ pickupEveryMs: 1000, runMs: 500 });
    await expect(client.tasks.runMany(docs(2), { concurrency: 0 })).rejects.toMatchObject({
      code: 'invalid_input',
      sent: false,
    });
    await expect(client.tasks.runMany(docs(2), { timeoutMs: -1 })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    expect(requests).toHaveLength(0);
  });
});
