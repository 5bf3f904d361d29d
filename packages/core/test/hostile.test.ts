// What a hostile server (or anything on the path) can try against core's Node entry, on real sockets:
// credentials must stay with the configured origin and out of errors, answers are bounded in size and
// time, and a server's Retry-After or file name cannot steer the caller.
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AssistantError,
  createClient,
  createNodeClient,
  credentialSecrets,
  fetchTransport,
  nodeSleep,
  nodeTransport,
  type Transport,
} from '../src/node.js';
import {
  download,
  drip,
  echoAuthorization,
  exportForCanary,
  hostileServer,
  huge,
  ocsBody,
  redirectTo,
  retryAfter,
  routes,
  type HostileServer,
} from './hostile-server.js';

const APP_PASSWORD = process.env.F7CLOUD_CANARY ?? 'hostile-canary-app-password';
const BASIC = Buffer.from(`alice:${APP_PASSWORD}`).toString('base64');
const GiB = 1024 * 1024 * 1024;

const servers: HostileServer[] = [];
const clients: { close(): void }[] = [];
async function start(behaviour: Parameters<typeof hostileServer>[0]): Promise<HostileServer> {
  const server = await hostileServer(behaviour);
  servers.push(server);
  return server;
}
function client(baseUrl: string, options: Partial<Parameters<typeof createNodeClient>[0]> = {}) {
  const c = createNodeClient({ baseUrl, auth: { user: 'alice', appPassword: APP_PASSWORD }, ...options });
  clients.push(c);
  return c;
}
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function everything(error: unknown): string {
  const e = error as AssistantError;
  return [
    e.message,
    e.summary,
    e.hint,
    e.serverMessage,
    JSON.stringify(e),
    inspect(e, { depth: 10, showHidden: true }),
    String(e.stack),
  ].join('\n');
}

const task = (id: number) => ({
  id,
  type: 'core:text2text',
  status: 'STATUS_SCHEDULED',
  userId: 'alice',
  appId: 'assistant',
  input: { input: 'x' },
  output: null,
  customId: '',
  lastUpdated: 1,
  scheduledAt: 1,
});

describe('a hostile server', () => {
  it.each([
    ['node transport', () => nodeTransport()],
    ['fetch transport', () => fetchTransport()],
  ])('that redirects to another origin never gets the credentials there (%s)', async (_, make) => {
    const other = await start(download('attachment; filename="x.bin"', 'from the other host'));
    const first = await start(redirectTo(other.url));
    const transport = make() as Transport & { close?: () => void };
    const c = createClient({
      baseUrl: first.url,
      auth: { user: 'alice', appPassword: APP_PASSWORD },
      transport,
      sleep: nodeSleep,
    });
    try {
      const result = await c.files.download(5);
      expect(new TextDecoder().decode(result.data)).toBe('from the other host');
    } finally {
      transport.close?.();
    }
    expect(first.requests[0]!.headers.authorization).toBe(`Basic ${BASIC}`);
    exportForCanary(`core-redirect-other-host-${_.replace(/\W+/g, '-')}`, other.requests);
    expect(other.requests).toHaveLength(1);
    expect(other.requests[0]!.headers.authorization).toBeUndefined();
    expect(JSON.stringify(other.requests)).not.toContain(APP_PASSWORD);
  });

  it('that echoes the Authorization header in a 500 sees it scrubbed from the error', async () => {
    const server = await start(echoAuthorization);
    const error = await client(server.url, { retry: { retries: 0 } })
      .tasks.get(1)
      .catch((e: unknown) => e);
    expect(AssistantError.isInstance(error) && error.code).toBe('server');
    expect(server.requests[0]!.headers.authorization).toBe(`Basic ${BASIC}`);
    const text = everything(error);
    exportForCanary('core-echo-error', text);
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(APP_PASSWORD);
    expect(text).not.toContain(BASIC);
  });

  it('that echoes host-managed auth sees it scrubbed when only `secrets` are given', async () => {
    const server = await start(echoAuthorization);
    const inner = nodeTransport();
    // The host adds the header itself (as n8n's credentials do); core never holds the auth.
    const transport: Transport = (req) =>
      inner({ ...req, headers: { ...req.headers, Authorization: `Basic ${BASIC}` } });
    const c = createClient({
      baseUrl: server.url,
      auth: null,
      secrets: credentialSecrets({ user: 'alice', appPassword: APP_PASSWORD }),
      transport,
      sleep: nodeSleep,
      retry: { retries: 0 },
    });
    try {
      const error = await c.tasks.get(1).catch((e: unknown) => e);
      expect(AssistantError.isInstance(error)).toBe(true);
      const text = everything(error);
      exportForCanary('core-echo-host-managed-error', text);
      expect(text).toContain('[redacted]');
      expect(text).not.toContain(APP_PASSWORD);
      expect(text).not.toContain(BASIC);
    } finally {
      inner.close();
    }
  });

  it.each([
    ['declared', true],
    ['chunked', false],
  ])(
    'with a 1 GiB answer (%s) fails fast with too_large and reads only up to the limit',
    async (_, declare) => {
      const server = await start(huge(GiB, { declare }));
      const before = process.memoryUsage().rss;
      const started = Date.now();
      const error = await client(server.url, { maxResponseBytes: { text: 8 * 1024 * 1024 } })
        .tasks.get(1)
        .catch((e: unknown) => e);
      expect(AssistantError.isInstance(error) && error.code).toBe('too_large');
      expect((error as AssistantError).hint).toMatch(/stream: true/);
      expect((error as AssistantError).retryable).toBe(false);
      expect(Date.now() - started).toBeLessThan(15_000);
      // The server could not push the gigabyte: the client stopped reading at the limit.
      expect(server.bytesWritten()).toBeLessThan(128 * 1024 * 1024);
      expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
    },
    30_000,
  );

  it('with a 1 GiB download gives the stream when asked for one, and too_large when buffered', async () => {
    const server = await start(huge(GiB, { declare: true, contentType: 'application/octet-stream' }));
    const c = client(server.url, { maxResponseBytes: { binary: 4 * 1024 * 1024 } });
    const buffered = await c.files.download(5).catch((e: unknown) => e);
    expect(AssistantError.isInstance(buffered) && buffered.code).toBe('too_large');
    const streamed = await c.files.download(5, { stream: true });
    let got = 0;
    for await (const chunk of streamed.stream!) {
      got += chunk.byteLength;
      if (got > 16 * 1024 * 1024) break; // more than the buffered limit: streams are not capped
    }
    expect(got).toBeGreaterThan(16 * 1024 * 1024);
    expect(streamed.size).toBe(GiB);
  }, 30_000);

  it('that drips one byte per second is cut off by the total deadline', async () => {
    const server = await start(drip(1000));
    const started = Date.now();
    const error = await client(server.url, { deadlineMs: 1500, retry: { retries: 0 } })
      .tasks.get(1)
      .catch((e: unknown) => e);
    expect(AssistantError.isInstance(error) && error.code).toBe('timeout');
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(6000);
  }, 20_000);

  it('ends waitForTask({ timeoutMs: 2000 }) at about 2 s although the server drips', async () => {
    let reads = 0;
    const server = await start(
      routes([
        [
          /\/taskprocessing\/task\/7/,
          (req, res) => {
            if (reads++ === 0) {
              res.writeHead(200, { 'content-type': 'application/json' });
              return res.end(ocsBody({ task: task(7) }));
            }
            drip(1000)(req, res);
          },
        ],
      ]),
    );
    const started = Date.now();
    const error = await client(server.url)
      .tasks.wait(7, { timeoutMs: 2000 })
      .catch((e: unknown) => e);
    const took = Date.now() - started;
    expect(AssistantError.isInstance(error) && error.code).toBe('timeout');
    expect((error as AssistantError).details.taskId).toBe(7);
    expect((error as AssistantError).summary).toMatch(/Task 7 was still waiting to be picked up after 2 s/);
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(6000);
  }, 20_000);

  it('ends a wait whose very first read drips at its timeout too', async () => {
    const server = await start(drip(1000));
    const started = Date.now();
    const error = await client(server.url)
      .tasks.wait(7, { timeoutMs: 1500 })
      .catch((e: unknown) => e);
    expect(AssistantError.isInstance(error) && error.code).toBe('timeout');
    expect((error as AssistantError).details.taskId).toBe(7);
    expect(Date.now() - started).toBeLessThan(6000);
  }, 20_000);

  it('that drips is cut off at once when the wait is cancelled', async () => {
    const server = await start(drip(1000));
    const controller = new AbortController();
    const started = Date.now();
    const pending = client(server.url)
      .tasks.wait(7, { signal: controller.signal })
      .catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 300);
    const error = await pending;
    expect(AssistantError.isInstance(error) && error.code).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(4000);
  }, 20_000);

  it.each([
    ['503', 503],
    ['429', 429],
    ['500', 500],
  ])(
    'asking for Retry-After: 3600 on a %s loses against the wait timeout',
    async (_, status) => {
      const server = await start(retryAfter(status, 3600));
      const started = Date.now();
      const error = await client(server.url)
        .tasks.wait(7, { timeoutMs: 1000 })
        .catch((e: unknown) => e);
      const took = Date.now() - started;
      expect(AssistantError.isInstance(error) && error.code).toBe('timeout');
      expect((error as AssistantError).details.taskId).toBe(7);
      expect(took).toBeGreaterThanOrEqual(900);
      expect(took).toBeLessThan(6000);
    },
    20_000,
  );

  it.each([
    ['503', 503],
    ['500', 500],
  ])(
    'asking for Retry-After: 3600 on a %s read without a deadline gets the error at once',
    async (_, status) => {
      const server = await start(retryAfter(status, 3600));
      const started = Date.now();
      const error = await client(server.url)
        .tasks.get(7)
        .catch((e: unknown) => e);
      expect(AssistantError.isInstance(error) && error.code).toBe('server');
      expect((error as AssistantError).retryAfterMs).toBe(3_600_000);
      expect(server.requests).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(3000);
    },
  );

  it.each([
    ['attachment; filename="../../../../tmp/evil.sh"', 'evil.sh'],
    ["attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd", 'passwd'],
    ['attachment; filename="..\\\\..\\\\win.ini"', 'win.ini'],
    ['attachment; filename=".."', 'file'],
    ["attachment; filename*=UTF-8''..%0Ahidden", 'hidden'],
  ])('handing out the file name %s gets a safe base name', async (disposition, expected) => {
    const server = await start(download(disposition));
    const result = await client(server.url).files.download(5);
    expect(result.fileName).toBe(expected);
  });
});
