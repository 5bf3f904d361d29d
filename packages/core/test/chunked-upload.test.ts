// Big uploads through Nextcloud chunked upload v2: the recorded real-server exchanges replayed through
// files.upload, and a real HTTP server on 127.0.0.1 that breaks the connection in the middle of a chunk.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeClient, localFile } from '../src/node.js';
import { AssistantError } from '../src/index.js';
import { BASE, succeeded, testClient, type Seen } from './helpers.js';

const MiB = 1024 * 1024;
const dir = new URL('./fixtures/real-server-2/', import.meta.url);

function answerOf(name: string) {
  const f = JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as {
    request: { headers_sent: [string, string][] };
    response: { status: number; headers: [string, string][]; body: string };
  };
  return {
    status: f.response.status,
    headers: Object.fromEntries(f.response.headers.map(([k, v]) => [k.toLowerCase(), v])),
    body: f.response.body,
    sent: Object.fromEntries(f.request.headers_sent.map(([k, v]) => [k.toLowerCase(), v])),
  };
}

/** Answers the recordings in order; the upload folder's name is the client's own, so it is matched by shape. */
function scripted(steps: [method: string, path: RegExp, recording: string][]) {
  let i = 0;
  const { client, requests } = testClient(
    (req: Seen) => {
      const step = steps[i++];
      expect(step, `unexpected request ${req.method} ${req.path}`).toBeDefined();
      expect(req.method).toBe(step![0]);
      expect(req.path).toMatch(step![1]);
      return answerOf(step![2]);
    },
    { retry: { retries: 0 } },
  );
  return { client, requests, done: () => expect(i).toBe(steps.length) };
}

const FOLDER = /^\/remote\.php\/dav\/uploads\/alice\/f7cloud-[a-z0-9]+$/;
const chunk = (n: string) => new RegExp(`^/remote\\.php/dav/uploads/alice/f7cloud-[a-z0-9]+/${n}$`);

describe('chunked upload v2, replayed from a real server', () => {
  it('uploads 6 MiB as a 5 MiB and a 1 MiB chunk, sends the recorded headers and returns the MOVE file id', async () => {
    const s = scripted([
      ['MKCOL', /^\/remote\.php\/dav\/files\/alice\/rec-1796162760-a$/, 'dav-mkcol__already_exists'],
      ['MKCOL', FOLDER, 'dav-chunked-v2__mkcol'],
      ['PUT', chunk('00001'), 'dav-chunked-v2__put_chunk1'],
      ['PUT', chunk('00002'), 'dav-chunked-v2__put_chunk2'],
      ['MOVE', chunk('\\.file'), 'dav-chunked-v2__move'],
    ]);
    // Printable bytes, so the test transport's text of each chunk is exact.
    const data = new Uint8Array(6 * MiB).map((_, i) => 32 + (i % 95));
    const result = await s.client.files.upload('rec-1796162760-a/big.bin', data, {
      chunkedUploadThreshold: 5 * MiB,
      chunkSize: 5 * MiB,
    });
    expect(result).toEqual({ fileId: 249, path: '/rec-1796162760-a/big.bin' });
    s.done();
    const destination = `${BASE}/remote.php/dav/files/alice/rec-1796162760-a/big.bin`;
    const [, mkcol, put1, put2, move] = s.requests;
    for (const req of [mkcol, put1, put2, move]) expect(req!.headers.Destination).toBe(destination);
    const recorded = answerOf('dav-chunked-v2__put_chunk1').sent;
    expect(put1!.headers['OC-Total-Length']).toBe(recorded['oc-total-length']);
    expect(put1!.headers['Content-Length']).toBe(recorded['content-length']);
    expect(put2!.headers['Content-Length']).toBe(
      answerOf('dav-chunked-v2__put_chunk2').sent['content-length'],
    );
    expect(move!.headers['OC-Total-Length']).toBe(answerOf('dav-chunked-v2__move').sent['oc-total-length']);
    // The chunks are the file's consecutive slices.
    expect(Buffer.from(put1!.text! + put2!.text!, 'latin1').equals(Buffer.from(data))).toBe(true);
  });

  it('reports a refused assembly (chunks not adding up) with the server message, and removes the upload', async () => {
    const s = scripted([
      ['MKCOL', /^\/remote\.php\/dav\/files\/alice\/rec-1796162760-a$/, 'dav-mkcol__already_exists'],
      ['MKCOL', FOLDER, 'dav-chunked-v2__move_wrong_total'],
      ['PUT', chunk('00001'), 'dav-chunked-v2__put_wrong_total_chunk'],
      ['MOVE', chunk('\\.file'), 'dav-chunked-v2__move_wrong_total_result'],
      ['DELETE', FOLDER, 'dav-chunked-v2__mkcol'],
    ]);
    const error = await s.client.files
      .upload('rec-1796162760-a/big.bin3', 'zzzzzzzzzz', { chunkedUploadThreshold: 0 })
      .then(succeeded, (e) => e);
    expect(AssistantError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 400, sent: true });
    expect(error.serverMessage ?? error.message).toMatch(/do not sum up/);
    s.done();
  });

  it('goes in one PUT below the threshold, and refuses chunks under 5 MiB before sending', async () => {
    const s = scripted([['PUT', /big\.bin$/, 'dav-put__overwrite']]);
    await s.client.files.upload('rec-1796162760-a/big.bin', new Uint8Array(1000));
    s.done();
    const error = await s.client.files
      .upload('x.bin', new Uint8Array(10), { chunkSize: 1000 })
      .then(succeeded, (e) => e);
    expect(error).toMatchObject({ code: 'invalid_input', sent: false });
    expect(error.message).toMatch(/at least 5 MiB/);
  });
});

/** A chunked-upload v2 server that keeps chunks in memory and assembles them on MOVE. */
function chunkServer() {
  const uploads = new Map<string, Map<string, Buffer>>();
  const files = new Map<string, Buffer>();
  const log: string[] = [];
  let killNextChunkAt: number | undefined = 3 * MiB;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const path = decodeURIComponent(url.pathname);
    log.push(`${req.method} ${path}`);
    const m = /^\/remote\.php\/dav\/uploads\/alice\/([^/]+)(?:\/(.+))?$/.exec(path);
    if (req.method === 'MKCOL' && m && !m[2]) {
      uploads.set(m[1]!, new Map());
      res.writeHead(201).end();
      return;
    }
    if (req.method === 'MKCOL') {
      res.writeHead(405).end();
      return;
    }
    if (req.method === 'PUT' && m?.[2]) {
      const parts: Buffer[] = [];
      let got = 0;
      req.on('data', (piece: Buffer) => {
        got += piece.length;
        parts.push(piece);
        // Break the connection once, in the middle of the second chunk.
        if (m[2] === '00002' && killNextChunkAt !== undefined && got >= killNextChunkAt) {
          killNextChunkAt = undefined;
          log.push('killed');
          req.socket.destroy();
        }
      });
      req.on('end', () => {
        if (req.socket.destroyed) return;
        uploads.get(m[1]!)!.set(m[2]!, Buffer.concat(parts));
        res.writeHead(201).end();
      });
      return;
    }
    if (req.method === 'MOVE' && m?.[2] === '.file') {
      const chunks = [...uploads.get(m[1]!)!.entries()].sort(([a], [b]) => a.localeCompare(b));
      const whole = Buffer.concat(chunks.map(([, b]) => b));
      if (whole.length !== Number(req.headers['oc-total-length'])) {
        res.writeHead(400, { 'content-type': 'application/xml' }).end('<d:error/>');
        return;
      }
      const destination = new URL(String(req.headers.destination)).pathname;
      files.set(destination, whole);
      uploads.delete(m[1]!);
      res.writeHead(201, { 'OC-FileId': '00000777ocabc' }).end();
      return;
    }
    res.writeHead(404).end();
  });
  return { server, uploads, files, log };
}

describe('chunked upload over a real connection', () => {
  const s = chunkServer();
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    s.server.closeAllConnections();
    await new Promise<void>((resolve) => s.server.close(() => resolve()));
  });

  it('survives a connection broken mid-chunk: the chunk is sent again and the file has the right bytes', async () => {
    const size = 12 * MiB + 12345;
    const source = createHash('sha256');
    async function* stream() {
      // Deterministic, not all zeros, produced piece by piece like a file read.
      for (let at = 0; at < size; at += 64 * 1024) {
        const piece = Buffer.alloc(Math.min(64 * 1024, size - at));
        for (let i = 0; i < piece.length; i++) piece[i] = ((at + i) * 31 + ((at + i) >> 9)) & 0xff;
        source.update(piece);
        yield new Uint8Array(piece.buffer, piece.byteOffset, piece.length);
      }
    }
    const client = createNodeClient({
      baseUrl: base,
      auth: { user: 'alice', appPassword: 'app-password' },
      retry: { retries: 3, baseDelayMs: 50 },
    });
    try {
      const result = await client.files.upload('/Recordings/meeting.bin', stream(), {
        size,
        chunkSize: 5 * MiB,
        chunkedUploadThreshold: 0,
      });
      expect(result).toEqual({ fileId: 777, path: '/Recordings/meeting.bin' });
    } finally {
      client.close();
    }
    const stored = s.files.get('/remote.php/dav/files/alice/Recordings/meeting.bin');
    expect(stored?.length).toBe(size);
    expect(createHash('sha256').update(stored!).digest('hex')).toBe(source.digest('hex'));
    const puts = s.log.filter((l) => l.startsWith('PUT'));
    expect(s.log).toContain('killed');
    expect(puts.map((p) => p.slice(-5))).toEqual(['00001', '00002', '00002', '00003']);
  });

  it('streams a local file in chunks (localFile gives the size that selects the chunked upload)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'core-chunked-'));
    try {
      const bytes = Buffer.alloc(11 * MiB, 'abc');
      writeFileSync(join(dir, 'note.wav'), bytes);
      const client = createNodeClient({
        baseUrl: base,
        auth: { user: 'alice', appPassword: 'app-password' },
      });
      try {
        const file = await localFile(join(dir, 'note.wav'));
        expect(file.size).toBe(11 * MiB);
        const before = s.log.length;
        await client.files.upload('/Inbox/note.wav', file.data, {
          size: file.size,
          chunkedUploadThreshold: 10 * MiB,
        });
        expect(s.log.slice(before).filter((l) => l.startsWith('PUT'))).toHaveLength(2);
      } finally {
        client.close();
      }
      expect(s.files.get('/remote.php/dav/files/alice/Inbox/note.wav')?.equals(bytes)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
