// The f7cloud-server config node's TLS settings in the real Node-RED runtime, against the emulator over
// HTTPS with a self-signed certificate made by openssl: rejected by default with a message that tells the
// user what to do, accepted with the CA pasted into the config node or with "Reject unauthorized" unticked.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import {
  helper,
  ALL_NODES,
  USER,
  APP_PASSWORD as HARNESS_PASSWORD,
  runtimeName,
  require,
} from './support/harness.mjs';

// Node-RED's own tls-config node, from the runtime under test
const tlsConfigNode = createRequire(require.resolve(runtimeName))('@node-red/nodes/core/network/05-tls.js');

const APP_PASSWORD = process.env.F7CLOUD_CANARY || HARNESS_PASSWORD;
let dir;
let cert;
let emulator;

function selfSigned(name) {
  const key = join(dir, `${name}.key.pem`);
  const crt = join(dir, `${name}.cert.pem`);
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
      ...['-subj', `/CN=127.0.0.1 ${name}`, '-addext', 'subjectAltName=IP:127.0.0.1'],
      ...['-keyout', key, '-out', crt],
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(crt, 'utf8') };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'f7cloud-node-red-tls-'));
  const server = selfSigned('server');
  cert = server.cert;
  const { startEmulator } = await import('@f7cloud/assistant-emulator');
  emulator = await startEmulator({
    port: 0,
    tls: server,
    users: [{ user: USER, appPassword: APP_PASSWORD }],
  });
});
afterAll(async () => {
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await helper.unload();
});

/**
 * A task node listing task types through a config node with the given TLS settings; `tlsConfig` adds
 * Node-RED's tls-config node (with its CA as uploaded data, a credential) and points the config node at it.
 */
async function listTypes(tls, tlsConfig) {
  const flow = [
    { id: 'tab', type: 'tab', label: 'tls' },
    { id: 'srv', type: 'f7cloud-server', url: emulator.url, ...tls, ...(tlsConfig ? { tls: 'tlscfg' } : {}) },
    ...(tlsConfig
      ? [
          {
            id: 'tlscfg',
            type: 'tls-config',
            cert: '',
            key: '',
            ca: '',
            caname: tlsConfig.ca ? 'ca.pem' : '',
            verifyservercert: tlsConfig.verify,
          },
        ]
      : []),
    { id: 'n1', z: 'tab', type: 'f7cloud-task', server: 'srv', operation: 'getTypes', wires: [['out']] },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
  const credentials = { srv: { user: USER, appPassword: APP_PASSWORD } };
  if (tlsConfig?.ca) credentials.tlscfg = { cadata: tlsConfig.ca };
  await helper.load([...ALL_NODES, tlsConfigNode], flow, credentials);
  const result = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no output and no error within 20 s')), 20_000);
    helper.getNode('out').once('input', (msg) => (clearTimeout(timer), resolve({ msg })));
    helper
      .getNode('caught')
      .once('input', (msg) => (clearTimeout(timer), resolve({ msg, error: msg.error })));
    helper.getNode('n1').receive({ payload: 'go' });
  });
  const n1 = helper.getNode('n1');
  const badges = n1.status
    .getCalls()
    .filter((call) => call.thisValue === n1)
    .map((call) => call.args[0]);
  return { ...result, badges };
}

describe('f7cloud-server config node over HTTPS with a self-signed certificate', () => {
  it('rejects the certificate by default and tells the user to add the CA', async () => {
    const { msg, error, badges } = await listTypes({ rejectUnauthorized: true, ca: '' });
    expect(error).toBeDefined();
    expect(msg.assistantError.code).toBe('tls');
    // core's one wording: the cause, then what to do
    expect(error.message).toContain('is not trusted');
    expect(error.message).toContain('configure its CA certificate');
    expect(badges.at(-1)).toMatchObject({ fill: 'red' });
    expect(JSON.stringify(msg)).not.toContain(APP_PASSWORD);
  });

  it("uses Node-RED's tls-config node: its CA is trusted, verification on without one", async () => {
    const withCa = await listTypes({}, { ca: cert, verify: true });
    expect(withCa.error).toBeUndefined();
    expect(withCa.msg.payload.map((t) => t.id)).toContain('core:text2text');
    await helper.unload();
    const noCa = await listTypes({}, { verify: true });
    expect(noCa.msg.assistantError.code).toBe('tls');
    expect(noCa.error.message).toContain('configure its CA certificate');
    await helper.unload();
    const noVerify = await listTypes({}, { verify: false });
    expect(noVerify.error).toBeUndefined();
  });

  it('a tls-config node replaces the old fields: its verification applies, not theirs', async () => {
    const { msg } = await listTypes({ rejectUnauthorized: false, ca: '' }, { verify: true });
    expect(msg.assistantError.code).toBe('tls');
  });

  // flows saved before the tls-config node carry rejectUnauthorized and ca on the config node itself
  it('a flow saved with the old fields: accepts the certificate with its CA pasted into the config node', async () => {
    const { msg, error } = await listTypes({ rejectUnauthorized: true, ca: cert });
    expect(error).toBeUndefined();
    expect(msg.payload.map((t) => t.id)).toContain('core:text2text');
  });

  it('a flow saved with the old fields: accepts the certificate with "Reject unauthorized" unticked', async () => {
    const { msg, error } = await listTypes({ rejectUnauthorized: false, ca: '' });
    expect(error).toBeUndefined();
    expect(msg.payload.map((t) => t.id)).toContain('core:text2text:summary');
  });

  it("the editor's task-type lookup follows the dialog's TLS settings", async () => {
    await listTypes({ rejectUnauthorized: false, ca: '' });
    const ask = (tls) =>
      helper
        .request()
        .post('/f7cloud-assistant/task-types')
        .send({ url: emulator.url, user: USER, appPassword: APP_PASSWORD, ...tls });
    const strict = await ask({ rejectUnauthorized: true, ca: '' }).expect(502);
    expect(strict.body.code).toBe('tls');
    expect(strict.body.error).toContain('configure its CA certificate');
    expect(JSON.stringify(strict.body)).not.toContain(APP_PASSWORD);
    const withCa = await ask({ rejectUnauthorized: true, ca: cert }).expect(200);
    expect(withCa.body.taskTypes.map((t) => t.id)).toContain('core:text2text');
    // a tls-config node chosen in the dialog but not deployed yet: what the dialog knows of it
    const undeployed = await ask({ tls: 'new-tls', tlsTyped: { rejectUnauthorized: true, ca: cert } }).expect(
      200,
    );
    expect(undeployed.body.host).toBe(new URL(emulator.url).host);
    const refused = await ask({ tls: 'new-tls', tlsTyped: { rejectUnauthorized: true, ca: '' } }).expect(502);
    expect(refused.body.headline).toBe(`The TLS certificate of ${new URL(emulator.url).host} was refused.`);
    expect(refused.body.hint).toContain('configure its CA certificate');
  });
});
