// The f7cloud Assistant Chat Model against the emulator, through the real AI node SDK (its LangChain
// adapter is what n8n's AI Agent calls), and its message conversion on its own.
import type { RunningEmulator } from '@f7cloud/assistant-emulator';
import { createNodeClient } from '@f7cloud/assistant-client/node';
import type { Message } from '@n8n/ai-node-sdk';
import { sleep } from 'n8n-workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F7CloudAssistantChatModel } from '../nodes/F7CloudAssistantChatModel/F7CloudAssistantChatModel.node';
import { buildChatInput, parseToolCalls } from '../nodes/F7CloudAssistantChatModel/messages';
import { createContext, emulatorCredentials } from './support/context';
import { CANARY, emulator } from './support/run-node';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator({
    providers: {
      default: { pickupMs: 10, runMs: 20 },
      'core:text2text:headline': { pickupMs: 10, runMs: 60_000 },
    },
  });
});
afterAll(async () => await emu.close());

const client = () => createNodeClient({ baseUrl: emu.url, auth: { user: 'alice', appPassword: CANARY } });

/** A supply-data context: the fake execute context plus what the SDK's tracing and logging call. */
function supplyContext(parameters: Record<string, unknown>, signal?: AbortSignal) {
  const fake = createContext({
    parameters,
    credentials: emulatorCredentials(emu),
    ...(signal ? { signal } : {}),
  });
  const logged: string[] = [];
  const context = Object.assign(fake.context as object, {
    addInputData: () => ({ index: 0 }),
    addOutputData: () => undefined,
    logAiEvent: (event: string) => logged.push(event),
    getNextRunIndex: () => 0,
    setMetadata: () => undefined,
  });
  return { context: context as never, logged, requests: fake.requests };
}

interface LcModel {
  bindTools(tools: unknown[]): LcModel;
  invoke(input: unknown, options?: unknown): Promise<LcMessage>;
}
interface LcMessage {
  content: unknown;
  tool_calls?: { id?: string; name: string; args: Record<string, unknown> }[];
  usage_metadata?: { input_tokens: number; output_tokens: number; total_tokens: number };
  response_metadata?: Record<string, unknown>;
}

async function supplyModel(parameters: Record<string, unknown> = {}, signal?: AbortSignal) {
  const ctx = supplyContext({ options: {}, ...parameters }, signal);
  const supplied = await new F7CloudAssistantChatModel().supplyData.call(ctx.context, 0);
  return { model: supplied.response as LcModel, ...ctx };
}

const calculator = {
  type: 'function',
  function: {
    name: 'calculator',
    description: 'Evaluates a math expression',
    parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] },
  },
};

const textOfLc = (message: LcMessage) =>
  typeof message.content === 'string'
    ? message.content
    : (message.content as { text?: string }[]).map((c) => c.text ?? '').join('');

describe('f7cloud Assistant Chat Model', () => {
  it('answers through core:text2text:chat when no tools are bound, with estimated token usage', async () => {
    const { model } = await supplyModel({
      chatTaskType: 'core:text2text:chat',
      toolsTaskType: 'core:text2text:chatwithtools',
    });
    const answer = await model.invoke([
      ['system', 'Be brief.'],
      ['human', 'Hi'],
      ['ai', 'Hello!'],
      ['human', 'What can you do?'],
    ]);
    // The emulator's chat provider echoes what it received, as the servers' test provider does.
    expect(textOfLc(answer)).toContain('- System prompt: Be brief.');
    expect(textOfLc(answer)).toContain('- Input message: What can you do?');
    expect(textOfLc(answer)).toContain('2 messages');
    expect(answer.tool_calls ?? []).toEqual([]);
    expect(answer.usage_metadata?.total_tokens).toBeGreaterThan(0);
    expect(answer.response_metadata).toMatchObject({
      provider: 'f7cloud-assistant',
      model: 'core:text2text:chat',
    });
    const [task] = await client().tasks.find({ taskType: 'core:text2text:chat' });
    expect(task?.input.history).toEqual([
      JSON.stringify({ role: 'human', content: 'Hi' }),
      JSON.stringify({ role: 'assistant', content: 'Hello!' }),
    ]);
  });

  it('calls a bound tool, then answers with its result, in the upstream formats', async () => {
    const { model } = await supplyModel({
      chatTaskType: 'core:text2text:chat',
      toolsTaskType: 'core:text2text:chatwithtools',
      options: { optionalInputs: { input: [{ name: 'max_tokens', value: '50' }] } },
    });
    const bound = model.bindTools([calculator]);
    const question = ['human', 'Use the calculator to work out "12 * 7 + 5".'];
    const call = await bound.invoke([['system', 'You can use tools.'], question]);
    expect(call.tool_calls).toEqual([
      expect.objectContaining({ name: 'calculator', args: { input: '12 * 7 + 5' }, id: expect.any(String) }),
    ]);
    const id = call.tool_calls?.[0]?.id as string;

    const answer = await bound.invoke([
      ['system', 'You can use tools.'],
      question,
      call,
      { role: 'tool', content: '[{"response":"89"}]', tool_call_id: id, name: 'calculator' },
    ]);
    expect(textOfLc(answer)).toBe('The calculator tool returned 89.');
    expect(answer.tool_calls ?? []).toEqual([]);

    const tasks = await client().tasks.find({ taskType: 'core:text2text:chatwithtools' });
    const followUp = tasks.sort((a, b) => b.id - a.id)[0];
    expect(followUp?.input).toMatchObject({
      system_prompt: 'You can use tools.',
      input: '',
      max_tokens: 50,
      tool_message: JSON.stringify([
        { tool_call_id: id, name: 'calculator', content: '[{"response":"89"}]' },
      ]),
      history: [
        JSON.stringify({ role: 'human', content: 'Use the calculator to work out "12 * 7 + 5".' }),
        JSON.stringify({
          role: 'assistant',
          content: '',
          tool_calls: [{ id, name: 'calculator', args: { input: '12 * 7 + 5' }, type: 'tool_call' }],
        }),
      ],
    });
    expect(JSON.parse(String(followUp?.input.tools))).toEqual([calculator]);
  });

  it('streams (as the agent does behind a streaming Chat Trigger): the whole answer, tool calls included', async () => {
    const { model } = await supplyModel({
      chatTaskType: 'core:text2text:chat',
      toolsTaskType: 'core:text2text:chatwithtools',
    });
    const stream = (await (
      model.bindTools([calculator]) as unknown as {
        stream(input: unknown): Promise<AsyncIterable<LcMessage & { concat(other: unknown): LcMessage }>>;
      }
    ).stream([['human', 'calculator: input="2 + 3"']])) as AsyncIterable<
      LcMessage & { concat(o: unknown): never }
    >;
    let merged: (LcMessage & { concat(o: unknown): never }) | undefined;
    for await (const chunk of stream) merged = merged ? merged.concat(chunk) : chunk;
    expect(merged?.tool_calls).toEqual([
      expect.objectContaining({ name: 'calculator', args: { input: '2 + 3' } }),
    ]);
  });

  it('says clearly when the server lacks the task type, and sends nothing', async () => {
    const { model } = await supplyModel({
      chatTaskType: 'core:text2text:chat',
      toolsTaskType: 'core:text2text:nosuchtype',
    });
    const before = (await client().tasks.find({ taskType: 'core:text2text:nosuchtype' })).length;
    await expect(
      model.bindTools([calculator]).invoke([['human', 'Use the calculator for 1+1']]),
    ).rejects.toThrow(
      /The server has no "core:text2text:nosuchtype" task type, which the agent needs to call tools.*core:text2text:chatwithtools.*Nothing was sent/,
    );
    expect((await client().tasks.find({ taskType: 'core:text2text:nosuchtype' })).length).toBe(before);
  });

  it('refuses an optional input the task types do not offer', async () => {
    const { model } = await supplyModel({
      chatTaskType: 'core:text2text:chat',
      toolsTaskType: 'core:text2text:chatwithtools',
      options: { optionalInputs: { input: [{ name: 'temperature', value: '0.2' }] } },
    });
    await expect(model.invoke([['human', 'Hi']])).rejects.toThrow(
      /"core:text2text:chat" has no optional input "temperature".*Nothing was sent/,
    );
  });

  it('stops waiting when the execution is cancelled', async () => {
    const controller = new AbortController();
    const { model } = await supplyModel(
      { chatTaskType: 'core:text2text:headline', toolsTaskType: 'core:text2text:chatwithtools' },
      controller.signal,
    );
    // A type whose task runs for a minute: the model must give up as soon as the execution is cancelled.
    const started = Date.now();
    const pending = model.invoke([['human', 'x']]);
    pending.catch(() => undefined);
    // Cancel once the task is on the server (whenever that is on a loaded machine).
    while ((await client().tasks.find({ taskType: 'core:text2text:headline' })).length === 0) await sleep(50);
    controller.abort();
    await expect(pending).rejects.toThrow(/abort|cancel/i);
    expect(Date.now() - started).toBeLessThan(20_000);
    // …and the server's worker is freed.
    const [task] = await client().tasks.find({ taskType: 'core:text2text:headline' });
    await expect.poll(async () => (await client().tasks.get(task!.id)).status).toBe('STATUS_CANCELLED');
  });
});

describe('message conversion', () => {
  const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });

  it('puts system messages in the system prompt and the last user message in the input', () => {
    const input = buildChatInput([
      { role: 'system', content: [{ type: 'text', text: 'Rules.' }] },
      user('first'),
      { role: 'assistant', content: [{ type: 'text', text: 'reply' }] },
      user('second'),
    ]);
    expect(input).toEqual({
      system_prompt: 'Rules.',
      input: 'second',
      history: ['{"role":"human","content":"first"}', '{"role":"assistant","content":"reply"}'],
    });
  });

  it('sends tool results as trailing tool history entries when the type has no tool_message input', () => {
    const input = buildChatInput(
      [
        user('weather in Rome?'),
        {
          role: 'assistant',
          content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: '{"city":"Rome"}' }],
        },
        {
          role: 'tool',
          name: 'weather',
          content: [{ type: 'tool-result', toolCallId: 'c1', result: 'sunny' }],
        },
      ],
      { tools: { list: [], jsonSchema: () => ({}), toolMessageSlot: false } },
    );
    expect(input.input).toBe('');
    expect(input.tool_message).toBeUndefined();
    expect(input.history.map((h) => JSON.parse(h).role)).toEqual(['human', 'assistant', 'tool']);
    expect(JSON.parse(input.history[2]!)).toEqual({
      role: 'tool',
      tool_call_id: 'c1',
      name: 'weather',
      content: 'sunny',
    });
  });

  it("reads tool calls in upstream's and OpenAI's shapes, and rejects what is not JSON", () => {
    expect(
      parseToolCalls(
        JSON.stringify([
          { name: 'a', id: 'x', args: { n: 1 } },
          { id: 'y', type: 'function', function: { name: 'b', arguments: '{"m":2}' } },
          { name: 'c', args: {} },
        ]),
        (i) => `gen_${i}`,
      ),
    ).toEqual([
      { type: 'tool-call', toolCallId: 'x', toolName: 'a', input: '{"n":1}' },
      { type: 'tool-call', toolCallId: 'y', toolName: 'b', input: '{"m":2}' },
      { type: 'tool-call', toolCallId: 'gen_2', toolName: 'c', input: '{}' },
    ]);
    expect(parseToolCalls('', () => 'z')).toEqual([]);
    expect(() => parseToolCalls('not json', () => 'z')).toThrow(/tool calls that are not JSON/);
  });
});
