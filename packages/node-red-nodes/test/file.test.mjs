// f7cloud-file in the real Node-RED runtime against the emulator.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { helper, loadNode, send, startTestEmulator } from './support/harness.mjs';

let emulator;
beforeEach(async () => {
  emulator = await startTestEmulator();
});
afterEach(async () => {
  await helper.unload();
  await emulator.close();
});

const file = (props) => ({ type: 'f7cloud-file', ...props });
const NOTES = '# Notes\nShip the nodes this week.\n';

async function run(props, msg) {
  await loadNode(emulator.url, file(props));
  const result = await send(msg);
  await helper.unload();
  return result;
}

describe('f7cloud-file', () => {
  it('uploads msg.payload as an input file, then extracts its text and reads its info by msg.fileId', async () => {
    const uploaded = await run({ operation: 'uploadInput' }, { payload: NOTES, filename: 'notes.md' });
    expect(uploaded.error).toBeUndefined();
    expect(typeof uploaded.msg.fileId).toBe('number');
    expect(uploaded.msg.payload.filePath).toContain('notes.md');

    const text = await run({ operation: 'extractText' }, { fileId: uploaded.msg.fileId });
    expect(text.msg.payload).toContain('Ship the nodes this week.');

    const info = await run({ operation: 'getInfo' }, { fileId: uploaded.msg.fileId });
    expect(info.msg.payload).toMatchObject({ owner: 'alice', size: Buffer.byteLength(NOTES) });
    expect(info.msg.payload.name).toMatch(/notes\.md$/);
  });

  it('uploads to a folder by path, downloads the same bytes and extracts text by path', async () => {
    const bytes = Buffer.from(NOTES);
    const uploaded = await run({ operation: 'upload', path: '/Reports/2026/notes.md' }, { payload: bytes });
    expect(uploaded.error).toBeUndefined();
    expect(uploaded.msg.payload.path).toBe('/Reports/2026/notes.md');

    const download = await run({ operation: 'download' }, { fileId: uploaded.msg.fileId });
    expect(Buffer.isBuffer(download.msg.payload)).toBe(true);
    expect(download.msg.payload.equals(bytes)).toBe(true);
    expect(download.msg.filename).toBe('notes.md');
    expect(download.msg.contentType).toMatch(/markdown|text/);

    const text = await run({ operation: 'extractText', source: 'path' }, { path: '/Reports/2026/notes.md' });
    expect(text.msg.payload).toContain('Ship the nodes this week.');
  });

  it('uploads a Buffer into a folder that does not exist yet, as on a fresh account', async () => {
    const bytes = Buffer.from('# x\n');
    const uploaded = await run({ operation: 'upload', path: 'NewFolder/x.md' }, { payload: bytes });
    expect(uploaded.error).toBeUndefined();
    expect(uploaded.msg.payload.path).toMatch(/^\/?NewFolder\/x\.md$/);
    const download = await run({ operation: 'download' }, { fileId: uploaded.msg.fileId });
    expect(download.msg.payload.equals(bytes)).toBe(true);
    expect(download.msg.filename).toBe('x.md');
  });

  it('runs a file action, waits for it, and points msg.fileId at the file it wrote', async () => {
    const uploaded = await run({ operation: 'upload', path: '/Docs/plan.md' }, { payload: NOTES });
    const action = await run(
      { operation: 'runAction', action: 'core:text2text:summary' },
      { fileId: uploaded.msg.fileId },
    );
    expect(action.error).toBeUndefined();
    expect(action.msg.payload).toContain('This is a fake summary');
    expect(action.msg.sourceFileId).toBe(uploaded.msg.fileId);
    expect(action.msg.assistant.file.path).toBe('/Docs/plan.md - summarized.md');
    expect(action.msg.fileId).toBe(action.msg.assistant.file.fileId);
  });

  it('explains what is wrong with a missing payload, a missing file and a bad path', async () => {
    const empty = await run({ operation: 'uploadInput' }, { payload: { not: 'a file' } });
    expect(empty.error.message).toContain('msg.payload must hold the file: a Buffer or a non-empty string');

    const none = await run({ operation: 'extractText' }, {});
    expect(none.error.message).toContain(
      'set File ID or File Path in the node, or send msg.fileId or msg.path',
    );

    const unknown = await run({ operation: 'getInfo' }, { fileId: 987654 });
    expect(unknown.msg.assistantError.code).toBe('not_found');
    expect(unknown.error.message).toContain('file 987654 was not found');

    const traversal = await run({ operation: 'upload', path: '../../etc/passwd' }, { payload: 'x' });
    expect(traversal.msg.assistantError.code).toBe('invalid_input');
    expect(traversal.error.message).toContain('without ".." parts');
  });
});
