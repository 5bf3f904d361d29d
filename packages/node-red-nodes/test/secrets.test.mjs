// The app password never leaves Node-RED's credential store: not in the flow export, not in what the
// editor loads for the config node, not in debug sidebar messages, status badges, the runtime log or
// messages at Catch nodes, for successes and for every kind of failure. Uses the canary of
// scripts/canary.mjs when F7CLOUD_CANARY is set, and then also writes what it checked to
// F7CLOUD_CANARY_ARTIFACTS for the canary's own search.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import {
  helper,
  ALL_NODES,
  USER,
  APP_PASSWORD as HARNESS_PASSWORD,
  require,
  runtimeName,
} from './support/harness.mjs';

// The debug node of the runtime under test (the test helper preloads only catch, status and complete).
const debugNode = createRequire(require.resolve(runtimeName))('@node-red/nodes/core/common/21-debug.js');

const CANARY = process.env.F7CLOUD_CANARY || HARNESS_PASSWORD;
const FORMS = [CANARY, Buffer.from(`${USER}:${CANARY}`).toString('base64')];

let emulator;
let downUrl;
const debug = [];
const outputs = [];
const onComms = (event) => {
  if (event && event.topic === 'debug') debug.push(event.data);
};

beforeAll(async () => {
  const { startEmulator } = await import('@f7cloud/assistant-emulator');
  emulator = await startEmulator({
    port: 0,
    users: [{ user: USER, appPassword: CANARY }],
    providers: { default: { pickupMs: 5, runMs: 10 }, 'core:text2text:headline': { fail: 'provider down' } },
  });
  const down = await startEmulator({ port: 0 });
  downUrl = down.url;
  await down.close();
  const worker = (id, type, props, server = 'srv') => ({
    id,
    z: 'tab',
    type,
    server,
    wires: [['dbg', 'out']],
    ...props,
  });
  const flow = [
    // (ids never equal an operation name: the runtime would read that value as a config-node reference)
    { id: 'tab', type: 'tab', label: 'secrets' },
    { id: 'srv', type: 'f7cloud-server', url: emulator.url, rejectUnauthorized: true, ca: '' },
    { id: 'srvDown', type: 'f7cloud-server', url: downUrl, rejectUnauthorized: true, ca: '' },
    worker('n-types', 'f7cloud-task', { operation: 'getTypes' }),
    worker('n-run', 'f7cloud-task', { operation: 'run', timeout: 10 }),
    worker('n-get', 'f7cloud-task', { operation: 'get' }),
    worker('n-say', 'f7cloud-chat', { operation: 'sendMessage', timeout: 10 }),
    worker('n-info', 'f7cloud-file', { operation: 'getInfo' }),
    worker('n-unreachable', 'f7cloud-task', { operation: 'getTypes' }, 'srvDown'),
    { id: 'dbg', z: 'tab', type: 'debug', active: true, tosidebar: true, console: true, complete: 'true' },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['dbgErr', 'caught']] },
    { id: 'dbgErr', z: 'tab', type: 'debug', active: true, tosidebar: true, console: true, complete: 'true' },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
  await helper.load([...ALL_NODES, debugNode], flow, {
    srv: { user: USER, appPassword: CANARY },
    srvDown: { user: USER, appPassword: CANARY },
  });
  helper._events.on('comms', onComms);
  helper.getNode('out').on('input', (msg) => outputs.push(msg));
  helper.getNode('caught').on('input', (msg) => outputs.push(msg));
}, 60_000);

afterAll(async () => {
  helper._events?.off('comms', onComms);
  await helper.unload();
  await emulator?.close();
});

/** Sends one message into a node and waits for it to come out (output or Catch). */
function through(nodeId, msg) {
  const before = outputs.length;
  helper.getNode(nodeId).receive(msg);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (outputs.length > before) {
        clearInterval(poll);
        resolve(outputs[outputs.length - 1]);
      } else if (Date.now() - started > 20_000) {
        clearInterval(poll);
        reject(new Error(`${nodeId}: nothing came out`));
      }
    }, 10);
  });
}

function statuses() {
  return Object.values(helper._nodeMap ?? {})
    .filter((node) => node && node.status && node.status.getCalls)
    .flatMap((node) => node.status.getCalls().map((call) => call.args[0]));
}

describe('the app password stays in the credential store', () => {
  it('is in no message, debug sidebar entry, badge or log line, for successes and failures', async () => {
    const results = [
      await through('n-types', {}),
      await through('n-run', { taskType: 'core:text2text', payload: 'hello' }),
      await through('n-run', { taskType: 'core:text2text:headline', payload: 'fails' }),
      await through('n-run', { taskType: 'core:nothing', payload: 'unknown type' }),
      await through('n-get', { taskId: 987654 }),
      await through('n-say', { payload: 'hi' }),
      await through('n-info', { fileId: 'not a number' }),
      await through('n-unreachable', {}),
    ];
    const codes = results.map((m) => m.assistantError?.code ?? 'ok');
    expect(codes).toEqual(
      ['ok', 'ok', 'task_failed', 'ok', 'not_found', 'ok', 'ok', 'network'].map((c, i) =>
        // the unknown type and the non-numeric id are refused by the node before any request
        i === 3 || i === 6 ? expect.any(String) : c,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const seen = {
      messages: outputs,
      debugSidebar: debug,
      statuses: statuses(),
      log: helper.log().args.map((args) => args[0]),
    };
    expect(debug.length).toBeGreaterThanOrEqual(results.length);
    const dump = JSON.stringify(seen, (_key, value) => (value instanceof Error ? `${value.stack}` : value));
    write('node-red-runtime.json', dump);
    for (const form of FORMS) expect(dump).not.toContain(form);
  });

  it('is not in the flow export, and is a password credential the editor never receives', async () => {
    // what the editor's Export gets (the runtime's GET /flows)
    const flows = await helper._redNodes.getFlows();
    write('node-red-flow-export.json', JSON.stringify(flows));
    for (const form of FORMS) expect(JSON.stringify(flows)).not.toContain(form);
    // a "password" credential is never sent to the editor (it gets has_appPassword: true instead)
    expect(helper._redNodes.getCredentialDefinition('f7cloud-server')).toEqual({
      user: { type: 'text' },
      appPassword: { type: 'password' },
    });
    // the export does hold the rest of the configuration
    expect(JSON.stringify(flows)).toContain(emulator.url);
  });
});

function write(name, text) {
  const dir = process.env.F7CLOUD_CANARY_ARTIFACTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), text);
}
