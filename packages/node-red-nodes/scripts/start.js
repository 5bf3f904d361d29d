#!/usr/bin/env node
// @ts-check
'use strict';

// `pnpm start`: the emulator and Node-RED on 127.0.0.1 with these nodes and the example flows deployed.
// With F7CLOUD_URL, F7CLOUD_USER and F7CLOUD_APP_PASSWORD set, the flows use that server instead.

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawnSync } = require('node:child_process');
const { launchNodeRed, exampleFlowsFor, exampleFlows } = require('./launch');

const REPO = path.join(__dirname, '..', '..', '..');

/** core and the emulator run from their dist folders: build them once on a fresh clone. */
function ensureBuilt() {
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

async function main() {
  ensureBuilt();
  const server = await chooseServer();
  const { flows, files } = exampleFlowsFor(server.target);
  const port = process.env.PORT ? Number(process.env.PORT) : 1880;
  let nodeRed;
  try {
    nodeRed = await launchNodeRed({ port, flows, logLevel: 'warn' });
  } catch (err) {
    await server.stop();
    const busy = /** @type {any} */ (err).code === 'EADDRINUSE';
    console.error(busy ? `Port ${port} is in use: start with PORT=<free port> pnpm start` : String(err));
    process.exit(1);
  }
  const tabs = exampleFlows().nodes.filter((node) => node.type === 'tab');
  console.log('');
  console.log(`Node-RED ${nodeRed.version} is running with the f7cloud Assistant nodes.`);
  console.log(`  Editor:  ${nodeRed.url}`);
  console.log(`  Server:  ${server.label}`);
  console.log('');
  console.log(
    `Example flows (${files.length}), each on its own tab; click an inject button and watch the debug sidebar:`,
  );
  for (const tab of tabs) console.log(`  - ${tab.label}: ${tab.info}`);
  console.log('');
  console.log('Press Ctrl+C to stop.');

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await nodeRed.stop().catch(() => {});
    await server.stop().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err) => {
  console.error(err && err.message ? err.message : err);
  process.exit(1);
});
