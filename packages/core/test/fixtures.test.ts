// Every exchange recorded from a real server, replayed through the client: the client must send the same
// kind of request, and turn the recorded answer into typed data or the right AssistantError code.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AssistantError, operations, type OperationId } from '../src/index.js';
import spec from '../src/generated/spec.json' with { type: 'json' };
import { testClient } from './helpers.js';
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

const templates = Object.entries(operations).map(([id, op]) => {
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
