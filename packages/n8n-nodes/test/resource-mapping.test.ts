import type { RunningEmulator } from '@f7cloud/assistant-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTaskTypes } from '../nodes/F7CloudAssistant/methods/loadOptions';
import { getTaskInputs } from '../nodes/F7CloudAssistant/methods/resourceMapping';
import { createContext, emulatorCredentials } from './support/context';
import { emulator } from './support/run-node';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => await emu.close());

const ctx = (parameters: Record<string, unknown> = {}, password?: string) =>
  createContext({
    parameters,
    credentials: { ...emulatorCredentials(emu), ...(password ? { appPassword: password } : {}) },
  }).context;

describe('task type dropdown and input mapper', () => {
  it('lists the task types by name with their ids', async () => {
    const options = await getTaskTypes.call(ctx());
    expect(options).toContainEqual(
      expect.objectContaining({ name: 'Translate', value: 'core:text2text:translate' }),
    );
    expect(options).toContainEqual(expect.objectContaining({ value: 'core:text2image' }));
  });

  it('builds typed fields: required inputs, enum options, numbers, optional inputs hidden', async () => {
    const translate = await getTaskInputs.call(ctx({ taskType: 'core:text2text:translate' }));
    const byId = Object.fromEntries(translate.fields.map((f) => [f.id, f]));
    expect(byId.input).toMatchObject({ required: true, type: 'string', display: true });
    expect(byId.origin_language).toMatchObject({ required: true, type: 'options' });
    expect(byId.origin_language?.options).toContainEqual({ name: 'English (US)', value: 'en' });
    expect(byId.max_tokens).toMatchObject({ required: false, type: 'number', removed: true });

    const image = await getTaskInputs.call(ctx({ taskType: 'core:text2image' }));
    expect(image.fields.find((f) => f.id === 'numberOfImages')).toMatchObject({
      type: 'number',
      defaultValue: 1,
    });

    const audio = await getTaskInputs.call(ctx({ taskType: 'core:audio2text' }));
    expect(audio.fields[0]).toMatchObject({
      id: 'input',
      type: 'string',
      displayName: expect.stringContaining('binary field name or file ID'),
    });
  });

  it('asks for a task type first', async () => {
    expect(await getTaskInputs.call(ctx({ taskType: '' }))).toEqual({
      fields: [],
      emptyFieldsNotice: 'Choose a task type first',
    });
  });

  it('explains a login failure when loading the dropdown', async () => {
    await expect(getTaskTypes.call(ctx({}, 'wrong-password'))).rejects.toMatchObject({
      message: expect.stringContaining('Could not load the task types'),
      description: expect.stringContaining('app password'),
    });
  });
});
