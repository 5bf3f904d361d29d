// Runs our nodes in the real Node-RED runtime (node-red-node-test-helper) against a real emulator.
import { createRequire } from 'node:module';
import crypto from 'node:crypto';

const require = createRequire(import.meta.url);
const { nodeRedPackage } = require('../../scripts/runtime.js');

export const helper = require('node-red-node-test-helper');
export const runtimeName = nodeRedPackage();
helper.init(require.resolve(runtimeName));

// the built nodes, as Node-RED loads them (package.json "node-red".nodes; `pnpm build` makes them)
const pkg = require('../../package.json');
const built = (type) => require(`../../${pkg['node-red'].nodes[type]}`);
export const serverNode = built('f7cloud-server');
export const taskNode = built('f7cloud-task');
export const fileNode = built('f7cloud-file');
export const chatNode = built('f7cloud-chat');
export const watchNode = built('f7cloud-task-watch');
export const assistantNode = built('f7cloud-assistant');
export const folderNode = built('f7cloud-watch-folder');
export const ALL_NODES = [serverNode, taskNode, fileNode, chatNode, watchNode, assistantNode, folderNode];

/** A password that must never show up in any output; the secrets check greps for its prefix. */
export const APP_PASSWORD = process.env.F7CLOUD_CANARY || `canary-${crypto.randomBytes(9).toString('hex')}`;
export const USER = 'alice';

/** @param {Record<string, unknown>} [options] emulator options (providers, faults, ...) */
export async function startTestEmulator(options = {}) {
  const { startEmulator } = await import('@f7cloud/assistant-emulator');
  return startEmulator({ port: 0, users: [{ user: USER, appPassword: APP_PASSWORD }], ...options });
}

/**
 * Loads one node of ours wired to a helper node `out`, with a Catch node wired to `caught`.
 * @param {string} url emulator URL
 * @param {Record<string, unknown>} node the node under test (id 'n1' unless given)
 * @param {{appPassword?: string, extra?: any[]}} [opts]
 */
export async function loadNode(url, node, opts = {}) {
  const flow = [
    { id: 'tab', type: 'tab', label: 'test' },
    { id: 'srv', type: 'f7cloud-server', url, rejectUnauthorized: true, ca: '' },
    { id: 'n1', z: 'tab', server: 'srv', wires: [['out']], ...node },
    { id: 'out', z: 'tab', type: 'helper' },
    // (an id equal to a type name reads as a config-node reference to the runtime)
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
    ...(opts.extra || []),
  ];
  const credentials = { srv: { user: USER, appPassword: opts.appPassword ?? APP_PASSWORD } };
  await helper.load(ALL_NODES, flow, credentials);
  return helper.getNode(node.id || 'n1');
}

/**
 * Sends msg into node n1 and resolves with what came out: {msg} on the output or {error, msg} at the Catch node.
 * @param {any} msg
 * @param {number} [timeoutMs]
 */
export function send(msg, timeoutMs = 20_000) {
  const node = helper.getNode('n1');
  const out = helper.getNode('out');
  const caught = helper.getNode('caught');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('no output and no error within the time limit')),
      timeoutMs,
    );
    out.once('input', (m) => {
      clearTimeout(timer);
      resolve({ msg: m });
    });
    caught.once('input', (m) => {
      clearTimeout(timer);
      resolve({ error: m.error, msg: m });
    });
    node.receive(msg);
  });
}

/** Every status the node showed so far (the helper spies on Node.prototype.status). */
export function statuses(nodeId = 'n1') {
  const node = helper.getNode(nodeId);
  return node.status
    .getCalls()
    .filter((/** @type {any} */ call) => call.thisValue === node)
    .map((/** @type {any} */ call) => call.args[0]);
}

export { require };
