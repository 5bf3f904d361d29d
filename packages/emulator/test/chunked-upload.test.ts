import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type Client, type TestEnv } from './helpers.js';

// Nextcloud chunked upload v2 as the recorded server does it (dav-chunked-v2__*; the exact answers are
// replayed in conformance.test.ts): what a client relies on beyond the recorded happy path.

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEmulator();
});
afterAll(() => env.emu.close());

const uploads = (user: string, path = ''): string => `/remote.php/dav/uploads/${user}/${path}`;
const files = (user: string, path: string): string => `/remote.php/dav/files/${user}/${path}`;
const dav = { ocs: false, accept: null } as const;

function destination(c: Client, user: string, path: string): Record<string, string> {
  return { Destination: `${c.baseUrl}${files(user, path)}` };
}

async function chunked(
  c: Client,
  id: string,
  dest: string,
  chunks: [string, Buffer][],
  total?: number,
): Promise<Awaited<ReturnType<Client['request']>>> {
  const headers = destination(c, 'alice', dest);
  expect((await c.request('MKCOL', uploads('alice', id), { ...dav, headers })).status).toBe(201);
  for (const [name, body] of chunks) {
    const put = await c.put(uploads('alice', `${id}/${name}`), { ...dav, headers, body });
    expect(put.status).toBe(201);
  }
  const size = total ?? chunks.reduce((s, [, b]) => s + b.length, 0);
  return c.request('MOVE', uploads('alice', `${id}/.file`), {
    ...dav,
    headers: { ...headers, 'OC-Total-Length': String(size) },
  });
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('chunked upload v2', () => {
  it('assembles chunks in the order of their names, whatever order they arrived in', async () => {
    const parts = ['first-', 'second-', 'third'].map((s) => Buffer.from(s));
    const move = await chunked(env.alice, 'order-1', 'ordered.txt', [
      ['00003', parts[2]!],
      ['00001', parts[0]!],
      ['00002', parts[1]!],
    ]);
    expect(move.status).toBe(201);
    const fileId = parseInt(move.headers.get('oc-fileid')!, 10);
    const back = await env.alice.get(files('alice', 'ordered.txt'), dav);
    expect(back.text).toBe('first-second-third');
    expect(sha(back.bytes)).toBe(sha(Buffer.concat(parts)));
    expect(back.headers.get('etag')).toBe(move.headers.get('etag'));
    // the upload folder is gone once assembled
    expect((await env.alice.request('PROPFIND', uploads('alice', 'order-1'), dav)).status).toBe(404);
    expect(env.emu.control.files().find((f) => f.id === fileId)?.size).toBe(18);
  });

  it('answers 204 with the same file id when the assembled file replaces one', async () => {
    const first = await chunked(env.alice, 'again-1', 'again.txt', [['00001', Buffer.from('one')]]);
    const second = await chunked(env.alice, 'again-2', 'again.txt', [['00001', Buffer.from('two!')]]);
    expect([first.status, second.status]).toEqual([201, 204]);
    expect(second.headers.get('oc-fileid')).toBe(first.headers.get('oc-fileid'));
    expect((await env.alice.get(files('alice', 'again.txt'), dav)).text).toBe('two!');
  });

  it('keeps the chunks when they do not add up, so the client can send the missing one', async () => {
    const wrong = await chunked(env.alice, 'short-1', 'short.txt', [['00001', Buffer.from('abc')]], 6);
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Chunks on server do not sum up to 6 but to 3 bytes');
    expect((await env.alice.get(files('alice', 'short.txt'), dav)).status).toBe(404);
    const headers = destination(env.alice, 'alice', 'short.txt');
    await env.alice.put(uploads('alice', 'short-1/00002'), { ...dav, headers, body: 'def' });
    const move = await env.alice.request('MOVE', uploads('alice', 'short-1/.file'), {
      ...dav,
      headers: { ...headers, 'OC-Total-Length': '6' },
    });
    expect(move.status).toBe(201);
    expect((await env.alice.get(files('alice', 'short.txt'), dav)).text).toBe('abcdef');
  });

  it('lists the chunks it holds (PROPFIND), which is how a client resumes', async () => {
    const headers = destination(env.alice, 'alice', 'listed.bin');
    await env.alice.request('MKCOL', uploads('alice', 'list-1'), { ...dav, headers });
    await env.alice.put(uploads('alice', 'list-1/00002'), { ...dav, headers, body: 'bb' });
    await env.alice.put(uploads('alice', 'list-1/00001'), { ...dav, headers, body: 'a' });
    const res = await env.alice.request('PROPFIND', uploads('alice', 'list-1'), {
      ...dav,
      headers: { Depth: '1' },
    });
    expect(res.status).toBe(207);
    const listed = [
      ...res.text.matchAll(
        /<d:href>([^<]+)<\/d:href>.*?(?:<d:getcontentlength>(\d+)<\/d:getcontentlength>|<d:collection\/>)/g,
      ),
    ].map((m) => [m[1], m[2] ?? 'folder']);
    expect(listed).toEqual([
      ['/remote.php/dav/uploads/alice/list-1/', 'folder'],
      ['/remote.php/dav/uploads/alice/list-1/00001', '1'],
      ['/remote.php/dav/uploads/alice/list-1/00002', '2'],
    ]);
    expect((await env.alice.delete(uploads('alice', 'list-1'), dav)).status).toBe(204);
    expect((await env.alice.request('PROPFIND', uploads('alice', 'list-1'), dav)).status).toBe(404);
  });

  it('refuses what is not there or not yours', async () => {
    const headers = destination(env.alice, 'alice', 'x.bin');
    expect((await env.alice.put(uploads('alice', 'nope/00001'), { ...dav, headers, body: 'x' })).status).toBe(
      404,
    );
    expect((await env.alice.request('MKCOL', uploads('alice', 'twice'), { ...dav, headers })).status).toBe(
      201,
    );
    expect((await env.alice.request('MKCOL', uploads('alice', 'twice'), { ...dav, headers })).status).toBe(
      405,
    );
    // bob can neither add to alice's upload nor see it
    expect((await env.bob.put(uploads('alice', 'twice/00001'), { ...dav, body: 'x' })).status).toBe(404);
    expect((await env.bob.put(uploads('bob', 'twice/00001'), { ...dav, body: 'x' })).status).toBe(404);
    // the destination must be in the user's own files
    const move = await env.alice.request('MOVE', uploads('alice', 'twice/.file'), {
      ...dav,
      headers: destination(env.alice, 'bob', 'stolen.bin'),
    });
    expect(move.status).toBe(403);
    expect(env.emu.control.files().some((f) => f.path?.endsWith('stolen.bin'))).toBe(false);
  });

  it('a cut-upload fault drops the connection in the middle of a chunk and keeps nothing of it', async () => {
    const headers = destination(env.alice, 'alice', 'resumed.bin');
    await env.alice.request('MKCOL', uploads('alice', 'cut-1'), { ...dav, headers });
    const one = Buffer.alloc(256 * 1024, 1);
    const two = Buffer.alloc(256 * 1024, 2);
    expect(
      (await env.alice.put(uploads('alice', 'cut-1/00001'), { ...dav, headers, body: one })).status,
    ).toBe(201);
    env.emu.control.addFault({
      kind: 'cut-upload',
      route: '/remote.php/dav/uploads/',
      method: 'PUT',
      times: 1,
    });
    await expect(
      env.alice.put(uploads('alice', 'cut-1/00002'), { ...dav, headers, body: two }),
    ).rejects.toThrow();
    const log = env.emu.control.requests().filter((r) => r.path.endsWith('cut-1/00002'));
    expect(log.map((r) => [r.status, r.fault])).toEqual([[0, 'cut-upload']]);
    // the client resumes with the chunk that was lost
    const listing = await env.alice.request('PROPFIND', uploads('alice', 'cut-1'), dav);
    expect(listing.text).not.toContain('00002');
    expect(
      (await env.alice.put(uploads('alice', 'cut-1/00002'), { ...dav, headers, body: two })).status,
    ).toBe(201);
    const move = await env.alice.request('MOVE', uploads('alice', 'cut-1/.file'), {
      ...dav,
      headers: { ...headers, 'OC-Total-Length': String(one.length + two.length) },
    });
    expect(move.status).toBe(201);
    const back = await env.alice.get(files('alice', 'resumed.bin'), dav);
    expect(sha(back.bytes)).toBe(sha(Buffer.concat([one, two])));
  });

  it('streams chunks and the assembled file through dataDir, never holding the upload in memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emu-chunks-'));
    const big = await startTestEmulator({ dataDir: dir });
    const auth = `Basic ${Buffer.from(`alice:${big.emu.users[0]!.appPassword}`).toString('base64')}`;
    const piece = Buffer.alloc(1024 * 1024);
    const chunkSize = 48 * 1024 * 1024;
    const chunks = 4;
    const expected = createHash('sha256');
    const before = process.memoryUsage().arrayBuffers;
    try {
      const headers = { Authorization: auth, Destination: `${big.emu.url}${files('alice', 'big.bin')}` };
      const send = (method: string, path: string, size: number, fill?: number): Promise<number> =>
        new Promise((resolve, reject) => {
          const req = request(new URL(big.emu.url + path), {
            method,
            headers: {
              ...headers,
              'Content-Length': String(size),
              'OC-Total-Length': String(chunkSize * chunks),
            },
          });
          req.on('response', (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          let sent = 0;
          const pump = (): void => {
            while (sent < size) {
              piece.fill(fill ?? 0);
              piece.writeUInt32BE(sent, 0); // every MiB differs, so order and content both count
              expected.update(piece);
              sent += piece.length;
              if (!req.write(piece)) return void req.once('drain', pump);
            }
            req.end();
          };
          pump();
        });
      expect(await send('MKCOL', uploads('alice', 'big-1'), 0)).toBe(201);
      for (let i = 1; i <= chunks; i++) {
        expect(await send('PUT', uploads('alice', `big-1/${String(i).padStart(5, '0')}`), chunkSize, i)).toBe(
          201,
        );
      }
      expect(readdirSync(dir)).toHaveLength(chunks);
      expect(await send('MOVE', uploads('alice', 'big-1/.file'), 0)).toBe(201);
      // the chunks are gone, the assembled file is the one body left
      expect(readdirSync(dir)).toHaveLength(1);
      // 192 MiB went through; what is still in memory (socket buffers not yet collected included) is far less
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(96 * 1024 * 1024);
      const back = await fetch(`${big.emu.url}${files('alice', 'big.bin')}`, {
        headers: { Authorization: auth },
      });
      const got = createHash('sha256');
      let size = 0;
      for await (const part of back.body as unknown as AsyncIterable<Uint8Array>) {
        got.update(part);
        size += part.length;
      }
      expect(size).toBe(chunkSize * chunks);
      expect(got.digest('hex')).toBe(expected.digest('hex'));
    } finally {
      await big.emu.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
