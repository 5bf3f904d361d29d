// The credential's "Ignore SSL Issues" option in real n8n, against the emulator over HTTPS with a
// self-signed certificate: rejected by default with a clear message, accepted with the option on.
import { startEmulator, type RunningEmulator } from '@f7cloud/assistant-emulator';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createN8n, installN8n, loadWorkflow, nodeOutput, type N8nInstance } from './harness.mjs';

const PASSWORD = 'Canary-tls-8Hs1-Secret';
let emulator: RunningEmulator;
let n8n: N8nInstance;
let certDir: string;

beforeAll(async () => {
  const bin = installN8n();
  certDir = await mkdtemp(path.join(os.tmpdir(), 'f7cloud-tls-'));
  const key = path.join(certDir, 'key.pem');
  const cert = path.join(certDir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  emulator = await startEmulator({
    port: 0,
    users: [{ user: 'alice', appPassword: PASSWORD }],
    tls: { key: await readFile(key), cert: await readFile(cert) },
  });
  expect(emulator.url).toMatch(/^https:/);
  n8n = await createN8n(bin);
  for (const [id, ignoreSslIssues] of [
    ['f7cloudTlsStrict', false],
    ['f7cloudTlsLoose1', true],
  ] as const) {
    await n8n.importCredential({
      id,
      name: `f7cloud https ${ignoreSslIssues ? 'insecure' : 'strict'}`,
      type: 'f7CloudAssistantApi',
      data: { serverUrl: emulator.url, user: 'alice', appPassword: PASSWORD, ignoreSslIssues },
    });
  }
}, 600_000);

afterAll(async () => {
  await n8n?.dispose();
  await emulator?.close();
  if (certDir) await rm(certDir, { recursive: true, force: true });
});

it('rejects a self-signed certificate with a clear message, and accepts it when told to', async () => {
  const wf = JSON.parse(
    JSON.stringify(await loadWorkflow('tls', 'f7cloudTlsStrict'))
      .replaceAll('__INSECURE_CREDENTIAL_ID__', 'f7cloudTlsLoose1')
      .replaceAll('@f7cloud/n8n-nodes-assistant.', 'CUSTOM.'),
  ) as Record<string, unknown>;
  await n8n.importWorkflow(wf);
  const execution = await n8n.execute(String(wf.id));
  expect(JSON.stringify(execution)).not.toContain(PASSWORD);

  const [rejected] = nodeOutput(execution, 'Verified');
  expect(String(rejected?.json.error)).toMatch(/certificate/i);
  expect(String(rejected?.json.details)).toContain('Ignore SSL Issues');

  const accepted = nodeOutput(execution, 'Ignoring SSL Issues');
  expect(accepted.map((item) => item.json.id)).toContain('core:text2text');
});
