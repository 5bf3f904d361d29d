// n8n queue mode for real (issue 15): Debian's redis-server and a throwaway PostgreSQL cluster on
// 127.0.0.1, n8n 2.41.1 as a main process plus two `n8n worker` processes (EXECUTIONS_MODE=queue), and
// through them: a 50-item batch with "Wait for Result" started by a webhook on main and run on a worker;
// "Wait via Webhook" parked by one worker, that worker stopped, the server's callback taken by main and the
// execution resumed on the other worker; the folder-watch and task triggers across a worker restart (no
// duplicate, no miss: the triggers poll on main, their executions run on the workers). Whatever a node needs
// later lives in the database or on the server, never in the memory of the process that ran it before.
// Installs redis-server / postgresql with apt-get when missing (needs root); stops everything it started.
import { createNodeClient } from '@f7cloud/assistant-client/node';
import { startEmulator, type RunningEmulator } from '@f7cloud/assistant-emulator';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createN8n, freePort, installN8n, loadWorkflow, type N8nInstance } from './harness.mjs';

const PASSWORD = 'Canary-queue-8Vn3-Secret';
const CREDENTIAL_ID = 'f7cloudQueueCr01';
const HEADLINE = 'core:text2text:headline';

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
/** One SQL query against n8n's database (trust auth on the loopback), rows as psql prints them unaligned. */
const sql = (query: string) =>
  execFileSync(
    pgBin('psql'),
    ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', '-d', 'n8n', '-At', '-c', query],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  ).trim();

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
    // A worker runs the node, so the worker builds $execution.resumeUrl: without WEBHOOK_URL it would be
    // http://localhost:5678/webhook-waiting/…, where nothing (or a worker's own health server, 404) answers.
    WEBHOOK_URL: `${mainUrl}/`,
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
    // Idealised pickup (all tasks at once) and short runs, a schedule limit the batch workflow is told about
    // (Schedule Limit option): the batch proves pairing and no duplicates; rate limits and realistic pickup
    // are benchmarked elsewhere.
    providers: { default: { pickupMs: 600, runMs: 600 }, [HEADLINE]: { pickupMs: 300, runMs: 300 } },
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
  for (const name of ['queue-folder', 'queue-tasks', 'queue-batch', 'queue-resume']) {
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
const inputText = (task: Record<string, unknown>) => String((task.input as { input?: unknown }).input);

async function startByWebhook(webhookPath: string, body: unknown) {
  const res = await fetch(`${mainUrl}/webhook/${webhookPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.status, text).toBe(200);
}

/** The workflow's newest execution id in n8n's database (0 when none). */
const lastExecutionId = (workflowId: string) =>
  Number(sql(`select coalesce(max(id), 0) from execution_entity where "workflowId" = '${workflowId}'`));
const executionStatus = (id: number) => sql(`select status from execution_entity where id = ${id}`);

interface StoredItem {
  json: Record<string, unknown>;
  pairedItem?: { item: number } | { item: number }[];
}
/** The execution's run data as n8n stored it (flatted JSON in execution_data), read with n8n's own flatted. */
function storedRunData(id: number) {
  const flatted = createRequire(path.join(path.dirname(bin), '..', 'n8n', 'package.json'))('flatted') as {
    parse: (text: string) => unknown;
  };
  const data = flatted.parse(sql(`select data from execution_data where "executionId" = ${id}`)) as {
    resultData: {
      runData: Record<string, { error?: unknown; executionTime?: number; data?: { main: StoredItem[][] } }[]>;
    };
  };
  return data.resultData.runData;
}

/** Which processes logged that they ran this execution (a worker logs each job it takes). */
const ranOn = (id: number) =>
  Object.entries(logs)
    .filter(([, log]) => log.includes(`Worker started execution ${id} `))
    .map(([name, log]) => ({ name, times: log.split(`Worker started execution ${id} `).length - 1 }));

it('runs 50 items with "Wait for Result" on a worker: each output paired with its item, each task once', async () => {
  const before = lastExecutionId('e2eQueueBatch001');
  const scheduled = () =>
    emulator.control.tasks().filter((t) => t.type === HEADLINE && /about queues/.test(inputText(t)));
  const started = Date.now();
  await startByWebhook('f7cloud-queue-batch', {});
  await until(() => lastExecutionId('e2eQueueBatch001') > before, 30_000, 'the batch execution');
  const id = lastExecutionId('e2eQueueBatch001');
  await until(() => !['new', 'running'].includes(executionStatus(id)), 90_000, 'the batch to finish');
  const seconds = (Date.now() - started) / 1000;
  expect(executionStatus(id)).toBe('success');

  const [run] = storedRunData(id).Headline ?? [];
  expect(run?.error).toBeUndefined();
  // Waited for together: one after the other, 50 × (pickup + run) would be 30 s.
  expect(run?.executionTime).toBeLessThan(30_000);
  const items = run?.data?.main[0] ?? [];
  expect(items).toHaveLength(50);
  for (const [i, item] of items.entries()) {
    expect(item.pairedItem).toEqual({ item: i });
    expect(item.json.status).toBe('STATUS_SUCCESSFUL');
    expect(String(item.json.output)).toContain(`Document number ${i} `);
  }
  // Exactly one task per item on the server: no item scheduled twice, none lost.
  const tasks = scheduled();
  expect(tasks).toHaveLength(50);
  expect(new Set(tasks.map(inputText)).size).toBe(50);
  // Main took the webhook and queued the execution; one worker ran it, once.
  expect(ranOn(id)).toEqual([{ name: expect.stringMatching(/^worker-/) as string, times: 1 }]);
  expect(logs.main).not.toContain(`started execution ${id} `);
  console.log(
    `queue batch of 50: node ${run?.executionTime} ms, ${seconds.toFixed(1)} s from the webhook call to success`,
  );
}, 120_000);

it('"Wait via Webhook": parked by one worker, resumed through main on the other, with the task re-read', async () => {
  const text = 'Queue mode resumes parked executions elsewhere';
  const task = () => emulator.control.tasks().find((t) => inputText(t) === text);
  let stopped: string | undefined;
  emulator.control.setProvider(HEADLINE, { paused: true });
  try {
    await startByWebhook('f7cloud-queue-resume', { text });
    await until(() => task() !== undefined, 60_000, 'the task scheduled by the worker');
    const id = Number(/^n8n-wait:(\d+):0$/.exec(String(task()?.customId))?.[1]);
    // The worker that ran the node built the resume URL: it must point at main (WEBHOOK_URL), token included.
    expect(String(task()?.webhookUri)).toMatch(new RegExp(`^${mainUrl}/webhook-waiting/${id}\\?signature=`));
    await until(() => executionStatus(id) === 'waiting', 60_000, 'the execution parked in the database');
    const [first, ...others] = ranOn(id);
    expect(others).toEqual([]);
    expect(first?.times).toBe(1);
    const firstWorker = first?.name as string;
    const otherWorker = firstWorker === 'worker-1' ? 'worker-2' : 'worker-1';

    // A call claiming the task is done is only a wake-up: main re-reads the task, still scheduled on the
    // server, and the execution keeps waiting.
    const forged = await fetch(String(task()?.webhookUri), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        task: { ...task(), status: 'STATUS_SUCCESSFUL', output: { output: 'FORGED by the test' } },
      }),
    });
    expect(forged.status).toBe(200);
    expect(await forged.json()).toEqual({ waiting: 1 });
    expect(executionStatus(id)).toBe('waiting');

    // The process that scheduled is gone before the server calls back.
    stopped = firstWorker;
    await stop(firstWorker);
    emulator.control.setProvider(HEADLINE, { paused: false });
    await until(() => of('resume').length > 0, 90_000, 'the resumed execution to report');
    const [report] = of('resume');
    expect({ ...report, id: String(report?.id) }).toMatchObject({
      id: String(task()?.id),
      executionId: String(id),
      status: 'STATUS_SUCCESSFUL',
    });
    expect(report?.output).toContain('Fake headline: Queue mode resumes parked');
    expect(report?.output).not.toContain('FORGED');
    expect(emulator.control.webhooks().filter((w) => w.taskId === task()?.id)).toEqual([
      expect.objectContaining({ status: 200, error: null }),
    ]);
    await until(() => executionStatus(id) === 'success', 30_000, 'the resumed execution to succeed');
    expect(ranOn(id)).toEqual(
      [
        { name: firstWorker, times: 1 },
        { name: otherWorker, times: 1 },
      ].sort((a, b) => a.name.localeCompare(b.name)),
    );
  } finally {
    emulator.control.setProvider(HEADLINE, { paused: false });
    if (stopped) await startWorker(stopped);
  }
}, 240_000);

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
