// `pnpm bench`: starts the emulator in its own process, runs every benchmark script in its own process
// against it (waiting, batch and webhook start realistic-profile emulators of their own and run at once), prints a table of figures with their same-run baselines and targets, and writes
// bench/results.json. Options: --only overhead,waiting   --markdown (also print the table as markdown)
//   --strict (exit 1 when a target is missed). Build first: `pnpm build`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, startEmulatorProcess } from './lib/common.mjs';

const SCRIPTS = ['overhead', 'waiting', 'batch', 'webhook', 'memory', 'footprint', 'rps'];
// Real-time parts that mostly wait (own emulators, timers): they run at once, after the CPU-bound ones, so
// the whole run stays within about 15 minutes on 2 cores and no CPU-bound figure shares the machine.
const CONCURRENT = new Set(['waiting', 'batch', 'webhook']);
let values;
try {
  ({ values } = parseArgs({
    // `pnpm bench -- --only x` passes the `--` through
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      only: { type: 'string' },
      markdown: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  console.error(`${error.message}\nUsage: pnpm bench [--only ${SCRIPTS.join(',')}] [--markdown] [--strict]`);
  process.exit(2);
}
const chosen = values.only ? values.only.split(',').map((s) => s.trim()) : SCRIPTS;
const unknown = chosen.filter((s) => !SCRIPTS.includes(s));
if (unknown.length) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Choose from: ${SCRIPTS.join(', ')}.`);
  process.exit(2);
}
const needed = [
  'packages/core/dist/node.js',
  'packages/emulator/dist/index.js',
  'packages/n8n-nodes/dist/nodes/F7CloudAssistant/F7CloudAssistant.node.js',
];
const missing = needed.filter((f) => !existsSync(path.join(ROOT, f)));
if (missing.length) {
  console.error(
    `Missing build output: ${missing.join(', ')}. Run \`pnpm build\` first, then \`pnpm bench\`.`,
  );
  process.exit(2);
}

const started = Date.now();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'f7cloud-bench-'));
const emu = await startEmulatorProcess({
  users: [{ user: 'alice' }, { user: 'bob' }, { user: 'carol' }],
  dataDir,
});
let stopping = false;
const cleanup = async () => {
  if (stopping) return;
  stopping = true;
  await emu.stop();
  rmSync(dataDir, { recursive: true, force: true });
};
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

console.error(
  `f7cloud benchmarks: Node ${process.version}, ${os.cpus().length} CPUs, emulator pid ${emu.pid} at ${emu.url}`,
);
const env = { ...process.env, BENCH_EMULATOR: JSON.stringify({ url: emu.url, users: emu.users }) };
const rows = [];
const failures = [];
async function runScript(name) {
  const t0 = Date.now();
  console.error(`\n▶ ${name}`);
  const { code, stdout } = await new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bench', `${name}.mjs`)], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (out += c));
    child.on('close', (c) => resolve({ code: c, stdout: out }));
  });
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULTS '));
  if (code !== 0 || !line) {
    failures.push(name);
    rows.push({
      bench: name,
      name: `${name}: FAILED (exit ${code})`,
      value: null,
      unit: '',
      baseline: null,
      ratio: null,
      target: '',
      met: false,
      raw: {},
    });
    return;
  }
  rows.push(...JSON.parse(line.slice('BENCH_RESULTS '.length)).map((r) => ({ bench: name, ...r })));
  console.error(`  (${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
for (const name of chosen.filter((n) => !CONCURRENT.has(n))) await runScript(name);
await Promise.all(chosen.filter((n) => CONCURRENT.has(n)).map(runScript));
rows.sort((a, b) => SCRIPTS.indexOf(a.bench) - SCRIPTS.indexOf(b.bench));
await cleanup();

const fmt = (n) =>
  n === null || n === undefined
    ? '–'
    : Math.abs(n) >= 100
      ? n.toFixed(0)
      : n.toFixed(Math.abs(n) >= 10 ? 1 : 2);
const table = rows.map((r) => ({
  name: r.name,
  value: fmt(r.value),
  unit: r.unit,
  baseline: r.baseline === null ? '–' : `${fmt(r.baseline)}${r.baselineName ? ` (${r.baselineName})` : ''}`,
  ratio: r.ratio === null ? '–' : r.ratio.toFixed(2),
  target: r.target,
  met: r.met === null ? '–' : r.met ? 'yes' : 'NO',
}));
const columns = ['name', 'value', 'unit', 'baseline', 'ratio', 'target', 'met'];
const widths = columns.map((c) => Math.max(c.length, ...table.map((r) => String(r[c]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
console.log(`\n${line(columns)}\n${line(widths.map((w) => '-'.repeat(w)))}`);
for (const r of table) console.log(line(columns.map((c) => r[c])));
const missed = rows.filter((r) => r.met === false);
const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(
  `\n${rows.length} figures, ${missed.length} target(s) missed, ${seconds} s. Results: bench/results.json`,
);

if (values.markdown) {
  // the table of bench/PERFORMANCE.md
  const cell = (text) => String(text).replace(/\|/g, '\\|');
  console.log(
    '\n| What | Figure | Baseline (same run) | Ratio | Target | Met |\n| --- | ---: | --- | ---: | --- | :-: |',
  );
  for (const [i, r] of rows.entries()) {
    const t = table[i];
    const baseline = r.baseline === null ? '–' : `${r.baselineName ?? ''} ${fmt(r.baseline)}`.trim();
    console.log(
      `| ${[r.name, `${t.value} ${r.unit}`, baseline, t.ratio, r.target, t.met].map(cell).join(' | ')} |`,
    );
  }
}
// A partial run (--only) replaces its own rows and keeps the others of the last run.
const file = path.join(ROOT, 'bench/results.json');
let kept = [];
if (values.only && existsSync(file)) {
  try {
    kept = JSON.parse(readFileSync(file, 'utf8')).filter((r) => r.bench && !chosen.includes(r.bench));
  } catch {
    kept = [];
  }
}
const order = (r) => SCRIPTS.indexOf(r.bench);
writeFileSync(
  file,
  `${JSON.stringify(
    [...kept, ...rows].sort((a, b) => order(a) - order(b)),
    null,
    2,
  )}\n`,
);
if (failures.length) {
  console.error(`Benchmark script(s) failed: ${failures.join(', ')}`);
  process.exit(1);
}
if (values.strict && missed.length) process.exit(1);
