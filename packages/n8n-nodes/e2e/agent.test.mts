// End-to-end: real n8n 2.41.1 runs its AI Agent with the f7cloud Assistant Chat Model, the f7cloud
// Assistant Memory and n8n's Calculator tool, headless, against the emulator. The package is loaded as n8n
// installs it (packed, outside the workspace), so the AI node SDK and LangChain are n8n's own.
import { createNodeClient } from '@f7cloud/assistant-client/node';
import { startEmulator, type RunningEmulator } from '@f7cloud/assistant-emulator';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createN8n,
  installN8n,
  loadWorkflow,
  nodeRunOutput,
  packageRoot,
  packedPackage,
  type N8nInstance,
} from './harness.mjs';

const CANARY_PASSWORD = 'Canary-agent-e2e-4Kp2-Secret';
const CREDENTIAL_ID = 'f7cloudEmuCred02';
const SESSION_KEY = 'e2e-agent-conversation';

let emulator: RunningEmulator;
let n8n: N8nInstance;
let packed: Awaited<ReturnType<typeof packedPackage>>;

const client = () =>
  createNodeClient({ baseUrl: emulator.url, auth: { user: 'alice', appPassword: CANARY_PASSWORD } });

async function runAgent(id: string, prompt: string) {
  const template = await loadWorkflow('agent', CREDENTIAL_ID);
  const text = JSON.stringify({ ...template, id })
    .replaceAll('@f7cloud/n8n-nodes-assistant.', 'CUSTOM.')
    .replaceAll('__SESSION_KEY__', SESSION_KEY)
    .replace('__PROMPT__', prompt.replaceAll('"', '\\"'));
  const workflow = JSON.parse(text) as Record<string, unknown>;
  await n8n.importWorkflow(workflow);
  const execution = await n8n.execute(id);
  expect(JSON.stringify(execution)).not.toContain(CANARY_PASSWORD);
  return execution;
}

beforeAll(async () => {
  const bin = installN8n();
  packed = await packedPackage();
  emulator = await startEmulator({
    port: 0,
    users: [{ user: 'alice', appPassword: CANARY_PASSWORD }],
    providers: { default: { pickupMs: 50, runMs: 100 } },
  });
  n8n = await createN8n(bin, { extensions: packed.dist });
  await n8n.importCredential({
    id: CREDENTIAL_ID,
    name: 'f7cloud emulator',
    type: 'f7CloudAssistantApi',
    data: { serverUrl: emulator.url, user: 'alice', appPassword: CANARY_PASSWORD, ignoreSslIssues: false },
  });
}, 600_000);

afterAll(async () => {
  await n8n?.dispose();
  await emulator?.close();
  await packed?.dispose();
});

describe("n8n's AI Agent with the f7cloud Assistant Chat Model and Memory", () => {
  it('calls the tool, answers with its result, and continues the session in a second execution', async () => {
    const first = await runAgent('f7cloudE2eAgent01', 'Use the calculator to work out "12 * 7 + 5".');
    expect(first.status).toBe('success');
    const [answer] = nodeRunOutput(first, 'AI Agent', -1);
    expect(answer?.json.output).toBe('The Calculator tool returned 89.');
    // The calculator really ran, with the arguments the model took from the prompt.
    expect(JSON.stringify(first.data.resultData.runData.Calculator)).toContain('89');

    // The model ran on the server: a tool call, then the answer from the tool's result.
    const tasks = (await client().tasks.find({ taskType: 'core:text2text:chatwithtools' })).sort(
      (a, b) => a.id - b.id,
    );
    expect(tasks).toHaveLength(2);
    expect(JSON.parse(String(tasks[0]?.output?.tool_calls))).toMatchObject([
      { name: 'Calculator', args: { input: '12 * 7 + 5' } },
    ]);
    expect(JSON.parse(String(tasks[1]?.input.tool_message))).toMatchObject([
      { content: expect.stringContaining('89') },
    ]);

    // The conversation is in an assistant chat session, as the web UI shows it.
    const sessions = (await client().chat.sessions()).filter((s) =>
      s.title?.endsWith(`[n8n:${SESSION_KEY}]`),
    );
    expect(sessions).toHaveLength(1);
    const session = sessions[0]!;
    expect(session.title).toBe(`n8n e2e [n8n:${SESSION_KEY}]`);
    const turn = async () =>
      (await client().chat.messages(session.id, { all: true }))
        .filter((m) => m.role !== 'system')
        .map((m) => [m.role, m.content]);
    expect(await turn()).toEqual([
      ['human', 'Use the calculator to work out "12 * 7 + 5".'],
      ['assistant', 'The Calculator tool returned 89.'],
    ]);

    // A second execution (a new n8n process) with the same session key continues that session.
    const second = await runAgent('f7cloudE2eAgent02', 'Thanks! Please remember that.');
    expect(second.status).toBe('success');
    const [reply] = nodeRunOutput(second, 'AI Agent', -1);
    // The model received the first turn from the memory.
    expect(String(reply?.json.output)).toContain('I remember 2 earlier messages.');
    expect(
      (await client().chat.sessions()).filter((s) => s.title?.endsWith(`[n8n:${SESSION_KEY}]`)),
    ).toHaveLength(1);
    expect(await turn()).toEqual([
      ['human', 'Use the calculator to work out "12 * 7 + 5".'],
      ['assistant', 'The Calculator tool returned 89.'],
      ['human', 'Thanks! Please remember that.'],
      ['assistant', String(reply?.json.output)],
    ]);
  });

  it('imports the example workflow', async () => {
    const text = await readFile(path.join(packageRoot, 'examples', 'ai-agent-own-model.json'), 'utf8');
    const wf = JSON.parse(
      text
        .replaceAll('__CREDENTIAL_ID__', CREDENTIAL_ID)
        .replaceAll('@f7cloud/n8n-nodes-assistant.', 'CUSTOM.'),
    ) as Record<string, unknown>;
    await n8n.importWorkflow(wf);
    const { stdout } = await n8n.cli(['export:workflow', `--id=${String(wf.id)}`]);
    expect(stdout).toContain('f7CloudAssistantChatModel');
    expect(stdout).toContain('f7CloudAssistantMemory');
  });
});
