// The emulator over HTTPS with a self-signed certificate (made with openssl at test time), reached through
// core's Node entry: rejected by default with a message that says what to do, accepted with the CA
// configured or with verification explicitly turned off.
import {
  AssistantError,
  createClient,
  createNodeClient,
  fetchTransport,
  nodeSleep,
} from '@f7cloud/assistant-client/node';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';

// The secrets canary (scripts/canary.mjs) replaces the password when it runs the suite.
const APP_PASSWORD = process.env.F7CLOUD_CANARY ?? 'tls-canary-Qm4-app-password';

let dir: string;
let cert: string;
let otherCert: string;
let emu: RunningEmulator;

function selfSigned(name: string): { key: string; cert: string } {
  const key = join(dir, `${name}.key.pem`);
  const crt = join(dir, `${name}.cert.pem`);
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
      `/CN=127.0.0.1 ${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      crt,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(crt, 'utf8') };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'f7cloud-emulator-tls-'));
  const server = selfSigned('server');
  cert = server.cert;
  otherCert = selfSigned('other').cert;
  emu = await startEmulator({ port: 0, tls: server, users: [{ user: 'alice', appPassword: APP_PASSWORD }] });
});

afterAll(async () => {
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const auth = () => ({ user: 'alice', appPassword: APP_PASSWORD });

async function failure(promise: Promise<unknown>): Promise<AssistantError> {
  try {
    await promise;
  } catch (error) {
    if (AssistantError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('core against the emulator over HTTPS with a self-signed certificate', () => {
  it('serves https only', () => {
    expect(emu.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('rejects the certificate by default with a tls error that says how to fix it', async () => {
    const client = createNodeClient({ baseUrl: emu.url, auth: auth() });
    try {
      const error = await failure(client.taskTypes());
      expect(error.code).toBe('tls');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('is not trusted');
      expect(error.message).toContain('configure its CA certificate');
      expect(error.message).toContain('127.0.0.1');
      expect(JSON.stringify(error)).not.toContain(APP_PASSWORD);
      expect(String(error.stack)).not.toContain(APP_PASSWORD);
    } finally {
      client.close();
    }
    // Nothing reached the API: the handshake failed before any request was read.
    expect(emu.control.requests().filter((r) => r.user === 'alice')).toEqual([]);
  });

  it('still rejects it when a different CA is configured', async () => {
    const client = createNodeClient({ baseUrl: emu.url, auth: auth(), tls: { ca: otherCert } });
    try {
      expect((await failure(client.taskTypes())).code).toBe('tls');
    } finally {
      client.close();
    }
  });

  it('accepts it with the CA configured and runs a task end to end', async () => {
    const client = createNodeClient({ baseUrl: emu.url, auth: auth(), tls: { ca: cert } });
    try {
      const types = await client.taskTypes();
      expect(types.map((t) => t.id)).toContain('core:text2text');
      const task = await client.tasks.run(
        { type: 'core:text2text', input: { input: 'over TLS' } },
        { timeoutMs: 30_000 },
      );
      expect(task.status).toBe('STATUS_SUCCESSFUL');
      expect(String(task.output?.output)).toContain('over TLS');
    } finally {
      client.close();
    }
  });

  it('accepts it with verification explicitly turned off', async () => {
    const client = createNodeClient({ baseUrl: emu.url, auth: auth(), tls: { rejectUnauthorized: false } });
    try {
      const session = await client.chat.createSession({ title: 'tls' });
      expect((await client.chat.sessions()).map((s) => s.id)).toContain(session.id);
    } finally {
      client.close();
    }
  });

  it('maps the platform fetch refusing the certificate to the same tls error', async () => {
    const client = createClient({
      baseUrl: emu.url,
      auth: auth(),
      transport: fetchTransport(),
      sleep: nodeSleep,
    });
    const error = await failure(client.taskTypes());
    expect(error.code).toBe('tls');
    expect(error.message).toContain('configure its CA certificate');
    expect(JSON.stringify(error)).not.toContain(APP_PASSWORD);
  });

  it('serves its control API over https to its own https origin only', async () => {
    const control = (headers: Record<string, string>): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = request(`${emu.url}/__emulator/faults`, { ca: cert, headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await control({})).toBe(200);
    expect(await control({ Origin: emu.url })).toBe(200);
    // the same host and port over plain http is another origin
    expect(await control({ Origin: emu.url.replace('https:', 'http:') })).toBe(403);
  });
});
