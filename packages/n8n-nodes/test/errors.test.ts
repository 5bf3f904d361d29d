import type { RunningEmulator } from '@f7cloud/assistant-emulator';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F7CloudAssistant } from '../nodes/F7CloudAssistant/F7CloudAssistant.node';
import { createContext } from './support/context';
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

  it('an unreachable server says to check the Server URL', async () => {
    const closed = await emulator();
    const url = closed.url;
    await closed.close();
    const error = await failure(url, WRONG);
    expect(error).toBeInstanceOf(NodeOperationError);
    expect((error as NodeOperationError).description).toContain('Check the Server URL');
  });

  it('an invalid Server URL is explained before any request', async () => {
    const error = await failure('ftp://cloud.example.com', WRONG);
    expect((error as Error).message).toContain('must start with https:// or http://');
  });
});
