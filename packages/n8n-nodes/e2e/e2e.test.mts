// End-to-end: real n8n 2.41.1 (Node 24) loads the built package and runs workflows against the emulator.
// Run with `pnpm test:e2e` (installs n8n into ~/.cache/f7cloud on first use).
import { startEmulator, type RunningEmulator } from '@f7cloud/assistant-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeClient } from '@f7cloud/assistant-client/node';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createN8n,
  installN8n,
  loadWorkflow,
  nodeOutput,
  packageRoot,
  type N8nInstance,
} from './harness.mjs';

const CANARY_PASSWORD = 'Canary-e2e-7Qx9-Secret';
const CREDENTIAL_ID = 'f7cloudEmuCred01';

let emulator: RunningEmulator;
let n8n: N8nInstance;

/** Our nodes load from N8N_CUSTOM_EXTENSIONS, where n8n names them CUSTOM.<node> instead of <package>.<node>. */
async function workflow(name: string) {
  const wf = await loadWorkflow(name, CREDENTIAL_ID);
  return JSON.parse(JSON.stringify(wf).replaceAll('@f7cloud/n8n-nodes-assistant.', 'CUSTOM.')) as Record<
    string,
    unknown
  >;
}

async function example(name: string) {
  const text = await readFile(path.join(packageRoot, 'examples', `${name}.json`), 'utf8');
  return JSON.parse(
    text
      .replaceAll('__CREDENTIAL_ID__', CREDENTIAL_ID)
      .replaceAll('@f7cloud/n8n-nodes-assistant.', 'CUSTOM.'),
  ) as Record<string, unknown>;
}

async function run(name: string, given?: Record<string, unknown>) {
  const wf = given ?? (await workflow(name));
  await n8n.importWorkflow(wf);
  const execution = await n8n.execute(String(wf.id));
  expect(JSON.stringify(execution)).not.toContain(CANARY_PASSWORD);
  return execution;
}

beforeAll(async () => {
  const bin = installN8n();
  emulator = await startEmulator({ port: 0, users: [{ user: 'alice', appPassword: CANARY_PASSWORD }] });
  n8n = await createN8n(bin);
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
});

describe('real n8n runs the f7cloud Assistant nodes against the emulator', () => {
  it('runs tasks with typed inputs (enum, number) and turns file outputs into binary data', async () => {
    const execution = await run('task-run');
    expect(execution.status).toBe('success');
    const [translated] = nodeOutput(execution, 'Translate');
    expect(translated?.json.status).toBe('STATUS_SUCCESSFUL');
    expect(String(translated?.json.output)).toContain('Good morning');
    expect(String(translated?.json.output)).toMatch(/English \(US\) to Deutsch/);
    const [images] = nodeOutput(execution, 'Images');
    expect(Object.keys(images?.binary ?? {}).sort()).toEqual(['images_0', 'images_1']);
    expect(images?.binary?.images_0?.mimeType).toBe('image/png');
  });

  it('uploads binary data as an input file and extracts its text', async () => {
    const execution = await run('upload-extract');
    expect(execution.status).toBe('success');
    const [uploaded] = nodeOutput(execution, 'Upload Input');
    expect(uploaded?.json.fileId).toEqual(expect.any(Number));
    const [extracted] = nodeOutput(execution, 'Extract Text');
    expect(extracted?.json.text).toContain('The budget for 2027 is approved.');
  });

  it('runs a file action and waits for the generated file', async () => {
    const execution = await run('file-action');
    expect(execution.status).toBe('success');
    const [summary] = nodeOutput(execution, 'Summarize');
    expect(summary?.json.status).toBe('STATUS_SUCCESSFUL');
    expect((summary?.json.generatedFile as { path: string }).path).toBe(
      '/Documents/report.md - summarized.md',
    );
    expect(summary?.binary?.summary?.fileName).toBe('report.md - summarized.md');
  });

  it('holds a conversation of three turns in one session', async () => {
    const execution = await run('chat');
    expect(execution.status).toBe('success');
    const turns = ['Turn 1', 'Turn 2', 'Turn 3'].map((name) => nodeOutput(execution, name)[0]?.json);
    const sessionId = turns[0]?.sessionId;
    expect(sessionId).toEqual(expect.any(Number));
    expect(turns.map((t) => t?.sessionId)).toEqual([sessionId, sessionId, sessionId]);
    expect(turns.map((t) => t?.sessionCreated)).toEqual([true, false, false]);
    for (const turn of turns) expect(String(turn?.reply)).toMatch(/\S/);
    const history = nodeOutput(execution, 'History').map((item) => item.json);
    const human = history.filter((m) => m.role === 'human').map((m) => m.content);
    expect(human).toEqual(['Hello, who are you?', 'What can you do?', 'Thanks, bye!']);
    expect(history.filter((m) => m.role === 'assistant')).toHaveLength(3);
  });

  it('runs the scheduled document summaries example', async () => {
    const client = createNodeClient({
      baseUrl: emulator.url,
      auth: { user: 'alice', appPassword: CANARY_PASSWORD },
    });
    await client.files.upload(
      'Documents/report.md',
      new TextEncoder().encode('Sales doubled in the third quarter.\n'),
    );
    const execution = await run('', await example('scheduled-document-summaries'));
    expect(execution.status).toBe('success');
    const [summary] = nodeOutput(execution, 'Summarize');
    expect(summary?.json.status).toBe('STATUS_SUCCESSFUL');
    expect(String(summary?.json.output)).toContain('Sales doubled in the third quarter.');
  });

  it('uploads into a folder that does not exist yet (File → Upload to NewFolder/…)', async () => {
    const execution = await run('upload-new-folder');
    expect(execution.status).toBe('success');
    const [uploaded] = nodeOutput(execution, 'Upload');
    expect(uploaded?.json).toMatchObject({ fileId: expect.any(Number), path: '/NewFolder/e2e/x.md' });
    const [extracted] = nodeOutput(execution, 'Extract Text');
    expect(extracted?.json.text).toContain('The budget for 2027 is approved.');
    // the folders were made on the way (the emulator, like a real server, refuses a PUT into a missing one)
    const made = emulator.control.requests().filter((r) => r.method === 'MKCOL');
    expect(made.length).toBeGreaterThan(0);
  });

  describe('On Error settings route failing items as n8n does', () => {
    async function errorWorkflow(onError: string) {
      const wf = await workflow('error-output');
      return {
        ...JSON.parse(JSON.stringify(wf).replaceAll('__ON_ERROR__', onError)),
        id: `e2eErrorOut${onError === 'continueErrorOutput' ? 'Err' : 'Reg'}`,
      } as Record<string, unknown>;
    }

    beforeAll(async () => {
      const client = createNodeClient({
        baseUrl: emulator.url,
        auth: { user: 'alice', appPassword: CANARY_PASSWORD },
      });
      await client.files.upload('Documents/e2e-exists.md', new TextEncoder().encode('Routing works.\n'));
    });

    it('"Continue (using error output)": failing items reach the node on the error branch', async () => {
      const execution = await run('', await errorWorkflow('continueErrorOutput'));
      expect(execution.status).toBe('success');
      const [main, errors] = execution.data.resultData.runData.Extract?.[0]?.data?.main ?? [];
      expect(main?.map((item) => item.json.text)).toEqual([expect.stringContaining('Routing works.')]);
      expect(errors).toHaveLength(2);
      const failed = nodeOutput(execution, 'Failed');
      expect(failed).toHaveLength(2);
      for (const [n, item] of failed.entries()) {
        expect(String(item.json.error)).toContain(`e2e-missing-${n + 1}.md`);
        expect(String(item.json.details)).toMatch(/\S/);
        // n8n adds the input item's fields to an error item: the task type it came from
        expect(item.json.id).toEqual(expect.any(String));
      }
      expect(nodeOutput(execution, 'Succeeded')).toHaveLength(1);
    });

    it('"Continue (regular output)": failing items stay on the main output with error', async () => {
      const execution = await run('', await errorWorkflow('continueRegularOutput'));
      expect(execution.status).toBe('success');
      const items = nodeOutput(execution, 'Succeeded');
      expect(items).toHaveLength(3);
      expect(items[0]?.json.text).toContain('Routing works.');
      expect(items.slice(1).map((item) => String(item.json.error))).toEqual([
        expect.stringContaining('e2e-missing-1.md'),
        expect.stringContaining('e2e-missing-2.md'),
      ]);
      expect(execution.data.resultData.runData.Failed).toBeUndefined();
    });
  });

  it('imports every example workflow into n8n', async () => {
    for (const name of [
      'scheduled-document-summaries',
      'chat-after-form',
      'ai-agent-tool',
      'long-task-resume-webhook',
    ]) {
      const wf = await example(name);
      await n8n.importWorkflow(wf);
      const { stdout } = await n8n.cli(['export:workflow', `--id=${String(wf.id)}`]);
      expect(stdout).toContain(String(wf.name));
    }
  });
});
