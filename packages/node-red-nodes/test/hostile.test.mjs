// Our nodes in the real Node-RED runtime against a hostile server on 127.0.0.1: it redirects to a second
// loopback port (another origin: the credential must not follow), answers 500 echoing the Authorization
// header (no form of the password may reach node.error, msg, status badges or the log), and names files
// "../../…" (msg.filename stays a safe base name). Also: the one-time warning for plain http:// to a host
// that is not loopback, in the log and in the config dialog.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { helper, loadNode, send, statuses, require, USER, APP_PASSWORD } from './support/harness.mjs';

const { credentialSecrets, insecureHttpWarning, APP_PASSWORD_ADVICE } = require('@f7cloud/assistant-client');

/** Every form of the credential: the app password, user:password and the Basic token. */
const FORMS = credentialSecrets({ user: USER, appPassword: APP_PASSWORD });

/** @param {(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void} handler */
async function listen(handler) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: body.toString('latin1'),
      });
      handler(req, res, body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

let hostile;
let other;
/** what the hostile server does: 'redirect' | 'echo' | 'names' */
let mode = 'redirect';

function echo(req, res) {
  const auth = String(req.headers.authorization || '');
  const decoded = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString('utf8');
  const text = `upstream failed for ${auth} (${decoded}), password ${decoded.split(':')[1]}`;
  if (req.url.includes('/task-types') || req.url.includes('/tasktypes')) {
    res.writeHead(500, { 'content-type': 'application/json', 'x-echo': auth });
    res.end(
      JSON.stringify({
        ocs: { meta: { status: 'failure', statuscode: 500, message: text }, data: { text } },
      }),
    );
  } else {
    res.writeHead(500, { 'content-type': 'text/plain', 'x-echo': auth });
    res.end(text);
  }
}

const EVIL = {
  // the plain form, the RFC 5987 form and Windows separators with a control character
  display: 'attachment; filename="../../../../tmp/evil.sh"',
  output: "attachment; filename*=UTF-8''..%2F..%2F.ssh%2Fauthorized_keys",
  stream: "attachment; filename*=UTF-8''%2E%2E%5C%2E%2E%5Cevil%07.bat",
};

function names(req, res) {
  const { pathname } = new URL(req.url, 'http://x');
  const display = /\/file\/(\d+)\/display$/.exec(pathname);
  const output = /\/output-file\/\d+\/download$/.test(pathname);
  if (!display && !output) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{}');
    return;
  }
  const disposition = output ? EVIL.output : display[1] === '7' ? EVIL.stream : EVIL.display;
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': disposition });
  res.end('#!/bin/sh\necho pwned\n');
}

beforeAll(async () => {
  other = await listen((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ocs: { meta: { status: 'ok', statuscode: 200 }, data: { types: {} } } }));
  });
  hostile = await listen((req, res) => {
    if (mode === 'echo') return echo(req, res);
    if (mode === 'names') return names(req, res);
    res.writeHead(req.method === 'GET' ? 302 : 307, { location: `${other.url}${req.url}` });
    res.end();
  });
});
afterAll(async () => {
  await hostile?.close();
  await other?.close();
});
afterEach(async () => {
  await helper.unload();
});

/** Everything a user or an admin could see: the message at the output or Catch node, badges, the log. */
function visible(result) {
  return JSON.stringify(
    { msg: result.msg, error: result.error, statuses: statuses(), log: helper.log().args.map((a) => a[0]) },
    (_key, value) => (value instanceof Error ? `${value.message}\n${value.stack}` : value),
  );
}

/** Under scripts/canary.mjs: what the user and the other host saw, for the canary's own search. */
function exportForCanary(name, value) {
  const dir = process.env.F7CLOUD_CANARY_ARTIFACTS;
  if (dir) fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(value));
}

function expectNoSecret(text) {
  for (const form of FORMS) expect(text).not.toContain(form);
}

describe('a server that redirects to another origin', () => {
  it('never sends the credential to the second port, for a read and for an upload', async () => {
    mode = 'redirect';
    const seen = [];
    await loadNode(hostile.url, { type: 'f7cloud-task', operation: 'getTypes' });
    seen.push(await send({}));
    await helper.unload();
    await loadNode(hostile.url, { type: 'f7cloud-file', operation: 'upload', path: 'Docs/x.md' });
    seen.push(await send({ payload: Buffer.from('# x\n') }));

    exportForCanary('node-red-redirect-other-host', { other: other.requests, seen: seen.map(visible) });
    expect(hostile.requests.some((r) => r.headers.authorization)).toBe(true);
    for (const request of other.requests) {
      expect(request.headers.authorization).toBeUndefined();
      expectNoSecret(JSON.stringify(request));
    }
    for (const result of seen) expectNoSecret(visible(result));
  });
});

describe('a server that echoes the Authorization header in a 500', () => {
  it('keeps every form of the password out of node.error, msg, the badge and the log', async () => {
    mode = 'echo';
    const results = [];
    for (const node of [
      { type: 'f7cloud-task', operation: 'getTypes' },
      { type: 'f7cloud-task', operation: 'get', taskId: '5' },
      { type: 'f7cloud-chat', operation: 'createSession', title: 'x' },
    ]) {
      await loadNode(hostile.url, node);
      const result = await send({});
      expect(result.error, JSON.stringify(result.msg)).toBeDefined();
      expect(result.msg.assistantError.code).toBe('server');
      results.push({ result, text: visible(result) });
      await helper.unload();
    }
    // the server did get the credential, and said it back
    expect(hostile.requests.filter((r) => r.headers.authorization).length).toBeGreaterThanOrEqual(3);
    exportForCanary(
      'node-red-echo',
      results.map((r) => r.text),
    );
    for (const { text } of results) expectNoSecret(text);
  });
});

describe('a server that names files "../../…"', () => {
  it('gives msg.filename as a safe base name for buffered and streamed downloads', async () => {
    mode = 'names';
    const filenames = [];
    await loadNode(hostile.url, { type: 'f7cloud-file', operation: 'download' });
    filenames.push((await send({ fileId: 5 })).msg.filename);
    await helper.unload();
    await loadNode(hostile.url, { type: 'f7cloud-file', operation: 'download', stream: true });
    const streamed = await send({ fileId: 7 });
    streamed.msg.payload.resume();
    filenames.push(streamed.msg.filename);
    await helper.unload();
    await loadNode(hostile.url, { type: 'f7cloud-task', operation: 'downloadOutputFile' });
    filenames.push((await send({ taskId: 3, fileId: 9 })).msg.filename);

    expect(filenames).toEqual(['evil.sh', 'evil.bat', 'authorized_keys']);
    for (const name of filenames) {
      expect(path.basename(name)).toBe(name);
      expect(name).not.toMatch(/[\\/]|^\./);
      // no control characters (a newline or NUL in a file name)
      expect([...name].filter((c) => c.charCodeAt(0) < 0x20)).toEqual([]);
    }
  });
});

describe('plain http:// to a host that is not loopback', () => {
  it('warns once on the config node, in the log', async () => {
    // 0.0.0.0 is not a loopback name, yet a connection to it stays on this machine (and is refused here)
    const url = `http://0.0.0.0:${hostile.port + 1}`;
    const warning = insecureHttpWarning(url);
    expect(warning).toContain('Use https://');
    await loadNode(url, { type: 'f7cloud-task', operation: 'getTypes' });
    await send({});
    await send({});
    const warnings = helper
      .log()
      .args.map((a) => a[0])
      .filter((entry) => entry.level === helper.log().WARN || entry.level === 30)
      .filter((entry) => String(entry.msg).includes('plain http://'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ type: 'f7cloud-server', msg: warning });
  });

  it("shows core's warning and app password advice in the config dialog", async () => {
    await loadNode(hostile.url, { type: 'f7cloud-task', operation: 'getTypes' });
    const hints = (url) => helper.request().post('/f7cloud-assistant/config-hints').send({ url }).expect(200);
    const insecure = await hints('http://cloud.example.com');
    expect(insecure.body).toEqual({
      insecureHttp: insecureHttpWarning('http://cloud.example.com'),
      appPasswordAdvice: APP_PASSWORD_ADVICE,
    });
    expect(insecure.body.insecureHttp).toContain('cloud.example.com');
    expect((await hints('https://cloud.example.com')).body.insecureHttp).toBeNull();
    expect((await hints('http://127.0.0.1:8080')).body.insecureHttp).toBeNull();
  });
});
