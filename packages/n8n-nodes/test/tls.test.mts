// The credential's "Ignore SSL Issues" option at unit level: the node against the emulator over HTTPS with
// a self-signed certificate (openssl at test time). The request helper below stands in for n8n's: like
// n8n it verifies certificates unless the request says `skipSslCertificateValidation`, and throws Node's
// own TLS error. The real n8n run of the same is e2e/tls.test.mts.
import { startEmulator, type RunningEmulator } from '@f7cloud/assistant-emulator';
import type { IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F7CloudAssistant } from '../nodes/F7CloudAssistant/F7CloudAssistant.node.js';
import { createContext, type FakeResponse, type Handler } from './support/context.js';

const APP_PASSWORD = process.env.F7CLOUD_CANARY ?? 'Canary-unit-tls-3Kd9-Secret';
let dir: string;
let emu: RunningEmulator;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'f7cloud-n8n-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
      ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      ...['-keyout', key, '-out', cert],
    ],
    { stdio: 'ignore' },
  );
  emu = await startEmulator({
    port: 0,
    users: [{ user: 'alice', appPassword: APP_PASSWORD }],
    tls: { key: readFileSync(key), cert: readFileSync(cert) },
  });
});

afterAll(async () => {
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** n8n's helper semantics for TLS: verify unless skipSslCertificateValidation; Basic auth added by n8n. */
const httpsHandler: Handler = (options: IHttpRequestOptions) =>
  new Promise<FakeResponse>((resolve, reject) => {
    const req = https.request(options.url, {
      method: options.method ?? 'GET',
      headers: {
        ...(options.headers as Record<string, string>),
        authorization: `Basic ${Buffer.from(`alice:${APP_PASSWORD}`).toString('base64')}`,
      },
      rejectUnauthorized: options.skipSslCertificateValidation !== true,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          statusCode: res.statusCode ?? 0,
          headers: res.headers as Record<string, string>,
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.end(options.body as Buffer | string | undefined);
  });

function context(ignoreSslIssues: boolean) {
  return createContext({
    parameters: { resource: 'task', operation: 'getTypes', simplify: true },
    credentials: { serverUrl: emu.url, user: 'alice', appPassword: APP_PASSWORD, ignoreSslIssues },
    handler: httpsHandler,
  });
}

describe('credential "Ignore SSL Issues" against a self-signed certificate', () => {
  it('off (default): the node fails with a certificate message that points at the option', async () => {
    const fake = context(false);
    const error = await new F7CloudAssistant().execute.call(fake.context).then(
      () => {
        throw new Error('expected the node to fail');
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NodeOperationError);
    expect((error as Error).message).toContain('is not trusted');
    expect((error as NodeOperationError).description).toContain('turn on "Ignore SSL Issues"');
    expect(fake.requests.every((r) => r.skipSslCertificateValidation === false)).toBe(true);
    const serialised = JSON.stringify(error) + String((error as Error).stack);
    expect(serialised).not.toContain(APP_PASSWORD);
    expect(emu.control.requests()).toEqual([]);
  });

  it('on: the node asks n8n to skip verification and gets the task types', async () => {
    const fake = context(true);
    const [items] = await new F7CloudAssistant().execute.call(fake.context);
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(fake.requests.every((r) => r.skipSslCertificateValidation === true)).toBe(true);
    expect((items ?? []).map((item) => item.json.id)).toContain('core:text2text');
  });
});
