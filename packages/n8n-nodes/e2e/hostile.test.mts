// Real n8n 2.41.1 against a hostile server on 127.0.0.1 (in front of the emulator): a redirect to a second
// loopback port, a 500 that echoes the Authorization header, a file name that climbs out of its folder. The
// app password must not reach the second server, n8n's execution record, nor n8n's database.
import { createNodeClient } from '@f7cloud/assistant-client/node';
import { startEmulator, type RunningEmulator } from '@f7cloud/assistant-emulator';
import { writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createN8n, installN8n, nodeOutput, type N8nExecution, type N8nInstance } from './harness.mjs';

// scripts/canary.mjs sets F7CLOUD_CANARY and searches all output, n8n's files and the exports below for it.
const PASSWORD = process.env.F7CLOUD_CANARY ?? 'Canary-hostile-e2e-8Wq3-Secret';
const FORMS = [PASSWORD, `alice:${PASSWORD}`, Buffer.from(`alice:${PASSWORD}`).toString('base64')];
const CREDENTIAL_ID = 'f7cloudHostile01';

type Mode = 'proxy' | 'redirect-away' | 'echo' | 'evil-name';
let mode: Mode = 'proxy';
let emulator: RunningEmulator;
let n8n: N8nInstance;
let hostile: http.Server;
let other: http.Server;
let otherUrl: string;
const reachedOther: http.IncomingHttpHeaders[] = [];

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !['host', 'connection', 'content-length'].includes(name))
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const answer = await fetch(emulator.url + (req.url ?? '/'), {
    method: req.method ?? 'GET',
    headers,
    ...(body.length > 0 ? { body: new Uint8Array(body) } : {}),
  });
  const out: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name))
      out[name] = value;
  });
  if (mode === 'evil-name' && out['content-disposition'])
    out['content-disposition'] = 'attachment; filename="../../../../tmp/evil.sh"';
  res.writeHead(answer.status, out).end(Buffer.from(await answer.arrayBuffer()));
}

function hostileServer() {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (mode === 'redirect-away') {
        res.writeHead(302, { location: `${otherUrl}/collect${req.url ?? '/'}` }).end();
      } else if (mode === 'echo') {
        const auth = String(req.headers.authorization ?? '');
        const decoded = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString();
        res.writeHead(500, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            ocs: {
              meta: { status: 'failure', statuscode: 500, message: `proxy saw ${auth} (${decoded})` },
              data: { headers: req.headers },
            },
          }),
        );
      } else {
        void forward(req, res, Buffer.concat(chunks));
      }
    });
  });
}

function workflow(id: string, node: Record<string, unknown>, onError?: string) {
  return {
    id,
    name: `e2e hostile ${id}`,
    active: false,
    settings: { executionOrder: 'v1' },
    nodes: [
      {
        id: 'h1',
        name: 'Start',
        type: 'n8n-nodes-base.manualTrigger',
        typeVersion: 1,
        position: [0, 0],
        parameters: {},
      },
      {
        id: 'h2',
        name: 'Assistant',
        type: 'CUSTOM.f7CloudAssistant',
        typeVersion: 1,
        position: [220, 0],
        ...(onError ? { onError } : {}),
        credentials: { f7CloudAssistantApi: { id: CREDENTIAL_ID, name: 'hostile server' } },
        parameters: node,
      },
    ],
    connections: { Start: { main: [[{ node: 'Assistant', type: 'main', index: 0 }]] } },
  };
}

/** Under scripts/canary.mjs: what the user and the other host saw, for the canary's own search. */
function exportForCanary(name: string, text: unknown): void {
  const dir = process.env.F7CLOUD_CANARY_ARTIFACTS;
  if (dir)
    writeFileSync(path.join(dir, `${name}.json`), typeof text === 'string' ? text : JSON.stringify(text));
}

async function run(wf: ReturnType<typeof workflow>): Promise<{ execution: N8nExecution; text: string }> {
  await n8n.importWorkflow(wf);
  const execution = await n8n.execute(wf.id);
  const text = JSON.stringify(execution);
  exportForCanary(`n8n-e2e-${wf.id}`, text);
  for (const form of FORMS) expect(text).not.toContain(form);
  return { execution, text };
}

/** n8n's database files (sqlite and its journal), as raw bytes: what a backup or a DB reader sees. */
async function database(): Promise<Buffer> {
  const dir = path.join(n8n.home, '.n8n');
  const files = (await readdir(dir)).filter((name) => name.startsWith('database.sqlite'));
  return Buffer.concat(await Promise.all(files.map(async (name) => await readFile(path.join(dir, name)))));
}

const getTypes = { resource: 'task', operation: 'getTypes', simplify: true };
const schedule = {
  resource: 'task',
  operation: 'run',
  taskType: 'core:text2text',
  inputs: {
    mappingMode: 'defineBelow',
    value: { input: 'Hello' },
    matchingColumns: [],
    schema: [
      {
        id: 'input',
        displayName: 'Text',
        required: true,
        defaultMatch: false,
        display: true,
        type: 'string',
      },
    ],
    attemptToConvertTypes: false,
    convertFieldsToString: false,
  },
  waitMode: 'noWait',
  options: {},
};

beforeAll(async () => {
  const bin = installN8n();
  emulator = await startEmulator({ port: 0, users: [{ user: 'alice', appPassword: PASSWORD }] });
  other = http.createServer((req, res) => {
    reachedOther.push(req.headers);
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ocs":{"data":{"types":{}}}}');
  });
  otherUrl = await listen(other);
  hostile = hostileServer();
  const hostileUrl = await listen(hostile);
  n8n = await createN8n(bin);
  await n8n.importCredential({
    id: CREDENTIAL_ID,
    name: 'hostile server',
    type: 'f7CloudAssistantApi',
    data: { serverUrl: hostileUrl, user: 'alice', appPassword: PASSWORD, ignoreSslIssues: false },
  });
}, 600_000);

afterAll(async () => {
  await n8n?.dispose();
  await new Promise((r) => hostile?.close(r));
  await new Promise((r) => other?.close(r));
  await emulator?.close();
});

beforeEach(() => {
  mode = 'proxy';
  reachedOther.length = 0;
});

describe('real n8n against a hostile server', () => {
  it('hostile redirect: a redirect to another port is refused, that server receives no credential', async () => {
    mode = 'redirect-away';
    const { execution } = await run(workflow('hostileRedirect1', getTypes));
    expect(execution.status).toBe('error');
    const error = execution.data.resultData.error;
    expect(error?.message).toContain(`to ${new URL(otherUrl).host}`);
    expect(error?.message).toContain('nothing was sent there');
    // nothing at all reached the other server, so certainly no Authorization header
    exportForCanary('n8n-e2e-redirect-other-host', reachedOther);
    expect(reachedOther).toEqual([]);
  });

  it('hostile echo: a 500 echoing the Authorization header leaves no secret in the execution or the database', async () => {
    mode = 'echo';
    const stopped = await run(workflow('hostileEcho01', getTypes));
    expect(stopped.execution.status).toBe('error');
    const continued = await run(workflow('hostileEcho02', schedule, 'continueRegularOutput'));
    const [item] = nodeOutput(continued.execution, 'Assistant');
    expect(String(item?.json.error)).toMatch(/\S/);
    // the server's text was kept, with the secret replaced
    expect(stopped.text + continued.text).toContain('[redacted]');
    const db = await database();
    expect(db.includes(Buffer.from('[redacted]'))).toBe(true);
    for (const form of FORMS) expect(db.includes(Buffer.from(form))).toBe(false);
  });

  it('hostile file name: "../../../../tmp/evil.sh" arrives as the binary file name evil.sh', async () => {
    const client = createNodeClient({
      baseUrl: emulator.url,
      auth: { user: 'alice', appPassword: PASSWORD },
    });
    const { fileId } = await client.files.uploadInput(new TextEncoder().encode('echo owned'), {
      filename: 'evil.sh',
    });
    mode = 'evil-name';
    const { execution } = await run(
      workflow('hostileFileName', {
        resource: 'file',
        operation: 'download',
        fileId: String(fileId),
        binaryPropertyName: 'data',
      }),
    );
    expect(execution.status).toBe('success');
    const [item] = nodeOutput(execution, 'Assistant');
    expect(item?.binary?.data?.fileName).toBe('evil.sh');
  });
});
