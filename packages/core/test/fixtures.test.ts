// Every exchange recorded from a real server, replayed through the client: the client must send the same
// kind of request, and turn the recorded answer into typed data or the right AssistantError code.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AssistantError, operations, type OperationId } from '../src/index.js';
import spec from '../src/generated/spec.json' with { type: 'json' };
import { succeeded, testClient } from './helpers.js';
import { responseValidator, type SpecDocument } from './spec-schema.js';

const dir = new URL('./fixtures/real-server/', import.meta.url);

interface Fixture {
  name: string;
  request: {
    method: string;
    path: string;
    query: Record<string, unknown>;
    body_type: string | null;
    body: unknown;
  };
  response: {
    status: number;
    headers: [string, string][];
    body: unknown;
    content_type?: string;
    body_size?: number;
    body_encoding?: string;
  };
}

const fixtures: Fixture[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Fixture);

// The recordings are of assistant 2.13 servers: only the contract's operations can be what they show (a POST
// to chat/sessions there is a wrong method, not 3.3's RESTful route).
const templates = Object.entries(operations)
  .filter(([, op]) => op.since === '2.13')
  .map(([id, op]) => {
    const names: string[] = [];
    const pattern = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { id: id as OperationId, op, names, regex: new RegExp(`^${pattern}$`) };
  });

function match(f: Fixture) {
  for (const t of templates) {
    if (t.op.method !== f.request.method) continue;
    const m = t.regex.exec(f.request.path);
    if (!m) continue;
    const path = Object.fromEntries(t.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
    if (path.apiVersion && path.apiVersion !== 'v1') continue;
    return { ...t, path };
  }
  return undefined;
}

function responseBody(f: Fixture): string | Uint8Array | null {
  const { body, body_encoding, body_size } = f.response;
  if (body_encoding === 'binary' || (body === null && body_size))
    return new Uint8Array(body_size ?? 0).fill(7);
  if (body === null || body === undefined) return null;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function params(f: Fixture, path: Record<string, string>) {
  const { body_type, body } = f.request;
  let requestBody: unknown;
  if (body_type === 'json') requestBody = body;
  if (body_type === 'multipart/form-data') {
    const b = body as { fields?: { filename?: string }; files?: Record<string, { size: number }> };
    const file = b.files?.data ?? Object.values(b.files ?? {})[0];
    requestBody = {
      data: new Uint8Array(file?.size ?? 1),
      ...(b.fields?.filename ? { filename: b.fields.filename } : {}),
    };
  }
  const numeric = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);
  return {
    path: Object.fromEntries(Object.entries(path).map(([k, v]) => [k, numeric(v)])),
    query: Object.fromEntries(Object.entries(f.request.query ?? {}).filter(([k]) => k !== 'format')),
    ...(requestBody !== undefined ? { body: requestBody } : {}),
  };
}

/** What a user of the client sees for each recorded answer. */
function expectedCode(f: Fixture): string | 'ok' {
  const { status } = f.response;
  const type = (f.response.content_type ?? '').toLowerCase();
  const text = typeof f.response.body === 'string' ? f.response.body : JSON.stringify(f.response.body ?? '');
  if (status < 300) return type.includes('xml') ? 'not_assistant_server' : 'ok';
  if (status === 401) return 'auth';
  if (status === 404) return text.includes('998') ? 'app_disabled' : 'not_found';
  if (status === 400) return text.includes('session_already_thinking') ? 'conflict' : 'invalid_input';
  if (status === 412) return /csrf/i.test(text) ? 'not_assistant_server' : 'invalid_input';
  if (status === 417) return 'pending';
  return 'server';
}

const replayable = fixtures.filter((f) => match(f) && f.response.status !== 303);

describe('recorded real-server exchanges', () => {
  it('cover most of the recordings, and every operation that was recorded', () => {
    expect(replayable.length).toBeGreaterThan(180);
    const recorded = new Set(replayable.map((f) => match(f)!.id));
    expect(recorded.size).toBeGreaterThanOrEqual(34);
  });

  const validate = responseValidator(spec as unknown as SpecDocument);
  it.each(
    fixtures
      .filter((f) => match(f) && (f.response.content_type ?? '').includes('json'))
      .map((f) => [f.name, f] as const),
  )('%s: the recorded body matches the corrected spec', (_, f) => {
    const check = validate(match(f)!.id, f.response.status);
    expect(check, `no schema for ${f.response.status}`).toBeTruthy();
    expect(check!(f.response.body), JSON.stringify(check!.errors)).toBe(true);
  });

  it.each(replayable.map((f) => [f.name, f] as const))('%s', async (_, f) => {
    const m = match(f)!;
    const { client, requests } = testClient(
      () => ({
        status: f.response.status,
        headers: Object.fromEntries(f.response.headers.map(([k, v]) => [k.toLowerCase(), v])),
        body: responseBody(f),
      }),
      { retry: { retries: 0 } },
    );
    const expected = expectedCode(f);
    let result: unknown;
    let error: unknown;
    try {
      result = await (client.call as (id: string, p: unknown) => Promise<unknown>)(m.id, params(f, m.path));
    } catch (e) {
      error = e;
    }
    if (requests.length === 0) {
      // Rejected before sending: only deliberately bad requests, which the server refused too or
      // half-understood (a float id read as an integer, a non-numeric limit ignored).
      expect(AssistantError.isInstance(error) && error.code).toBe('invalid_input');
      expect(f.name.startsWith('bad-') || f.response.status >= 400, f.name).toBe(true);
      return;
    }
    const sent = requests[0]!;
    expect(sent.method).toBe(f.request.method);
    expect(sent.path).toBe(f.request.path);
    expect(sent.headers['OCS-APIRequest']).toBe('true');
    expect(sent.headers.Accept).toBe('application/json');
    expect(sent.query.format).toBe('json');
    if (expected === 'ok') {
      expect(error).toBeUndefined();
      if (m.op.response === 'binary') {
        expect(result).toMatchObject({
          size: f.response.body_size ?? (responseBody(f) as Uint8Array | string).length,
        });
      } else if (m.op.response === 'ocs') {
        expect(result).toEqual((f.response.body as { ocs: { data: unknown } }).ocs.data);
      } else {
        expect(result).toEqual(f.response.body);
      }
    } else {
      expect(AssistantError.isInstance(error), String(error)).toBe(true);
      const e = error as AssistantError;
      expect(e.code).toBe(expected);
      expect(e.status).toBe(f.response.status);
      expect(e.operationId).toBe(m.id);
      expect(e.message.length).toBeGreaterThan(20);
    }
  });
});

// The files service against recorded answers, in the order a user's call makes its requests: uploads into
// folders that do not exist yet (a real server answers 404 to the PUT), overwrites, missing paths, and the
// assistant's file routes refusing a folder, an unknown id or a missing path.
const dir2 = new URL('./fixtures/real-server-2/', import.meta.url);
function recording(name: string): Fixture {
  const inFirst = new URL(`${name}.json`, dir);
  const file = fixtures.some((f) => f.name === name) ? inFirst : new URL(`${name}.json`, dir2);
  return JSON.parse(readFileSync(file, 'utf8')) as Fixture;
}
function answerOf(name: string) {
  const f = recording(name);
  return {
    status: f.response.status,
    headers: Object.fromEntries(f.response.headers.map(([k, v]) => [k.toLowerCase(), v])),
    body: responseBody(f),
  };
}
const DAV = '/remote.php/dav/files/alice';

/** A server that expects exactly these requests, in order, and answers each with its recording. */
function scripted(steps: [method: string, path: string, recordingName: string][]) {
  let i = 0;
  const bodies: string[] = [];
  const { client, requests } = testClient(
    (req) => {
      const step = steps[i++];
      expect(step, `unexpected request ${req.method} ${req.path}`).toBeDefined();
      expect(`${req.method} ${req.path}`).toBe(`${step![0]} ${step![1]}`);
      if (req.text !== undefined) bodies.push(req.text);
      return answerOf(step![2]);
    },
    { retry: { retries: 0 } },
  );
  return { client, requests, bodies, done: () => expect(i).toBe(steps.length) };
}

async function* streamOf(text: string) {
  yield new TextEncoder().encode(text);
}

describe('recorded WebDAV exchanges through the files service', () => {
  it('upload into a missing folder: PUT 404, MKCOL, PUT again (bytes)', async () => {
    const s = scripted([
      ['PUT', `${DAV}/rec-1796162760-nofolder/a.md`, 'dav-put__missing_parent_folder'],
      ['MKCOL', `${DAV}/rec-1796162760-nofolder`, 'dav-mkcol__parent'],
      ['PUT', `${DAV}/rec-1796162760-nofolder/a.md`, 'dav-put__into_new_folder'],
    ]);
    const result = await s.client.files.upload('rec-1796162760-nofolder/a.md', '# hi\n', {
      contentType: 'text/markdown',
    });
    expect(result).toEqual({ fileId: 241, path: '/rec-1796162760-nofolder/a.md' });
    expect(s.bodies).toEqual(['# hi\n', '# hi\n']);
    s.done();
  });

  it('upload two folders deep: the MKCOL that answers 409 creates its parent first', async () => {
    const s = scripted([
      ['PUT', `${DAV}/rec-1796162760-a/b/a.md`, 'dav-put__missing_parent_folder'],
      ['MKCOL', `${DAV}/rec-1796162760-a/b`, 'dav-mkcol__missing_parent'],
      ['MKCOL', `${DAV}/rec-1796162760-a`, 'dav-mkcol__parent'],
      ['MKCOL', `${DAV}/rec-1796162760-a/b`, 'dav-mkcol__parent'],
      ['PUT', `${DAV}/rec-1796162760-a/b/a.md`, 'dav-put__into_new_folder'],
    ]);
    expect((await s.client.files.upload('rec-1796162760-a/b/a.md', new Uint8Array([1, 2]))).fileId).toBe(241);
    s.done();
  });

  it('a stream into an existing folder: one MKCOL (405: exists), one PUT', async () => {
    const s = scripted([
      ['MKCOL', `${DAV}/rec-1796162760-a`, 'dav-mkcol__already_exists'],
      ['PUT', `${DAV}/rec-1796162760-a/a.md`, 'dav-put__overwrite'],
    ]);
    const result = await s.client.files.upload('rec-1796162760-a/a.md', streamOf('# hi again\n'));
    expect(result.fileId).toBe(241);
    expect(s.bodies).toEqual(['# hi again\n']);
    s.done();
  });

  it('a stream into a missing folder is created first and PUT once', async () => {
    const s = scripted([
      ['MKCOL', `${DAV}/rec-1796162760-nofolder`, 'dav-mkcol__parent'],
      ['PUT', `${DAV}/rec-1796162760-nofolder/a.md`, 'dav-put__into_new_folder'],
    ]);
    expect((await s.client.files.upload('rec-1796162760-nofolder/a.md', streamOf('# hi\n'))).fileId).toBe(
      241,
    );
    s.done();
  });

  it('a stream whose PUT still answers 404 is never sent twice, and the error names the folder', async () => {
    const s = scripted([
      ['MKCOL', `${DAV}/rec-1796162760-nofolder`, 'dav-mkcol__parent'],
      ['PUT', `${DAV}/rec-1796162760-nofolder/a.md`, 'dav-put__missing_parent_folder'],
    ]);
    const error = await s.client.files
      .upload('rec-1796162760-nofolder/a.md', streamOf('# hi\n'))
      .then(succeeded, (e: unknown) => e as AssistantError);
    expect(error.code).toBe('not_found');
    expect(error.summary).toBe('Folder "rec-1796162760-nofolder" does not exist.');
    expect(error.sent).toBe(true);
    expect(error.message).not.toMatch(/API route|server URL/);
    s.done();
  });

  it('an overwrite: 204 with the file id, one request', async () => {
    const s = scripted([['PUT', `${DAV}/rec-1796162760-a/a.md`, 'dav-put__overwrite']]);
    expect(await s.client.files.upload('/rec-1796162760-a/a.md', '# hi again\n')).toEqual({
      fileId: 241,
      path: '/rec-1796162760-a/a.md',
    });
    s.done();
  });

  it('resolve of a missing path: File "…" not found, with the path the user gave', async () => {
    const s = scripted([['PROPFIND', `${DAV}/rec-1796162760-nope.md`, 'dav-propfind__missing']]);
    const error = await s.client.files
      .resolve('rec-1796162760-nope.md')
      .then(succeeded, (e: unknown) => e as AssistantError);
    expect(error.code).toBe('not_found');
    expect(error.summary).toBe('File "rec-1796162760-nope.md" not found.');
    expect(error.hint).toMatch(/relative to your files/);
    s.done();
  });

  it('resolve of a folder gives its id from the listing', async () => {
    const s = scripted([['PROPFIND', `${DAV}/rec-1796162760-a`, 'dav-propfind__folder_depth1']]);
    expect(await s.client.files.resolve('rec-1796162760-a')).toBe(240);
    s.done();
  });
});

describe('recorded refusals of the assistant file routes through the files service', () => {
  const API = '/ocs/v2.php/apps/assistant/api/v1';
  it.each([
    [
      'a missing path',
      (c: Client) => c.files.extractText({ path: 'peer-test/nope.txt' }),
      'assistant_api-parse-text-from-file__missing_file',
      'not_found',
      'File "peer-test/nope.txt" not found.',
    ],
    [
      'a folder path',
      (c: Client) => c.files.extractText({ path: 'peer-test' }),
      'assistant_api-parse-text-from-file__folder',
      'not_a_file',
      '"peer-test" is a folder, not a file.',
    ],
    [
      "another user's file id",
      (c: Client) => c.files.extractText({ fileId: 85 }),
      'bad-other-user__parse_file',
      'not_found',
      /^File 85 not found/,
    ],
    [
      'an unknown id for info',
      (c: Client) => c.files.info(99999999),
      'assistant_api-get-user-file-info__unknown',
      'not_found',
      /file 99999999 was not found/,
    ],
    [
      'a folder id for download',
      (c: Client) => c.files.download(84),
      'assistant_api-display-user-file__folder',
      'not_found',
      /file 84 was not found/,
    ],
  ])('%s', async (_, run, name, code, summary) => {
    const { client } = testClient(() => answerOf(name), { retry: { retries: 0 } });
    const error = await run(client).then(succeeded, (e: unknown) => e as AssistantError);
    expect(AssistantError.isInstance(error), String(error)).toBe(true);
    expect(error.code).toBe(code);
    if (typeof summary === 'string') expect(error.summary).toBe(summary);
    else expect(error.summary).toMatch(summary);
    expect(error.sent).toBe(true);
    expect(error.message).not.toMatch(/Provided path|the server refused the input/);
  });

  it('a file action on an unknown file id names the id', async () => {
    const { client } = testClient(
      (req) =>
        req.path.startsWith(`${API}/file-action/`)
          ? answerOf('assistant_api-run-file-action__unknown_file')
          : answerOf('core-taskprocessing-tasks__by_app'),
      { retry: { retries: 0 } },
    );
    const error = await client.files
      .runAction(99999999, 'core:text2text:summary')
      .then(succeeded, (e: unknown) => e as AssistantError);
    expect(error.code).toBe('not_found');
    expect(error.summary).toMatch(/^File 99999999 not found/);
  });
});

type Client = ReturnType<typeof testClient>['client'];
