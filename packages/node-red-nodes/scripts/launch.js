// @ts-check
'use strict';

// Starts an embedded Node-RED on 127.0.0.1 with this package installed in a fresh user directory
// and the given flows deployed. Used by `pnpm start`, the runtime tests and the browser test.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const crypto = require('node:crypto');
const { nodeRedPackage } = require('./runtime');

const PACKAGE_ROOT = path.join(__dirname, '..');
const ADMIN_USER = 'admin';

/**
 * A module Node-RED itself depends on (express, bcryptjs), in the version it was tested with.
 * @param {string} runtimeName @param {string} id
 */
function fromRuntime(runtimeName, id) {
  return require(require.resolve(id, { paths: [path.dirname(require.resolve(runtimeName))] }));
}

/**
 * The key Node-RED encrypts the credentials file with, kept in the user dir so a user dir that is
 * used again can still read its credentials.
 * @param {string} userDir
 */
function credentialSecret(userDir) {
  const file = path.join(userDir, '.credential-secret');
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, crypto.randomBytes(24).toString('hex'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/**
 * Node-RED warns "Encrypted credentials not found" when a user dir has no encrypted credentials file
 * yet. An empty one in its format (aes-256-ctr, key = sha256 of the credential secret, hex IV before the
 * base64 text; @node-red/runtime lib/nodes/credentials.js) lets it start quietly.
 * @param {string} file @param {string} secret
 */
function writeEmptyCredentials(file, secret) {
  if (fs.existsSync(file)) return;
  const key = crypto.createHash('sha256').update(secret).digest();
  const iv = crypto.randomBytes(16);
  const cipher = crypto.createCipheriv('aes-256-ctr', key, iv);
  const text = cipher.update('{}', 'utf8', 'base64') + cipher.final('base64');
  fs.writeFileSync(file, JSON.stringify({ $: iv.toString('hex') + text }), { mode: 0o600 });
}

/**
 * The editor login: only the bcrypt hash (Node-RED's own bcryptjs) is written to the user dir, and
 * Node-RED's adminAuth is read from there.
 * @param {string} runtimeName @param {string} userDir @param {string} password
 */
function adminLogin(runtimeName, userDir, password) {
  const bcrypt = fromRuntime(runtimeName, 'bcryptjs');
  const file = path.join(userDir, 'admin-login.json');
  const login = { username: ADMIN_USER, password: bcrypt.hashSync(password, 10), permissions: '*' };
  fs.writeFileSync(file, JSON.stringify(login), { mode: 0o600 });
  return { type: 'credentials', users: [JSON.parse(fs.readFileSync(file, 'utf8'))] };
}

/**
 * Resolves at the runtime's next "flows:started" (every node of the flows created). Fails when the runtime
 * says it will not start them (missing node types or modules), or after 60 s.
 * @param {any} RED @param {string} what
 */
function flowsStarted(RED, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`Node-RED did not start ${what} within 60 s`)), 60_000);
    /** @param {any} event */
    function refused(event) {
      const payload = event && event.id === 'runtime-state' ? event.payload : undefined;
      if (!payload || !payload.error) return;
      /** @type {string[]} */
      const missing = payload.types || (payload.modules || []).map((/** @type {any} */ m) => m.module);
      const which = missing.length ? ` (${missing.join(', ')})` : '';
      finish(new Error(`Node-RED did not start ${what}: ${payload.error}${which}`));
    }
    /** @param {Error} [err] */
    function finish(err) {
      clearTimeout(timer);
      RED.events.off('flows:started', finish);
      RED.events.off('runtime-event', refused);
      if (err instanceof Error) reject(err);
      else resolve(undefined);
    }
    RED.events.on('flows:started', finish);
    RED.events.on('runtime-event', refused);
  });
}

/**
 * @param {object} options
 * @param {number} [options.port] 0 (default) picks a free port
 * @param {any[]} [options.flows] nodes to deploy (config nodes may carry `credentials`)
 * @param {any} [options.adminAuth] Node-RED adminAuth setting
 * @param {string} [options.adminPassword] require a login (user `admin`, this password) for the editor and admin API
 * @param {string} [options.logLevel]
 * @param {string} [options.userDir] defaults to a new temporary directory, removed on stop
 */
async function launchNodeRed(options = {}) {
  const runtimeName = nodeRedPackage();
  const RED = require(runtimeName);
  const express = fromRuntime(runtimeName, 'express');
  const ownUserDir = !options.userDir;
  const userDir = options.userDir || fs.mkdtempSync(path.join(os.tmpdir(), 'f7cloud-node-red-'));
  const scope = path.join(userDir, 'node_modules', '@f7cloud');
  fs.mkdirSync(scope, { recursive: true });
  const link = path.join(scope, 'node-red-assistant');
  if (!fs.existsSync(link)) fs.symlinkSync(PACKAGE_ROOT, link, 'dir');

  const secret = credentialSecret(userDir);
  writeEmptyCredentials(path.join(userDir, 'flows_cred.json'), secret);
  const adminAuth = options.adminPassword
    ? adminLogin(runtimeName, userDir, options.adminPassword)
    : options.adminAuth;

  const app = express();
  const server = http.createServer(app);
  const settings = {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: secret,
    uiHost: '127.0.0.1',
    httpAdminRoot: '/',
    httpNodeRoot: '/api',
    adminAuth,
    logging: { console: { level: options.logLevel || 'warn', metrics: false, audit: false } },
    editorTheme: { tours: false },
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    runtimeState: { enabled: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    functionExternalModules: false,
  };
  RED.init(server, settings);
  app.use(settings.httpAdminRoot, RED.httpAdmin);
  app.use(settings.httpNodeRoot, RED.httpNode);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port || 0, '127.0.0.1', () => resolve(undefined));
  });
  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    await RED.stop();
    await new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve(undefined));
    });
    if (ownUserDir) fs.rmSync(userDir, { recursive: true, force: true });
  }

  // RED.start() resolves before the runtime has read the flow file: it reads it (and the credentials file)
  // afterwards and deploys what it read. A deploy of ours before that load is done races with it: the load
  // can put the file's credentials (none) in place of the ones ours brought, and a config node starts
  // without its user and app password. So our flows go in once the runtime's own start has finished.
  try {
    const initialStart = flowsStarted(RED, 'its flow file');
    await RED.start();
    await initialStart;
    if (options.flows) {
      // setFlows resolves before the nodes exist (on a loaded machine that can take seconds; a flow that
      // never starts is an error, not a silent half-started editor)
      const deployed = flowsStarted(RED, 'the flows given to it');
      await RED.runtime.flows.setFlows({ flows: { flows: options.flows }, deploymentType: 'full' });
      await deployed;
    }
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const url = `http://127.0.0.1:${address.port}/`;

  return { RED, url, port: address.port, userDir, runtime: runtimeName, version: RED.version(), stop };
}

/** Every example flow, merged into one deployable list (the shared config node once). */
function exampleFlows() {
  const dir = path.join(PACKAGE_ROOT, 'examples');
  /** @type {Map<string, any>} */
  const nodes = new Map();
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  for (const file of files) {
    for (const node of JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))) nodes.set(node.id, node);
  }
  return { files, nodes: [...nodes.values()] };
}

/**
 * The example flows pointed at one server: every f7cloud-server config node gets this URL
 * and credentials (the credentials go to Node-RED's encrypted credential store, never to flows.json).
 * @param {{url: string, user: string, appPassword: string, rejectUnauthorized?: boolean}} target
 */
function exampleFlowsFor(target) {
  const { files, nodes } = exampleFlows();
  const flows = nodes.map((node) =>
    node.type === 'f7cloud-server'
      ? {
          ...node,
          url: target.url,
          rejectUnauthorized: target.rejectUnauthorized !== false,
          credentials: { user: target.user, appPassword: target.appPassword },
        }
      : node,
  );
  return { files, flows };
}

module.exports = { launchNodeRed, exampleFlows, exampleFlowsFor, fromRuntime, PACKAGE_ROOT, ADMIN_USER };
