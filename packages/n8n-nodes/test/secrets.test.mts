// The app password never shows up in what n8n stores or shows: the node's errors (message, description,
// serialised error, stack) for every way the server or the network can fail, items written with "Continue
// On Fail", and the request options handed to n8n's helper (which n8n may log). Uses the canary of
// scripts/canary.mjs when F7CLOUD_CANARY is set, and then also writes what it checked to
// F7CLOUD_CANARY_ARTIFACTS for the canary's own search.
import { startEmulator, type RunningEmulator } from '@f7cloud/assistant-emulator';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F7CloudAssistant } from '../nodes/F7CloudAssistant/F7CloudAssistant.node.js';
import { createContext } from './support/context.js';

const CANARY = process.env.F7CLOUD_CANARY ?? 'Canary-unit-secrets-7Qa2-Secret';
const FORMS = [CANARY, Buffer.from(`alice:${CANARY}`).toString('base64')];
const seen: Record<string, string> = {};
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    users: [{ user: 'alice', appPassword: CANARY }],
    providers: { default: { pickupMs: 5, runMs: 10 } },
  });
});

afterAll(async () => {
  await emu?.close();
  const dir = process.env.F7CLOUD_CANARY_ARTIFACTS;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'n8n-node-errors.json'), JSON.stringify(seen, null, 2));
  }
});

const credentials = () => ({ serverUrl: emu.url, user: 'alice', appPassword: CANARY });

/** Runs the node; returns everything n8n would keep of the run: error or items, and the request options. */
async function runAndDump(parameters: Record<string, unknown>, continueOnFail: boolean): Promise<string> {
  const fake = createContext({ parameters, credentials: credentials(), continueOnFail });
  let result: unknown;
  try {
    result = await new F7CloudAssistant().execute.call(fake.context);
  } catch (error) {
    result = {
      message: (error as Error).message,
      description: (error as { description?: unknown }).description,
      json: JSON.parse(JSON.stringify(error)),
      inspect: inspect(error, { depth: 6, showHidden: true }),
      stack: (error as Error).stack,
    };
  }
  return JSON.stringify({ result, requests: fake.requests, hints: fake.hints });
}

const CASES: [string, Record<string, unknown>][] = [
  ['500', { kind: 'status', status: 500 }],
  ['502', { kind: 'status', status: 502 }],
  ['503', { kind: 'status', status: 503 }],
  ['reset', { kind: 'reset' }],
  ['truncate', { kind: 'truncate' }],
  ['malformed', { kind: 'malformed' }],
  ['xml', { kind: 'xml' }],
  ['html-login', { kind: 'html-login' }],
];

describe('the app password in what n8n keeps', () => {
  it.each(CASES)(
    'fault %s: not in the error, the Continue On Fail item or the request options',
    async (name, rule) => {
      // on the schedule call: not repeated (it is not idempotent), so the error surfaces at once
      emu.control.setFaults([{ ...rule, route: 'task_processing_api-schedule' } as never]);
      try {
        for (const continueOnFail of [false, true]) {
          const dump = await runAndDump(
            {
              resource: 'task',
              operation: 'run',
              taskType: 'core:text2text',
              inputs: { mappingMode: 'defineBelow', value: { input: 'x' } },
              waitMode: 'wait',
              options: { timeoutSeconds: 10 },
            },
            continueOnFail,
          );
          seen[`${name} continueOnFail=${continueOnFail}`] = dump;
          // the run failed: an error thrown, or an error item with Continue On Fail
          const { result } = JSON.parse(dump) as { result: { message?: string } & unknown[][] };
          const failed = continueOnFail
            ? (result[0]?.[0] as { json?: { error?: string } })?.json?.error
            : result.message;
          expect(failed).toMatch(/schedule|task/i);
          for (const form of FORMS) expect(dump).not.toContain(form);
        }
      } finally {
        emu.control.clearFaults();
      }
    },
  );

  it('a successful run, a failing task and an unknown id: not in items, errors or request options', async () => {
    const success = await runAndDump({ resource: 'task', operation: 'getTypes', simplify: true }, false);
    expect(success).toContain('core:text2text');
    const unknown = await runAndDump(
      { resource: 'task', operation: 'get', taskId: 987654, simplify: true },
      true,
    );
    expect(unknown).toContain('HTTP 404');
    seen.success = success;
    seen.unknown = unknown;
    for (const form of FORMS) {
      expect(success).not.toContain(form);
      expect(unknown).not.toContain(form);
    }
  });
});
