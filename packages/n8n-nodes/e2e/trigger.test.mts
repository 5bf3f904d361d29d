// A running n8n server with activated workflows, results posted to a receiver in this test.
// The polling trigger on its real schedule (every minute): history before activation is not replayed,
// every task finishing between polls arrives, and nothing arrives twice.
// Resume via webhook: the server calls the execution's resume URL and the Wait node continues.
// The folder trigger activated before its folder exists: the folder counts as empty until it appears.
import { createNodeClient } from '@f7cloud/assistant-client/node';
import { startEmulator, type RunningEmulator } from '@f7cloud/assistant-emulator';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createN8n, installN8n, loadWorkflow, type N8nInstance } from './harness.mjs';

const PASSWORD = 'Canary-trigger-4Kd2-Secret';
const CREDENTIAL_ID = 'f7cloudEmuCred02';

let emulator: RunningEmulator;
let n8n: N8nInstance;
let receiver: http.Server;
const received: number[] = [];
const resumed: Record<string, string>[] = [];
const files: Record<string, string>[] = [];
let server: { url: string };

async function runTasks(
  client: ReturnType<typeof createNodeClient>,
  count: number,
  type = 'core:text2text:headline',
) {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const task = await client.tasks.run(
      { type, input: { input: `Document number ${i} about polling` } },
      { timeoutMs: 30_000 },
    );
    ids.push(task.id);
  }
  return ids;
}

const laterPolls = () =>
  emulator.control.requests().filter((r) => r.method === 'PROPFIND' && r.path.includes('/files/alice/Later'));

async function waitFor(condition: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; received so far: ${JSON.stringify(received)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  const bin = installN8n();
  emulator = await startEmulator({
    port: 0,
    users: [{ user: 'alice', appPassword: PASSWORD }],
    rateLimit: { schedule: { limit: 1000, windowMs: 60_000 } },
  });
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/resumed') resumed.push(JSON.parse(body) as Record<string, string>);
      else if (req.url === '/file') files.push(JSON.parse(body) as Record<string, string>);
      else received.push(Number((JSON.parse(body) as { id: unknown }).id));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  n8n = await createN8n(bin);
  await n8n.importCredential({
    id: CREDENTIAL_ID,
    name: 'f7cloud emulator',
    type: 'f7CloudAssistantApi',
    data: { serverUrl: emulator.url, user: 'alice', appPassword: PASSWORD, ignoreSslIssues: false },
  });
  const wf = JSON.parse(
    JSON.stringify(await loadWorkflow('trigger', CREDENTIAL_ID))
      .replaceAll('@f7cloud/n8n-nodes-assistant.', 'CUSTOM.')
      .replaceAll(
        '__RECEIVER_URL__',
        `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/finished`,
      ),
  ) as Record<string, unknown>;
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const resume = JSON.parse(
    JSON.stringify(await loadWorkflow('resume', CREDENTIAL_ID))
      .replaceAll('@f7cloud/n8n-nodes-assistant.', 'CUSTOM.')
      .replaceAll('__RECEIVER_URL__', `${receiverUrl}/resumed`),
  ) as Record<string, unknown>;
  const later = JSON.parse(
    JSON.stringify(await loadWorkflow('folder-later', CREDENTIAL_ID))
      .replaceAll('@f7cloud/n8n-nodes-assistant.', 'CUSTOM.')
      .replaceAll('__RECEIVER_URL__', `${receiverUrl}/file`),
  ) as Record<string, unknown>;
  for (const workflow of [wf, resume, later]) {
    await n8n.importWorkflow(workflow);
    await n8n.cli(['publish:workflow', `--id=${String(workflow.id)}`]);
  }
}, 600_000);

afterAll(async () => {
  await n8n?.dispose();
  await emulator?.close();
  await new Promise((r) => receiver?.close(r));
});

it('emits every task that finishes after activation exactly once, across polls', async () => {
  const client = createNodeClient({ baseUrl: emulator.url, auth: { user: 'alice', appPassword: PASSWORD } });
  const before = await runTasks(client, 3);
  const otherType = await runTasks(client, 2, 'core:text2text');

  server = await n8n.start();
  // Activation polls once to remember what already finished; wait for that poll to reach the server.
  const polls = () =>
    emulator.control.requests().filter((r) => r.operationId === 'assistant_api-get-user-tasks').length;
  await waitFor(() => polls() >= 1, 60_000, 'the activation poll');
  // The folder trigger's activation poll found no folder "/Later" (404) and must not have failed: the
  // folder appears only now, with a file in it (the last test checks what arrived).
  await waitFor(() => laterPolls().some((r) => r.status === 404), 60_000, "the folder trigger's first poll");
  await client.files.upload('Later/memo.txt', new TextEncoder().encode('written after activation'));
  await new Promise((r) => setTimeout(r, 2_000));

  const first = await runTasks(client, 12);
  await waitFor(() => received.length >= first.length, 150_000, 'the first batch');
  const second = await runTasks(client, 13);
  await waitFor(() => received.length >= first.length + second.length, 150_000, 'the second batch');

  // One more poll after the last batch arrived must not repeat anything.
  const pollsSoFar = polls();
  await waitFor(() => polls() > pollsSoFar, 90_000, 'one more poll');
  await new Promise((r) => setTimeout(r, 3_000));
  expect([...received].sort((a, b) => a - b)).toEqual([...first, ...second].sort((a, b) => a - b));
  for (const id of [...before, ...otherType]) expect(received).not.toContain(id);
}, 420_000);

it('resumes a waiting execution when the server calls the webhook of a finished task', async () => {
  // Slow enough that the execution is parked in the Wait node before the task ends.
  emulator.control.setProvider('core:text2text:headline', { pickupMs: 3_000, runMs: 100 });
  const res = await fetch(`${server.url}/webhook/f7cloud-e2e-resume`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'Webhooks wake waiting workflows' }),
  });
  expect(res.status).toBe(200);
  await waitFor(() => resumed.length >= 1, 60_000, 'the resumed execution');
  const [report] = resumed;
  expect(report).toMatchObject({ status: 'STATUS_SUCCESSFUL', id: report?.scheduledId });
  expect(report?.output).toContain('Webhooks wake waiting');
  const delivery = emulator.control.webhooks().at(-1);
  expect(delivery?.uri).toMatch(new RegExp(`^${server.url}/webhook-waiting/`));
  expect(delivery?.status).toBe(200);
}, 120_000);

it('starts the folder trigger once for a file put into a folder created after activation', async () => {
  await waitFor(() => files.length >= 1, 150_000, 'the file in the folder created after activation');
  // One more poll of the folder must not repeat it.
  const pollsSoFar = laterPolls().length;
  await waitFor(() => laterPolls().length > pollsSoFar, 90_000, 'one more poll of the folder');
  await new Promise((r) => setTimeout(r, 3_000));
  expect(files).toEqual([{ path: '/Later/memo.txt', change: 'added' }]);
}, 300_000);
