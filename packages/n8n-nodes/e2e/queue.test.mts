// n8n queue mode for real (issue 15): Debian's redis-server and a throwaway PostgreSQL cluster on
// 127.0.0.1, n8n 2.41.1 as a main process plus two `n8n worker` processes (EXECUTIONS_MODE=queue), and
// through them the folder-watch and task triggers across a worker restart (no duplicate, no miss): the
// triggers poll on the main process, their executions run on the workers, their state lives in the database.
// Still to come here: a 50-item batch with waiting and "Wait via Webhook" resumed on another process (both
// pass against a single n8n in features.test.mts).
// Installs redis-server / postgresql with apt-get when missing (needs root); stops everything it started.
import { createNodeClient } from '@f7cloud/assistant-client/node';
import { startEmulator, type RunningEmulator } from '@f7cloud/assistant-emulator';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createN8n, freePort, installN8n, loadWorkflow, type N8nInstance } from './harness.mjs';

const PASSWORD = 'Canary-queue-8Vn3-Secret';
const CREDENTIAL_ID = 'f7cloudQueueCr01';

function ensureInstalled() {
  const pg = existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').length > 0;
  const redis = existsSync('/usr/bin/redis-server');
  if (pg && redis) return;
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'redis-server', 'postgresql'], { stdio: 'ignore' });
}
const pgBin = (name: string) =>
  path.join('/usr/lib/postgresql', readdirSync('/usr/lib/postgresql').sort().pop() as string, 'bin', name);
const asPostgres = (command: string) =>
  execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', command], { encoding: 'utf8' });

let work: string;
let pgPort: number;
let redis: ChildProcess | undefined;
let pgStarted = false;
let emulator: RunningEmulator;
let n8n: N8nInstance;
let bin: string;
let mainUrl: string;
const processes: Record<string, ChildProcess> = {};
const logs: Record<string, string> = {};
const received: Record<string, string>[] = [];
let receiver: http.Server;

async function until(condition: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      const tail = Object.entries(logs).map(([name, log]) => `--- ${name}\n${log.slice(-1500)}`);
      const server = {
        webhooks: emulator.control.webhooks().slice(-3),
        schedules: emulator.control.requests().filter((r) => r.operationId === 'task_processing_api-schedule')
          .length,
        tasks: emulator.control
          .tasks()
          .map((t) => `${t.id}:${t.status}`)
          .slice(-5),
        last: emulator.control.requests().slice(-5),
        received: received.map((r) => r.kind),
      };
      throw new Error(`timed out waiting for ${what}\n${JSON.stringify(server)}\n${tail.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function launch(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(bin, args, {
    env: { ...n8n.env, ...env },
    cwd: n8n.home,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  logs[name] = '';
  child.stdout?.on('data', (c: Buffer) => (logs[name] += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (logs[name] += c.toString()));
  processes[name] = child;
  return child;
}

async function stop(name: string) {
  const child = processes[name];
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function startWorker(name: string) {
  launch(name, ['worker', '--concurrency=5'], {
    N8N_RUNNERS_BROKER_PORT: String(await freePort()),
    QUEUE_HEALTH_CHECK_ACTIVE: 'true',
    QUEUE_HEALTH_CHECK_PORT: String(await freePort()),
  });
  await until(
    () => /n8n worker is now ready|Worker started/i.test(logs[name] ?? ''),
    90_000,
    `${name} ready`,
  );
}

async function dav(method: string, file: string, body?: string) {
  const res = await fetch(`${emulator.url}/remote.php/dav/files/alice${file}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}` },
    ...(body !== undefined ? { body } : {}),
  });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  ensureInstalled();
  bin = installN8n();
  work = await mkdtemp(path.join(os.tmpdir(), 'f7cloud-queue-'));
  await chmod(work, 0o777);
  // PostgreSQL: a throwaway cluster owned by postgres, on a free port, loopback only, trust auth.
  pgPort = await freePort();
  const data = path.join(work, 'pg');
  asPostgres(`${pgBin('initdb')} -D ${data} --auth=trust -U postgres >/dev/null`);
  asPostgres(
    `${pgBin('pg_ctl')} -D ${data} -l ${data}.log -w -o "-p ${pgPort} -k ${work} -c listen_addresses=127.0.0.1" start >/dev/null`,
  );
  pgStarted = true;
  asPostgres(`${pgBin('createdb')} -h 127.0.0.1 -p ${pgPort} -U postgres n8n`);
  // Redis on a free port, no persistence.
  const redisPort = await freePort();
  redis = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );

  emulator = await startEmulator({
    port: 0,
    users: [{ user: 'alice', appPassword: PASSWORD }],
    rateLimit: { schedule: { limit: 1000, windowMs: 60_000 } },
    providers: { default: { pickupMs: 600, runMs: 600 } },
  });
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body) as Record<string, string>);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/report`;

  const queueEnv = {
    EXECUTIONS_MODE: 'queue',
    QUEUE_BULL_REDIS_HOST: '127.0.0.1',
    QUEUE_BULL_REDIS_PORT: String(redisPort),
    DB_TYPE: 'postgresdb',
    DB_POSTGRESDB_HOST: '127.0.0.1',
    DB_POSTGRESDB_PORT: String(pgPort),
    DB_POSTGRESDB_DATABASE: 'n8n',
    DB_POSTGRESDB_USER: 'postgres',
    N8N_DEFAULT_BINARY_DATA_MODE: 'database',
    OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
  };
  const saved = { ...process.env };
  Object.assign(process.env, queueEnv);
  try {
    n8n = await createN8n(bin);
  } finally {
    process.env = saved;
  }
  await n8n.importCredential({
    id: CREDENTIAL_ID,
    name: 'f7cloud emulator',
    type: 'f7CloudAssistantApi',
    data: { serverUrl: emulator.url, user: 'alice', appPassword: PASSWORD, ignoreSslIssues: false },
  });
  for (const name of ['queue-folder', 'queue-tasks']) {
    const wf = JSON.parse(
      JSON.stringify(await loadWorkflow(name, CREDENTIAL_ID))
        .replaceAll('@f7cloud/n8n-nodes-assistant.', 'CUSTOM.')
        .replaceAll('__RECEIVER_URL__', receiverUrl),
    ) as Record<string, unknown>;
    await n8n.importWorkflow(wf);
    await n8n.cli(['publish:workflow', `--id=${String(wf.id)}`]);
  }
  await dav('MKCOL', '/Drop');
  await dav('PUT', '/Drop/old.txt', 'there before activation');

  const port = await freePort();
  mainUrl = `http://127.0.0.1:${port}`;
  launch('main', ['start'], { N8N_PORT: String(port), WEBHOOK_URL: `${mainUrl}/` });
  await until(() => logs.main?.includes('Editor is now accessible') ?? false, 120_000, 'main ready');
  await Promise.all([startWorker('worker-1'), startWorker('worker-2')]);
}, 600_000);

afterAll(async () => {
  for (const name of Object.keys(processes)) await stop(name);
  await n8n?.dispose();
  await emulator?.close();
  await new Promise((r) => receiver?.close(r));
  redis?.kill('SIGTERM');
  if (pgStarted) asPostgres(`${pgBin('pg_ctl')} -D ${path.join(work, 'pg')} -m fast -w stop >/dev/null`);
  if (work) await rm(work, { recursive: true, force: true });
}, 120_000);

const of = (kind: string) => received.filter((r) => r.kind === kind);

it('the folder-watch and task triggers neither repeat nor miss across a worker restart', async () => {
  const client = createNodeClient({ baseUrl: emulator.url, auth: { user: 'alice', appPassword: PASSWORD } });
  const run = async (i: number) =>
    (await client.tasks.run({ type: 'core:text2text', input: { input: `task ${i}` } }, { timeoutMs: 60_000 }))
      .id;
  const ids: number[] = [];
  for (let i = 0; i < 3; i++) {
    await dav('PUT', `/Drop/first-${i}.txt`, `first ${i}`);
    ids.push(await run(i));
  }
  await until(() => of('file').length >= 3 && of('task').length >= 3, 150_000, 'the first files and tasks');
  await stop('worker-1');
  for (let i = 0; i < 3; i++) {
    await dav('PUT', `/Drop/second-${i}.txt`, `second ${i}`);
    ids.push(await run(10 + i));
  }
  await startWorker('worker-1');
  await until(() => of('file').length >= 6 && of('task').length >= 6, 150_000, 'the second files and tasks');
  // One more poll of each trigger must bring nothing new.
  await new Promise((r) => setTimeout(r, 65_000));
  expect(
    of('file')
      .map((r) => r.name)
      .sort(),
  ).toEqual(['first-0.txt', 'first-1.txt', 'first-2.txt', 'second-0.txt', 'second-1.txt', 'second-2.txt']);
  expect(
    of('task')
      .map((r) => Number(r.id))
      .sort((a, b) => a - b),
  ).toEqual(ids.sort((a, b) => a - b));
}, 400_000);
