// The chat-with-tools provider behaves like a tool-calling model, in the formats of the upstream provider.
import { createNodeClient, type AssistantClient } from '@f7cloud/assistant-client/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import type { Schemas } from './helpers.js';

const TYPE = 'core:text2text:chatwithtools';
const calculator = {
  type: 'function',
  function: {
    name: 'calculator',
    description: 'Evaluates a math expression',
    parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] },
  },
};
const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: 'integer' } },
      required: ['city'],
    },
  },
};

let emu: RunningEmulator;
let client: AssistantClient;
beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    users: [{ user: 'alice', appPassword: 'alice-app-pw' }],
    providers: { default: { pickupMs: 10, runMs: 20 } },
    rateLimit: { schedule: { limit: 1000, windowMs: 120_000 } },
  });
  client = createNodeClient({ baseUrl: emu.url, auth: { user: 'alice', appPassword: 'alice-app-pw' } });
});
afterAll(async () => {
  await emu?.close();
});

async function chat(input: Record<string, string | string[] | number>) {
  const task = await client.tasks.run({
    type: TYPE,
    input: {
      system_prompt: 'You are helpful.',
      input: '',
      tool_message: '',
      history: [],
      tools: '[]',
      ...input,
    },
  });
  expect(task.status).toBe('STATUS_SUCCESSFUL');
  return task;
}

describe('core:text2text:chatwithtools', () => {
  it('is listed by TaskProcessing with the upstream shapes, and hidden from the assistant list', async () => {
    const core = (await client.call('task_processing_api-task-types')) as {
      types: Record<string, Schemas['CoreTaskProcessingTaskType']>;
    };
    const type = core.types[TYPE]!;
    expect(Object.keys(type.inputShape)).toEqual([
      'system_prompt',
      'input',
      'tool_message',
      'history',
      'tools',
    ]);
    expect(type.inputShape.history?.type).toBe('ListOfTexts');
    expect(Object.keys(type.outputShape)).toEqual(['output', 'tool_calls']);
    expect(Object.keys(type.optionalInputShape)).toEqual(['max_tokens']);
    expect((await client.taskTypes()).map((t) => t.id)).not.toContain(TYPE);
  });

  it('calls the tool the message names, with arguments taken from the message', async () => {
    const task = await chat({
      input: 'Please use the calculator to work out "12 * 7 + 5".',
      tools: JSON.stringify([weather, calculator]),
    });
    expect(task.output?.output).toBe('');
    expect(JSON.parse(String(task.output?.tool_calls))).toEqual([
      { name: 'calculator', id: `call_${task.id}_1`, args: { input: '12 * 7 + 5' } },
    ]);

    const named = await chat({
      input: 'What will the get weather tool say for city: Berlin, days=3?',
      tools: JSON.stringify([calculator, weather]),
    });
    expect(JSON.parse(String(named.output?.tool_calls))[0]).toMatchObject({
      name: 'get_weather',
      args: { city: 'Berlin', days: 3 },
    });
  });

  it('answers with the tool result given as tool_message, naming the tool from the history', async () => {
    const history = [
      JSON.stringify({ role: 'human', content: 'Use the calculator for "12 * 7 + 5"' }),
      JSON.stringify({
        role: 'assistant',
        content: '',
        tool_calls: [{ id: 'call_9_1', name: 'calculator', args: { input: '12 * 7 + 5' } }],
      }),
    ];
    const task = await chat({
      history,
      tools: JSON.stringify([calculator]),
      tool_message: JSON.stringify([{ tool_call_id: 'call_9_1', content: '[{"response":"89"}]' }]),
    });
    expect(task.output).toEqual({ output: 'The calculator tool returned 89.', tool_calls: '' });
  });

  it('takes results from trailing tool entries of the history on servers without tool_message', async () => {
    const history = [
      JSON.stringify({ role: 'human', content: 'weather for city: Rome' }),
      JSON.stringify({
        role: 'assistant',
        content: '',
        tool_calls: [{ id: 'c1', name: 'get_weather', args: { city: 'Rome' } }],
      }),
      JSON.stringify({ role: 'tool', tool_call_id: 'c1', content: 'sunny, 24 °C' }),
    ];
    const task = await chat({ history, tools: JSON.stringify([weather]) });
    expect(task.output?.output).toBe('The get_weather tool returned sunny, 24 °C.');
  });

  it('answers in text when no tool is named, remembering the history and honouring max_tokens', async () => {
    const history = [
      JSON.stringify({ role: 'human', content: 'Hi' }),
      JSON.stringify({ role: 'assistant', content: 'Hello!' }),
    ];
    const task = await chat({ input: 'How are you?', history, tools: JSON.stringify([calculator]) });
    expect(task.output).toEqual({
      output: 'You said: How are you? (I remember 2 earlier messages.) Name a tool to use it: calculator.',
      tool_calls: '',
    });
    const short = await chat({ input: 'one two three four five', max_tokens: 3 });
    expect(short.output?.output).toBe('You said: one');
  });

  it('refuses what upstream refuses: a missing tool_message, tools that are not a JSON list', async () => {
    await expect(
      client.tasks.schedule({
        type: TYPE,
        input: { system_prompt: '', input: 'x', history: [], tools: '[]' },
      }),
    ).rejects.toMatchObject({ status: 400 });
    const scheduled = await client.tasks.schedule({
      type: TYPE,
      input: { system_prompt: '', input: 'x', tool_message: '', history: [], tools: '{"not":"a list"}' },
    });
    await expect(client.tasks.wait(scheduled.id)).rejects.toMatchObject({ code: 'task_failed' });
    const task = await client.tasks.get(scheduled.id);
    expect(task.status).toBe('STATUS_FAILED');
  });
});
