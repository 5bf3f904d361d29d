// Emulator requests per second: packages/emulator/bench/rps.mjs (the script behind the emulator README's
// figure) in its own process, emulator vs a bare node:http server answering the same bytes, same run.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { log, pkgDir, report, result } from './lib/common.mjs';

const CLIENTS = process.env.BENCH_RPS_CLIENTS ?? '50';
const SECONDS = process.env.BENCH_RPS_SECONDS ?? '4';
const out = execFileSync(
  process.execPath,
  [path.join(pkgDir('emulator'), 'bench/rps.mjs'), '--clients', CLIENTS, '--seconds', SECONDS, '--json'],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
);
const r = JSON.parse(out.trim().split('\n').at(-1));
log(
  `  emulator ${r.emulator.rps.toFixed(0)} req/s, bare node:http ${r.baseline.rps.toFixed(0)} req/s (${r.emulator.failed} + ${r.baseline.failed} failed)`,
);
report([
  result({
    name: `emulator: GET api/v1/tasks, ${r.clients} keep-alive clients`,
    value: r.emulator.rps,
    unit: 'req/s',
    baseline: r.baseline.rps,
    baselineName: 'bare node:http, same bytes',
    met: r.emulator.failed === 0 ? null : false,
    target: '(informational: README figure)',
    raw: r,
  }),
]);
