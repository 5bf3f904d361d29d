// `pnpm start` as a user runs it: the editor and admin API need the printed login, only its hash is on
// disk, Node-RED starts without credential warnings, and a signal to the pnpm process (a service manager,
// `kill <pid>`, a closed terminal) ends Node-RED and the emulator with it: no process left, ports free.
import { describe, it, expect, afterEach } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.join(root, '..', '..');
const started = [];

/** @param {{cwd?: string, env?: Record<string, string>}} [opts] */
function startDemo(opts = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'f7cloud-start-test-'));
  const env = { ...process.env, PORT: '0', TMPDIR: tmp, ...opts.env };
  for (const name of ['F7CLOUD_URL', 'F7CLOUD_USER', 'F7CLOUD_APP_PASSWORD']) delete env[name];
  if (!opts.env?.NODE_RED_ADMIN_PASSWORD) delete env.NODE_RED_ADMIN_PASSWORD;
  // its own process group, so a failed test can still clean up everything it started
  const child = spawn('pnpm', ['start'], {
    cwd: opts.cwd ?? root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = { child, tmp, out: '' };
  started.push(run);
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pnpm start did not come up:\n${run.out}`)), 90_000);
    const onData = (chunk) => {
      run.out += chunk;
      if (run.out.includes('Press Ctrl+C to stop.')) {
        clearTimeout(timer);
        resolve(undefined);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pnpm start exited (${code}):\n${run.out}`));
    });
  });
  return { run, ready };
}

afterEach(() => {
  for (const run of started.splice(0)) {
    try {
      process.kill(-run.child.pid, 'SIGKILL');
    } catch {
      // already gone, as it should be
    }
    fs.rmSync(run.tmp, { recursive: true, force: true });
  }
});

/** Every process below pid (Linux/macOS ps). */
function descendants(pid) {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter(Boolean)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
  const found = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift();
    for (const row of rows) {
      if (row.ppid === parent) {
        found.push(row);
        queue.push(row.pid);
      }
    }
  }
  return found;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Resolves when the port can be listened on again. */
function portFree(port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function addresses(out) {
  const editor = /Editor:\s+(http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(out);
  const emulator = /the emulator at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
  expect(editor, out).not.toBeNull();
  expect(emulator, out).not.toBeNull();
  return { url: editor[1], ports: [Number(editor[2]), Number(emulator[1])] };
}

/**
 * Sends the signal to the pnpm process only (or, as Ctrl+C in a terminal does, to its whole process
 * group), then waits for the whole tree to be gone.
 */
async function stopWith(run, signal, { group = false } = {}) {
  const tree = descendants(run.child.pid);
  expect(tree.some((p) => p.args.includes('scripts/start.js'))).toBe(true);
  process.kill(group ? -run.child.pid : run.child.pid, signal);
  const pids = [run.child.pid, ...tree.map((p) => p.pid)];
  await expect.poll(() => pids.filter(alive), { timeout: 20_000, interval: 200 }).toEqual([]);
}

async function token(url, password) {
  return fetch(new URL('auth/token', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: 'node-red-editor',
      grant_type: 'password',
      scope: '*',
      username: 'admin',
      password,
    }),
  });
}

/** Every file below dir, with its text. */
function filesBelow(dir) {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}

describe('pnpm start', () => {
  it('needs the printed login for the admin API, stores it only hashed, and SIGTERM ends everything', async () => {
    const { run, ready } = startDemo();
    await ready;
    const { url, ports } = addresses(run.out);
    // (Node-RED's own "Projects disabled" notice is a warning too; no warning may be about credentials)
    expect(run.out).not.toContain('Encrypted credentials not found');
    expect(run.out).not.toMatch(/\[warn\].*credential/i);
    const password = /Login:\s+admin \/ (\S+)/.exec(run.out)?.[1];
    expect(password).toMatch(/^[\w-]{16}$/);

    // anyone else on the machine: no deploy, no flows, no stored server credential
    const headers = { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' };
    const anonymous = await fetch(new URL('flows', url), { method: 'POST', headers, body: '[]' });
    expect(anonymous.status).toBe(401);
    expect((await fetch(new URL('flows', url))).status).toBe(401);
    // (Node-RED answers a wrong password with 403)
    expect((await token(url, 'wrong-password')).status).toBe(403);

    const login = await token(url, password);
    expect(login.status).toBe(200);
    const auth = { authorization: `Bearer ${(await login.json()).access_token}` };
    const current = await fetch(new URL('flows', url), { headers: auth });
    expect(current.status).toBe(200);
    const flows = await current.json();
    expect(flows.some((n) => n.type === 'f7cloud-server')).toBe(true);
    const deploy = await fetch(new URL('flows', url), {
      method: 'POST',
      headers: { ...headers, ...auth },
      body: JSON.stringify(flows),
    });
    expect(deploy.status).toBe(204);

    // the password is on no disk: the user dir holds its bcrypt hash
    const userDir = fs.readdirSync(run.tmp).find((name) => name.startsWith('f7cloud-node-red-'));
    expect(userDir).toBeDefined();
    const files = filesBelow(path.join(run.tmp, userDir)).filter((f) => !f.includes('node_modules'));
    const texts = files.map((f) => fs.readFileSync(f, 'utf8'));
    expect(texts.some((t) => /"password":"\$2[aby]\$10\$/.test(t))).toBe(true);
    for (const text of texts) expect(text).not.toContain(password);

    await stopWith(run, 'SIGTERM');
    for (const port of ports) expect(await portFree(port)).toBe(true);
  }, 120_000);

  it('from the repository root, with a chosen password, ends everything on SIGHUP', async () => {
    const chosen = 'chosen-admin-password-1';
    const { run, ready } = startDemo({ cwd: repo, env: { NODE_RED_ADMIN_PASSWORD: chosen } });
    await ready;
    const { url, ports } = addresses(run.out);
    expect(run.out).not.toContain(chosen);
    expect(run.out).toContain('Login:   admin / the password in NODE_RED_ADMIN_PASSWORD');
    expect((await token(url, chosen)).status).toBe(200);
    await stopWith(run, 'SIGHUP');
    for (const port of ports) expect(await portFree(port)).toBe(true);
  }, 120_000);

  it('ends everything on Ctrl+C (SIGINT to the process group)', async () => {
    const { run, ready } = startDemo();
    await ready;
    const { ports } = addresses(run.out);
    await stopWith(run, 'SIGINT', { group: true });
    for (const port of ports) expect(await portFree(port)).toBe(true);
  }, 120_000);
});
