import { createClient } from '@f7cloud/assistant-client';
import type { IHttpRequestOptions } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';
import { createN8nTransport, sanitizedError } from '../nodes/F7CloudAssistant/transport/n8n-transport';
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

  it('lets core wait out 429 answers and send the very same request again', async () => {
    const { ctx, sent } = helperContext([
      tooMany('1'),
      tooMany('1'),
      ok({ ocs: { meta: { statuscode: 200 }, data: { task: { id: 1, status: 'STATUS_SCHEDULED' } } } }),
    ]);
    const slept: number[] = [];
    // A clock that sleeping moves on: core's rate-limit gate waits until its clock says the window is open.
    let clock = 0;
    const client = createClient({
      baseUrl: 'https://cloud.test',
      transport: createN8nTransport(ctx, { allowUnauthorizedCerts: false }),
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
    });
    const task = await client.tasks.schedule({ type: 'core:text2text', input: { input: 'x' } });
    expect(task.id).toBe(1);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((s) => String(s.body))).size).toBe(1);
    expect(slept.every((ms) => ms >= 1_000)).toBe(true);
  });

  it('hands the 429 to the user once the wait budget is spent', async () => {
    const { ctx, sent } = helperContext([tooMany('1'), tooMany('1'), tooMany('1')]);
    const client = createClient({
      baseUrl: 'https://cloud.test',
      transport: createN8nTransport(ctx, { allowUnauthorizedCerts: false }),
      sleep: async () => undefined,
      retry: { maxRateLimitWaitMs: 1_500 },
    });
    await expect(client.tasks.get(1)).rejects.toMatchObject({ code: 'rate_limited' });
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

  it('repeats a POST that got a 303 as a GET without its body, on the same origin', async () => {
    const { ctx, sent } = helperContext([
      { statusCode: 303, headers: { Location: '/elsewhere?x=1' }, body: Buffer.alloc(0) },
      ok({ fine: true }),
    ]);
    const transport = createN8nTransport(ctx, { allowUnauthorizedCerts: false });
    const res = await transport({
      method: 'post',
      url: 'https://cloud.test/sub/x',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: '{"a":1}',
      responseType: 'bytes',
    });
    expect(res.status).toBe(200);
    expect(sent.map((s) => [s.method, s.url, s.body])).toEqual([
      ['POST', 'https://cloud.test/sub/x', '{"a":1}'],
      ['GET', 'https://cloud.test/elsewhere?x=1', undefined],
    ]);
    expect(sent[1]?.headers).toEqual({ Accept: 'application/json' });
  });

  it('treats http → https of the same host as another origin: refused, with the address to use', async () => {
    const { ctx, sent } = helperContext([
      { statusCode: 301, headers: { Location: 'https://cloud.test/x' }, body: Buffer.alloc(0) },
    ]);
    const transport = createN8nTransport(ctx, { allowUnauthorizedCerts: false });
    const error = await transport({
      method: 'get',
      url: 'http://cloud.test/x',
      headers: {},
      responseType: 'bytes',
    }).catch((e: unknown) => e);
    expect(sent).toHaveLength(1);
    expect(error).toMatchObject({
      code: 'server',
      status: 301,
      sent: true,
      retryable: false,
      hint: expect.stringContaining('If https://cloud.test is your server'),
    });
  });

  it('scrubs the credential from errors of the helper itself', () => {
    const canary = 'hunter2-very-secret';
    const error = sanitizedError(new Error(`socket hang up while sending alice:${canary}`), [
      canary,
      `alice:${canary}`,
    ]);
    expect(error.message).toBe('socket hang up while sending [redacted]');
  });
});
