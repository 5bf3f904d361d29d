// Push instead of polling, in both hosts, on an emulator of its own with the realistic profile (serial
// worker polling every 2 s, TASKS tasks of 3 s each per host, so each wait lasts several polling intervals).
// n8n: Task → Run "Wait via Webhook" — execute() schedules with the execution's resume URL and parks the
// execution; a resume endpoint of ours (standing in for n8n's /webhook-waiting/<id>) receives the
// server's call and runs the node's webhook(), which re-reads the tasks before output.
// Node-RED: the task node's "wake on webhook" mode — the config node's callback route on Node-RED's HTTP
// node server (the runtime's httpNode app served on a loopback port), the slow fallback poll at 60 s.
// Counted in the emulator's request log: reads of the tasks (GET by id or a list) by the host's user
// before the last task ended (the callback goes out at the end); delay from the task's end
// (emulator clock, same machine) to the host's output.
import http from 'node:http';
import { control, log, report, requireFrom, result, startEmulatorProcess } from './lib/common.mjs';
import { n8nContext } from './lib/n8n-context.mjs';

const TASKS = 3;
const RUN_MS = 3000;
const TYPE = 'core:text2text';
const emu = await startEmulatorProcess({
  users: [{ user: 'alice' }, { user: 'bob' }],
  profile: 'realistic',
  pickup: { mode: 'worker', pollMs: 2000 },
  providers: { [TYPE]: { runMs: RUN_MS }, 'core:text2text:headline': { runMs: RUN_MS } },
});
const ctl = control(emu.url);
const credentials = (name) => emu.users.find((u) => u.user === name);
const READS = /^\/ocs\/v2\.php\/taskprocessing\/(task\/\d+|tasks(\/app\/[^/]+)?)$/;

async function viaN8n() {
  const { user, appPassword } = credentials('alice');
  const require = requireFrom('n8n-nodes');
  const { F7CloudAssistant } = require('./dist/nodes/F7CloudAssistant/F7CloudAssistant.node.js');
  const node = new F7CloudAssistant();
  const executionId = `bench${Date.now()}`;
  const params = (i) => ({
    resource: 'task',
    operation: 'run',
    taskType: 'core:text2text:headline',
    inputs: { mappingMode: 'defineBelow', value: { input: `Document ${i}` } },
    waitMode: 'webhookWait',
    simplify: true,
    options: { appId: 'bench-webhook', timeout: 300 },
  });
  const make = () =>
    n8nContext({
      credentials: { serverUrl: emu.url, user, appPassword },
      items: Array.from({ length: TASKS }, (_, i) => ({ json: { i } })),
      parameters: params,
    }).context;
  let output;
  const outputAt = new Promise((resolve) => (output = resolve));
  const calls = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      calls.push(Date.now());
      // what n8n does on a call to the resume URL: run the waiting node's webhook()
      const ctx = Object.assign(make(), {
        getRequestObject: () => ({ originalUrl: req.url, url: req.url, body: {} }),
        getResponseObject: () => res,
      });
      try {
        const answer = await node.webhook.call(ctx);
        if (answer.workflowData) output({ at: Date.now(), items: answer.workflowData[0] });
        res.end(JSON.stringify(answer.webhookResponse ?? {}));
      } catch (error) {
        log(`  n8n webhook() failed: ${error.message}`);
        res.statusCode = 500;
        res.end();
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const resumeUrl = `http://127.0.0.1:${server.address().port}/webhook-waiting/${executionId}`;
  let parked = false;
  const ctx = Object.assign(make(), {
    getExecutionId: () => executionId,
    evaluateExpression: () => resumeUrl,
    putExecutionToWait: async () => {
      parked = true;
    },
  });
  const started = Date.now();
  await node.execute.call(ctx);
  if (!parked) throw new Error('the n8n node did not park the execution');
  let timer;
  const done = await Promise.race([
    outputAt,
    new Promise((resolve) => (timer = setTimeout(() => resolve(null), 120_000))),
  ]);
  clearTimeout(timer);
  server.close();
  return { user, started, outputAt: done?.at ?? null, outputs: done?.items.length ?? 0, calls };
}

async function viaNodeRed() {
  const { user, appPassword } = credentials('bob');
  const require = requireFrom('node-red-nodes');
  const { nodeRedPackage } = require('./scripts/runtime.js');
  const helper = require('node-red-node-test-helper');
  helper.init(require.resolve(nodeRedPackage()));
  const files = require('./package.json')['node-red'].nodes;
  const nodes = ['f7cloud-server', 'f7cloud-task'].map((n) => require(`./${files[n]}`));
  // Node-RED's HTTP node server (the helper's runtime has no listener of its own): its httpNode app on a
  // loopback port, as the node tests do
  let httpNode;
  const capture = (RED) => {
    httpNode = RED.httpNode;
  };
  const server = http.createServer((req, res) => {
    if (!httpNode) {
      res.statusCode = 503;
      res.end();
    } else httpNode(req, res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const flow = [
    { id: 'tab', type: 'tab', label: 'bench' },
    {
      id: 'srv',
      type: 'f7cloud-server',
      url: emu.url,
      rejectUnauthorized: true,
      ca: '',
      callbackUrl: `http://127.0.0.1:${server.address().port}`,
    },
    {
      id: 'n1',
      z: 'tab',
      type: 'f7cloud-task',
      server: 'srv',
      operation: 'run',
      taskType: TYPE,
      wait: true,
      waitMode: 'webhook',
      fallbackPoll: 60,
      timeout: 300,
      concurrency: TASKS,
      wires: [['out']],
    },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
  await helper.load([...nodes, capture], flow, { srv: { user, appPassword } });
  const outputs = [];
  let errors = 0;
  const finished = new Promise((resolve) => {
    const check = () => outputs.length + errors >= TASKS && resolve();
    helper.getNode('out').on('input', (msg) => {
      outputs.push({ at: Date.now(), id: msg.assistant?.id });
      check();
    });
    helper.getNode('caught').on('input', (msg) => {
      errors++;
      log(`  node-red error: ${msg.error?.message}`);
      check();
    });
  });
  const started = Date.now();
  for (let i = 0; i < TASKS; i++) helper.getNode('n1').receive({ payload: `Document ${i}` });
  let timer;
  await Promise.race([finished, new Promise((resolve) => (timer = setTimeout(resolve, 120_000)))]);
  clearTimeout(timer);
  await helper.unload();
  server.close();
  return { user, started, outputs, errors };
}

log(`webhook: ${TASKS} tasks of ${RUN_MS / 1000} s per host, serial worker polling every 2 s`);
const outcomes = {};
try {
  const [n8n, nodeRed] = await Promise.allSettled([viaN8n(), viaNodeRed()]);
  const tasks = await ctl.get('tasks');
  const requests = await ctl.get('requests');
  const readsBefore = (user, started, until) =>
    requests.filter(
      (r) => r.user === user && r.method === 'GET' && READS.test(r.path) && r.at >= started && r.at < until,
    ).length;
  if (n8n.status === 'fulfilled') {
    const o = n8n.value;
    const mine = tasks.filter((t) => t.appId === 'bench-webhook');
    const lastEnd = Math.max(...mine.map((t) => t.endedAtMs ?? Infinity));
    const firstEnd = Math.min(...mine.map((t) => t.endedAtMs ?? Infinity));
    outcomes.n8n = {
      tasks: mine.length,
      outputs: o.outputs,
      callbacks: o.calls.length,
      // reads before the first callback went out (the first task's end); each callback then re-reads
      pollsBeforeCallback: readsBefore(o.user, o.started, firstEnd),
      outputAfterMs: o.outputAt === null ? null : o.outputAt - lastEnd,
    };
  } else outcomes.n8n = { failed: String(n8n.reason?.message ?? n8n.reason) };
  if (nodeRed.status === 'fulfilled') {
    const o = nodeRed.value;
    const delays = o.outputs.map((out) => out.at - (tasks.find((t) => t.id === out.id)?.endedAtMs ?? NaN));
    const firstEnd = Math.min(
      ...tasks.filter((t) => t.userId === o.user).map((t) => t.endedAtMs ?? Infinity),
    );
    outcomes['node-red'] = {
      tasks: tasks.filter((t) => t.userId === o.user).length,
      outputs: o.outputs.length,
      errors: o.errors,
      // reads before the first callback went out (the first task's end)
      pollsBeforeCallback: readsBefore(o.user, o.started, firstEnd),
      outputAfterMs: delays.length === TASKS && delays.every(Number.isFinite) ? Math.max(...delays) : null,
      delaysMs: delays,
    };
  } else outcomes['node-red'] = { failed: String(nodeRed.reason?.message ?? nodeRed.reason) };
  for (const [host, o] of Object.entries(outcomes)) log(`  ${host.padEnd(8)} ${JSON.stringify(o)}`);
} finally {
  await emu.stop();
}

report(
  Object.entries(outcomes).flatMap(([host, o]) => [
    result({
      name: `webhook: ${host} wait on the callback, reads before it`,
      value: o.failed ? null : o.pollsBeforeCallback,
      unit: 'requests',
      baseline: null,
      met: !o.failed && o.pollsBeforeCallback === 0,
      target: '0 polls before the callback',
      raw: o,
    }),
    result({
      name: `webhook: ${host} output after the task's end (the callback)`,
      value: o.failed ? null : o.outputAfterMs,
      unit: 'ms',
      baseline: null,
      met: !o.failed && o.outputAfterMs !== null && o.outputAfterMs <= 300 && o.outputs === TASKS,
      target: `≤ 300 ms, all ${TASKS} output`,
    }),
  ]),
);
