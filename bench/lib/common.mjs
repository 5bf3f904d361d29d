// Shared helpers of the benchmark scripts: the emulator process, its control API, statistics, result records.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const pkgDir = (name) => path.join(ROOT, 'packages', name);
/** `require` that resolves like code inside that package does (pnpm does not hoist to the root). */
export const requireFrom = (name) => createRequire(path.join(pkgDir(name), 'package.json'));

/** Starts the emulator in a child process; resolves with {url, users, stop()}. */
export async function startEmulatorProcess(options = {}) {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bench/lib/emulator-process.mjs'), JSON.stringify(options)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const info = await new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      child.stdout.off('data', onData);
      try {
        resolve(JSON.parse(buffered.slice(0, newline)));
      } catch (error) {
        reject(new Error(`the emulator process printed something unexpected: ${buffered.slice(0, 200)}`));
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => reject(new Error(`the emulator process exited early (code ${code})`)));
  });
  child.removeAllListeners('exit');
  return {
    ...info,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The emulator's control API (loopback, no auth). */
export function control(url) {
  const call = async (method, route, body, retried = false) => {
    let res;
    try {
      res = await fetch(`${url}/__emulator/${route}`, {
        method,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      // A keep-alive socket the emulator closed while a long transfer ran elsewhere: control calls are
      // idempotent, so one more try on a fresh connection is safe.
      if (retried || error?.cause?.code !== 'UND_ERR_SOCKET') throw error;
      return call(method, route, body, true);
    }
    const json = await res.json();
    if (!res.ok) throw new Error(`control ${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    get: (route) => call('GET', route),
    put: (route, body) => call('PUT', route, body),
    post: (route, body) => call('POST', route, body ?? {}),
    del: (route) => call('DELETE', route),
    reset: () => call('POST', 'reset', {}),
  };
}

/** Emulator connection handed from run.mjs to each script through the environment. */
export function emulatorFromEnv() {
  const raw = process.env.BENCH_EMULATOR;
  if (!raw)
    throw new Error('BENCH_EMULATOR is not set: run the benchmarks with `pnpm bench` (node bench/run.mjs).');
  return JSON.parse(raw);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const round = (n, digits = 3) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : n);

/**
 * One row of the results table. `ratio` is value / baseline; `met` compares the ratio (or, with
 * `limit`, the value itself) against the target.
 * @param {{name: string, value: number, unit: string, baseline: number | null, baselineName?: string,
 *   maxRatio?: number, limit?: number, met?: boolean, target: string, raw?: object}} row
 */
export function result(row) {
  // `row.ratio`: a ratio measured otherwise than value / baseline (e.g. paired per round)
  const ratio = row.ratio ?? (row.baseline ? row.value / row.baseline : null);
  let met = row.met;
  if (met === undefined && row.maxRatio !== undefined) met = ratio !== null && ratio <= row.maxRatio;
  if (met === undefined && row.limit !== undefined) met = row.value <= row.limit;
  return {
    name: row.name,
    value: round(row.value),
    unit: row.unit,
    baseline: row.baseline === null ? null : round(row.baseline),
    ...(row.baselineName ? { baselineName: row.baselineName } : {}),
    ratio: ratio === null ? null : round(ratio),
    target: row.target,
    met: met ?? null,
    raw: row.raw ?? {},
  };
}

/** Scripts hand their rows to run.mjs on one marked stdout line; everything else goes to stderr. */
export function report(rows) {
  process.stdout.write(`BENCH_RESULTS ${JSON.stringify(rows)}\n`);
}

export const log = (...args) => console.error(...args);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
