// Real n8n 2.41.1 against the emulator, for issues 14 and 11: a workflow gets a pending action of the
// context agent, approves it and receives the reply that reports it done, and a rejected one is not
// executed (on every assistant generation); 20 items with "Wait for Result" are waited for together;
// "Wait via Webhook" parks the execution and resumes it with the tasks re-read from the server.
import { startEmulator, type RunningEmulator } from '@f7cloud/assistant-emulator';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createN8n,
  installN8n,
  loadWorkflow,
  nodeOutput,
  packageRoot,
  type N8nInstance,
} from './harness.mjs';

const PASSWORD = 'Canary-features-5Tb8-Secret';
const PROFILES = ['2.13', '3.5', '4.0'] as const;

let n8n: N8nInstance;
const emulators: Record<string, RunningEmulator> = {};
let batchEmulator: RunningEmulator;

const credentialId = (name: string) => `f7cloudFeat${name.replace(/\W/g, '')}`.padEnd(16, '0').slice(0, 16);

async function workflow(name: string, credential: string, id?: string, extra: Record<string, string> = {}) {
  let text = JSON.stringify(await loadWorkflow(name, credential)).replaceAll(
    '@f7cloud/n8n-nodes-assistant.',
    'CUSTOM.',
  );
  for (const [from, to] of Object.entries(extra)) text = text.replaceAll(from, to);
  const wf = JSON.parse(text) as Record<string, unknown>;
  if (id) wf.id = id;
  return wf;
}

async function example(name: string, credential: string) {
  const text = await readFile(path.join(packageRoot, 'examples', `${name}.json`), 'utf8');
  return JSON.parse(
    text.replaceAll('__CREDENTIAL_ID__', credential).replaceAll('@f7cloud/n8n-nodes-assistant.', 'CUSTOM.'),
  ) as Record<string, unknown>;
}

async function dav(method: string, file: string, body?: string, type = 'text/plain') {
  const res = await fetch(`${batchEmulator.url}/remote.php/dav/files/alice${file}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`,
      'content-type': type,
    },
    ...(body !== undefined ? { body } : {}),
  });
  await res.arrayBuffer();
  return res.status;
}

async function addCredential(id: string, emulator: RunningEmulator) {
  await n8n.importCredential({
    id,
    name: 'f7cloud emulator',
    type: 'f7CloudAssistantApi',
    data: { serverUrl: emulator.url, user: 'alice', appPassword: PASSWORD, ignoreSslIssues: false },
  });
}

beforeAll(async () => {
  const bin = installN8n();
  n8n = await createN8n(bin);
  for (const version of PROFILES) {
    emulators[version] = await startEmulator({
      port: 0,
      users: [{ user: 'alice', appPassword: PASSWORD }],
      assistant: version,
      contextAgent: true,
    });
    await addCredential(credentialId(version), emulators[version]);
  }
  batchEmulator = await startEmulator({
    port: 0,
    users: [{ user: 'alice', appPassword: PASSWORD }],
    providers: { 'core:text2text:headline': { pickupMs: 800, runMs: 700 } },
    // The batch alone uses up a stock server's 20 schedules per 120 s.
    rateLimit: { schedule: { limit: 1000, windowMs: 60_000 } },
  });
  await addCredential(credentialId('batch'), batchEmulator);
}, 600_000);

afterAll(async () => {
  await n8n?.dispose();
  for (const emulator of [...Object.values(emulators), batchEmulator]) await emulator?.close();
});

describe.each(PROFILES)('assistant %s with the context agent', (version) => {
  it('approves a pending action (reply reports it done) and rejects another (not executed)', async () => {
    const wf = await workflow(
      'approval',
      credentialId(version),
      `e2eApproval${version.replace('.', '')}`.padEnd(16, '0'),
    );
    await n8n.importWorkflow(wf);
    const execution = await n8n.execute(String(wf.id));
    expect(JSON.stringify(execution)).not.toContain(PASSWORD);
    expect(execution.status).toBe('success');

    const [asked] = nodeOutput(execution, 'Ask to Send Email');
    expect(asked?.json.needsApproval).toBe(true);
    const [action] = asked?.json.pendingActions as {
      tool: string;
      description: string;
      arguments: Record<string, string>;
    }[];
    expect(action?.tool).toBe('send_email');
    expect(action?.arguments.recipient).toBe('bob@example.com');
    expect(action?.description).toContain('bob@example.com');

    const [approved] = nodeOutput(execution, 'Approve');
    expect(approved?.json).toMatchObject({ approved: true, needsApproval: false });
    expect(String(approved?.json.reply)).toContain('I sent the email to bob@example.com');

    const [rejected] = nodeOutput(execution, 'Reject');
    expect(rejected?.json.approved).toBe(false);
    expect(String(rejected?.json.reply)).toMatch(/did not/);
    expect(String(rejected?.json.reply)).not.toContain('I sent');
  });
});

it('waits for 20 items together: about one task time, not twenty', async () => {
  const wf = await workflow('batch-wait', credentialId('batch'));
  await n8n.importWorkflow(wf);
  const before = batchEmulator.control.requests().length;
  const execution = await n8n.execute(String(wf.id));
  expect(execution.status).toBe('success');
  const items = nodeOutput(execution, 'Headline');
  expect(items.map((item) => item.json.status)).toEqual(Array(20).fill('STATUS_SUCCESSFUL'));
  for (const [i, item] of items.entries())
    expect(String(item.json.output)).toContain(`Document number ${i} `);
  const run = execution.data.resultData.runData.Headline?.[0] as { executionTime?: number } | undefined;
  // One after the other: 20 × 1.5 s = 30 s. Together: about one pickup + run, plus n8n's own overhead.
  expect(run?.executionTime).toBeLessThan(12_000);
  const requests = batchEmulator.control.requests().slice(before);
  expect(requests.filter((r) => r.operationId === 'task_processing_api-schedule')).toHaveLength(20);
  const reads = requests.filter(
    (r) => r.method === 'GET' && /task_processing_api-(get-task|list-tasks)/.test(r.operationId ?? ''),
  );
  expect(reads.length).toBeLessThan(20);
  console.log(`e2e batch of 20: node ${run?.executionTime} ms, ${reads.length} status reads`);
}, 180_000);

describe('Wait via Webhook on a running n8n', () => {
  let receiver: http.Server;
  const resumed: Record<string, string>[] = [];
  let server: { url: string; log: () => string };

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        resumed.push(JSON.parse(body) as Record<string, string>);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const wf = await workflow('wait-webhook', credentialId('batch'), undefined, {
      __RECEIVER_URL__: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/resumed`,
    });
    await n8n.importWorkflow(wf);
    await n8n.cli(['publish:workflow', `--id=${String(wf.id)}`]);
    const audio = await example('audio-inbox-transcript-summary', credentialId('batch'));
    await n8n.importWorkflow(audio);
    await n8n.cli(['publish:workflow', `--id=${String(audio.id)}`]);
    await dav('MKCOL', '/Inbox');
    await dav('PUT', '/Inbox/before.mp3', 'recorded before activation', 'audio/mpeg');
    server = await n8n.start();
  }, 300_000);
  afterAll(async () => await new Promise((r) => receiver?.close(r)));

  it('parks the execution in the node and resumes it with the task re-read from the server', async () => {
    batchEmulator.control.setProvider('core:text2text:headline', { pickupMs: 3_000, runMs: 100 });
    // The workflow is activated shortly after n8n reports healthy.
    let status = 0;
    for (let attempt = 0; attempt < 60 && status !== 200; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 1_000));
      const res = await fetch(`${server.url}/webhook/f7cloud-e2e-wait-webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'Callbacks wake parked executions' }),
      });
      status = res.status;
      await res.arrayBuffer();
    }
    expect(status).toBe(200);
    const deadline = Date.now() + 90_000;
    while (resumed.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    const [report] = resumed;
    if (!report)
      console.log(
        'NO RESUME',
        JSON.stringify(batchEmulator.control.webhooks().slice(-3)),
        JSON.stringify(batchEmulator.control.requests().slice(-6)),
        // what n8n did with the execution
        server
          .log()
          .split('\n')
          .filter((line) => /execution|webhook|error|wait/i.test(line))
          .slice(-80)
          .join('\n'),
      );
    expect(report?.status).toBe('STATUS_SUCCESSFUL');
    expect(report?.output).toContain('Callbacks wake parked');
    const delivery = batchEmulator.control.webhooks().at(-1);
    expect(delivery?.uri).toMatch(new RegExp(`^${server.url}/webhook-waiting/`));
    expect(delivery?.status).toBe(200);
    // The re-read: after the callback the node asked the server for the task list itself.
    const task = batchEmulator.control.tasks().find((t) => String(t.id) === String(report?.id));
    expect(task?.customId).toMatch(/^n8n-wait:\d+:0$/);
  }, 150_000);

  it('an audio file dropped into /Inbox comes out as a transcript and its summary beside it, once', async () => {
    const polls = () =>
      batchEmulator.control.requests().filter((r) => r.method === 'PROPFIND' && r.path.includes('/Inbox'))
        .length;
    const names = () =>
      batchEmulator.control
        .files()
        .map((f) => (f as { path?: string }).path ?? '')
        .filter((p) => p.includes('/Inbox/'));
    // The activation poll remembers what is there; the file dropped afterwards is new.
    for (const deadline = Date.now() + 90_000; polls() < 1 && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 500));
    expect(await dav('PUT', '/Inbox/memo.mp3', 'a meeting about budgets', 'audio/mpeg')).toBeLessThan(300);
    const done = () => names().some((p) => p.endsWith('memo.mp3 - transcribed.md - summarized.md'));
    // Polled every minute; a new file waits one more poll to be sure its upload finished.
    for (const deadline = Date.now() + 200_000; !done() && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 1_000));
    expect(names()).toEqual(
      expect.arrayContaining([
        '/Inbox/memo.mp3 - transcribed.md',
        '/Inbox/memo.mp3 - transcribed.md - summarized.md',
      ]),
    );
    // One more poll: nothing is processed twice, the file from before activation not at all.
    const seen = polls();
    for (const deadline = Date.now() + 90_000; polls() <= seen && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 1_000));
    await new Promise((r) => setTimeout(r, 3_000));
    const transcriptions = batchEmulator.control.tasks().filter((t) => t.type === 'core:audio2text');
    expect(transcriptions).toHaveLength(1);
    expect(names().filter((p) => p.includes('before'))).toEqual(['/Inbox/before.mp3']);
  }, 420_000);
});
