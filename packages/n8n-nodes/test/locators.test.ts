import type { RunningEmulator } from '@f7cloud/assistant-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import workflow from '../e2e/workflows/task-run.json';
import { F7CloudAssistant } from '../nodes/F7CloudAssistant/F7CloudAssistant.node';
import { binaryItem, createContext, emulatorCredentials } from './support/context';
import { emulator, runNode } from './support/run-node';

// Resource locators: "From List" searches the server, "ID"/"By Path" take what the user typed, and
// workflows saved before (plain strings) run as they did.
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => await emu.close());

const node = new F7CloudAssistant();
const rl = (mode: string, value: string) => ({ __rl: true, mode, value });

async function search(method: 'searchTaskTypes' | 'searchTasks' | 'searchChatSessions', filter?: string) {
  const fake = createContext({ parameters: {}, credentials: emulatorCredentials(emu) });
  return (await node.methods.listSearch[method].call(fake.context, filter)).results;
}

describe('resource locators', () => {
  it('lists the task types by name, searchable by name or ID', async () => {
    const all = await search('searchTaskTypes');
    expect(all.length).toBeGreaterThan(3);
    expect(all).toContainEqual(
      expect.objectContaining({ value: 'core:text2text:summary', name: expect.any(String) }),
    );
    const found = await search('searchTaskTypes', 'SUMMAR');
    expect(found.map((r) => r.value)).toContain('core:text2text:summary');
    expect(found.length).toBeLessThan(all.length);
  });

  it('runs a task chosen from the list and finds it again in the task list by its custom ID', async () => {
    const { items } = await runNode(emu, {
      resource: 'task',
      operation: 'run',
      taskType: rl('list', 'core:text2text'),
      inputs: { mappingMode: 'defineBelow', value: { input: 'Hello' } },
      waitMode: 'noWait',
      options: { customId: 'locator-test-7' },
    });
    const id = String(items[0]?.json.taskId ?? items[0]?.json.id);
    const listed = await search('searchTasks', 'locator-test-7');
    expect(listed.map((r) => r.value)).toEqual([id]);
    expect(listed[0]?.name).toMatch(
      new RegExp(`^${id}: .+ \\((Scheduled|Running|Successful)\\) · locator-test-7$`),
    );

    const { items: got } = await runNode(emu, {
      resource: 'task',
      operation: 'get',
      taskId: rl('list', id),
      simplify: true,
    });
    expect(String(got[0]?.json.taskId)).toBe(id);
  });

  it('lists chat sessions by title, searchable, and takes one from the list', async () => {
    const { items } = await runNode(emu, {
      resource: 'chat',
      operation: 'createSession',
      title: 'Locator budget talk',
    });
    const id = String(items[0]?.json.id ?? items[0]?.json.sessionId);
    const found = await search('searchChatSessions', 'budget');
    expect(found).toEqual([{ name: `Locator budget talk (${id})`, value: id }]);
    const { items: checked } = await runNode(emu, {
      resource: 'chat',
      operation: 'checkSession',
      sessionId: rl('list', id),
    });
    expect(checked).toHaveLength(1);
  });

  it('takes a file by path or by ID wherever an operation takes a file', async () => {
    const { items } = await runNode(
      emu,
      { resource: 'file', operation: 'upload', binaryPropertyName: 'data', path: 'Documents/locator.md' },
      { items: [binaryItem('locator.md', 'text/markdown', '# Locator\n\nSome text to summarize.\n')] },
    );
    const fileId = String(items[0]?.json.fileId);
    const byPath = await runNode(emu, {
      resource: 'file',
      operation: 'getInfo',
      fileId: rl('path', 'Documents/locator.md'),
    });
    const byId = await runNode(emu, { resource: 'file', operation: 'getInfo', fileId: rl('id', fileId) });
    expect(byPath.items[0]?.json).toEqual(byId.items[0]?.json);
    expect(byPath.items[0]?.json).toMatchObject({ name: 'locator.md', fileId: Number(fileId) });

    const action = await runNode(emu, {
      resource: 'file',
      operation: 'runAction',
      fileId: rl('path', '/Documents/locator.md'),
      fileAction: 'core:text2text:summary',
      wait: false,
      options: {},
    });
    expect(action.items[0]?.json).toMatchObject({ fileId: Number(fileId), action: 'core:text2text:summary' });
  });

  it('says which ID is wrong, before sending anything', async () => {
    const fake = createContext({
      parameters: { resource: 'task', operation: 'get', taskId: rl('id', 'abc'), simplify: true },
      credentials: emulatorCredentials(emu),
    });
    await expect(node.execute.call(fake.context)).rejects.toThrow(
      'Task ID must be a positive whole number, got "abc". Nothing was sent.',
    );
    expect(fake.requests).toEqual([]);
  });

  it('runs a workflow saved before the locators existed (plain-string task type) unchanged', async () => {
    const saved = workflow.nodes.find(
      (n) => n.type.endsWith('.f7CloudAssistant') && n.parameters.taskType === 'core:text2text:translate',
    );
    expect(typeof saved?.parameters.taskType).toBe('string');
    const { items } = await runNode(emu, saved!.parameters as Record<string, unknown>);
    expect(items[0]?.json).toMatchObject({ status: 'STATUS_SUCCESSFUL' });
    expect(JSON.stringify(items[0]?.json)).toContain('Good morning');
  });
});
