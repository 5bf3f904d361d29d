import type { RunningEmulator } from '@f7cloud/assistant-emulator';
import { createNodeClient } from '@f7cloud/assistant-client/node';
import type { IDataObject } from 'n8n-workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F7CloudAssistantTrigger } from '../nodes/F7CloudAssistantTrigger/F7CloudAssistantTrigger.node';
import { createContext, emulatorCredentials } from './support/context';
import { CANARY, emulator } from './support/run-node';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => await emu.close());

const parameters = { taskTypes: ['core:text2text:headline'], statuses: ['STATUS_SUCCESSFUL'], appId: '' };

async function poll(
  mode: 'manual' | 'trigger',
  staticData: IDataObject,
  params: Record<string, unknown> = parameters,
) {
  const fake = createContext({ parameters: params, credentials: emulatorCredentials(emu), mode, staticData });
  return await new F7CloudAssistantTrigger().poll.call(fake.context);
}

async function headlines(count: number, type = 'core:text2text:headline') {
  const client = createNodeClient({ baseUrl: emu.url, auth: { user: 'alice', appPassword: CANARY } });
  const ids: number[] = [];
  for (let i = 0; i < count; i++)
    ids.push((await client.tasks.run({ type, input: { input: `Doc ${i}` } })).id);
  return ids;
}

describe('trigger', () => {
  it('emits finished tasks once each, skipping history, other types and other statuses', async () => {
    await headlines(2);
    const staticData: IDataObject = {};
    expect(await poll('trigger', staticData)).toBeNull();

    const batch = await headlines(3);
    await headlines(1, 'core:text2text');
    const emitted = await poll('trigger', staticData);
    expect(emitted?.[0]?.map((item) => item.json.id)).toEqual(batch);
    expect(emitted?.[0]?.[0]?.json).toMatchObject({
      type: 'core:text2text:headline',
      status: 'STATUS_SUCCESSFUL',
    });
    expect(await poll('trigger', staticData)).toBeNull();
  });

  it('reads the state an earlier version stored, repeating and missing nothing', async () => {
    const client = createNodeClient({ baseUrl: emu.url, auth: { user: 'alice', appPassword: CANARY } });
    await headlines(2);
    const before = await client.tasks.list({ taskTypeId: 'core:text2text:headline' });
    // What the trigger's own poll-state rule kept before core's: the emitted ids with their end.
    const ends = before.map((task) => task.endedAt ?? task.lastUpdated);
    const pollState = {
      watermark: Math.max(...ends),
      seen: Object.fromEntries(before.map((task, i) => [String(task.id), ends[i]])),
    };
    const staticData: IDataObject = { pollState };
    const batch = await headlines(2);
    expect((await poll('trigger', staticData))?.[0]?.map((item) => item.json.id)).toEqual(batch);
    expect(await poll('trigger', staticData)).toBeNull();
  });

  it('watches several task types at once', async () => {
    const params = { ...parameters, taskTypes: ['core:text2text:headline', 'core:text2text'] };
    const staticData: IDataObject = {};
    expect(await poll('trigger', staticData, params)).toBeNull();
    const [headline] = await headlines(1);
    const [text] = await headlines(1, 'core:text2text');
    await headlines(1, 'core:text2text:summary');
    expect((await poll('trigger', staticData, params))?.[0]?.map((item) => item.json.id)).toEqual([
      headline,
      text,
    ]);
    expect(await poll('trigger', staticData, params)).toBeNull();
  });

  it('filters by app', async () => {
    const staticData: IDataObject = {};
    await poll('trigger', staticData, { ...parameters, appId: 'other-app' });
    await headlines(1);
    expect(await poll('trigger', staticData, { ...parameters, appId: 'other-app' })).toBeNull();
  });

  it('returns the latest matching task as a sample in manual mode, without touching the state', async () => {
    const [last] = (await headlines(1)).slice(-1);
    const staticData: IDataObject = {};
    const sample = await poll('manual', staticData);
    expect(sample?.[0]).toHaveLength(1);
    expect(sample?.[0]?.[0]?.json.id).toBe(last);
    expect(staticData).toEqual({});
  });

  it('says what to do when no task matches yet in manual mode', async () => {
    await expect(poll('manual', {}, { ...parameters, taskTypes: ['core:text2image'] })).rejects.toThrow(
      'No finished task matches the filters yet',
    );
  });
});
