// Test doubles: a transport that answers from a handler (nothing global is mocked), and a fake clock
// whose sleep advances time instantly, so waiting logic is tested without real waits.
import { createClient, type ClientOptions } from '../src/index.js';
import type { TransportRequest, TransportResponse } from '../src/transport.js';
import { readAll } from '../src/transport.js';

// scripts/canary.mjs sets F7CLOUD_CANARY and searches everything the tests print or write for it.
export const APP_PASSWORD = process.env.F7CLOUD_CANARY ?? 'canary-Xq7-app-password-5ZtP';
export const BASE = 'https://cloud.example.com';

export interface Seen extends TransportRequest {
  path: string;
  query: Record<string, string>;
  text?: string;
  json?: unknown;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string | undefined>;
  body?: TransportResponse['body'];
}
export type Handler = (req: Seen) => Answer | Promise<Answer>;

export function ocs(
  data: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Partial<TransportResponse> {
  return json(
    { ocs: { meta: { status: status < 300 ? 'ok' : 'failure', statuscode: status, message: '' }, data } },
    status,
    headers,
  );
}

export function json(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Partial<TransportResponse> {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

export function fakeClock(start = 1_800_000_000_000) {
  const clock = {
    now: start,
    slept: [] as number[],
    sleep: async (ms: number, signal?: AbortSignal) => {
      clock.slept.push(ms);
      clock.now += ms;
      if (signal?.aborted) return;
      await Promise.resolve();
    },
  };
  return clock;
}

export function fakeServer(handler: Handler) {
  const requests: Seen[] = [];
  const transport = async (req: TransportRequest): Promise<TransportResponse> => {
    const url = new URL(req.url);
    const seen: Seen = {
      ...req,
      path: url.pathname.split('/').map(decodeURIComponent).join('/'),
      query: Object.fromEntries(url.searchParams),
    };
    if (req.body !== undefined) {
      const bytes = await readAll(req.body as never);
      seen.text = new TextDecoder().decode(bytes);
      if (req.headers['Content-Type'] === 'application/json') seen.json = JSON.parse(seen.text);
    }
    requests.push(seen);
    const res = await handler(seen);
    const headers = Object.fromEntries(
      Object.entries(res.headers ?? {}).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
    return { status: res.status ?? 200, headers, body: res.body ?? null };
  };
  return { transport, requests };
}

export function testClient(handler: Handler, options: Partial<ClientOptions> = {}) {
  const server = fakeServer(handler);
  const clock = fakeClock();
  const client = createClient({
    baseUrl: BASE,
    auth: { user: 'alice', appPassword: APP_PASSWORD },
    transport: server.transport,
    sleep: clock.sleep,
    now: () => clock.now,
    ...options,
  });
  return { client, requests: server.requests, clock };
}

export function task(overrides: Record<string, unknown> = {}) {
  return {
    id: 7,
    type: 'core:text2text',
    lastUpdated: 1_800_000_000,
    status: 'STATUS_SCHEDULED',
    userId: 'alice',
    appId: 'assistant',
    input: { input: 'Hi' },
    output: null,
    customId: '',
    completionExpectedAt: null,
    progress: null,
    scheduledAt: 1_800_000_000,
    startedAt: null,
    endedAt: null,
    ...overrides,
  };
}

/** For `.then(succeeded, (e) => e)`: a call that was expected to fail but did not fails the test. */
export function succeeded(value: unknown): never {
  throw new Error(`expected an AssistantError, got ${JSON.stringify(value)?.slice(0, 200)}`);
}
