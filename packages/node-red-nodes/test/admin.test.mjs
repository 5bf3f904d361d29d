// The editor's task-type endpoint: which credentials it uses, and that it needs the editor's permission.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import path from 'node:path';
import {
  helper,
  loadNode,
  startTestEmulator,
  require,
  USER,
  APP_PASSWORD,
  runtimeName,
} from './support/harness.mjs';

const { launchNodeRed } = require('../../scripts/launch.js');

let emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator.close();
});
afterEach(async () => {
  await helper.unload();
});

const ROUTE = '/f7cloud-assistant/task-types';

describe('task types for the editor (test helper runtime)', () => {
  it('answers with the deployed config node credentials and URL', async () => {
    await loadNode(emulator.url, { type: 'f7cloud-task', operation: 'getTypes' });
    emulator.control.clearRequests();
    const res = await helper
      .request()
      .post(ROUTE)
      .send({ server: 'srv', url: 'http://127.0.0.2:9' })
      .expect(200);
    expect(res.body.taskTypes.map((t) => t.id)).toContain('core:text2text:summary');
    // the URL typed into the dialog did not receive the stored credentials: the deployed node's URL did
    expect(emulator.control.requests().some((r) => r.user === USER)).toBe(true);
  });

  it('answers with credentials typed into the open dialog', async () => {
    await loadNode(emulator.url, { type: 'f7cloud-task', operation: 'getTypes' });
    const res = await helper
      .request()
      .post(ROUTE)
      .send({ url: emulator.url, user: USER, appPassword: APP_PASSWORD })
      .expect(200);
    expect(res.body.taskTypes.length).toBeGreaterThan(3);
  });

  it('refuses without a deployed config node or typed credentials, and never echoes a password', async () => {
    await loadNode(emulator.url, { type: 'f7cloud-task', operation: 'getTypes' });
    const none = await helper.request().post(ROUTE).send({ server: 'not-deployed' }).expect(400);
    expect(none.body.error).toContain('Select a deployed f7cloud server config');
    const bad = await helper
      .request()
      .post(ROUTE)
      .send({ url: emulator.url, user: USER, appPassword: 'typed-wrong-secret' })
      .expect(502);
    expect(bad.body.code).toBe('auth');
    expect(JSON.stringify(bad.body)).not.toContain('typed-wrong-secret');
    const badUrl = await helper
      .request()
      .post(ROUTE)
      .send({ url: 'ftp://x', user: USER, appPassword: 'p4ssword' })
      .expect(400);
    // core's wording for a URL it cannot use, and that nothing was sent
    expect(badUrl.body.error).toContain('must start with https:// or http://');
    expect(badUrl.body.error).toContain('Nothing was sent');
  });
});

describe('task types for the editor (embedded Node-RED with adminAuth)', () => {
  // Seen twice on a loaded machine after a first green run: the logged-in call answered 400 (config not
  // usable yet). Cause not found yet; a fresh runtime is started for each retry.
  it('refuses an unauthenticated call and answers a logged-in editor', { retry: 2 }, async () => {
    const bcrypt = require(
      require.resolve('bcryptjs', { paths: [path.dirname(require.resolve(runtimeName))] }),
    );
    const nodeRed = await launchNodeRed({
      adminAuth: {
        type: 'credentials',
        users: [{ username: 'admin', password: bcrypt.hashSync('editor-pass', 8), permissions: '*' }],
      },
      flows: [
        {
          id: 'srv',
          type: 'f7cloud-server',
          url: emulator.url,
          rejectUnauthorized: true,
          credentials: { user: USER, appPassword: APP_PASSWORD },
        },
      ],
    });
    try {
      // the runtime follows the Node version: 5.x needs Node >= 22.9, older Node runs 4.1
      const [major, minor] = process.versions.node.split('.').map(Number);
      expect(nodeRed.version).toMatch(major > 22 || (major === 22 && minor >= 9) ? /^5\./ : /^4\.1\./);
      const url = new URL(ROUTE.slice(1), nodeRed.url);
      const body = JSON.stringify({ server: 'srv' });
      const headers = { 'content-type': 'application/json' };
      const anonymous = await fetch(url, { method: 'POST', headers, body });
      expect(anonymous.status).toBe(401);

      const tokenRes = await fetch(new URL('auth/token', nodeRed.url), {
        method: 'POST',
        headers,
        body: JSON.stringify({
          client_id: 'node-red-editor',
          grant_type: 'password',
          scope: '*',
          username: 'admin',
          password: 'editor-pass',
        }),
      });
      const { access_token: token } = await tokenRes.json();
      const authed = await fetch(url, {
        method: 'POST',
        headers: { ...headers, authorization: `Bearer ${token}` },
        body,
      });
      expect(authed.status).toBe(200);
      expect((await authed.json()).taskTypes.map((t) => t.id)).toContain('core:text2text:summary');
    } finally {
      await nodeRed.stop();
    }
  });
});
