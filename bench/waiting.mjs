// Waiting for tasks as real servers behave (docs/api-behaviour.md): a pickup delay before a task runs
// (a worker: 2 s; cron: 60 s), `completionExpectedAt` that leaves the pickup out (optimistic), whole-second
// timestamps. Groups: tasks of 1 s, 10 s and 60 s with each pickup, PER_GROUP tasks each, starts spread over
// one polling interval, all groups at once.
// Strategies: 2 s polling (the web UI's way: one GET per task every 2 s), core's wait with a fresh client
// (it learns while the tasks run: "cold"), core's wait with a client given the state the cold one learned
// (`timing` option: "learned"; the targets apply to it, it is how hosts run once they stored the state),
// and a webhook (the server calls us, then one GET). Each strategy has its own user, so the emulator's
// request log tells them apart.
// Counted per task: requests that read it — its GETs, plus its share of each list request (a list read
// while k of that client's tasks were waited for counts 1/k for each) — and the delay from the task's end
// (the emulator's clock) to the caller holding the finished task.
import http from 'node:http';
import { createClient, nodeSleep, nodeTransport } from '../packages/core/dist/node.js';
import { control, emulatorFromEnv, log, median, percentile, report, result } from './lib/common.mjs';

const PER_GROUP = Number(process.env.BENCH_WAIT_TASKS ?? 5);
const POLL_MS = 2000;
const TERMINAL = new Set(['STATUS_SUCCESSFUL', 'STATUS_FAILED', 'STATUS_CANCELLED']);
const WORKER_MS = 2000;
const CRON_MS = 60_000;

// One task type per (run time, pickup): timings are per type in the emulator.
const GROUPS = [
  { type: 'core:text2text', runMs: 1000, pickupMs: WORKER_MS, input: { input: 'short' } },
  { type: 'core:text2text:summary', runMs: 10_000, pickupMs: WORKER_MS, input: { input: 'medium' } },
  { type: 'core:text2text:headline', runMs: 60_000, pickupMs: WORKER_MS, input: { input: 'long' } },
  {
    type: 'core:text2text:translate',
    runMs: 1000,
    pickupMs: CRON_MS,
    input: { input: 'short', origin_language: 'en', target_language: 'de' },
  },
  {
    type: 'core:text2text:chat',
    runMs: 10_000,
    pickupMs: CRON_MS,
    input: { input: 'medium', system_prompt: 'Be brief', history: [] },
  },
  { type: 'core:text2speech', runMs: 60_000, pickupMs: CRON_MS, input: { input: 'long' } },
];
const groupName = (g) => `${g.runMs / 1000} s, ${g.pickupMs === CRON_MS ? '60 s cron' : '2 s worker'}`;

const emu = emulatorFromEnv();
const ctl = control(emu.url);
const user = (name) => emu.users.find((u) => u.user === name);
await ctl.reset();
await ctl.put('rate-limit/schedule', { limit: 10_000, windowMs: 120_000 });
// completionExpectedAt = schedule + run time: the pickup left out, as real servers do
for (const g of GROUPS)
  await ctl.put(`providers/${g.type}`, { pickupMs: g.pickupMs, runMs: g.runMs, etaErrorMs: -g.pickupMs });
await ctl.del('requests');

// Every request a strategy sends, with its time: list requests are shared among the tasks waited for.
const sent = [];
const clientOf = (name, timing) => {
  const transport = nodeTransport();
  const client = createClient({
    baseUrl: emu.url,
    auth: { user: user(name).user, appPassword: user(name).appPassword },
    transport: (req) => {
      sent.push({ user: name, at: Date.now(), method: req.method, url: new URL(req.url) });
      return transport(req);
    },
    sleep: nodeSleep,
    ...(timing ? { timing } : {}),
  });
  return Object.assign(client, { close: () => transport.close() });
};
const clients = { polling: clientOf('alice'), cold: clientOf('bob') };

// Webhook receiver on loopback: the emulator POSTs {task} when a task ends.
const arrived = new Map();
const waiting = new Map();
const receiver = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    res.end('ok');
    const id = JSON.parse(body)?.task?.id;
    if (waiting.has(id)) waiting.get(id)();
    else arrived.set(id, true);
  });
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const hookUrl = `http://127.0.0.1:${receiver.address().port}/hook`;
const webhookFor = (id) =>
  arrived.has(id)
    ? Promise.resolve(true)
    : new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), 150_000);
        waiting.set(id, () => {
          clearTimeout(timer);
          resolve(true);
        });
      });

const strategies = {
  async polling(request) {
    const client = clients.polling;
    const task = await client.tasks.schedule(request);
    const scheduledAt = Date.now();
    for (;;) {
      // on one 2 s grid for all tasks, as a page polling every 2 s since it was opened
      await nodeSleep(POLL_MS - ((Date.now() - gridStart) % POLL_MS));
      const now = await client.tasks.get(task.id);
      if (TERMINAL.has(now.status))
        return { id: task.id, scheduledAt, gotAt: Date.now(), status: now.status };
    }
  },
  async cold(request) {
    // run = schedule + wait, planned from the schedule answer
    const scheduledAt = Date.now();
    const done = await clients.cold.tasks.run(request, { timeoutMs: 300_000 });
    return { id: done.id, scheduledAt, gotAt: Date.now(), status: done.status };
  },
  async learned(request) {
    // run = schedule + wait, planned from the schedule answer
    const scheduledAt = Date.now();
    const done = await clients.learned.tasks.run(request, { timeoutMs: 300_000 });
    return { id: done.id, scheduledAt, gotAt: Date.now(), status: done.status };
  },
  async webhook(request) {
    const client = clients.polling;
    const task = await client.tasks.schedule({ ...request, webhookUri: hookUrl, webhookMethod: 'HTTP:POST' });
    const scheduledAt = Date.now();
    while (!(await webhookFor(task.id))) {
      if (TERMINAL.has((await client.tasks.get(task.id)).status)) break;
    }
    // the webhook is unsigned: read the task once before trusting it
    const done = await client.tasks.get(task.id);
    return { id: task.id, scheduledAt, gotAt: Date.now(), status: done.status };
  },
};

async function runPhase(names) {
  const runs = [];
  for (const strategy of names) {
    for (const g of GROUPS) {
      for (let k = 0; k < PER_GROUP; k++) {
        // spread the starts evenly over one polling interval, so the phase between polls and ends varies
        const offset = Math.round((k * POLL_MS) / PER_GROUP);
        runs.push(
          nodeSleep(offset)
            .then(() =>
              strategies[strategy]({
                type: g.type,
                input: g.input,
                appId: `bench-${strategy}`,
                customId: `wait-${strategy}-${g.type}-${k}`,
              }),
            )
            .then((r) => ({ ...r, strategy, group: g })),
        );
      }
    }
  }
  return Promise.all(runs);
}

const started = Date.now();
const gridStart = started;
log(`waiting: ${GROUPS.length} groups x ${PER_GROUP} tasks; polling, cold and webhook at once, then learned`);
const outcomes = await runPhase(['polling', 'cold', 'webhook']);
clients.learned = clientOf('carol', clients.cold.timing.export());
outcomes.push(...(await runPhase(['learned'])));
log(`waiting: all ${outcomes.length} tasks done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
for (const c of Object.values(clients)) c.close();
receiver.close();

const tasks = new Map((await ctl.get('tasks')).map((t) => [t.id, t]));
await ctl.reset();

// Reads per task: GETs by id, and a share of each list request sent while tasks of that user were waited for.
const userOf = { polling: 'alice', webhook: 'alice', cold: 'bob', learned: 'carol' };
const reads = new Map();
for (const r of sent) {
  if (r.method !== 'GET') continue;
  const m = /^\/ocs\/v2\.php\/taskprocessing\/task\/(\d+)$/.exec(r.url.pathname);
  if (m) {
    reads.set(Number(m[1]), (reads.get(Number(m[1])) ?? 0) + 1);
    continue;
  }
  if (!/^\/ocs\/v2\.php\/taskprocessing\/tasks(\/app\/|$)/.test(r.url.pathname)) continue;
  const covered = outcomes.filter(
    (o) => userOf[o.strategy] === r.user && o.scheduledAt <= r.at && r.at <= o.gotAt,
  );
  for (const o of covered) reads.set(o.id, (reads.get(o.id) ?? 0) + 1 / covered.length);
}

const rows = outcomes.map((o) => {
  const task = tasks.get(o.id);
  if (!task || task.endedAtMs === null) throw new Error(`task ${o.id} has no end time in the emulator`);
  if (o.status !== 'STATUS_SUCCESSFUL') throw new Error(`task ${o.id} ended ${o.status}`);
  return {
    strategy: o.strategy,
    group: groupName(o.group),
    reads: reads.get(o.id) ?? 0,
    delayMs: o.gotAt - task.endedAtMs,
  };
});

const summarize = (list) => ({
  tasks: list.length,
  getsPerTask: list.reduce((a, r) => a + r.reads, 0) / list.length,
  medianDelayMs: median(list.map((r) => r.delayMs)),
  p90DelayMs: percentile(
    list.map((r) => r.delayMs),
    90,
  ),
});
const summary = {};
for (const s of Object.keys(strategies)) {
  const mine = rows.filter((r) => r.strategy === s);
  summary[s] = { ...summarize(mine), groups: {} };
  for (const g of GROUPS)
    summary[s].groups[groupName(g)] = summarize(mine.filter((r) => r.group === groupName(g)));
}
for (const [s, v] of Object.entries(summary)) {
  log(
    `  ${s.padEnd(8)} ${v.getsPerTask.toFixed(2)} reads/task, median delay ${v.medianDelayMs} ms, p90 ${v.p90DelayMs} ms`,
  );
  for (const [g, x] of Object.entries(v.groups))
    log(
      `           ${g.padEnd(18)} ${x.getsPerTask.toFixed(2)} reads, median ${x.medianDelayMs} ms, p90 ${x.p90DelayMs} ms`,
    );
}

const raw = { perGroup: PER_GROUP, pollMs: POLL_MS, summary };
const { polling, learned, cold, webhook } = summary;
const groupRows = GROUPS.flatMap((g) => {
  const name = groupName(g);
  const mine = learned.groups[name];
  const base = polling.groups[name];
  return [
    result({
      name: `waiting ${name}: reads per task, learned wait vs 2 s polling`,
      value: mine.getsPerTask,
      unit: 'requests/task',
      baseline: base.getsPerTask,
      baselineName: '2 s polling',
      maxRatio: 0.5,
      target: 'ratio ≤ 0.50',
      raw: { learned: mine, polling: base, cold: cold.groups[name] },
    }),
    result({
      name: `waiting ${name}: median delay after the end, learned wait vs 2 s polling`,
      value: mine.medianDelayMs,
      unit: 'ms',
      baseline: base.medianDelayMs,
      baselineName: '2 s polling',
      maxRatio: 0.5,
      target: 'ratio ≤ 0.50',
    }),
  ];
});
report([
  ...groupRows,
  result({
    name: 'waiting (all groups): reads per task, first run (cold client) vs 2 s polling',
    value: cold.getsPerTask,
    unit: 'requests/task',
    baseline: polling.getsPerTask,
    baselineName: '2 s polling',
    target: '(informational)',
    raw,
  }),
  result({
    name: 'waiting: polls per task before the webhook (then 1 GET)',
    value: webhook.getsPerTask - 1,
    unit: 'requests/task',
    baseline: polling.getsPerTask,
    baselineName: '2 s polling',
    met: webhook.getsPerTask - 1 === 0,
    target: '0 polls',
  }),
]);
