// The credential's "Test" button: the nodes' credentialTest method against the real emulator and against
// hostile servers on 127.0.0.1. n8n hands a credential test only its legacy `request` helper; the stand-in
// below behaves like n8n 2.41's (request-style options, no credential added, `simple: false` resolves any
// status, `followRedirect: false` returns redirects, `rejectUnauthorized` for TLS).
import { APP_PASSWORD_ADVICE } from '@f7cloud/assistant-client';
import { startEmulator, type RunningEmulator } from '@f7cloud/assistant-emulator';
import type {
  ICredentialDataDecryptedObject,
  ICredentialTestFunctions,
  INodeCredentialTestResult,
} from 'n8n-workflow';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F7CloudAssistantApi } from '../credentials/F7CloudAssistantApi.credentials.js';
import { F7CloudAssistant } from '../nodes/F7CloudAssistant/F7CloudAssistant.node.js';
import { F7CloudAssistantChatModel } from '../nodes/F7CloudAssistantChatModel/F7CloudAssistantChatModel.node.js';
import { F7CloudAssistantMemory } from '../nodes/F7CloudAssistantMemory/F7CloudAssistantMemory.node.js';
import { F7CloudAssistantTrigger } from '../nodes/F7CloudAssistantTrigger/F7CloudAssistantTrigger.node.js';
import { testCredential } from '../nodes/F7CloudAssistant/transport/credential-test.js';
import { CANARY, emulator } from './support/run-node.js';

interface LegacyOptions {
  uri: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  followRedirect?: boolean;
  rejectUnauthorized?: boolean;
  timeout?: number;
}

const sentTo: { host: string; authorization: string | undefined }[] = [];

function legacyRequest(options: LegacyOptions): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const url = new URL(options.uri);
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, {
      method: options.method,
      headers: options.headers,
      rejectUnauthorized: options.rejectUnauthorized !== false,
      timeout: options.timeout,
    });
    sentTo.push({ host: url.host, authorization: options.headers.authorization });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ statusCode: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(options.body);
  });
}

const context = { helpers: { request: legacyRequest } } as unknown as ICredentialTestFunctions;

async function test(data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
  return await testCredential.call(context, { id: '1', name: 'test', type: 'f7CloudAssistantApi', data });
}

let emu: RunningEmulator;
let hostile: http.Server;
let hostileUrl: string;
let closedPort: number;
let tlsDir: string;
let tlsEmu: RunningEmulator;

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  emu = await emulator();
  hostile = http.createServer((req, res) => {
    const path = req.url ?? '';
    if (path.startsWith('/no-app/')) {
      // A server without the Assistant app: OCS answers its unknown route with 404 / statuscode 998.
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"ocs":{"meta":{"status":"failure","statuscode":998,"message":""},"data":[]}}');
    } else if (path.startsWith('/away/')) {
      res.writeHead(302, { location: 'http://127.0.0.2:9/login' });
      res.end();
    } else {
      // Echoes the login back in an error page, as a misconfigured proxy might.
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`error for ${req.headers.authorization ?? ''}`);
    }
  });
  hostileUrl = await listen(hostile);
  const spare = http.createServer();
  closedPort = Number(new URL(await listen(spare)).port);
  await new Promise<void>((resolve) => spare.close(() => resolve()));

  tlsDir = mkdtempSync(join(tmpdir(), 'f7cloud-n8n-credtest-'));
  const key = join(tlsDir, 'key.pem');
  const cert = join(tlsDir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
      ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      ...['-keyout', key, '-out', cert],
    ],
    { stdio: 'ignore' },
  );
  tlsEmu = await startEmulator({
    port: 0,
    users: [{ user: 'alice', appPassword: CANARY }],
    tls: { key: readFileSync(key), cert: readFileSync(cert) },
  });
});

afterAll(async () => {
  await emu?.close();
  await tlsEmu?.close();
  await new Promise<void>((resolve) => (hostile ? hostile.close(() => resolve()) : resolve()));
  if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
});

describe('credential test (the "Test" button)', () => {
  it("is the nodes' testedBy method, not a declarative request n8n would prefer", () => {
    expect('test' in new F7CloudAssistantApi()).toBe(false);
    for (const node of [
      new F7CloudAssistant(),
      new F7CloudAssistantTrigger(),
      new F7CloudAssistantChatModel(),
      new F7CloudAssistantMemory(),
    ]) {
      const entry = node.description.credentials?.find((c) => c.name === 'f7CloudAssistantApi');
      expect(entry?.testedBy).toBe('f7CloudAssistantApiTest');
      expect(node.methods?.credentialTest?.f7CloudAssistantApiTest).toBe(testCredential);
    }
  });

  it('says it connected, to which host and as whom', async () => {
    const result = await test({ serverUrl: emu.url, user: 'alice', appPassword: CANARY });
    expect(result.status).toBe('OK');
    expect(result.message).toMatch(
      new RegExp(`^Connected to ${new URL(emu.url).host} as alice: the assistant offers \\d+ task types\\.$`),
    );
  });

  it('accepts a deep link into the web UI, as the node does', async () => {
    const result = await test({
      serverUrl: `  ${emu.url}/index.php/apps/files/?dir=/Documents  `,
      user: 'alice',
      appPassword: CANARY,
    });
    expect(result).toMatchObject({ status: 'OK' });
  });

  it('says a wrong app password is wrong and how to make one', async () => {
    const result = await test({ serverUrl: emu.url, user: 'alice', appPassword: 'not-the-password' });
    expect(result.status).toBe('Error');
    expect(result.message).toContain('rejected the login');
    expect(result.message).toContain(APP_PASSWORD_ADVICE);
    expect(result.message).not.toContain('not-the-password');
  });

  it('says when the Assistant app is missing', async () => {
    const result = await test({ serverUrl: `${hostileUrl}/no-app`, user: 'alice', appPassword: CANARY });
    expect(result.status).toBe('Error');
    expect(result.message).toContain('has no Assistant API');
    expect(result.message).toContain('Assistant app is installed and enabled');
  });

  it('names the host that refused the connection', async () => {
    const result = await test({
      serverUrl: `http://127.0.0.1:${closedPort}`,
      user: 'alice',
      appPassword: CANARY,
    });
    expect(result.status).toBe('Error');
    expect(result.message).toContain(`127.0.0.1:${closedPort} refused the connection`);
    expect(result.message).toContain('Check the server URL and port');
  });

  it('says the certificate is not trusted and where to allow it; with Ignore SSL Issues it connects', async () => {
    const refused = await test({ serverUrl: tlsEmu.url, user: 'alice', appPassword: CANARY });
    expect(refused.status).toBe('Error');
    expect(refused.message).toContain(`The TLS certificate of ${new URL(tlsEmu.url).host} is not trusted`);
    expect(refused.message).toContain('"Ignore SSL Issues"');
    const allowed = await test({
      serverUrl: tlsEmu.url,
      user: 'alice',
      appPassword: CANARY,
      ignoreSslIssues: true,
    });
    expect(allowed.status).toBe('OK');
  });

  it('refuses a redirect to another host and sends the login nowhere else', async () => {
    sentTo.length = 0;
    const result = await test({ serverUrl: `${hostileUrl}/away`, user: 'alice', appPassword: CANARY });
    expect(result.status).toBe('Error');
    expect(result.message).toContain('redirected');
    expect(result.message).toContain('127.0.0.2:9');
    expect(result.message).toContain('nothing was sent there');
    expect(sentTo.map((s) => s.host)).toEqual([new URL(hostileUrl).host]);
  });

  it('explains a Server URL it cannot read, before sending anything', async () => {
    sentTo.length = 0;
    const result = await test({ serverUrl: 'ftp://cloud.example.com', user: 'alice', appPassword: CANARY });
    expect(result.status).toBe('Error');
    expect(result.message).toContain('must start with https:// or http://');
    expect(result.message).toContain('Nothing was sent.');
    expect(sentTo).toEqual([]);
  });

  it('never shows the app password, even when the server echoes the login', async () => {
    const result = await test({ serverUrl: `${hostileUrl}/echo`, user: 'alice', appPassword: CANARY });
    expect(result.status).toBe('Error');
    const basic = Buffer.from(`alice:${CANARY}`).toString('base64');
    for (const secret of [CANARY, basic]) expect(result.message).not.toContain(secret);
  });
});
