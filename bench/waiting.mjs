// Waiting for tasks on the emulator's realistic profile (docs/api-behaviour.md): one serial worker per task
// type that looks for work every 2 s, or a cron run every 60 s that works through each queue; tasks of one
// type run one after the other; `completionExpectedAt` leaves the pickup out (optimistic); whole-second
// timestamps; the real rate limits. Two emulators of their own (worker, cron), each with three groups:
// tasks of 1 s (5 of them), 10 s (4) and 60 s (2) per strategy.
// Strategies: 2 s polling (the web UI's way: one GET per task every 2 s from its scheduling), core's wait with a
// fresh client (it learns while the tasks run: "cold"), then core's wait with a client given the state the
// cold one learned (`timing` option: "learned"; the targets apply to it, it is how hosts run once they
// stored the state). Cold runs first; then polling and learned run at once on task types of their own (a
// serial worker would otherwise make each wait for the other), so both wait for the same pickups.
// Counted per task: requests that read it, on the client side — its GETs, plus its share of each list
// request (a list read while k tasks of that client were waited for counts 1/k for each) — and the delay
// from the task's end (the emulator's clock) to the caller holding the finished task.
import { createClient, nodeSleep, nodeTransport } from '../packages/core/dist/node.js';
import { control, log, median, percentile, report, result, startEmulatorProcess } from './lib/common.mjs';

const POLL_MS = 2000;
const TERMINAL = new Set(['STATUS_SUCCESSFUL', 'STATUS_FAILED', 'STATUS_CANCELLED']);
const PICKUPS = [
  { name: '2 s worker', pickup: { mode: 'worker', pollMs: 2000 } },
  { name: '60 s cron', pickup: { mode: 'cron', intervalMs: 60_000 } },
];
// Per group: the run time, how many tasks per strategy, and a task type for polling and one for core.
const GROUPS = [
  { runMs: 1000, count: 5, types: ['core:text2text', 'core:text2text:translate'] },
  { runMs: 10_000, count: 4, types: ['core:text2text:summary', 'core:text2text:chat'] },
  { runMs: 60_000, count: 2, types: ['core:text2text:headline', 'core:text2speech'] },
];
const INPUTS = {
  'core:text2text:translate': { input: 'x', origin_language: 'en', target_language: 'de' },
  'core:text2text:chat': { input: 'x', system_prompt: 'Be brief', history: [] },
};
const groupName = (g, p) => `${g.runMs / 1000} s, ${p.name}`;

// Every request a strategy sends, with its time: list requests are shared among the tasks waited for.
const sent = [];
const clientOf = (emu, name, timing) => {
  const transport = nodeTransport();
  const client = createClient({
    baseUrl: emu.url,
    auth: { user: name, appPassword: emu.users.find((u) => u.user === name).appPassword },
    transport: (req) => {
      sent.push({ emu: emu.url, user: name, at: Date.now(), method: req.method, url: new URL(req.url) });
      return transport(req);
    },
    sleep: nodeSleep,
    ...(timing ? { timing } : {}),
  });
  return Object.assign(client, { close: () => transport.close() });
};

async function poll(client, request) {
  const task = await client.tasks.schedule(request);
  const scheduledAt = Date.now();
  for (;;) {
    // every 2 s from the moment it was scheduled, as the web UI polls a task it scheduled (a grid shared by
    // all tasks would put every check at one fixed offset from the worker's own 2 s ticks, set by when the
    // two processes happened to start)
    await nodeSleep(POLL_MS - ((Date.now() - scheduledAt) % POLL_MS));
    const now = await client.tasks.get(task.id);
    if (TERMINAL.has(now.status)) return { id: task.id, scheduledAt, gotAt: Date.now(), status: now.status };
  }
}

async function coreWait(client, request) {
  // run = schedule + wait, planned from the schedule answer
  const scheduledAt = Date.now();
  const done = await client.tasks.run(request, { timeoutMs: 600_000 });
  return { id: done.id, scheduledAt, gotAt: Date.now(), status: done.status };
}

/** Every task of one strategy: per group `count` tasks, starts spread over one polling interval. */
function phase(strategy, typeIndex, run) {
  return GROUPS.flatMap((g) =>
    Array.from({ length: g.count }, (_, k) =>
      nodeSleep(Math.round((k * POLL_MS) / g.count))
        .then(() =>
          run({
            type: g.types[typeIndex],
            input: INPUTS[g.types[typeIndex]] ?? { input: `task ${k}` },
            appId: `bench-${strategy}`,
            customId: `wait-${strategy}-${k}`,
          }),
        )
        .then((r) => ({ ...r, strategy, group: g })),
    ),
  );
}

async function onEmulator(p) {
  const emu = await startEmulatorProcess({
    users: [{ user: 'alice' }, { user: 'bob' }, { user: 'carol' }],
    profile: 'realistic',
    pickup: p.pickup,
    providers: Object.fromEntries(GROUPS.flatMap((g) => g.types.map((t) => [t, { runMs: g.runMs }]))),
  });
  try {
    const polling = clientOf(emu, 'alice');
    const cold = clientOf(emu, 'bob');
    // cold first, alone; then polling and learned at once, so the two compared wait for the same pickups
    const outcomes = await Promise.all(phase('cold', 1, (r) => coreWait(cold, r)));
    const learned = clientOf(emu, 'carol', cold.timing.export());
    outcomes.push(
      ...(await Promise.all([
        ...phase('polling', 0, (r) => poll(polling, r)),
        ...phase('learned', 1, (r) => coreWait(learned, r)),
      ])),
    );
    for (const c of [polling, cold, learned]) c.close();
    timings.push(
      [`cold (${p.name})`, cold.timing.export()],
      [`learned (${p.name})`, learned.timing.export()],
    );
    const tasks = new Map((await control(emu.url).get('tasks')).map((t) => [t.id, t]));
    return outcomes.map((o) => ({ ...o, pickup: p, emu: emu.url, task: tasks.get(o.id) }));
  } finally {
    await emu.stop();
  }
}

/** What the core clients learned, for BENCH_VERBOSE. */
const timings = [];
const started = Date.now();
log(
  `waiting (realistic): ${PICKUPS.map((p) => p.name).join(' and ')}, cold first, then polling and learned at once`,
);
const outcomes = (await Promise.all(PICKUPS.map(onEmulator))).flat();
log(`waiting: all ${outcomes.length} tasks done in ${((Date.now() - started) / 1000).toFixed(1)} s`);

// Reads per task: GETs by id, and a share of each list request sent while tasks of that client were waited for.
const userOf = { polling: 'alice', cold: 'bob', learned: 'carol' };
const key = (emu, id) => `${emu} ${id}`;
const reads = new Map();
const add = (k, n) => reads.set(k, (reads.get(k) ?? 0) + n);
for (const r of sent) {
  if (r.method !== 'GET') continue;
  const m = /^\/ocs\/v2\.php\/taskprocessing\/task\/(\d+)$/.exec(r.url.pathname);
  if (m) {
    add(key(r.emu, Number(m[1])), 1);
    continue;
  }
  if (!/^\/ocs\/v2\.php\/taskprocessing\/tasks(\/app\/|$)/.test(r.url.pathname)) continue;
  const covered = outcomes.filter(
    (o) => o.emu === r.emu && userOf[o.strategy] === r.user && o.scheduledAt <= r.at && r.at <= o.gotAt,
  );
  for (const o of covered) add(key(o.emu, o.id), 1 / covered.length);
}

const rows = outcomes.map((o) => {
  if (!o.task || o.task.endedAtMs === null) throw new Error(`task ${o.id} has no end time in the emulator`);
  if (o.status !== 'STATUS_SUCCESSFUL') throw new Error(`task ${o.id} ended ${o.status}`);
  return {
    strategy: o.strategy,
    group: groupName(o.group, o.pickup),
    reads: reads.get(key(o.emu, o.id)) ?? 0,
    delayMs: o.gotAt - o.task.endedAtMs,
  };
});

if (process.env.BENCH_VERBOSE) {
  // every task: when it was scheduled, started and ended (emulator clock), when its reads went out, its delay
  for (const o of outcomes) {
    const t = o.task;
    // seconds on the clock (last three digits), so the sub-second phase shows
    const at = (ms) => ((ms / 1000) % 1000).toFixed(3);
    const mine = sent.filter(
      (r) =>
        r.emu === o.emu &&
        r.method === 'GET' &&
        r.user === userOf[o.strategy] &&
        r.at >= o.scheduledAt &&
        r.at <= o.gotAt,
    );
    const own = mine.filter((r) => r.url.pathname.endsWith(`/task/${o.id}`)).map((r) => at(r.at));
    const lists = mine.filter((r) => !/\/task\/\d+$/.test(r.url.pathname)).map((r) => at(r.at));
    log(
      `  ${o.strategy.padEnd(8)} ${groupName(o.group, o.pickup).padEnd(18)} task ${o.id}: scheduled ${at(o.scheduledAt)} started ${at(t.startedAtMs)} ended ${at(t.endedAtMs)} got ${at(o.gotAt)} (delay ${o.gotAt - t.endedAtMs} ms); GETs ${own.join(' ')}; lists ${lists.join(' ')}`,
    );
  }
  for (const [name, state] of timings) log(`  timing learned by ${name}: ${JSON.stringify(state.types)}`);
}

const summarize = (list) => ({
  tasks: list.length,
  getsPerTask: list.reduce((a, r) => a + r.reads, 0) / list.length,
  medianDelayMs: median(list.map((r) => r.delayMs)),
  p90DelayMs: percentile(
    list.map((r) => r.delayMs),
    90,
  ),
});
const names = PICKUPS.flatMap((p) => GROUPS.map((g) => groupName(g, p)));
const summary = {};
for (const s of Object.keys(userOf)) {
  const mine = rows.filter((r) => r.strategy === s);
  summary[s] = { ...summarize(mine), groups: {} };
  for (const name of names) summary[s].groups[name] = summarize(mine.filter((r) => r.group === name));
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

const { polling, learned, cold } = summary;
report([
  ...names.flatMap((name) => {
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
  }),
  result({
    name: 'waiting (all groups): reads per task, first run (cold client) vs 2 s polling',
    value: cold.getsPerTask,
    unit: 'requests/task',
    baseline: polling.getsPerTask,
    baselineName: '2 s polling',
    target: '(informational)',
    raw: { summary },
  }),
]);
