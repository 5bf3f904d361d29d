import { insecureHttpWarning } from '@f7cloud/assistant-client';
import type { RunningEmulator } from '@f7cloud/assistant-emulator';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F7CloudAssistant } from '../nodes/F7CloudAssistant/F7CloudAssistant.node';
import { createContext, httpHandler, type Handler } from './support/context';
import { emulator } from './support/run-node';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => await emu.close());

const WRONG = 'Wrong-Canary-Password-1234';

async function failure(serverUrl: string, appPassword: string) {
  const fake = createContext({
    parameters: { resource: 'task', operation: 'getTypes', simplify: true },
    credentials: { serverUrl, user: 'alice', appPassword },
  });
  return await new F7CloudAssistant().execute.call(fake.context).then(
    () => {
      throw new Error('expected the node to fail');
    },
    (error: unknown) => error,
  );
}

describe('errors the user sees', () => {
  it('a wrong app password is an API error that says how to fix it and never shows the password', async () => {
    const error = await failure(emu.url, WRONG);
    expect(error).toBeInstanceOf(NodeApiError);
    expect(error).toMatchObject({ httpCode: '401', description: expect.stringContaining('app password') });
    const serialised =
      JSON.stringify(error) +
      String((error as Error).stack) +
      JSON.stringify((error as { cause?: unknown }).cause ?? {});
    expect(serialised).not.toContain(WRONG);
    expect(serialised).not.toContain(Buffer.from(`alice:${WRONG}`).toString('base64'));
  });

  it('an unreachable server says to check the server URL, and that nothing was sent', async () => {
    const closed = await emulator();
    const url = closed.url;
    await closed.close();
    const error = await failure(url, WRONG);
    expect(error).toBeInstanceOf(NodeOperationError);
    expect((error as NodeOperationError).description).toMatch(/Check the server URL.*Nothing was sent\./);
    expect((error as NodeOperationError).message).toContain('refused the connection');
  });

  it('an invalid Server URL is explained before any request', async () => {
    const error = await failure('ftp://cloud.example.com', WRONG);
    expect((error as Error).message).toContain('must start with https:// or http://');
  });
});

describe('On Error: Continue', () => {
  // n8n's WorkflowExecute.handleNodeErrorOutput moves an item to the error output when its json has no
  // keys but error/message/details (or when the item carries `error`, which n8n then reduces to { error }).
  const isErrorItem = (item: { error?: unknown; json: Record<string, unknown> }) =>
    item.error === undefined &&
    item.json.error !== undefined &&
    Object.keys(item.json).every((key) => ['error', 'message', 'details'].includes(key));

  it('marks the failing items so n8n can route them, and keeps the good ones and every pairing', async () => {
    const fake = createContext({
      parameters: (i) => ({
        resource: 'task',
        operation: 'get',
        taskId: i === 1 ? 987654 : 0,
        simplify: true,
      }),
      credentials: { serverUrl: emu.url, user: 'alice', appPassword: emu.users[0]!.appPassword },
      items: [{ json: { n: 0 } }, { json: { n: 1 } }],
      continueOnFail: true,
    });
    const [items = []] = await new F7CloudAssistant().execute.call(fake.context);
    expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
    expect(items.map(isErrorItem)).toEqual([true, true]);
    const [badId, unknown] = items;
    expect(badId?.json.error).toMatch(/task id|taskId/i);
    expect(unknown?.json).toEqual({
      error: expect.stringContaining('987654'),
      details: expect.stringMatching(/\S/),
    });
  });

  it('a good item is not an error item', async () => {
    const fake = createContext({
      parameters: { resource: 'task', operation: 'getTypes', simplify: true },
      credentials: { serverUrl: emu.url, user: 'alice', appPassword: emu.users[0]!.appPassword },
      continueOnFail: true,
    });
    const [items = []] = await new F7CloudAssistant().execute.call(fake.context);
    expect(items.length).toBeGreaterThan(0);
    expect(items.some(isErrorItem)).toBe(false);
  });

  it('a credential that cannot work fails every item instead of passing the input on', async () => {
    const fake = createContext({
      parameters: { resource: 'task', operation: 'getTypes', simplify: true },
      credentials: { serverUrl: 'ftp://cloud.example.com', user: 'alice', appPassword: WRONG },
      items: [{ json: { n: 0 } }, { json: { n: 1 } }],
      continueOnFail: true,
    });
    const [items = []] = await new F7CloudAssistant().execute.call(fake.context);
    expect(items).toHaveLength(2);
    expect(items.map(isErrorItem)).toEqual([true, true]);
    expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
    expect(String(items[0]?.json.error)).toContain('https://');
    expect(fake.requests).toEqual([]);
  });
});

describe('the message and the hint', () => {
  it("are core's summary and hint, each said once", async () => {
    const error = (await failure(emu.url, WRONG)) as NodeApiError;
    const cause = error.cause as unknown as { summary?: string; hint?: string };
    expect(error.message).not.toBe('');
    expect(error.description).toMatch(/\S/);
    expect(error.message).not.toContain(String(error.description));
    expect(String(error.description)).not.toContain(error.message);
    if (cause?.summary) expect(error.message).toBe(cause.summary);
  });

  it('warn once, as an execution hint, when the app password goes over plain http to another machine', async () => {
    const server = httpHandler({ serverUrl: emu.url, user: 'alice', appPassword: emu.users[0]!.appPassword });
    const viaLan: Handler = async (request) =>
      await server({ ...request, url: request.url.replace('http://cloud.example.test', emu.url) });
    for (const [serverUrl, warned] of [
      ['http://cloud.example.test', true],
      [emu.url, false],
    ] as const) {
      const fake = createContext({
        parameters: { resource: 'task', operation: 'getTypes', simplify: true },
        credentials: { serverUrl, user: 'alice', appPassword: emu.users[0]!.appPassword },
        items: [{ json: {} }, { json: {} }],
        handler: viaLan,
      });
      await new F7CloudAssistant().execute.call(fake.context);
      expect(fake.hints.map((h) => h.message)).toEqual(
        warned ? [insecureHttpWarning('http://cloud.example.test')] : [],
      );
    }
  });
});
