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
    const client = createClient({
      baseUrl: 'https://cloud.test',
      transport: createN8nTransport(ctx, { allowUnauthorizedCerts: false }),
      sleep: async (ms) => void slept.push(ms),
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
});
