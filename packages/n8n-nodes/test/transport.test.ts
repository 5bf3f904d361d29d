import { createClient } from '@f7cloud/assistant-client';
import type { IHttpRequestOptions } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';
import { createN8nTransport, sanitizedError } from '../nodes/F7CloudAssistant/transport/n8n-transport';
import { nextDelay, retryAfterMs } from '../nodes/F7CloudAssistant/transport/rate-limit';
import type { FakeResponse } from './support/context';

const ok = (body: unknown): FakeResponse => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: Buffer.from(JSON.stringify(body)),
});
const tooMany = (retryAfter?: string): FakeResponse => ({
  statusCode: 429,
  headers: retryAfter ? { 'Retry-After': retryAfter } : {},
  body: Buffer.alloc(0),
});

function helperContext(responses: (FakeResponse | Error)[]) {
  const sent: IHttpRequestOptions[] = [];
  const ctx = {
    helpers: {
      httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) => {
        sent.push(options);
        const next = responses.shift();
        if (!next) throw new Error('no more scripted responses');
        if (next instanceof Error) throw next;
        return next;
      },
    },
  };
  return { ctx: ctx as never, sent };
}

describe('n8n transport', () => {
  it('hands core status, lower-cased headers and bytes, and asks n8n for the raw answer', async () => {
    const { ctx, sent } = helperContext([ok({ hello: 'world' })]);
    const transport = createN8nTransport(ctx, { allowUnauthorizedCerts: true });
    const res = await transport({
      method: 'post',
      url: 'https://cloud.test/x',
      headers: { A: '1' },
      body: '{"a":1}',
      responseType: 'bytes',
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(new TextDecoder().decode(res.body as Uint8Array)).toBe('{"hello":"world"}');
    expect(sent[0]).toMatchObject({
      method: 'POST',
      url: 'https://cloud.test/x',
      body: '{"a":1}',
      json: false,
      encoding: 'arraybuffer',
      returnFullResponse: true,
      ignoreHttpStatusErrors: true,
      skipSslCertificateValidation: true,
    });
  });

  it('waits out 429 answers (Retry-After) and sends the same request again', async () => {
    const { ctx, sent } = helperContext([tooMany('0'), tooMany('0'), ok({ done: true })]);
    const transport = createN8nTransport(ctx, { allowUnauthorizedCerts: false });
    const res = await transport({
      method: 'POST',
      url: 'https://cloud.test/schedule',
      headers: {},
      body: '{"n":1}',
      responseType: 'bytes',
    });
    expect(res.status).toBe(200);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((s) => s.body))).toEqual(new Set(['{"n":1}']));
  });

  it('gives the 429 to core once the wait budget is spent', async () => {
    const { ctx, sent } = helperContext([tooMany('1'), tooMany('1')]);
    const transport = createN8nTransport(ctx, {
      allowUnauthorizedCerts: false,
      rateLimit: { maxWaitMs: 1_500, initialBackoffMs: 10, maxBackoffMs: 10 },
    });
    const res = await transport({
      method: 'GET',
      url: 'https://cloud.test/t',
      headers: {},
      responseType: 'bytes',
    });
    expect(res.status).toBe(429);
    expect(sent).toHaveLength(2);
  });

  it('never lets a helper error carry the password or Authorization header', async () => {
    const leaky = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
      config: {
        headers: { Authorization: 'Basic YWxpY2U6c2VjcmV0LXBhc3N3b3Jk' },
        auth: { password: 'secret-password' },
      },
    });
    const { ctx } = helperContext([leaky]);
    const client = createClient({
      baseUrl: 'https://cloud.test',
      transport: createN8nTransport(ctx, { allowUnauthorizedCerts: false }),
      sleep: async () => undefined,
      retry: { retries: 0 },
    });
    const error = await client.taskTypes().catch((e: unknown) => e);
    const serialised =
      JSON.stringify(error) + String(error) + JSON.stringify((error as { cause?: unknown }).cause ?? {});
    expect(serialised).not.toContain('secret-password');
    expect(serialised).not.toContain('YWxpY2U6c2VjcmV0LXBhc3N3b3Jk');
    expect(error).toMatchObject({ code: 'network' });
    expect(sanitizedError(leaky)).toMatchObject({
      message: 'connect ECONNREFUSED 127.0.0.1:1',
      code: 'ECONNREFUSED',
    });
  });
});

describe('rate-limit timing', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4_000)).toBe(6_000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
  });

  it('backs off exponentially without Retry-After and stops at the budget', () => {
    const policy = { maxWaitMs: 10_000, initialBackoffMs: 1_000, maxBackoffMs: 4_000 };
    expect([0, 1, 2, 3].map((attempt) => nextDelay(attempt, undefined, 0, policy))).toEqual([
      1_000, 2_000, 4_000, 4_000,
    ]);
    expect(nextDelay(0, 2_000, 0, policy)).toBe(2_250);
    expect(nextDelay(0, 2_000, 8_000, policy)).toBeUndefined();
  });
});
