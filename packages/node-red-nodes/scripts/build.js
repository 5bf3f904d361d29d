#!/usr/bin/env node
// @ts-check
'use strict';

// Builds what Node-RED loads: src/**/*.ts compiled to dist/ (CommonJS, as Node-RED requires node files),
// and each node's editor HTML and locales copied beside its compiled .js (Node-RED looks for them there).

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');

fs.rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

for (const type of fs.readdirSync(path.join(src, 'nodes'))) {
  const from = path.join(src, 'nodes', type);
  const to = path.join(dist, 'nodes', type);
  fs.copyFileSync(path.join(from, `${type}.html`), path.join(to, `${type}.html`));
  fs.cpSync(path.join(from, 'locales'), path.join(to, 'locales'), { recursive: true });
}
