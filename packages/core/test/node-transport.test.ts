// The Node entry against real servers on 127.0.0.1: plain HTTP and HTTPS with a self-signed certificate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createNodeClient, fetchTransport, nodeSleep } from '../src/node.js';

const APP_PASSWORD = process.env.F7CLOUD_CANARY ?? 'node-canary-app-password';
let cert: { key: string; cert: string };
let dir: string;

function handler(req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url!, 'http://x');
  const ocs = (data: unknown, status = 200) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ ocs: { meta: { status: 'ok', statuscode: status, message: 'OK' }, data } }));
  };
  if (req.headers['user-agent'] === 'never-answer') return;
  if (req.headers.authorization !== `Basic ${Buffer.from(`alice:${APP_PASSWORD}`).toString('base64')}`) {
    return ocs([], 401);
  }
  if (url.pathname.endsWith('/task-types')) {
    return ocs({
      types: [
        {
          id: 'core:text2text',
          name: 'Generate text',
          description: '',
          priority: 1,
          inputShape: [],
          optionalInputShape: [],
          outputShape: [],
          optionalOutputShape: [],
        },
      ],
    });
  }
  if (url.pathname.endsWith('/input-file')) {
    let size = 0;
    req.on('data', (chunk: Buffer) => (size += chunk.length));
    req.on('end', () =>
      ocs({ fileId: size, filePath: `/alice/files/Assistant/${req.headers['content-length'] ?? 'chunked'}` }),
    );
    return;
  }
  if (url.pathname.endsWith('/output-file/98/preview')) {
    res.writeHead(303, { location: '/icons/audio.svg' });
    return res.end();
  }
  if (url.pathname === '/icons/audio.svg') {
    res.writeHead(200, { 'content-type': 'image/svg+xml' });
    return res.end('<svg/>');
  }
  if (url.pathname.endsWith('/display')) {
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-disposition': 'attachment; filename="big.bin"',
    });
    const chunk = Buffer.alloc(1024 * 1024, 1);
    let sent = 0;
    const pump = () => {
      while (sent < 32) {
        sent++;
        if (!res.write(chunk)) return res.once('drain', pump);
      }
      res.end();
    };
    return pump();
  }
  ocs(null, 404);
}

async function listen(server: http.Server | https.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return `${server instanceof https.Server ? 'https' : 'http'}://127.0.0.1:${port}`;
}

const servers: (http.Server | https.Server)[] = [];
let plainUrl: string;
let tlsUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'f7cloud-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  cert = {
    key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
  };
  const plain = http.createServer(handler);
  const secure = https.createServer(cert, handler);
  servers.push(plain, secure);
  plainUrl = await listen(plain);
  tlsUrl = await listen(secure);
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections?.();
    await new Promise((resolve) => s.close(resolve));
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('createNodeClient', () => {
  it('talks to a real HTTP server', async () => {
    const client = createNodeClient({
      baseUrl: plainUrl,
      auth: { user: 'alice', appPassword: APP_PASSWORD },
    });
    try {
      expect((await client.taskTypes()).map((t) => t.id)).toEqual(['core:text2text']);
    } finally {
      client.close();
    }
  });

  it('streams an upload with a known size and a download without buffering', async () => {
    const client = createNodeClient({
      baseUrl: plainUrl,
      auth: { user: 'alice', appPassword: APP_PASSWORD },
    });
    try {
      const chunk = Buffer.alloc(256 * 1024, 2);
      const body = Readable.from(
        (function* () {
          for (let i = 0; i < 8; i++) yield chunk;
        })(),
      );
      const uploaded = await client.files.uploadInput(body, { filename: 'big.bin', size: 8 * chunk.length });
      expect(uploaded.fileId).toBeGreaterThan(8 * chunk.length);
      expect(uploaded.filePath).not.toContain('chunked');
      const file = await client.files.download(5, { stream: true });
      expect(file.data).toBeUndefined();
      let size = 0;
      for await (const part of file.stream!) size += part.byteLength;
      expect(size).toBe(32 * 1024 * 1024);
      expect(file.fileName).toBe('big.bin');
    } finally {
      client.close();
    }
  });

  it('follows the preview redirect to the icon', async () => {
    const client = createNodeClient({
      baseUrl: plainUrl,
      auth: { user: 'alice', appPassword: APP_PASSWORD },
    });
    try {
      const preview = await client.tasks.previewOutputFile(5, 98);
      expect(preview.contentType).toBe('image/svg+xml');
      expect(new TextDecoder().decode(preview.data)).toBe('<svg/>');
    } finally {
      client.close();
    }
  });

  it('says when the login is wrong', async () => {
    const client = createNodeClient({ baseUrl: plainUrl, auth: { user: 'alice', appPassword: 'wrong' } });
    try {
      await expect(client.taskTypes()).rejects.toMatchObject({ code: 'auth' });
    } finally {
      client.close();
    }
  });

  it('times out a request that gets no answer', async () => {
    const client = createNodeClient({
      baseUrl: plainUrl,
      auth: { user: 'alice', appPassword: APP_PASSWORD },
      timeoutMs: 200,
      userAgent: 'never-answer',
      retry: { retries: 0 },
    });
    try {
      const error = await client.taskTypes().catch((e) => e);
      expect(error.code).toBe('timeout');
      expect(error.message).toMatch(/got no answer from 127\.0\.0\.1:\d+ in time/);
    } finally {
      client.close();
    }
  });

  it('rejects a self-signed certificate by default, with a clear message', async () => {
    const client = createNodeClient({ baseUrl: tlsUrl, auth: { user: 'alice', appPassword: APP_PASSWORD } });
    try {
      const error = await client.taskTypes().catch((e) => e);
      expect(error.code).toBe('tls');
      expect(error.message).toMatch(/not trusted/);
      expect(JSON.stringify(error)).not.toContain(APP_PASSWORD);
    } finally {
      client.close();
    }
  });

  it('accepts it with the CA configured, or with verification turned off', async () => {
    for (const tls of [{ ca: cert.cert }, { rejectUnauthorized: false }]) {
      const client = createNodeClient({
        baseUrl: tlsUrl,
        auth: { user: 'alice', appPassword: APP_PASSWORD },
        tls,
      });
      try {
        expect(await client.taskTypes()).toHaveLength(1);
      } finally {
        client.close();
      }
    }
  });

  it('also runs over the platform fetch', async () => {
    const client = createClient({
      baseUrl: plainUrl,
      auth: { user: 'alice', appPassword: APP_PASSWORD },
      transport: fetchTransport(),
      sleep: nodeSleep,
    });
    expect((await client.taskTypes())[0]!.id).toBe('core:text2text');
    const uploaded = await client.files.uploadInput(Readable.from([Buffer.from('hello')]), {
      filename: 'a.txt',
    });
    expect(uploaded.fileId).toBeGreaterThan(5);
  });

  it('sleeps and wakes early on abort', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    await nodeSleep(5_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
