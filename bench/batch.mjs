// Batches under the schedule rate limit (shortened to LIMIT per WINDOW_MS): N tasks through core's runMany
// (waiting for every result), through the n8n node's execute with N items, and through a Node-RED flow receiving N
// messages. Each host uses its own user (the limit is per user). Target: wall time ≤ 1.10 × the bound
// (ceil(N/LIMIT) - 1 windows), no 429 surfaced, and in the emulator every customId exactly once.
import { createNodeClient } from '../packages/core/dist/node.js';
import { control, emulatorFromEnv, log, report, requireFrom, result, sleep } from './lib/common.mjs';
import { n8nContext } from './lib/n8n-context.mjs';

const N = Number(process.env.BENCH_BATCH_N ?? 100);
const LIMIT = 20;
const WINDOW_MS = 2000;
const TYPE = 'core:text2text:headline';
const BOUND_MS = (Math.ceil(N / LIMIT) - 1) * WINDOW_MS;

const emu = emulatorFromEnv();
const ctl = control(emu.url);
const user = (name) => {
  const found = emu.users.find((u) => u.user === name);
  if (!found) throw new Error(`the bench emulator has no user ${name}`);
  return found;
};
await ctl.reset();
await ctl.put('rate-limit/schedule', { limit: LIMIT, windowMs: WINDOW_MS });
// tasks end quickly and quietly; only scheduling matters here
await ctl.put(`providers/${TYPE}`, { pickupMs: 50, runMs: 50 });

// Core: tasks.runMany, waiting for every result. The client is told the shortened window (rateLimits), as
// a client of a real server knows the real one; tasks of their own type take 1 s to pick up and 1 s to run.
const CORE_TYPE = 'core:text2text:summary';
const CORE_PICKUP_MS = 1000;
const CORE_RUN_MS = 1000;
await ctl.put(`providers/${CORE_TYPE}`, { pickupMs: CORE_PICKUP_MS, runMs: CORE_RUN_MS });

async function viaCore(prefix) {
  const { user: name, appPassword } = user('alice');
  const client = createNodeClient({
    baseUrl: emu.url,
    auth: { user: name, appPassword },
    rateLimits: { 'task_processing_api-schedule': { limit: LIMIT, windowMs: WINDOW_MS } },
  });
  const requests = Array.from({ length: N }, (_, i) => ({
    type: CORE_TYPE,
    input: { input: `Document ${i}` },
    appId: 'bench',
    customId: `${prefix}${i}`,
  }));
  const started = Date.now();
  const results = await client.tasks.runMany(requests, { timeoutMs: 300_000 });
  const wallMs = Date.now() - started;
  client.close();
  const errors = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
  const outOfOrder = results.some((r, i) => r.status === 'fulfilled' && r.value.customId !== `${prefix}${i}`);
  return {
    wallMs,
    surfaced: errors.length,
    errorCodes: errors.map((e) => e.code ?? String(e)),
    outOfOrder,
    waited: true,
    boundMs: BOUND_MS + CORE_PICKUP_MS + CORE_RUN_MS,
    user: name,
  };
}

async function viaN8n(prefix) {
  const { user: name, appPassword } = user('bob');
  const require = requireFrom('n8n-nodes');
  const { F7CloudAssistant } = require('./dist/nodes/F7CloudAssistant/F7CloudAssistant.node.js');
  const { context } = n8nContext({
    credentials: { serverUrl: emu.url, user: name, appPassword },
    items: Array.from({ length: N }, (_, i) => ({ json: { i } })),
    parameters: (i) => ({
      resource: 'task',
      operation: 'run',
      taskType: TYPE,
      inputs: { mappingMode: 'defineBelow', value: { input: `Document ${i}` } },
      waitMode: 'noWait',
      options: { appId: 'bench', customId: `${prefix}${i}` },
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
  return { wallMs, surfaced, outputs: items.length, outOfOrder, user: name };
}

async function viaNodeRed(prefix) {
  const { user: name, appPassword } = user('carol');
  const require = requireFrom('node-red-nodes');
  const { nodeRedPackage } = require('./scripts/runtime.js');
  const helper = require('node-red-node-test-helper');
  helper.init(require.resolve(nodeRedPackage()));
  const nodes = ['f7cloud-server', 'f7cloud-task'].map((n) => require(`./nodes/${n}/${n}.js`));
  const flow = [
    { id: 'tab', type: 'tab', label: 'bench' },
    { id: 'srv', type: 'f7cloud-server', url: emu.url, rejectUnauthorized: true, ca: '' },
    {
      id: 'n1',
      z: 'tab',
      type: 'f7cloud-task',
      server: 'srv',
      operation: 'run',
      taskType: TYPE,
      wait: false,
      wires: [['out']],
    },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
  await helper.load(nodes, flow, { srv: { user: name, appPassword } });
  const task = helper.getNode('n1');
  let outputs = 0;
  let surfaced = 0;
  const finished = new Promise((resolve) => {
    const check = () => outputs + surfaced >= N && resolve();
    helper.getNode('out').on('input', () => {
      outputs++;
      check();
    });
    helper.getNode('caught').on('input', () => {
      surfaced++;
      check();
    });
  });
  const started = Date.now();
  for (let i = 0; i < N; i++)
    task.receive({ payload: `Document ${i}`, customId: `${prefix}${i}`, appId: 'bench' });
  let timer;
  const timeUp = new Promise((resolve) => (timer = setTimeout(resolve, BOUND_MS * 3 + 30_000)));
  await Promise.race([finished, timeUp]);
  clearTimeout(timer);
  const wallMs = Date.now() - started;
  await helper.unload();
  return { wallMs, surfaced, outputs, user: name };
}

// BENCH_BATCH_HOSTS=core runs only some of them (e.g. while a host is being changed)
const only = process.env.BENCH_BATCH_HOSTS?.split(',').map((h) => h.trim());
const hosts = Object.fromEntries(
  Object.entries({ core: viaCore, n8n: viaN8n, 'node-red': viaNodeRed }).filter(
    ([h]) => !only || only.includes(h),
  ),
);
const outcomes = {};
for (const [host, run] of Object.entries(hosts)) {
  const prefix = `batch-${host}-`;
  const outcome = await run(prefix);
  // wait for the window to clear, so the next host starts fresh (different users anyway)
  await sleep(WINDOW_MS);
  const tasks = (await ctl.get('tasks')).filter((t) => t.customId.startsWith(prefix));
  const counts = new Map();
  for (const t of tasks) counts.set(t.customId, (counts.get(t.customId) ?? 0) + 1);
  outcome.tasksInEmulator = tasks.length;
  outcome.duplicates = [...counts.values()].filter((c) => c > 1).length;
  outcome.lost = Array.from({ length: N }, (_, i) => `${prefix}${i}`).filter((id) => !counts.has(id)).length;
  outcomes[host] = outcome;
}
const requests = await ctl.get('requests');
for (const [host, o] of Object.entries(outcomes)) {
  const mine = requests.filter((r) => r.operationId === 'task_processing_api-schedule' && r.user === o.user);
  o.scheduleCalls = mine.length;
  o.refused429 = mine.filter((r) => r.status === 429).length;
  log(
    `  ${host.padEnd(8)} ${(o.wallMs / 1000).toFixed(2)} s (bound ${BOUND_MS / 1000} s), ${o.tasksInEmulator} tasks, ` +
      `${o.duplicates} duplicated, ${o.lost} lost, ${o.surfaced} errors surfaced, ${o.refused429} answers 429 (${o.scheduleCalls} schedule calls)`,
  );
}
await ctl.reset();

report([
  ...Object.entries(outcomes).map(([host, o]) => {
    const bound = o.boundMs ?? BOUND_MS;
    return result({
      name: `batch: ${N} tasks via ${host}${o.waited ? ', waiting for each result,' : ''} under ${LIMIT}/${WINDOW_MS / 1000} s`,
      value: o.wallMs,
      unit: 'ms',
      baseline: bound,
      baselineName: o.waited
        ? `rate-limit bound (${Math.ceil(N / LIMIT) - 1} windows) + pickup + run`
        : `rate-limit bound (${Math.ceil(N / LIMIT) - 1} windows)`,
      met: o.wallMs <= bound * 1.1 && o.surfaced === 0 && o.duplicates === 0 && o.lost === 0 && !o.outOfOrder,
      target: 'ratio ≤ 1.10, 0 errors, 0 dup, 0 lost',
      raw: { n: N, limit: LIMIT, windowMs: WINDOW_MS, ...o },
    });
  }),
  ...(outcomes.core
    ? [
        result({
          name: `batch: schedule requests per task via core (${N} tasks, ${LIMIT}/${WINDOW_MS / 1000} s)`,
          value: outcomes.core.scheduleCalls / N,
          unit: 'requests/task',
          baseline: 1,
          baselineName: 'one per task',
          met: outcomes.core.scheduleCalls / N <= 1.05 && outcomes.core.surfaced === 0,
          target: '≤ 1.05, 0 surfaced 429',
          raw: { scheduleCalls: outcomes.core.scheduleCalls, refused429: outcomes.core.refused429 },
        }),
      ]
    : []),
]);
