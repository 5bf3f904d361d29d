// f7cloud-file with streams in the real Node-RED runtime against the emulator: uploads from a Readable,
// downloads as a Readable ("Output as stream"), large files without holding them in memory, and clear
// errors for streams that cannot be sent.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { helper, loadNode, send, startTestEmulator } from './support/harness.mjs';

let emulator;
let dataDir;
beforeEach(async () => {
  // file bodies on disk, so the in-process emulator does not hold them in this process's memory either
  dataDir = mkdtempSync(join(tmpdir(), 'f7cloud-node-red-stream-'));
  emulator = await startTestEmulator({ dataDir: join(dataDir, 'emulator') });
});
afterEach(async () => {
  await helper.unload();
  await emulator.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const file = (props) => ({ type: 'f7cloud-file', ...props });

async function run(props, msg, timeoutMs) {
  await loadNode(emulator.url, file(props));
  const result = await send(msg, timeoutMs);
  return result;
}

/** `size` bytes of a repeatable pseudo-random pattern, generated chunk by chunk (never all in memory). */
function generated(size, chunk = 256 * 1024) {
  const block = crypto.createHash('sha512').update(String(size)).digest();
  const piece = Buffer.alloc(chunk);
  for (let i = 0; i < chunk; i += block.length) block.copy(piece, i);
  let sent = 0;
  return Readable.from(
    (function* () {
      while (sent < size) {
        const n = Math.min(chunk, size - sent);
        sent += n;
        yield n === chunk ? piece : piece.subarray(0, n);
      }
    })(),
    { objectMode: false },
  );
}

async function sha256(stream) {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { hex: hash.digest('hex'), bytes };
}

describe('f7cloud-file with streams', () => {
  it('uploads a Readable payload to a folder and to the Assistant folder, byte for byte', async () => {
    const size = 3 * 1024 * 1024 + 17;
    const expected = await sha256(generated(size));

    const byPath = await run(
      { operation: 'upload', path: '/Streams/big.bin' },
      { payload: generated(size), size },
    );
    expect(byPath.error).toBeUndefined();
    await helper.unload();
    const input = await run({ operation: 'uploadInput', filename: 'big.bin' }, { payload: generated(size) });
    expect(input.error).toBeUndefined();
    await helper.unload();

    for (const fileId of [byPath.msg.fileId, input.msg.fileId]) {
      const stored = emulator.control.files().find((f) => f.id === fileId);
      expect(stored.size).toBe(size);
      const download = await run({ operation: 'download' }, { fileId });
      await helper.unload();
      expect(Buffer.isBuffer(download.msg.payload)).toBe(true);
      expect(await sha256(Readable.from([download.msg.payload]))).toEqual(expected);
    }
  });

  it('with "Output as stream" hands on a Readable with the file name, type and size', async () => {
    const bytes = Buffer.from('# Notes\nStreamed, not buffered.\n');
    const uploaded = await run({ operation: 'upload', path: '/Docs/notes.md' }, { payload: bytes });
    await helper.unload();

    const download = await run({ operation: 'download', stream: true }, { fileId: uploaded.msg.fileId });
    expect(download.error).toBeUndefined();
    const { payload } = download.msg;
    expect(payload).toBeInstanceOf(Readable);
    expect(Buffer.isBuffer(payload)).toBe(false);
    expect(download.msg).toMatchObject({
      filename: 'notes.md',
      size: bytes.length,
      fileId: uploaded.msg.fileId,
    });
    expect(download.msg.contentType).toMatch(/markdown|text/);
    const chunks = [];
    for await (const chunk of payload) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });

  it('moves a 256 MiB file up and down as streams without holding it in memory', async () => {
    const size = 256 * 1024 * 1024;
    globalThis.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    try {
      const uploaded = await run(
        { operation: 'upload', path: '/Big/video.bin' },
        { payload: generated(size), size },
        120_000,
      );
      expect(uploaded.error).toBeUndefined();
      await helper.unload();
      const download = await run(
        { operation: 'download', stream: true },
        { fileId: uploaded.msg.fileId },
        120_000,
      );
      expect(download.msg.size).toBe(size);
      const got = await sha256(download.msg.payload);
      expect(got.bytes).toBe(size);
    } finally {
      clearInterval(sampler);
    }
    const growthMiB = (peak - base) / 1024 / 1024;
    console.log(`256 MiB through the file node as streams: peak RSS growth ${growthMiB.toFixed(0)} MiB`);
    // Buffering either way would add at least the file's 256 MiB.
    expect(growthMiB).toBeLessThan(128);
  }, 180_000);

  it('refuses a stream that was already read, and reports a failing source stream as such', async () => {
    const used = Readable.from([Buffer.from('x')]);
    for await (const _ of used);
    const refused = await run({ operation: 'upload', path: '/Docs/a.txt' }, { payload: used });
    expect(refused.msg.assistantError.code).toBe('invalid_input');
    expect(refused.error.message).toContain('already read or closed');
    await helper.unload();

    const badSize = await run(
      { operation: 'upload', path: '/Docs/a.txt' },
      { payload: generated(10), size: 'big' },
    );
    expect(badSize.error.message).toContain('Size (bytes) must be a number, got "big"');
    await helper.unload();

    const broken = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024, 1));
        this.destroy(
          Object.assign(new Error("ENOENT: no such file or directory, open '/data/missing.pdf'"), {
            code: 'ENOENT',
          }),
        );
      },
    });
    const failed = await run({ operation: 'uploadInput', filename: 'missing.pdf' }, { payload: broken });
    expect(failed.msg.assistantError.code).toBe('invalid_input');
    expect(failed.error.message).toContain('Reading the msg.payload stream failed');
    expect(failed.error.message).toContain('/data/missing.pdf');
    // nothing half-written was stored as an input file
    expect(emulator.control.files().filter((f) => f.path?.includes('missing.pdf'))).toEqual([]);
  });
});
