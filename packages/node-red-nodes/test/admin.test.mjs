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
    // each refusal says which check failed, and that nothing was sent
    const refusals = {
      '': 'No f7cloud server config is selected',
      'not-deployed': 'The f7cloud server config not-deployed is not deployed yet: deploy it',
      n1: 'Node n1 is a f7cloud-task, not an f7cloud server config',
    };
    for (const [server, text] of Object.entries(refusals)) {
      const refused = await helper.request().post(ROUTE).send({ server }).expect(400);
      expect({ server, code: refused.body.code, error: refused.body.error }).toEqual({
        server,
        code: 'invalid_config',
        error: expect.stringContaining(text),
      });
      expect(refused.body.error).toMatch(/nothing was sent/i);
    }
    // a deployed config node without its credentials
    await helper.unload();
    await loadNode(emulator.url, { type: 'f7cloud-task', operation: 'getTypes' }, { appPassword: '' });
    const noPassword = await helper.request().post(ROUTE).send({ server: 'srv' }).expect(400);
    expect(noPassword.body.error).toContain('has no app password');
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
  it('refuses an unauthenticated call and answers a logged-in editor', async () => {
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
      const answer = await authed.json();
      // the whole answer, so a failure says which check refused
      expect({ status: authed.status, error: answer.error }).toEqual({ status: 200, error: undefined });
      expect(answer.taskTypes.map((t) => t.id)).toContain('core:text2text:summary');
    } finally {
      await nodeRed.stop();
    }
  });
});

describe('task types for the editor (embedded Node-RED on a slow disk)', () => {
  // RED.start() resolves before the runtime has read its flow and credentials files. A deploy that raced
  // that read lost: the credentials file as it was at start (empty) replaced the deployed node's, and the
  // endpoint answered 400 "has no user" (or the node never started). A slow disk makes that read finish late.
  it('answers with the deployed config node although Node-RED read its files late at start', async () => {
    const runtimeDir = path.dirname(require.resolve(runtimeName));
    const fsExtra = require(
      require.resolve('fs-extra', {
        paths: [path.dirname(require.resolve('@node-red/runtime/package.json', { paths: [runtimeDir] }))],
      }),
    );
    const readFile = fsExtra.readFile;
    // what was on disk when the read began, delivered 300 ms later
    fsExtra.readFile = function (file, ...rest) {
      const done = rest.pop();
      if (!/flows(_cred)?\.json$/.test(String(file))) return readFile.call(fsExtra, file, ...rest, done);
      readFile.call(fsExtra, file, ...rest, (...result) => setTimeout(() => done(...result), 300));
    };
    let nodeRed;
    try {
      nodeRed = await launchNodeRed({
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
    } finally {
      fsExtra.readFile = readFile;
    }
    try {
      const res = await fetch(new URL(ROUTE.slice(1), nodeRed.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ server: 'srv' }),
      });
      const answer = await res.json();
      expect({ status: res.status, error: answer.error }).toEqual({ status: 200, error: undefined });
      expect(answer.taskTypes.map((t) => t.id)).toContain('core:text2text:summary');
    } finally {
      await nodeRed.stop();
    }
  });
});
