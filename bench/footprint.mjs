// Footprint: the size of the n8n package's bundled dist, and the cold load time of each n8n node file and
// of the Node-RED package: each in a fresh `node -e` process (median of several, interleaved), timed inside
// that process around the require, so the machine's noise on process start-up does not swamp it. The
// baseline is the start-up of a bare `node -e ''` in the same run.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { ROOT, log, median, pkgDir, report, result } from './lib/common.mjs';

const RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 9);
const LOAD_LIMIT_MS = 50;

function jsFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, f))
    .filter((f) => /\.(c|m)?js$/.test(f) && statSync(f).isFile());
}
const bytes = (files) => files.reduce((sum, f) => sum + statSync(f).size, 0);
const gzipped = (files) => files.reduce((sum, f) => sum + gzipSync(readFileSync(f)).length, 0);

const n8nDist = path.join(pkgDir('n8n-nodes'), 'dist');
const n8nFiles = jsFiles(n8nDist);
const coreBundle = [path.join(pkgDir('core'), 'dist/index.cjs')];
const workflowDir = path.join(pkgDir('n8n-nodes'), 'node_modules/n8n-workflow');
const redDir = pkgDir('node-red-nodes');
log(`footprint: n8n dist ${n8nFiles.length} JS files, ${bytes(n8nFiles)} bytes`);

/**
 * A program that loads `before` untimed (what the host has loaded already), then times `code` and prints
 * the milliseconds.
 */
const timed = (code, before = '') =>
  `${before};const __t=performance.now();${code};process.stdout.write(String(performance.now()-__t))`;
const q = JSON.stringify;
// n8n loads n8n-workflow long before any community node: the node files' own cost is what they add to it.
const n8nFile = (rel) => {
  const file = path.join(n8nDist, rel);
  const needsWorkflow = /require\(["']n8n-workflow["']\)/.test(readFileSync(file, 'utf8'));
  return timed(`require(${q(file)})`, needsWorkflow ? `require(${q(workflowDir)})` : '');
};
const registerNodeRed = `
const RED = {
  nodes: { registerType() {}, createNode() {}, getNode() {} },
  httpAdmin: { get() {}, post() {} },
  auth: { needsPermission: () => (req, res, next) => next() },
  settings: {}, version: () => '4.1.15', _: (k) => k,
  log: { info() {}, warn() {}, error() {}, debug() {}, trace() {} },
};
const pkg = require(${q(path.join(redDir, 'package.json'))});
for (const file of Object.values(pkg['node-red'].nodes)) require(require('path').join(${q(redDir)}, file))(RED);
`;
const programs = {
  'bare node': '',
  'F7CloudAssistant.node.js': n8nFile('nodes/F7CloudAssistant/F7CloudAssistant.node.js'),
  'F7CloudAssistantTrigger.node.js': n8nFile('nodes/F7CloudAssistantTrigger/F7CloudAssistantTrigger.node.js'),
  'F7CloudAssistantApi.credentials.js': n8nFile('credentials/F7CloudAssistantApi.credentials.js'),
  'n8n-workflow (the peer, for scale)': timed(`require(${q(workflowDir)})`),
  'Node-RED package': timed(registerNodeRed),
  // the config node loads core when the first server node starts
  'Node-RED package + core': timed(
    `${registerNodeRed};require(require.resolve('@f7cloud/assistant-client/node', { paths: [${q(redDir)}] }))`,
  ),
};

const inside = Object.fromEntries(Object.keys(programs).map((k) => [k, []]));
const wall = Object.fromEntries(Object.keys(programs).map((k) => [k, []]));
for (let run = 0; run < RUNS + 1; run++) {
  for (const [name, code] of Object.entries(programs)) {
    const start = performance.now();
    const out = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' });
    const ms = performance.now() - start;
    if (out.status !== 0) throw new Error(`loading ${name} failed: ${out.stderr.slice(0, 500)}`);
    if (run === 0) continue; // the first round warms the file cache
    wall[name].push(ms);
    if (code) inside[name].push(Number(out.stdout));
  }
}
const med = (k) => median(inside[k]);
const bare = median(wall['bare node']);
log(`  bare node start-up ${bare.toFixed(1)} ms (median of ${RUNS})`);
for (const k of Object.keys(programs).slice(1))
  log(`  ${k.padEnd(38)} ${med(k).toFixed(1)} ms to load (process ${median(wall[k]).toFixed(1)} ms)`);

const rows = [
  result({
    name: 'footprint: n8n dist JS (core bundled in, readable: not minified)',
    value: bytes(n8nFiles) / 1000,
    unit: 'KB',
    baseline: bytes(coreBundle) / 1000,
    baselineName: "core's own CJS bundle",
    // The size target went with minification: n8n's review reads the shipped code, so it is not
    // minified; what users notice is the load time (the rows below) and the download (gzip, in raw).
    target: '(informational)',
    raw: {
      files: Object.fromEntries(n8nFiles.map((f) => [path.relative(n8nDist, f), statSync(f).size])),
      gzipBytes: gzipped(n8nFiles),
    },
  }),
];
const loadRow = (name, label, extra = {}) =>
  result({
    name: `cold load: ${label}`,
    value: med(name),
    unit: 'ms',
    baseline: bare,
    baselineName: "node -e '' start-up",
    limit: LOAD_LIMIT_MS,
    target: `≤ ${LOAD_LIMIT_MS} ms`,
    raw: { loadMs: inside[name], processMs: wall[name], bareNodeMs: wall['bare node'], ...extra },
  });
for (const name of Object.keys(programs).filter((k) => k.endsWith('.js'))) rows.push(loadRow(name, name));
rows.push(
  loadRow('Node-RED package', 'Node-RED package (require + register 5 nodes)', {
    withCoreMs: med('Node-RED package + core'),
  }),
);
rows.push(
  result({
    name: 'cold load: n8n-workflow itself (loaded by n8n before any node)',
    value: med('n8n-workflow (the peer, for scale)'),
    unit: 'ms',
    baseline: bare,
    baselineName: "node -e '' start-up",
    target: '(informational)',
  }),
);
report(rows);
