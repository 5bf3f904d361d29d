// Waiting for tasks: core's adaptive wait vs fixed 2 s polling (the assistant web UI's way) vs a webhook
// (the server calls us, then one GET). Tasks run 0.3 s, 3 s and 30 s, half of them with an accurate
// completionExpectedAt and half without one. Counted per task: GETs of the task (the emulator's request log)
// and the delay from the task's end (the emulator's clock) to the caller holding the finished task.
import http from 'node:http';
import { createNodeClient, nodeSleep } from '../packages/core/dist/node.js';
import { control, emulatorFromEnv, log, median, percentile, report, result } from './lib/common.mjs';

const PER_GROUP = Number(process.env.BENCH_WAIT_TASKS ?? 5);
const PICKUP_MS = 100;
const POLL_MS = 2000;
const TERMINAL = new Set(['STATUS_SUCCESSFUL', 'STATUS_FAILED', 'STATUS_CANCELLED']);

// One task type per (run time, estimate): timings are per type in the emulator.
const GROUPS = [
  { type: 'core:text2text', runMs: 300, eta: 'accurate', input: { input: 'short' } },
  { type: 'core:text2text:summary', runMs: 3000, eta: 'accurate', input: { input: 'medium' } },
  { type: 'core:text2text:headline', runMs: 30000, eta: 'accurate', input: { input: 'long' } },
  {
    type: 'core:text2text:translate',
    runMs: 300,
    eta: 'none',
    input: { input: 'short', origin_language: 'en', target_language: 'de' },
  },
  {
    type: 'core:text2text:chat',
    runMs: 3000,
    eta: 'none',
    input: { input: 'medium', system_prompt: 'Be brief', history: [] },
  },
  { type: 'core:text2speech', runMs: 30000, eta: 'none', input: { input: 'long' } },
];

const emu = emulatorFromEnv();
const ctl = control(emu.url);
const [alice] = emu.users;
await ctl.reset();
await ctl.put('rate-limit/schedule', { limit: 10_000, windowMs: 120_000 });
for (const g of GROUPS)
  await ctl.put(`providers/${g.type}`, { pickupMs: PICKUP_MS, runMs: g.runMs, eta: g.eta });
await ctl.del('requests');

const client = createNodeClient({
  baseUrl: emu.url,
  auth: { user: alice.user, appPassword: alice.appPassword },
});

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
/** Resolves true when the webhook for this task came, false when it did not within a minute. */
const webhookFor = (id) =>
  arrived.has(id)
    ? Promise.resolve(true)
    : new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), 60_000);
        waiting.set(id, () => {
          clearTimeout(timer);
          resolve(true);
        });
      });

const strategies = {
  async adaptive(request) {
    // run = schedule + wait, starting from the schedule answer (its completionExpectedAt)
    const done = await client.tasks.run(request, { timeoutMs: 120_000 });
    return { id: done.id, gotAt: Date.now(), status: done.status };
  },
  async polling(request) {
    const task = await client.tasks.schedule(request);
    for (;;) {
      await nodeSleep(POLL_MS);
      const now = await client.tasks.get(task.id);
      if (TERMINAL.has(now.status)) return { id: task.id, gotAt: Date.now(), status: now.status };
    }
  },
  async webhook(request) {
    const task = await client.tasks.schedule({ ...request, webhookUri: hookUrl, webhookMethod: 'HTTP:POST' });
    // a webhook that never comes shows up as polls (and a late result) instead of hanging the run
    while (!(await webhookFor(task.id))) {
      if (TERMINAL.has((await client.tasks.get(task.id)).status)) break;
    }
    // the webhook is unsigned: read the task once before trusting it
    const done = await client.tasks.get(task.id);
    return { id: task.id, gotAt: Date.now(), status: done.status };
  },
};

log(
  `waiting: ${GROUPS.length} groups x ${PER_GROUP} tasks x ${Object.keys(strategies).length} strategies, all at once`,
);
const started = Date.now();
const runs = [];
for (const [strategy, run] of Object.entries(strategies)) {
  for (const g of GROUPS) {
    for (let k = 0; k < PER_GROUP; k++) {
      // spread the starts evenly over one polling interval, so the phase between polls and ends varies
      const offset = Math.round((k * POLL_MS) / PER_GROUP);
      runs.push(
        nodeSleep(offset)
          .then(() =>
            run({
              type: g.type,
              input: g.input,
              appId: 'bench',
              customId: `wait-${strategy}-${g.type}-${k}`,
            }),
          )
          .then((r) => ({ ...r, strategy, group: g })),
      );
    }
  }
}
const outcomes = await Promise.all(runs);
log(`waiting: all ${outcomes.length} tasks done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
client.close();
receiver.close();

const tasks = new Map((await ctl.get('tasks')).map((t) => [t.id, t]));
const requests = await ctl.get('requests');
const getsPerTask = new Map();
for (const r of requests) {
  const m = /^\/ocs\/v2\.php\/taskprocessing\/task\/(\d+)$/.exec(r.path);
  if (m && r.method === 'GET') getsPerTask.set(Number(m[1]), (getsPerTask.get(Number(m[1])) ?? 0) + 1);
}
await ctl.reset();

const rows = outcomes.map((o) => {
  const task = tasks.get(o.id);
  if (!task || task.endedAtMs === null) throw new Error(`task ${o.id} has no end time in the emulator`);
  if (o.status !== 'STATUS_SUCCESSFUL') throw new Error(`task ${o.id} ended ${o.status}`);
  return {
    strategy: o.strategy,
    runMs: o.group.runMs,
    eta: o.group.eta,
    gets: getsPerTask.get(o.id) ?? 0,
    delayMs: o.gotAt - task.endedAtMs,
  };
});

const summary = {};
for (const s of Object.keys(strategies)) {
  const mine = rows.filter((r) => r.strategy === s);
  const groups = {};
  for (const g of GROUPS) {
    const these = mine.filter((r) => r.runMs === g.runMs && r.eta === g.eta);
    groups[`${g.runMs / 1000} s ${g.eta === 'none' ? 'no ETA' : 'ETA'}`] = {
      getsPerTask: these.reduce((a, r) => a + r.gets, 0) / these.length,
      medianDelayMs: median(these.map((r) => r.delayMs)),
      maxDelayMs: Math.max(...these.map((r) => r.delayMs)),
    };
  }
  summary[s] = {
    tasks: mine.length,
    getsPerTask: mine.reduce((a, r) => a + r.gets, 0) / mine.length,
    medianDelayMs: median(mine.map((r) => r.delayMs)),
    p90DelayMs: percentile(
      mine.map((r) => r.delayMs),
      90,
    ),
    groups,
  };
}
for (const [s, v] of Object.entries(summary)) {
  log(
    `  ${s.padEnd(8)} ${v.getsPerTask.toFixed(2)} GETs/task, median delay ${v.medianDelayMs} ms, p90 ${v.p90DelayMs} ms`,
  );
  for (const [g, x] of Object.entries(v.groups))
    log(
      `           ${g.padEnd(14)} ${x.getsPerTask.toFixed(1)} GETs, median ${x.medianDelayMs} ms, max ${x.maxDelayMs} ms`,
    );
}

const raw = { perGroup: PER_GROUP, pickupMs: PICKUP_MS, pollMs: POLL_MS, summary };
// The same comparison for the tasks whose provider gives no completionExpectedAt: the hard case.
const subset = (strategy, eta) => rows.filter((r) => r.strategy === strategy && r.eta === eta);
const mean = (list) => list.reduce((a, r) => a + r.gets, 0) / list.length;
const noEta = { adaptive: subset('adaptive', 'none'), polling: subset('polling', 'none') };
const { adaptive, polling, webhook } = summary;
report([
  result({
    name: 'waiting: GETs per task (all), adaptive vs 2 s polling',
    value: adaptive.getsPerTask,
    unit: 'requests/task',
    baseline: polling.getsPerTask,
    baselineName: '2 s polling',
    maxRatio: 0.5,
    target: 'ratio ≤ 0.50',
    raw,
  }),
  result({
    name: 'waiting: median delay after task end (all), adaptive vs 2 s polling',
    value: adaptive.medianDelayMs,
    unit: 'ms',
    baseline: polling.medianDelayMs,
    baselineName: '2 s polling',
    maxRatio: 1.0,
    target: 'ratio ≤ 1.00',
  }),
  result({
    name: 'waiting: GETs per task without ETA, adaptive vs 2 s polling',
    value: mean(noEta.adaptive),
    unit: 'requests/task',
    baseline: mean(noEta.polling),
    baselineName: '2 s polling',
    maxRatio: 0.5,
    target: 'ratio ≤ 0.50',
  }),
  result({
    name: 'waiting: median delay without ETA, adaptive vs 2 s polling',
    value: median(noEta.adaptive.map((r) => r.delayMs)),
    unit: 'ms',
    baseline: median(noEta.polling.map((r) => r.delayMs)),
    baselineName: '2 s polling',
    maxRatio: 1.0,
    target: 'ratio ≤ 1.00',
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
  result({
    name: 'waiting: median delay after task end, webhook vs 2 s polling',
    value: webhook.medianDelayMs,
    unit: 'ms',
    baseline: polling.medianDelayMs,
    baselineName: '2 s polling',
    target: '(informational)',
  }),
]);
