// Batches of N documents with "Wait for Result", in real time on an emulator of its own with the realistic
// profile: one serial worker per task type that looks for work every 2 s and runs 1 s tasks one after the
// other, the real schedule limit (20 per 120 s per user, answered 429 with an empty body). Four parties at
// once, each with its own user (the limit is per user) and its own task type (the worker is per type):
// core's runMany, the n8n node's execute with N items (runMany inside), a Node-RED flow receiving N
// messages (the task node's concurrency set to N), and the old item-by-item way (schedule, wait, next: core's
// tasks.run one item after the other, as the n8n node did before runMany) — measured, not computed.
// Target: wall time ≤ 1.10 × (max(rate-limit bound, serial work) + one pickup), 0 errors surfaced, every
// customId exactly once in the emulator; schedule requests per task ≤ 1.05 and no 429 surfaced.
import { createNodeClient } from '../packages/core/dist/node.js';
import { control, log, report, requireFrom, result, startEmulatorProcess } from './lib/common.mjs';
import { n8nContext } from './lib/n8n-context.mjs';

const N = Number(process.env.BENCH_BATCH_N ?? 100);
const LIMIT = 20;
const WINDOW_MS = 120_000;
const PICKUP_MS = 2000;
const RUN_MS = 1000;
const RATE_BOUND_MS = (Math.ceil(N / LIMIT) - 1) * WINDOW_MS;
const SERIAL_MS = N * RUN_MS;
const BOUND_MS = Math.max(RATE_BOUND_MS, SERIAL_MS) + PICKUP_MS;
const TIMEOUT_S = Math.ceil((BOUND_MS * 2) / 1000) + 120;
const PARTIES = {
  core: { user: 'alice', type: 'core:text2text:summary' },
  n8n: { user: 'bob', type: 'core:text2text:headline' },
  'node-red': { user: 'carol', type: 'core:text2text' },
  'item-by-item': { user: 'dave', type: 'core:text2text:translate' },
};
const inputOf = (type, i) =>
  type === 'core:text2text:translate'
    ? { input: `Document ${i}`, origin_language: 'en', target_language: 'de' }
    : { input: `Document ${i}` };

const emu = await startEmulatorProcess({
  users: Object.values(PARTIES).map((p) => ({ user: p.user })),
  profile: 'realistic',
  pickup: { mode: 'worker', pollMs: PICKUP_MS },
  providers: Object.fromEntries(Object.values(PARTIES).map((p) => [p.type, { runMs: RUN_MS }])),
});
const ctl = control(emu.url);
const credentials = (name) => emu.users.find((u) => u.user === name);

async function viaCore(prefix, { user, type }) {
  const client = createNodeClient({ baseUrl: emu.url, auth: credentials(user) });
  const requests = Array.from({ length: N }, (_, i) => ({
    type,
    input: inputOf(type, i),
    appId: 'bench',
    customId: `${prefix}${i}`,
  }));
  const started = Date.now();
  const results = await client.tasks.runMany(requests, { timeoutMs: TIMEOUT_S * 1000 });
  const wallMs = Date.now() - started;
  client.close();
  const errors = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
  const outOfOrder = results.some((r, i) => r.status === 'fulfilled' && r.value.customId !== `${prefix}${i}`);
  return { wallMs, surfaced: errors.length, errorCodes: errors.map((e) => e.code ?? String(e)), outOfOrder };
}

async function itemByItem(prefix, { user, type }) {
  const client = createNodeClient({ baseUrl: emu.url, auth: credentials(user) });
  const started = Date.now();
  let surfaced = 0;
  for (let i = 0; i < N; i++) {
    try {
      await client.tasks.run(
        { type, input: inputOf(type, i), appId: 'bench', customId: `${prefix}${i}` },
        { timeoutMs: TIMEOUT_S * 1000 },
      );
    } catch {
      surfaced++;
    }
  }
  const wallMs = Date.now() - started;
  client.close();
  return { wallMs, surfaced };
}

async function viaN8n(prefix, { user, type }) {
  const { appPassword } = credentials(user);
  const require = requireFrom('n8n-nodes');
  const { F7CloudAssistant } = require('./dist/nodes/F7CloudAssistant/F7CloudAssistant.node.js');
  const { context } = n8nContext({
    credentials: { serverUrl: emu.url, user, appPassword },
    items: Array.from({ length: N }, (_, i) => ({ json: { i } })),
    parameters: (i) => ({
      resource: 'task',
      operation: 'run',
      taskType: type,
      inputs: { mappingMode: 'defineBelow', value: inputOf(type, i) },
      waitMode: 'wait',
      simplify: true,
      options: { appId: 'bench', customId: `${prefix}${i}`, timeout: TIMEOUT_S, maxRateLimitWait: TIMEOUT_S },
    }),
  });
  const started = Date.now();
  let surfaced = 0;
  let items = [];
  try {
    [items] = await new F7CloudAssistant().execute.call(context);
  } catch (error) {
    surfaced = N; // the whole execution failed
    log(`  n8n execution failed: ${error.message}`);
  }
  const wallMs = Date.now() - started;
  surfaced += items.filter((item) => item.json.error !== undefined).length;
  const outOfOrder = items.some((item, i) => item.pairedItem?.item !== i);
  return { wallMs, surfaced, outputs: items.length, outOfOrder };
}

async function viaNodeRed(prefix, { user, type }) {
  const { appPassword } = credentials(user);
  const require = requireFrom('node-red-nodes');
  const { nodeRedPackage } = require('./scripts/runtime.js');
  const helper = require('node-red-node-test-helper');
  helper.init(require.resolve(nodeRedPackage()));
  // where the package says its nodes are (built to dist/)
  const files = require('./package.json')['node-red'].nodes;
  const nodes = ['f7cloud-server', 'f7cloud-task'].map((n) => require(`./${files[n]}`));
  const flow = [
    { id: 'tab', type: 'tab', label: 'bench' },
    { id: 'srv', type: 'f7cloud-server', url: emu.url, rejectUnauthorized: true, ca: '' },
    {
      id: 'n1',
      z: 'tab',
      type: 'f7cloud-task',
      server: 'srv',
      operation: 'run',
      taskType: type,
      wait: true,
      waitMode: 'poll',
      timeout: TIMEOUT_S,
      concurrency: N,
      wires: [['out']],
    },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
  await helper.load(nodes, flow, { srv: { user, appPassword } });
  const task = helper.getNode('n1');
  let outputs = 0;
  let surfaced = 0;
  const finished = new Promise((resolve) => {
    const check = () => outputs + surfaced >= N && resolve();
    helper.getNode('out').on('input', () => {
      outputs++;
      check();
    });
    helper.getNode('caught').on('input', (msg) => {
      surfaced++;
      if (surfaced <= 3) log(`  node-red error: ${msg.error?.message ?? JSON.stringify(msg.error)}`);
      check();
    });
  });
  const started = Date.now();
  for (let i = 0; i < N; i++) {
    const { input, ...more } = inputOf(type, i);
    task.receive({ payload: input, ...more, customId: `${prefix}${i}`, appId: 'bench' });
  }
  let timer;
  const timeUp = new Promise((resolve) => (timer = setTimeout(resolve, TIMEOUT_S * 1000 + 30_000)));
  await Promise.race([finished, timeUp]);
  clearTimeout(timer);
  const wallMs = Date.now() - started;
  await helper.unload();
  return { wallMs, surfaced: surfaced + (N - outputs - surfaced), outputs };
}

// BENCH_BATCH_HOSTS=core,n8n runs only some of them (e.g. while a host is being changed)
const only = process.env.BENCH_BATCH_HOSTS?.split(',').map((h) => h.trim());
const runners = { core: viaCore, n8n: viaN8n, 'node-red': viaNodeRed, 'item-by-item': itemByItem };
const chosen = Object.keys(PARTIES).filter((p) => !only || only.includes(p));
log(
  `batch (realistic, real time): ${N} documents each via ${chosen.join(', ')} at once; bound ` +
    `max(${RATE_BOUND_MS / 1000} s rate limit, ${SERIAL_MS / 1000} s serial work) + ${PICKUP_MS / 1000} s pickup`,
);
const outcomes = {};
try {
  await Promise.all(
    chosen.map(async (party) => {
      const prefix = `batch-${party}-`;
      try {
        outcomes[party] = await runners[party](prefix, PARTIES[party]);
      } catch (error) {
        log(`  ${party} failed: ${error.stack ?? error}`);
        outcomes[party] = { wallMs: null, surfaced: N, failed: String(error.message ?? error) };
      }
      log(`  ${party} done in ${((outcomes[party].wallMs ?? 0) / 1000).toFixed(1)} s`);
    }),
  );
  const tasks = await ctl.get('tasks');
  const requests = await ctl.get('requests');
  for (const party of chosen) {
    const o = outcomes[party];
    const prefix = `batch-${party}-`;
    const mine = tasks.filter((t) => t.customId?.startsWith(prefix));
    const counts = new Map();
    for (const t of mine) counts.set(t.customId, (counts.get(t.customId) ?? 0) + 1);
    o.tasksInEmulator = mine.length;
    o.duplicates = [...counts.values()].filter((c) => c > 1).length;
    o.lost = Array.from({ length: N }, (_, i) => `${prefix}${i}`).filter((id) => !counts.has(id)).length;
    const schedules = requests.filter(
      (r) => r.operationId === 'task_processing_api-schedule' && r.user === PARTIES[party].user,
    );
    o.scheduleCalls = schedules.length;
    o.refused429 = schedules.filter((r) => r.status === 429).length;
    log(
      `  ${party.padEnd(12)} ${((o.wallMs ?? 0) / 1000).toFixed(1)} s (bound ${BOUND_MS / 1000} s), ${o.tasksInEmulator} tasks, ` +
        `${o.duplicates} duplicated, ${o.lost} lost, ${o.surfaced} errors surfaced, ${o.scheduleCalls} schedule calls (${o.refused429} answered 429)`,
    );
  }
} finally {
  await emu.stop();
}

const oldWay = outcomes['item-by-item'];
const hosts = chosen.filter((p) => p !== 'item-by-item');
report([
  ...hosts.map((host) => {
    const o = outcomes[host];
    return result({
      name: `batch: ${N} documents with Wait for Result via ${host} (serial worker, 1 s tasks, ${LIMIT}/${WINDOW_MS / 1000} s)`,
      value: o.wallMs,
      unit: 'ms',
      baseline: BOUND_MS,
      baselineName: 'max(rate-limit bound, serial work) + pickup',
      met:
        o.wallMs !== null &&
        o.wallMs <= BOUND_MS * 1.1 &&
        o.surfaced === 0 &&
        o.duplicates === 0 &&
        o.lost === 0 &&
        !o.outOfOrder,
      target: 'ratio ≤ 1.10, 0 errors, 0 dup, 0 lost',
      raw: {
        n: N,
        limit: LIMIT,
        windowMs: WINDOW_MS,
        itemByItemMs: oldWay?.wallMs ?? null,
        ...o,
      },
    });
  }),
  ...(oldWay
    ? [
        result({
          name: `batch: the same ${N} documents item by item (schedule, wait, next; measured beside them)`,
          value: oldWay.wallMs,
          unit: 'ms',
          baseline: BOUND_MS,
          baselineName: 'max(rate-limit bound, serial work) + pickup',
          target: '(informational: the old way)',
          raw: oldWay,
        }),
      ]
    : []),
  ...hosts.map((host) => {
    const o = outcomes[host];
    return result({
      name: `batch: schedule requests per task via ${host} (${N} tasks, ${LIMIT}/${WINDOW_MS / 1000} s)`,
      value: o.scheduleCalls / N,
      unit: 'requests/task',
      baseline: 1,
      baselineName: 'one per task',
      met: o.scheduleCalls / N <= 1.05 && o.surfaced === 0,
      target: '≤ 1.05, 0 surfaced 429',
      raw: { scheduleCalls: o.scheduleCalls, refused429: o.refused429, surfaced: o.surfaced },
    });
  }),
]);
