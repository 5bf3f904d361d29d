// Property-based bad input: whatever a workflow passes in and whatever a server (or a proxy) sends back,
// the client answers with data or an AssistantError, never a TypeError, and never builds a request that
// climbs out of the API through "..", "%2F" or other tricks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssistantError, createClient, operations, type OperationId } from '../src/index.js';
import type { TransportRequest, TransportResponse } from '../src/transport.js';

const BASE = 'https://cloud.example.com/sub';
const PASSWORD = process.env.F7CLOUD_CANARY ?? 'pw-canary';
// Random exploration locally; a fixed seed in CI so a run is reproducible (FC_SEED overrides both).
const seed = process.env.FC_SEED
  ? { seed: Number(process.env.FC_SEED) }
  : process.env.CI
    ? { seed: 20261128 }
    : {};
const opIds = Object.keys(operations) as OperationId[];
// Each property runs thousands of cases: ~0.5 s alone, but turbo runs packages in parallel on 2 cores,
// where vitest's 5 s default was hit. The cases stay the same; the time allowed is sized for a loaded machine.
const PROPERTY_TIMEOUT_MS = 120_000;

const nasty = fc.oneof(
  fc.constantFrom(
    '..',
    '.',
    '../',
    '../../etc/passwd',
    '%2F',
    '%2e%2e',
    'a/b',
    'a%2Fb',
    '',
    ' ',
    '\u0000',
    'é',
    '🙂',
    'x'.repeat(64_001),
  ),
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);
const value = fc.oneof(
  nasty,
  fc.integer(),
  fc.constantFrom(-1, 0, 1.5, Number.MAX_SAFE_INTEGER + 2, Number.NaN, Number.POSITIVE_INFINITY, 7),
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);
const paramsArb = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.record(
    {
      path: fc.oneof(
        fc.dictionary(
          fc.constantFrom(
            'fileId',
            'ocpTaskId',
            'taskTypeId',
            'id',
            'appId',
            'taskId',
            'sessionId',
            'messageId',
            'apiVersion',
          ),
          value,
        ),
        value,
      ),
      query: fc.oneof(
        fc.dictionary(
          fc.constantFrom(
            'sessionId',
            'limit',
            'cursor',
            'taskId',
            'messageId',
            'taskType',
            'customId',
            'x',
            'y',
          ),
          value,
        ),
        value,
      ),
      body: fc.oneof(value, fc.record({ data: value, filename: value })),
    },
    { requiredKeys: [] },
  ),
);

const bodyArb = fc.oneof(
  fc.json().map((j) => j),
  fc.json().map((j) => j.slice(0, Math.max(0, j.length - 3))),
  fc.constant('{"ocs":{"meta":{"status":"ok","statuscode":200},"data":null}}'),
  fc.constant('{"ocs":{"meta":{"status":"ok","statuscode":200},"data":{"types":null,"task":7,"tasks":"x"}}}'),
  fc.constant('<?xml version="1.0"?><ocs><meta><statuscode>996</statuscode></meta></ocs>'),
  fc.constant('<!DOCTYPE html><html><body>Login</body></html>'),
  fc.constant(''),
  fc.uint8Array({ maxLength: 64 }),
  fc.string(),
);
const responseArb = fc.record({
  status: fc.oneof(
    fc.constantFrom(200, 201, 207, 303, 400, 401, 403, 404, 412, 417, 429, 500, 502, 503),
    fc.integer({ min: 100, max: 599 }),
  ),
  contentType: fc.constantFrom(
    'application/json; charset=utf-8',
    'application/xml',
    'text/html',
    'text/plain',
    'image/png',
    '',
  ),
  body: bodyArb,
  retryAfter: fc.option(fc.oneof(fc.constantFrom('0', '1', 'soon', '-5'), fc.integer().map(String)), {
    nil: undefined,
  }),
  throws: fc.option(fc.constantFrom('ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'CERT_HAS_EXPIRED', 'weird'), {
    nil: undefined,
  }),
});

function harness(
  answers:
    fc.Stream<TransportResponse & { throws?: string }> | (() => TransportResponse & { throws?: string }),
) {
  const sent: TransportRequest[] = [];
  const next = typeof answers === 'function' ? answers : () => answers.next().value;
  const client = createClient({
    baseUrl: BASE,
    auth: { user: 'alice', appPassword: PASSWORD },
    transport: async (req) => {
      sent.push(req);
      const a = next();
      if (a.throws) throw Object.assign(new Error(`socket: ${a.throws}`), { code: a.throws });
      return a;
    },
    sleep: async () => {},
    now: (() => {
      let t = 1_800_000_000_000;
      return () => (t += 60_000);
    })(),
  });
  return { client, sent };
}

type ResponseSpec = typeof responseArb extends fc.Arbitrary<infer T> ? T : never;

function toResponse(r: ResponseSpec) {
  const headers: Record<string, string> = { 'content-type': r.contentType };
  if (r.retryAfter !== undefined) headers['retry-after'] = r.retryAfter;
  return { status: r.status, headers, body: r.body, ...(r.throws ? { throws: r.throws } : {}) };
}

function assertSafeRequest(req: TransportRequest) {
  const url = new URL(req.url);
  expect(req.url.startsWith(`${BASE}/`)).toBe(true);
  expect(url.pathname.startsWith('/sub/')).toBe(true);
  // nothing collapsed by URL parsing, no encoded slash or dot-segment reaching the server
  const raw = req.url.slice(BASE.length).split('?')[0]!;
  expect(raw.split('/')).not.toContain('..');
  expect(raw.split('/')).not.toContain('.');
  expect(url.pathname).toBe(`/sub${raw}`);
  expect(req.url).not.toContain(PASSWORD);
}

async function settle(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if (!AssistantError.isInstance(error)) throw error;
    expect(error.message.length).toBeGreaterThan(10);
    expect(JSON.stringify(error)).not.toContain(PASSWORD);
  }
}

describe('bad input never escapes as a TypeError', () => {
  it(
    'client.call with any operation, any parameters, any answer',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...opIds),
          paramsArb,
          fc.array(responseArb, { minLength: 1, maxLength: 5 }),
          async (op, params, responses) => {
            let i = 0;
            const { client, sent } = harness(() =>
              toResponse(responses[Math.min(i++, responses.length - 1)]!),
            );
            await settle((client.call as (op: string, p: unknown) => Promise<unknown>)(op, params));
            sent.forEach(assertSafeRequest);
          },
        ),
        { numRuns: 1500, ...seed },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'services with any arguments and any answers',
    async () => {
      const calls: [
        string,
        (c: ReturnType<typeof harness>['client'], a: unknown, b: unknown) => Promise<unknown>,
      ][] = [
        ['taskTypes', (c) => c.taskTypes()],
        ['tasks.list', (c, a) => c.tasks.list({ taskTypeId: a as string })],
        ['tasks.get', (c, a) => c.tasks.get(a as number)],
        ['tasks.schedule', (c, a, b) => c.tasks.schedule({ type: a as string, input: b as never })],
        [
          'tasks.run',
          (c, a) =>
            c.tasks.run({ type: 'core:text2text', input: { input: a as string } }, { timeoutMs: 120_000 }),
        ],
        ['tasks.wait', (c, a) => c.tasks.wait(a as number, { timeoutMs: 120_000 })],
        ['tasks.getNotification', (c, a) => c.tasks.getNotification(a as number)],
        ['tasks.shareOutputFile', (c, a, b) => c.tasks.shareOutputFile(a as number, b as number)],
        ['tasks.downloadOutputFile', (c, a, b) => c.tasks.downloadOutputFile(a as number, b as number)],
        ['files.uploadInput', (c, a, b) => c.files.uploadInput(a as never, { filename: b as string })],
        ['files.extractText', (c, a) => c.files.extractText(a as never)],
        ['files.info', (c, a) => c.files.info(a as number)],
        [
          'files.runAction',
          (c, a, b) => c.files.runAction(a as number, b as never, { wait: true, timeoutMs: 120_000 }),
        ],
        ['files.upload', (c, a, b) => c.files.upload(a as string, b as never)],
        ['files.resolve', (c, a) => c.files.resolve(a as string)],
        ['chat.createSession', (c, a) => c.chat.createSession({ title: a as string })],
        ['chat.sessions', (c) => c.chat.sessions()],
        ['chat.send', (c, a, b) => c.chat.send(a as number, b as string, { timeoutMs: 120_000 })],
        ['chat.messages', (c, a) => c.chat.messages(a as number, { all: true })],
        ['chat.regenerate', (c, a, b) => c.chat.regenerate(a as number, b as number, { timeoutMs: 120_000 })],
        ['chat.generateTitle', (c, a) => c.chat.generateTitle(a as number, { timeoutMs: 120_000 })],
        ['chat.checkSession', (c, a) => c.chat.checkSession(a as number)],
      ];
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...calls),
          value,
          value,
          fc.array(responseArb, { minLength: 1, maxLength: 8 }),
          async ([, run], a, b, responses) => {
            let i = 0;
            const { client, sent } = harness(() => toResponse(responses[i++ % responses.length]!));
            await settle(run(client, a, b));
            sent.forEach(assertSafeRequest);
          },
        ),
        { numRuns: 2500, ...seed },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
