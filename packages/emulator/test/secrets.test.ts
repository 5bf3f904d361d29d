// The app password never shows up in what a user or a log sees: core's errors for every way the server or
// the network can fail (message, toJSON, util.inspect, stack), and the emulator's unauthenticated control
// views. Runs with the canary of scripts/canary.mjs when F7CLOUD_CANARY is set, and then also writes
// what it checked to F7CLOUD_CANARY_ARTIFACTS for the canary's own search.
import { AssistantError, createNodeClient } from '@f7cloud/assistant-client/node';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../src/faults.js';
import { startEmulator, type RunningEmulator } from '../src/index.js';

const CANARY = process.env.F7CLOUD_CANARY ?? 'secrets-canary-Wz2-app-password';
const forms = [CANARY, Buffer.from(`alice:${CANARY}`).toString('base64')];
const seen: Record<string, string> = {};

let emu: RunningEmulator;
let client: ReturnType<typeof createNodeClient>;

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    users: [{ user: 'alice', appPassword: CANARY }],
    providers: { default: { pickupMs: 5, runMs: 10 } },
  });
  client = createNodeClient({
    baseUrl: emu.url,
    auth: { user: 'alice', appPassword: CANARY },
    retry: { retries: 0, baseDelayMs: 10, maxRateLimitWaitMs: 0 },
    timeoutMs: 2_000,
  });
});

afterAll(async () => {
  client?.close();
  await emu?.close();
  const dir = process.env.F7CLOUD_CANARY_ARTIFACTS;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'emulator-core-errors.json'), JSON.stringify(seen, null, 2));
  }
});

/** Everything of an error that can end up in a log, an export or a UI. */
function surfaces(error: unknown): string {
  const e = error as Error & { cause?: unknown };
  return [e.message, JSON.stringify(e), inspect(e, { depth: 5, showHidden: true }), e.stack, String(e)].join(
    '\n',
  );
}

async function failure(name: string, work: () => Promise<unknown>): Promise<AssistantError> {
  try {
    await work();
  } catch (error) {
    seen[name] = surfaces(error);
    if (AssistantError.isInstance(error)) return error;
    throw error;
  }
  throw new Error(`${name}: expected a failure`);
}

const FAULTS: [string, FaultRule, string][] = [
  ['PHP crash (500 XML)', { kind: 'status', status: 500 }, 'server'],
  ['proxy page (502 HTML)', { kind: 'status', status: 502 }, 'server'],
  ['maintenance (503)', { kind: 'status', status: 503 }, 'maintenance'],
  ['connection reset', { kind: 'reset' }, 'network'],
  ['cut-off body', { kind: 'truncate' }, 'network'],
  ['broken JSON', { kind: 'malformed' }, 'server'],
  ['XML instead of JSON', { kind: 'xml' }, 'not_assistant_server'],
  ['login page', { kind: 'html-login' }, 'not_assistant_server'],
  ['rate limit', { kind: 'rate-limit', retryAfter: 1 }, 'rate_limited'],
];

describe('the app password in errors', () => {
  it.each(FAULTS)('%s: a typed error without the password in any form', async (name, rule, code) => {
    emu.control.setFaults([rule]);
    try {
      const error = await failure(name, () =>
        client.tasks.run({ type: 'core:text2text', input: { input: 'x' } }),
      );
      expect(error.code).toBe(code);
      for (const form of forms) expect(seen[name]).not.toContain(form);
    } finally {
      emu.control.clearFaults();
    }
  });

  it('a request that times out, and one aborted by the caller', async () => {
    // the answers come long after the client's 2 s timeout and the 50 ms abort, even on a loaded machine
    emu.control.setFaults([{ kind: 'latency', ms: 15_000, times: 1 }]);
    const timedOut = await failure('timeout', () => client.taskTypes());
    expect(timedOut.code).toBe('timeout');
    emu.control.setFaults([{ kind: 'latency', ms: 15_000, times: 1 }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const aborted = await failure('aborted', () => client.taskTypes({ signal: controller.signal }));
    expect(aborted.code).toBe('aborted');
    emu.control.clearFaults();
    for (const form of forms) {
      expect(seen.timeout).not.toContain(form);
      expect(seen.aborted).not.toContain(form);
    }
  });

  it('a wrong password that IS the canary (a user mistyping) is not echoed either', async () => {
    const other = await startEmulator({ port: 0, users: [{ user: 'alice', appPassword: 'the-right-one' }] });
    const wrong = createNodeClient({ baseUrl: other.url, auth: { user: 'alice', appPassword: CANARY } });
    try {
      const error = await failure('wrong password', () => wrong.chat.sessions());
      expect(error.code).toBe('auth');
      for (const form of forms) expect(seen['wrong password']).not.toContain(form);
    } finally {
      wrong.close();
      await other.close();
    }
  });

  it("the emulator's unauthenticated control views never show a user's app password", async () => {
    await client.chat.createSession({ title: 'secrets' });
    for (const view of ['state', 'requests', 'tasks', 'files']) {
      const text = await (await fetch(`${emu.url}/__emulator/${view}`)).text();
      seen[`control ${view}`] = text;
      for (const form of forms) expect(text).not.toContain(form);
    }
  });
});
