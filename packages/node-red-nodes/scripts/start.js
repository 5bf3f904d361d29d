#!/usr/bin/env node
// @ts-check
'use strict';

// `pnpm start`: the emulator and Node-RED on 127.0.0.1 with these nodes and the example flows deployed.
// With F7CLOUD_URL, F7CLOUD_USER and F7CLOUD_APP_PASSWORD set, the flows use that server instead.
// The editor and admin API need a login: user admin, a password printed once (NODE_RED_ADMIN_PASSWORD
// chooses one). SIGINT, SIGTERM, SIGHUP, or the end of the `pnpm start` that started it, stop everything.

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawnSync, execFileSync } = require('node:child_process');
const { launchNodeRed, exampleFlowsFor, exampleFlows, ADMIN_USER } = require('./launch');

const REPO = path.join(__dirname, '..', '..', '..');

/** Newest modification time of the files under a folder (0 when it does not exist). */
function newest(dir) {
  if (!fs.existsSync(dir)) return 0;
  return fs
    .readdirSync(dir, { recursive: true })
    .map((file) => fs.statSync(path.join(dir, String(file))).mtimeMs)
    .reduce((a, b) => Math.max(a, b), 0);
}

/**
 * core and the emulator run from their dist folders: build them once on a fresh clone. These nodes run
 * from theirs too: built again whenever a source file is newer than the build.
 */
function ensureBuilt() {
  const own = path.join(__dirname, '..');
  if (newest(path.join(own, 'src')) > newest(path.join(own, 'dist'))) {
    console.log('Building @f7cloud/node-red-assistant...');
    const built = spawnSync(process.execPath, [path.join(__dirname, 'build.js')], { stdio: 'inherit' });
    if (built.status !== 0) process.exit(1);
  }
  const needed = [
    path.join(REPO, 'packages', 'core', 'dist', 'node.cjs'),
    path.join(REPO, 'packages', 'emulator', 'dist', 'index.js'),
  ];
  if (needed.every((file) => fs.existsSync(file))) return;
  console.log('Building @f7cloud/assistant-client and @f7cloud/assistant-emulator (first start only)...');
  const result = spawnSync(
    'pnpm',
    ['--filter', '@f7cloud/assistant-client', '--filter', '@f7cloud/assistant-emulator', 'run', 'build'],
    { cwd: REPO, stdio: 'inherit', shell: process.platform === 'win32' },
  );
  if (result.status !== 0) {
    console.error('The build failed; run `pnpm build` at the repository root to see why.');
    process.exit(1);
  }
}

/** @returns {Promise<{target: {url: string, user: string, appPassword: string}, label: string, stop: () => Promise<void>}>} */
async function chooseServer() {
  const { F7CLOUD_URL, F7CLOUD_USER, F7CLOUD_APP_PASSWORD } = process.env;
  if (F7CLOUD_URL) {
    if (!F7CLOUD_USER || !F7CLOUD_APP_PASSWORD) {
      console.error(
        'F7CLOUD_URL is set, so F7CLOUD_USER and F7CLOUD_APP_PASSWORD must be set too ' +
          "(an app password from your account's Security settings). Unset F7CLOUD_URL to use the emulator.",
      );
      process.exit(2);
    }
    return {
      target: { url: F7CLOUD_URL, user: F7CLOUD_USER, appPassword: F7CLOUD_APP_PASSWORD },
      label: `your server ${F7CLOUD_URL} (user ${F7CLOUD_USER})`,
      stop: async () => {},
    };
  }
  const { startEmulator } = await import('@f7cloud/assistant-emulator');
  const appPassword = `demo-${crypto.randomBytes(12).toString('hex')}`;
  const emulator = await startEmulator({ port: 0, users: [{ user: 'demo', appPassword }] });
  return {
    target: { url: emulator.url, user: 'demo', appPassword },
    label: `the emulator at ${emulator.url} (user demo)`,
    stop: () => emulator.close(),
  };
}

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return /** @type {any} */ (err).code === 'EPERM';
  }
}

/**
 * The package managers (and their shells) between the user's `pnpm start` and this process.
 * pnpm ends only the shell it started when it gets SIGTERM or SIGHUP and does not pass the signal on,
 * so this process learns of it only by watching them.
 * @returns {number[]}
 */
function launcherChain() {
  if (process.platform === 'win32') return [];
  /** @type {Map<number, {ppid: number, args: string}>} */
  const table = new Map();
  try {
    const ps = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' });
    for (const line of ps.split('\n')) {
      const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
      if (m) table.set(Number(m[1]), { ppid: Number(m[2]), args: m[3] || '' });
    }
  } catch {
    return [];
  }
  const chain = [];
  let outermost = -1;
  for (let pid = process.ppid; pid > 1 && chain.length < 12;) {
    const entry = table.get(pid);
    if (!entry) break;
    chain.push(pid);
    if (/(^|[\s/])(pnpm|npm|npx|yarn)(\.c?js)?(\s|$)/.test(entry.args)) outermost = chain.length - 1;
    pid = entry.ppid;
  }
  return chain.slice(0, outermost + 1);
}

/** @param {(reason: string) => void} stop */
function stopWithLauncher(stop) {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal));
  const parent = process.ppid;
  const chain = launcherChain();
  // without ps, a package manager's shell ending shows as a new parent; run directly (e.g. under nohup),
  // a new parent is no reason to stop
  const byPackageManager = chain.length === 0 && Boolean(process.env.npm_lifecycle_event);
  const timer = setInterval(() => {
    const ended = chain.some((pid) => !alive(pid)) || (byPackageManager && process.ppid !== parent);
    if (ended) stop('pnpm start ended');
  }, 500);
  timer.unref();
  // with the launcher gone, writing to its pipe must not crash the shutdown
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
}

async function main() {
  /** @type {(() => Promise<void>)[]} */
  const stops = [];
  let stopping = false;
  stopWithLauncher(async (reason) => {
    if (stopping) return;
    stopping = true;
    console.log(`Stopping (${reason})...`);
    // a stop that hangs must not keep the ports
    setTimeout(() => process.exit(1), 10_000).unref();
    for (const stop of stops.reverse()) await stop().catch(() => {});
    process.exit(0);
  });

  ensureBuilt();
  const server = await chooseServer();
  stops.push(server.stop);
  const { flows, files } = exampleFlowsFor(server.target);
  const port = process.env.PORT ? Number(process.env.PORT) : 1880;
  const chosenPassword = process.env.NODE_RED_ADMIN_PASSWORD;
  const adminPassword = chosenPassword || crypto.randomBytes(12).toString('base64url');
  let nodeRed;
  try {
    nodeRed = await launchNodeRed({ port, flows, logLevel: 'warn', adminPassword });
  } catch (err) {
    await server.stop();
    const busy = /** @type {any} */ (err).code === 'EADDRINUSE';
    console.error(busy ? `Port ${port} is in use: start with PORT=<free port> pnpm start` : String(err));
    process.exit(1);
  }
  stops.push(nodeRed.stop);
  const tabs = exampleFlows().nodes.filter((node) => node.type === 'tab');
  console.log('');
  console.log(`Node-RED ${nodeRed.version} is running with the f7cloud Assistant nodes.`);
  console.log(`  Editor:  ${nodeRed.url}`);
  console.log(
    chosenPassword
      ? `  Login:   ${ADMIN_USER} / the password in NODE_RED_ADMIN_PASSWORD`
      : `  Login:   ${ADMIN_USER} / ${adminPassword}   (new at every start; NODE_RED_ADMIN_PASSWORD chooses one)`,
  );
  console.log(`  Server:  ${server.label}`);
  console.log('');
  console.log(
    `Example flows (${files.length}), each on its own tab; click an inject button and watch the debug sidebar:`,
  );
  for (const tab of tabs) console.log(`  - ${tab.label}: ${String(tab.info).split('\n')[0]}`);
  console.log('');
  console.log('Press Ctrl+C to stop.');
}

main().catch((err) => {
  console.error(err && err.message ? err.message : err);
  process.exit(1);
});
