import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API,
  CHAT,
  Client,
  data,
  startTestEmulator,
  TP,
  type Ocs,
  type Schemas,
  type TestEnv,
} from './helpers.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEmulator();
});
afterAll(() => env.emu.close());

describe('request framing like real servers', () => {
  it('answers 412 CSRF check failed (plain JSON) without OCS-APIRequest, except on task-types', async () => {
    const res = await env.alice.get(`${API}/tasks`, { ocs: false });
    expect(res.status).toBe(412);
    expect(res.contentType).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({ message: 'CSRF check failed' });
    expect((await env.alice.get(`${CHAT}/sessions`, { ocs: false })).status).toBe(412);
    expect((await env.alice.get(`${API}/task-types`, { ocs: false })).status).toBe(200);
  });

  it('skips the CSRF check for Bearer tokens', async () => {
    const bearer = new Client(env.emu.url, { token: env.emu.users[0]!.appPassword });
    const res = await bearer.get(`${CHAT}/sessions`, { ocs: false });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('answers 401 with the OCS envelope when not logged in, also on chat routes', async () => {
    for (const path of [`${API}/task-types`, `${CHAT}/sessions`]) {
      const res = await env.anon.get(path);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        ocs: {
          meta: { status: 'failure', statuscode: 997, message: 'Current user is not logged in' },
          data: [],
        },
      });
    }
  });

  it('answers a wrong password with 401 XML and WWW-Authenticate, and never echoes the password', async () => {
    const wrong = new Client(env.emu.url, { user: 'alice', password: 'not-the-password' });
    const res = await wrong.get(`${API}/task-types`);
    expect(res.status).toBe(401);
    expect(res.contentType).toBe('text/xml; charset=UTF-8');
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="Authorisation Required"');
    expect(res.text).toContain('<statuscode>997</statuscode>');
    expect(res.text).not.toContain('not-the-password');
  });

  it('accepts the login password over Basic auth and Bearer app passwords', async () => {
    const login = new Client(env.emu.url, { user: 'alice', password: env.emu.users[0]!.password! });
    expect((await login.get(`${CHAT}/sessions`)).status).toBe(200);
    const bad = new Client(env.emu.url, { token: 'nope' });
    expect((await bad.get(`${API}/task-types`)).status).toBe(401);
  });

  it('answers XML unless JSON is asked for exactly', async () => {
    const xml = await env.alice.get(`${API}/task-types`, { accept: '*/*' });
    expect(xml.contentType).toBe('application/xml; charset=utf-8');
    expect(xml.text).toMatch(/^<\?xml version="1.0"\?>\n<ocs>\n <meta>\n  <status>ok<\/status>/);
    const charset = await env.alice.get(`${API}/task-types`, { accept: 'application/json; charset=utf-8' });
    expect(charset.contentType).toContain('xml');
    const query = await env.alice.get(`${API}/task-types`, { accept: '*/*', query: { format: 'json' } });
    expect(query.contentType).toBe('application/json; charset=utf-8');
    const forced = await env.alice.get(`${API}/task-types`, { query: { format: 'xml' } });
    expect(forced.contentType).toContain('xml');
    // chat routes are plain JSON whatever Accept says
    expect((await env.alice.get(`${CHAT}/sessions`, { accept: '*/*' })).contentType).toBe(
      'application/json; charset=utf-8',
    );
  });

  it('answers unknown routes and API versions with 404 / 998 XML, wrong methods with 405', async () => {
    for (const path of [`${API}/nope`, '/ocs/v2.php/apps/assistant/api/v2/task-types']) {
      const res = await env.alice.get(path);
      expect(res.status).toBe(404);
      expect(res.contentType).toBe('text/xml; charset=UTF-8');
      expect(res.text).toContain('<statuscode>998</statuscode>');
    }
    const json = await env.alice.get(`${API}/nope`, { query: { format: 'json' } });
    expect((json.body as Ocs).ocs.meta.statuscode).toBe(998);
    expect((await env.alice.post(`${CHAT}/sessions`)).status).toBe(405);
  });

  it('serves OCS v1 with statuscode 100 and failures inside a 200', async () => {
    const ok = await env.alice.get('/ocs/v1.php/apps/assistant/api/v1/task-types');
    expect(ok.status).toBe(200);
    expect((ok.body as Ocs).ocs.meta).toEqual({
      status: 'ok',
      statuscode: 100,
      message: 'OK',
      totalitems: '',
      itemsperpage: '',
    });
    const bad = await env.alice.post('/ocs/v1.php/apps/assistant/api/v1/parse-file', { json: {} });
    expect(bad.status).toBe(200);
    expect((bad.body as Ocs).ocs.meta.statuscode).toBe(400);
    expect((bad.body as Ocs).ocs.data).toBe('Invalid parameters');
  });

  it('crashes like PHP (500 / 996 XML) on invalid JSON and missing parameters', async () => {
    const res = await env.alice.put(`${CHAT}/new_message`, {
      body: '{"sessionId": ',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(500);
    expect(res.contentType).toBe('text/xml; charset=UTF-8');
    expect(res.text).toContain('<statuscode>996</statuscode>');
    expect((await env.alice.put(`${CHAT}/new_session`, { json: {} })).status).toBe(500);
  });

  it('publishes capabilities with the assistant enabled, and status.php', async () => {
    const caps = data<{ capabilities: Record<string, unknown> }>(
      await env.anon.get('/ocs/v2.php/cloud/capabilities'),
    );
    expect(caps.capabilities.assistant).toEqual({ version: '2.13.0', enabled: true });
    const status = await env.anon.get('/status.php', { ocs: false });
    expect(status.body).toMatchObject({ installed: true, maintenance: false });
  });

  it('exchanges a login password for the app password, but not an app password', async () => {
    const login = new Client(env.emu.url, { user: 'bob', password: env.emu.users[1]!.password! });
    expect(
      data<{ apppassword: string }>(await login.get('/ocs/v2.php/core/getapppassword')).apppassword,
    ).toBe(env.emu.users[1]!.appPassword);
    expect((await env.bob.get('/ocs/v2.php/core/getapppassword')).status).toBe(403);
  });

  it('lists task types: the chat type hidden behind the virtual chatty-llm, empty maps as []', async () => {
    const types = data<{ types: Schemas['TaskProcessingTaskType'][] }>(
      await env.alice.get(`${API}/task-types`),
    ).types;
    const ids = types.map((t) => t.id);
    expect(ids).toContain('chatty-llm');
    expect(ids).not.toContain('core:text2text:chat');
    for (const id of [
      'core:text2text',
      'core:text2text:summary',
      'core:text2text:headline',
      'core:text2text:translate',
      'core:text2image',
      'core:audio2text',
      'core:text2speech',
    ]) {
      expect(ids).toContain(id);
    }
    expect(types.find((t) => t.id === 'core:audio2text')?.optionalInputShape).toEqual([]);
    const core = data<{ types: Record<string, Schemas['CoreTaskProcessingTaskType']> }>(
      await env.alice.get(`${TP}/tasktypes`),
    ).types;
    expect(Object.keys(core)).toContain('core:text2text:chat');
    expect(core['core:audio2text']?.optionalInputShape).toEqual({});
  });
});
