// The control API has no auth, so only local programs may use it: a web page must not drive it (a
// cross-origin "simple" POST needs no preflight) nor read it through DNS rebinding (its own host name,
// resolved to 127.0.0.1). Raw node:http requests, so every header is exactly what a browser would send.
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { schedule, startTestEmulator, type TestEnv } from './helpers.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEmulator({ providers: { default: { paused: true } } });
});
afterAll(() => env.emu.close());
afterEach(() => env.emu.control.reset());

interface Raw {
  status: number;
  contentType: string;
  body: unknown;
}

function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: env.emu.port, method, path, headers, setHost: !('Host' in headers) },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: JSON.parse(text),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const own = (): string => `127.0.0.1:${env.emu.port}`;

describe('control API: refuses web pages', () => {
  it('refuses a cross-origin text/plain POST (no preflight needed) and changes nothing', async () => {
    await schedule(env.alice, 'core:text2text', { input: 'keep me' });
    for (const [path, body] of [
      ['/__emulator/reset', '{}'],
      ['/__emulator/faults', '{"kind":"status","status":503}'],
    ] as const) {
      const res = await raw(
        'POST',
        path,
        { Origin: 'https://evil.example', 'Content-Type': 'text/plain;charset=UTF-8' },
        body,
      );
      expect(res.status).toBe(403);
      expect(res.contentType).toBe('application/json; charset=utf-8');
      const { error } = res.body as { error: string };
      expect(error).toContain('Origin "https://evil.example" is not this emulator');
      expect(error).toContain(`http://127.0.0.1:${env.emu.port}`);
    }
    expect(env.emu.control.tasks()).toHaveLength(1);
    expect(env.emu.control.faults()).toEqual([]);
  });

  it('refuses a foreign Origin on reads too, and the opaque origin "null"', async () => {
    for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${env.emu.port + 1}`]) {
      const res = await raw('GET', '/__emulator/state', { Origin: origin });
      expect(res.status, origin).toBe(403);
      expect(res.body).toEqual({ error: expect.stringContaining(`Origin ${JSON.stringify(origin)}`) });
    }
  });

  it('refuses a Host that is not a loopback name of its port (DNS rebinding), even from 127.0.0.1', async () => {
    await schedule(env.alice, 'core:text2text', { input: 'private' });
    for (const host of [
      `rebind.evil.example:${env.emu.port}`,
      `127.0.0.1:${env.emu.port + 1}`,
      '127.0.0.1',
    ]) {
      const res = await raw('GET', '/__emulator/state', { Host: host });
      expect(res.status, host).toBe(403);
      const { error } = res.body as { error: string };
      expect(error).toContain(`Host ${JSON.stringify(host)} is not a loopback name`);
      expect(error).toContain('DNS rebinding');
      expect(JSON.stringify(res.body)).not.toContain('private');
    }
    const rebound = await raw(
      'POST',
      '/__emulator/reset',
      { Host: `rebind.evil.example:${env.emu.port}` },
      '{}',
    );
    expect(rebound.status).toBe(403);
    expect(env.emu.control.tasks()).toHaveLength(1);
  });

  it('answers local programs: no Origin, or its own origin, under any loopback name of its port', async () => {
    for (const host of [
      own(),
      `localhost:${env.emu.port}`,
      `LOCALHOST:${env.emu.port}`,
      `[::1]:${env.emu.port}`,
    ]) {
      const res = await raw('GET', '/__emulator/faults', { Host: host });
      expect(res.status, host).toBe(200);
      expect(res.body).toEqual([]);
    }
    const same = await raw(
      'PUT',
      '/__emulator/latency',
      { Origin: `http://${own()}`, 'Content-Type': 'application/json' },
      '{"ms":0}',
    );
    expect(same.status).toBe(200);
    // what bench/lib/common.mjs does: Node's fetch sends no Origin, and a JSON body without a content type
    const put = await fetch(`${env.emu.url}/__emulator/faults`, {
      method: 'PUT',
      body: JSON.stringify([{ kind: 'latency', ms: 1 }]),
    });
    expect(put.status).toBe(200);
    expect(env.emu.control.faults()).toEqual([{ kind: 'latency', ms: 1 }]);
  });

  it('leaves the server routes alone: they need a login anyway', async () => {
    const res = await raw('GET', '/status.php', { Origin: 'https://evil.example' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ installed: true });
  });
});
