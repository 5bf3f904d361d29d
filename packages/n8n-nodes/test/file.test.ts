import type { RunningEmulator } from '@f7cloud/assistant-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryItem } from './support/context';
import { emulator, runNode } from './support/run-node';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => await emu.close());

const notes = '# Notes\n\nThe budget for 2027 is approved.\n';

describe('file operations', () => {
  it('uploads a binary field as an input file, keeping its name', async () => {
    const { items } = await runNode(
      emu,
      { resource: 'file', operation: 'uploadInput', binaryPropertyName: 'data', fileName: '' },
      { items: [binaryItem('notes.md', 'text/markdown', notes)] },
    );
    expect(items[0]?.json).toMatchObject({
      fileId: expect.any(Number),
      filePath: expect.stringContaining('notes'),
    });
    expect(items[0]?.pairedItem).toEqual({ item: 0 });
  });

  it('says which binary field is missing', async () => {
    await expect(
      runNode(emu, {
        resource: 'file',
        operation: 'uploadInput',
        binaryPropertyName: 'document',
        fileName: '',
      }),
    ).rejects.toThrow(/binary file 'document'/);
  });

  it('uploads to a path and extracts the text by id and by path', async () => {
    const { items } = await runNode(
      emu,
      { resource: 'file', operation: 'upload', binaryPropertyName: 'data', path: 'Documents/notes.md' },
      { items: [binaryItem('notes.md', 'text/markdown', notes)] },
    );
    expect(items[0]?.json).toEqual({ fileId: expect.any(Number), path: '/Documents/notes.md' });
    const fileId = items[0]?.json.fileId as number;

    const byId = await runNode(emu, {
      resource: 'file',
      operation: 'extractText',
      source: 'id',
      fileId: String(fileId),
    });
    expect(byId.items[0]?.json.text).toContain('The budget for 2027 is approved.');
    const byPath = await runNode(emu, {
      resource: 'file',
      operation: 'extractText',
      source: 'path',
      path: '/Documents/notes.md',
    });
    expect(byPath.items[0]?.json.text).toBe(byId.items[0]?.json.text);
  });

  it('uploads into folders that do not exist yet (a fresh account)', async () => {
    const { items } = await runNode(
      emu,
      { resource: 'file', operation: 'upload', binaryPropertyName: 'data', path: 'NewFolder/Deeper/x.md' },
      { items: [binaryItem('x.md', 'text/markdown', notes)] },
    );
    expect(items[0]?.json).toEqual({ fileId: expect.any(Number), path: '/NewFolder/Deeper/x.md' });
    const byPath = await runNode(emu, {
      resource: 'file',
      operation: 'extractText',
      source: 'path',
      path: 'NewFolder/Deeper/x.md',
    });
    expect(byPath.items[0]?.json.text).toContain('The budget for 2027 is approved.');
  });

  it('gets file info and downloads the file as binary data', async () => {
    const { items } = await runNode(
      emu,
      { resource: 'file', operation: 'upload', binaryPropertyName: 'data', path: 'Inbox/hello.txt' },
      { items: [binaryItem('hello.txt', 'text/plain', 'hello world')] },
    );
    const fileId = String(items[0]?.json.fileId);
    const info = await runNode(emu, { resource: 'file', operation: 'getInfo', fileId });
    expect(info.items[0]?.json).toMatchObject({ name: 'hello.txt', path: '/Inbox/hello.txt', size: 11 });
    const download = await runNode(emu, {
      resource: 'file',
      operation: 'download',
      fileId,
      binaryPropertyName: 'file',
    });
    expect(Buffer.from(download.items[0]?.binary?.file?.data ?? '', 'base64').toString()).toBe('hello world');
  });

  it('runs a file action, waits for the generated file and outputs it', async () => {
    const { items } = await runNode(
      emu,
      { resource: 'file', operation: 'upload', binaryPropertyName: 'data', path: 'Reports/q3.md' },
      { items: [binaryItem('q3.md', 'text/markdown', 'Revenue grew by 12 percent.')] },
    );
    const action = await runNode(emu, {
      resource: 'file',
      operation: 'runAction',
      fileId: String(items[0]?.json.fileId),
      fileAction: 'core:text2text:summary',
      wait: true,
      download: true,
      binaryPropertyName: 'summary',
      options: { timeout: 30 },
    });
    expect(action.items[0]?.json).toMatchObject({
      status: 'STATUS_SUCCESSFUL',
      generatedFile: { path: '/Reports/q3.md - summarized.md', fileId: expect.any(Number) },
    });
    const summary = Buffer.from(action.items[0]?.binary?.summary?.data ?? '', 'base64').toString();
    expect(summary).toContain('Revenue grew by 12 percent.');
  });

  it('runs a file action without waiting and returns the started task', async () => {
    const { items } = await runNode(
      emu,
      { resource: 'file', operation: 'upload', binaryPropertyName: 'data', path: 'Reports/q4.md' },
      { items: [binaryItem('q4.md', 'text/markdown', 'Costs stayed flat.')] },
    );
    const action = await runNode(emu, {
      resource: 'file',
      operation: 'runAction',
      fileId: String(items[0]?.json.fileId),
      fileAction: 'core:text2text:summary',
      wait: false,
      options: {},
    });
    expect(action.items[0]?.json).toMatchObject({
      taskId: expect.any(Number),
      action: 'core:text2text:summary',
    });
    expect(action.items[0]?.binary).toBeUndefined();
  });
});
