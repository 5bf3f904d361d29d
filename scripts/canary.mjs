#!/usr/bin/env node
// Secrets canary: runs the packages' test suites with a canary app password (F7CLOUD_CANARY), captures all
// their output, then searches that output and every file the tests wrote (their temp dirs, artifacts they
// export, test-artifacts/, vitest snapshots, anything in the repo changed during the run) for the canary,
// raw and as the Basic Authorization value it would travel in. Fails when it is found anywhere, or when a
// suite fails. A self-test first plants the canary in a temp file and in fake output and makes sure the
// search finds it, so a broken search cannot pass silently.
//
//   node scripts/canary.mjs            unit/integration suites of all four packages, and real n8n against a
//                                      hostile server (redirect elsewhere, echoed Authorization)
//   node scripts/canary.mjs --e2e      the whole n8n end-to-end run instead (real n8n, execution data)
//   node scripts/canary.mjs --self-test   only the self-test
//   options: --only <package name> (repeatable), --keep (keep the run directory)
//
// Tests pick the canary up from F7CLOUD_CANARY (as their users' app password); tests that export what a user
// could see (flows, debug messages, execution data) write it under F7CLOUD_CANARY_ARTIFACTS to be searched.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const SUITES = [
  { name: '@f7cloud/assistant-client', script: 'test' },
  { name: '@f7cloud/assistant-emulator', script: 'test' },
  { name: '@f7cloud/n8n-nodes-assistant', script: 'test' },
  { name: '@f7cloud/node-red-assistant', script: 'test' },
];
// Real n8n against a hostile server (a redirect to another host, a 500 echoing the Authorization header):
// run by default, so the canary also searches n8n's execution data and database files for those cases.
const HOSTILE_E2E = {
  name: '@f7cloud/n8n-nodes-assistant',
  script: 'hostile e2e',
  args: [
    'exec',
    'bash',
    '-c',
    'bash e2e/install-n8n.sh >/dev/null && vitest run --config vitest.e2e.config.mts e2e/hostile.test.mts',
  ],
};
const E2E = [{ name: '@f7cloud/n8n-nodes-assistant', script: 'test:e2e' }];
const USERS = ['alice', 'bob', 'carol', 'admin'];
const SKIP_DIRS = new Set(['node_modules', '.git', '.turbo']);
const CHUNK = 1 << 20;

/** The forms a leaked password takes: itself, URL-encoded, and inside a Basic Authorization value. */
export function needlesFor(canary) {
  const forms = [{ kind: 'canary', text: canary }];
  if (encodeURIComponent(canary) !== canary)
    forms.push({ kind: 'url-encoded', text: encodeURIComponent(canary) });
  for (const user of USERS) {
    forms.push({ kind: `basic auth (${user})`, text: Buffer.from(`${user}:${canary}`).toString('base64') });
  }
  forms.push({ kind: 'base64', text: Buffer.from(canary).toString('base64').replace(/=+$/, '') });
  return forms.map((n) => ({ ...n, bytes: Buffer.from(n.text) }));
}

/** Finds the needles in one file, read in chunks (files can be large); returns the hits with context. */
function searchFile(file, needles) {
  const hits = [];
  const overlap = Math.max(...needles.map((n) => n.bytes.length));
  let fd;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return hits; // vanished or unreadable (sockets, a file removed meanwhile)
  }
  try {
    const buffer = Buffer.alloc(CHUNK + overlap);
    let carried = 0;
    let offset = 0;
    for (;;) {
      const read = fs.readSync(fd, buffer, carried, CHUNK, null);
      const length = carried + read;
      if (length === 0) break;
      const view = buffer.subarray(0, length);
      for (const needle of needles) {
        const at = view.indexOf(needle.bytes);
        if (at !== -1 && !hits.some((h) => h.kind === needle.kind)) {
          const context = view
            .subarray(Math.max(0, at - 60), at + needle.bytes.length + 60)
            .toString('utf8')
            .replace(/[^\x20-\x7e]/g, '.');
          hits.push({ where: file, offset: offset - carried + at, kind: needle.kind, context });
        }
      }
      if (read === 0) break;
      carried = Math.min(overlap, length);
      view.copy(buffer, 0, length - carried, length);
      offset += read;
    }
  } finally {
    fs.closeSync(fd);
  }
  return hits;
}

function* walk(dir, filter = () => true) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) yield* walk(full, filter);
    } else if (entry.isFile() && filter(full)) yield full;
  }
}

/**
 * Searches files for the canary: everything under `dirs`, files of the repo changed since `since`, and
 * every vitest snapshot and test-artifacts file of the repo whatever its age.
 */
export function scan({ canary, files = [], dirs = [], repo, since }) {
  const needles = needlesFor(canary);
  const seen = new Set();
  const hits = [];
  const look = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    hits.push(...searchFile(file, needles));
  };
  for (const file of files) look(file);
  for (const dir of dirs) for (const file of walk(dir)) look(file);
  if (repo) {
    for (const file of walk(repo)) {
      const parts = file.split(path.sep);
      let changed = false;
      try {
        changed = since !== undefined && fs.statSync(file).mtimeMs >= since;
      } catch {
        continue;
      }
      if (changed || parts.includes('__snapshots__') || parts.includes('test-artifacts')) look(file);
    }
  }
  return { hits, searched: seen.size };
}

/** Plants the canary where a leak would land and proves the search finds each form, and nothing else. */
function selfTest() {
  const canary = `Canary-selftest-${crypto.randomBytes(9).toString('base64url')}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'f7cloud-canary-selftest-'));
  try {
    const clean = path.join(dir, 'clean');
    fs.mkdirSync(path.join(clean, 'nested'), { recursive: true });
    fs.writeFileSync(path.join(clean, 'nested', 'log.txt'), 'Authorization: [redacted]\n'.repeat(1000));
    const before = scan({ canary, dirs: [clean] });
    const planted = path.join(dir, 'planted');
    fs.mkdirSync(path.join(planted, '__snapshots__'), { recursive: true });
    // the raw password, split across the 1 MiB read boundary, in a big file
    const big = Buffer.alloc(CHUNK + 100, 'x');
    Buffer.from(canary).copy(big, CHUNK - 5);
    fs.writeFileSync(path.join(planted, 'execution.json'), big);
    fs.writeFileSync(
      path.join(planted, '__snapshots__', 'request.snap'),
      `headers: { Authorization: "Basic ${Buffer.from(`alice:${canary}`).toString('base64')}" }\n`,
    );
    const output = path.join(dir, 'stdout.log');
    fs.writeFileSync(output, `FAIL  GET https://alice:${encodeURIComponent(canary)}@cloud.example.com\n`);
    const after = scan({ canary, dirs: [planted], files: [output] });
    const found = new Set(after.hits.map((h) => `${path.basename(h.where)}:${h.kind}`));
    const expected = ['execution.json:canary', 'request.snap:basic auth (alice)', 'stdout.log:canary'];
    const missing = expected.filter((e) => !found.has(e));
    if (before.hits.length > 0 || missing.length > 0) {
      throw new Error(
        `canary self-test failed: ${before.hits.length} false alarms in clean files, not found: ${missing.join(', ') || 'none'}`,
      );
    }
    return { planted: expected.length, found: after.hits.length, cleanFiles: before.searched };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function run(command, args, env, logFile) {
  return new Promise((resolve) => {
    const out = fs.createWriteStream(logFile);
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.on('close', (code, signal) => out.end(() => resolve(code ?? (signal ? 128 : 1))));
  });
}

function tail(file, lines = 40) {
  return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

/** Test files that handle an app password without reading F7CLOUD_CANARY (they run with their own). */
function notUsingCanary() {
  const out = [];
  for (const pkg of fs.readdirSync(path.join(root, 'packages'))) {
    for (const sub of ['test', 'e2e']) {
      for (const file of walk(path.join(root, 'packages', pkg, sub), (f) => /\.(m?[jt]s|cjs)$/.test(f))) {
        const text = fs.readFileSync(file, 'utf8');
        if (/appPassword|APP_PASSWORD|CANARY|PASSWORD\s*=/.test(text) && !text.includes('F7CLOUD_CANARY')) {
          out.push(path.relative(root, file));
        }
      }
    }
  }
  return out;
}

async function main() {
  const args = process.argv.slice(2);
  const started = Date.now();
  const check = selfTest();
  console.log(
    `canary self-test: planted ${check.planted} leaks (raw, split across a read boundary, Basic header, URL), all found; no false alarm in ${check.cleanFiles} clean file(s)`,
  );
  if (args.includes('--self-test')) return 0;

  const only = args.flatMap((a, i) => (args[i - 1] === '--only' ? [a] : []));
  const suites = [...SUITES, ...(args.includes('--e2e') ? E2E : [HOSTILE_E2E])].filter(
    (s) => only.length === 0 || only.includes(s.name),
  );
  const canary = process.env.F7CLOUD_CANARY || `Canary-${crypto.randomBytes(12).toString('base64url')}`;
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'f7cloud-canary-'));
  const tmp = path.join(runDir, 'tmp');
  const artifacts = path.join(runDir, 'artifacts');
  const logs = path.join(runDir, 'logs');
  for (const d of [tmp, artifacts, logs]) fs.mkdirSync(d);
  const env = {
    ...process.env,
    F7CLOUD_CANARY: canary,
    F7CLOUD_CANARY_ARTIFACTS: artifacts,
    TMPDIR: tmp,
    TMP: tmp,
    TEMP: tmp,
    FORCE_COLOR: '0',
  };
  const since = Date.now() - 1000;
  console.log(`canary run in ${runDir}`);

  const results = [];
  for (const suite of suites) {
    const t0 = Date.now();
    const log = path.join(
      logs,
      `${suite.name.replace(/[@/]/g, '_')}-${suite.script.replace(/\W+/g, '_')}.log`,
    );
    const code = await run('pnpm', ['--filter', suite.name, ...(suite.args ?? [suite.script])], env, log);
    const seconds = ((Date.now() - t0) / 1000).toFixed(0);
    results.push({ suite: `${suite.name} ${suite.script}`, exit: code, seconds: Number(seconds) });
    console.log(`  ${code === 0 ? 'ok  ' : 'FAIL'} ${suite.name} ${suite.script} (${seconds} s)`);
    if (code !== 0) console.log(tail(log));
  }

  const { hits, searched } = scan({ canary, dirs: [logs, tmp, artifacts], repo: root, since });
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  fs.writeFileSync(
    path.join(runDir, 'report.json'),
    JSON.stringify({ results, searched, hits, minutes: Number(minutes) }, null, 2),
  );
  const failedSuites = results.filter((r) => r.exit !== 0);
  // Proof the canary reached the tests: the suites' secrets tests export what they checked.
  const exported = [...walk(artifacts)].length;
  console.log(`${exported} export(s) written by tests running with the canary`);
  if (exported === 0 && failedSuites.length === 0) {
    console.log(
      'no test wrote an export: F7CLOUD_CANARY did not reach the tests, so this run proves nothing',
    );
    failedSuites.push({ suite: 'canary reached the tests', exit: 1, seconds: 0 });
  }
  console.log(
    `searched ${searched} files (output logs, temp dirs, exported artifacts, changed repo files, snapshots)`,
  );
  if (hits.length) {
    console.log(`THE CANARY LEAKED in ${hits.length} place(s):`);
    console.table(
      hits.map((h) => ({
        file: path.relative(runDir, h.where).startsWith('..') ? h.where : path.relative(runDir, h.where),
        form: h.kind,
        context: h.context,
      })),
    );
  } else console.log('the canary appears nowhere');
  const uncovered = notUsingCanary();
  if (uncovered.length) {
    console.log(`note: ${uncovered.length} test file(s) use their own password instead of F7CLOUD_CANARY:`);
    for (const f of uncovered) console.log(`  ${f}`);
  }
  console.log(`done in ${minutes} min`);
  const bad = hits.length > 0 || failedSuites.length > 0;
  if (!bad && !args.includes('--keep')) fs.rmSync(runDir, { recursive: true, force: true });
  else console.log(`kept ${runDir}`);
  return bad ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
