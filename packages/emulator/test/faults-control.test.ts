import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorControl } from '../src/index.js';
import { API, CHAT, data, schedule, startTestEmulator, TP, type Task, type TestEnv } from './helpers.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEmulator();
});
afterAll(() => env.emu.close());
afterEach(() => env.emu.control.reset());

const TYPES = `${API}/task-types`;

describe('fault injection', () => {
  it('answers 500 / 502 / 503 (maintenance header) as configured, on one route only', async () => {
    env.emu.control.setFaults([
      { kind: 'status', status: 503, route: 'assistant_api-get-available-task-types', times: 1 },
    ]);
    const down = await env.alice.get(TYPES, { raw: true });
    expect(down.status).toBe(503);
    expect(down.headers.get('x-nextcloud-maintenance-mode')).toBe('1');
    expect((await env.alice.get(TYPES)).status).toBe(200);
    env.emu.control.setFaults([{ kind: 'status', status: 502, route: '/ocs/v2.php/apps/assistant/chat/' }]);
    const gw = await env.alice.get(`${CHAT}/sessions`, { raw: true });
    expect(gw.status).toBe(502);
    expect(gw.contentType).toContain('text/html');
    expect((await env.alice.get(TYPES)).status).toBe(200);
    env.emu.control.setFaults([{ kind: 'status' }]);
    const crash = await env.alice.get(TYPES, { raw: true });
    expect(crash.status).toBe(500);
    expect(crash.text).toContain('<statuscode>996</statuscode>');
  });

  it('resets connections, truncates and garbles bodies', async () => {
    env.emu.control.setFaults([{ kind: 'reset', times: 1 }]);
    await expect(fetch(env.emu.url + TYPES)).rejects.toThrow();
    env.emu.control.setFaults([{ kind: 'truncate', times: 1 }]);
    await expect(env.alice.get(TYPES, { raw: true })).rejects.toThrow();
    env.emu.control.setFaults([{ kind: 'malformed', times: 1 }]);
    const bad = await env.alice.get(TYPES, { raw: true });
    expect(bad.status).toBe(200);
    expect(() => JSON.parse(bad.text)).toThrow();
    expect((await env.alice.get(TYPES)).status).toBe(200);
  });

  it('sends 429 with Retry-After, XML instead of JSON, and an HTML login page', async () => {
    env.emu.control.setFaults([{ kind: 'rate-limit', retryAfter: 7, times: 1 }]);
    const limited = await env.alice.get(TYPES, { raw: true });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    env.emu.control.setFaults([{ kind: 'xml', times: 1 }]);
    expect((await env.alice.get(TYPES, { raw: true })).contentType).toBe('application/xml; charset=utf-8');
    env.emu.control.setFaults([{ kind: 'html-login', times: 1 }]);
    const login = await env.alice.get(TYPES, { raw: true });
    expect(login.status).toBe(200);
    expect(login.contentType).toContain('text/html');
    expect(login.text).toContain('name="login"');
  });

  it('adds latency globally and per route', async () => {
    // upper bounds far above what a loaded machine needs for one local request
    env.emu.control.setFaults([{ kind: 'latency', ms: 1_500, route: 'chattyllm-get-sessions' }]);
    let t = Date.now();
    await env.alice.get(`${CHAT}/sessions`);
    expect(Date.now() - t).toBeGreaterThanOrEqual(1_490);
    t = Date.now();
    await env.alice.get(TYPES);
    expect(Date.now() - t).toBeLessThan(1_000);
    env.emu.control.setLatency(80);
    t = Date.now();
    await env.alice.get(TYPES);
    expect(Date.now() - t).toBeGreaterThanOrEqual(75);
  });

  it('with after:true the request takes effect but the answer is lost (no duplicate, nothing lost)', async () => {
    env.emu.control.setFaults([
      { kind: 'status', status: 502, route: 'task_processing_api-schedule', after: true, times: 1 },
    ]);
    const res = await env.alice.post(`${TP}/schedule`, {
      json: { type: 'core:text2text', input: { input: 'x' }, appId: 'a' },
      raw: true,
    });
    expect(res.status).toBe(502);
    expect(env.emu.control.tasks()).toHaveLength(1);
  });

  it('is deterministic for a seed: the same requests meet the same faults', async () => {
    const run = async (): Promise<number[]> => {
      const emu = await startEmulator({ port: 0, seed: 42, faults: [{ kind: 'status', rate: 0.5 }] });
      const auth = `Basic ${Buffer.from(`alice:${emu.users[0]!.appPassword}`).toString('base64')}`;
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        statuses.push(
          (await fetch(emu.url + TYPES, { headers: { Authorization: auth, 'OCS-APIRequest': 'true' } }))
            .status,
        );
      }
      await emu.close();
      return statuses;
    };
    const a = await run();
    expect(a).toEqual(await run());
    expect(a).toContain(500);
    expect(a).toContain(200);
  });

  it('refuses invalid fault rules with a message naming the field', () => {
    expect(() => env.emu.control.setFaults([{ kind: 'explode' } as never])).toThrow(
      /faults\[0\]\.kind must be one of/,
    );
    expect(() => env.emu.control.setFaults([{ kind: 'status', rate: 2 }])).toThrow(
      /rate must be between 0 and 1/,
    );
  });
});

describe('control API over HTTP', () => {
  it('inspects tasks, files, sessions, messages and the request log', async () => {
    const task = await schedule(env.alice, 'core:text2text', { input: 'count me' });
    await env.alice.put(`${CHAT}/new_session`, { json: { timestamp: 1 } });
    const state = (await (await fetch(`${env.emu.url}/__emulator/state`)).json()) as {
      tasks: ReturnType<EmulatorControl['tasks']>;
      sessions: ReturnType<EmulatorControl['sessions']>;
      files: ReturnType<EmulatorControl['files']>;
    };
    expect(state.tasks.map((t) => t.id)).toEqual([task.id]);
    expect(state.sessions).toHaveLength(1);
    expect(state.files.map((f) => f.owner).sort()).toEqual(['alice', 'bob']);
    const log = (await (await fetch(`${env.emu.url}/__emulator/requests`)).json()) as ReturnType<
      EmulatorControl['requests']
    >;
    expect(log.filter((r) => r.operationId === 'task_processing_api-schedule')).toEqual([
      expect.objectContaining({ method: 'POST', status: 200, user: 'alice' }),
    ]);
    expect(JSON.stringify(log)).not.toContain(env.emu.users[0]!.appPassword);
  });

  it('sets faults, latency, provider timings and resets over HTTP, with clear 400s', async () => {
    const put = (path: string, body: unknown): Promise<Response> =>
      fetch(`${env.emu.url}/__emulator/${path}`, { method: 'PUT', body: JSON.stringify(body) });
    expect((await put('faults', [{ kind: 'status', status: 503, times: 1 }])).status).toBe(200);
    expect((await env.alice.get(TYPES, { raw: true })).status).toBe(503);
    const bad = await put('faults', [{ kind: 'nope' }]);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('kind must be one of');
    expect((await put('providers/core:text2text', { pickupMs: 5, runMs: 5 })).status).toBe(200);
    expect(env.emu.control.providers()['core:text2text']).toEqual({ pickupMs: 5, runMs: 5 });
    expect((await put('providers/core:text2text', { runMs: -1 })).status).toBe(400);
    await schedule(env.alice, 'core:text2text', { input: 'x' });
    expect((await fetch(`${env.emu.url}/__emulator/reset`, { method: 'POST' })).status).toBe(200);
    expect(env.emu.control.tasks()).toEqual([]);
    expect(data<{ tasks: Task[] }>(await env.alice.get(`${TP}/tasks`)).tasks).toEqual([]);
    const unknown = await fetch(`${env.emu.url}/__emulator/nope`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { routes: string[] }).routes.length).toBeGreaterThan(3);
  });
});

describe('options', () => {
  it('refuses non-loopback hosts and bad timings with clear messages', async () => {
    await expect(startEmulator({ host: '0.0.0.0' })).rejects.toThrow(/not a loopback address/);
    await expect(startEmulator({ providers: { 'core:text2text': { pickupMs: -5 } } })).rejects.toThrow(
      /pickupMs must be a number/,
    );
    await expect(startEmulator({ users: [{ user: 'a b' }] })).rejects.toThrow(/user name "a b" is invalid/);
  });

  it('uses the given users and app passwords', async () => {
    const emu = await startEmulator({ users: [{ user: 'carol', appPassword: 'carol-app' }] });
    try {
      expect(emu.users).toEqual([{ user: 'carol', appPassword: 'carol-app', password: 'carol-login' }]);
      const res = await fetch(`${emu.url}${CHAT}/sessions`, {
        headers: { Authorization: 'Bearer carol-app' },
      });
      expect(res.status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});
