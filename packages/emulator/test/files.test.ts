import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API,
  data,
  davPut,
  schedule,
  startTestEmulator,
  TP,
  until,
  waitTask,
  type Task,
  type TestEnv,
} from './helpers.js';

/** What parse-file answers for a file it could read. */
interface Parsed {
  parsedText: string;
}

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEmulator();
});
afterAll(() => env.emu.close());

function upload(name: string | null, content: string | Buffer, field = 'data'): FormData {
  const f = new FormData();
  f.append(field, new Blob([content]), name ?? 'blob');
  if (name) f.append('filename', name);
  return f;
}

const dav = (user: string, path: string): string => `/remote.php/dav/files/${user}/${path}`;

describe('files', () => {
  it('uploads input files (multipart part `data`) into the Assistant folder with stable ids', async () => {
    const res = await env.alice.post(`${API}/input-file`, {
      body: upload('pixel.png', Buffer.from([0x89, 0x50])),
    });
    expect(res.status).toBe(200);
    const { fileId, filePath } = data<{ fileId: number; filePath: string }>(res);
    expect(filePath).toMatch(/^\/alice\/files\/Assistant\/\d{4}-\d\d-\d\d_\d\d\.\d\d\.\d\d pixel\.png$/);
    const info = data(await env.alice.get(`${API}/file/${fileId}/info`));
    expect(info).toEqual({ name: filePath.split('/').pop(), path: filePath, owner: 'alice', size: 2 });
    const display = await env.alice.get(`${API}/file/${fileId}/display`);
    expect(display.contentType).toBe('image/png');
    expect([...display.bytes]).toEqual([0x89, 0x50]);
    expect(display.headers.get('content-disposition')).toContain('pixel.png');
  });

  it('refuses uploads without a `data` part with the real 400', async () => {
    for (const body of [upload('x.txt', 'x', 'file')]) {
      const res = await env.alice.post(`${API}/input-file`, { body });
      expect(res.status).toBe(400);
      expect(data(res)).toBe('Error in input file upload: ');
    }
    expect((await env.alice.post(`${API}/input-file`, { json: { filename: 'x.txt' } })).status).toBe(400);
  });

  it('extracts text from txt and md by path or id, with the real 400s otherwise', async () => {
    await env.alice.request('MKCOL', dav('alice', 'docs'), { ocs: false });
    const txt = await davPut(env.alice, 'alice', 'docs/hello.txt', 'Hello there.\n');
    const md = await davPut(
      env.alice,
      'alice',
      'docs/notes.md',
      '# Meeting notes\n\nSome **bold** text and a [link](http://x/).\n\n- item one\n- item two\n',
    );
    expect(
      data<Parsed>(await env.alice.post(`${API}/parse-file`, { json: { filePath: 'docs/hello.txt' } }))
        .parsedText,
    ).toBe('Hello there.\n');
    expect(data<Parsed>(await env.alice.post(`${API}/parse-file`, { json: { fileId: md } })).parsedText).toBe(
      'Meeting notes\nSome bold text and a link.\n\nitem one\nitem two\n',
    );
    expect(
      data<Parsed>(await env.alice.post(`${API}/parse-file`, { query: { fileId: txt } })).parsedText,
    ).toBe('Hello there.\n');
    const form = await env.alice.post(`${API}/parse-file`, {
      body: 'filePath=%2Fdocs%2Fhello.txt',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(data<Parsed>(form).parsedText).toBe('Hello there.\n');
    expect(data(await env.alice.post(`${API}/parse-file`, { json: {} }))).toBe('Invalid parameters');
    expect(data(await env.alice.post(`${API}/parse-file`, { json: { filePath: 'docs' } }))).toBe(
      'Provided path does not point to a file.',
    );
    expect(data(await env.alice.post(`${API}/parse-file`, { json: { filePath: 'docs/nope.txt' } }))).toBe(
      '/alice/files/docs/nope.txt',
    );
    const other = await env.bob.post(`${API}/parse-file`, { json: { fileId: txt } });
    expect(other.status).toBe(400);
    expect(data(other)).toBe('Provided path does not point to a file.');
  });

  it("never shows one user's files to another (404)", async () => {
    const id = await davPut(env.alice, 'alice', 'secret.txt', 'top secret');
    expect((await env.bob.get(`${API}/file/${id}/info`)).status).toBe(404);
    const display = await env.bob.get(`${API}/file/${id}/display`);
    expect(display.status).toBe(404);
    expect(display.text).not.toContain('top secret');
    expect((await env.bob.get(dav('alice', 'secret.txt'), { ocs: false })).status).toBe(404);
    expect((await env.alice.get(`${API}/file/abc/info`)).status).toBe(404);
  });

  it('runs file actions: task with appId assistant / customId file-action:<id>, result written beside the source', async () => {
    await env.alice.request('MKCOL', dav('alice', 'fa'), { ocs: false });
    const id = await davPut(env.alice, 'alice', 'fa/report.txt', 'Quarterly numbers went up.');
    const res = await env.alice.post(`${API}/file-action/${id}/core:text2text:summary`);
    expect(data(res)).toEqual({ version: 0.1, tooltip: 'Summarization task submitted successfully' });
    const [task] = data<{ tasks: Task[] }>(
      await env.alice.get(`${TP}/tasks/app/assistant`, { query: { customId: `file-action:${id}` } }),
    ).tasks;
    expect(task?.type).toBe('core:text2text:summary');
    await waitTask(env.alice, task!.id);
    const result = await until(async () => {
      const r = await env.alice.get(dav('alice', 'fa/report.txt - summarized.md'), {
        ocs: false,
        accept: null,
      });
      return r.status === 200 ? r : undefined;
    });
    expect(result.text).toContain('This is a fake summary');
    const wav = await davPut(env.alice, 'alice', 'fa/voice.wav', Buffer.from('RIFF....WAVE'));
    await env.alice.post(`${API}/file-action/${wav}/core:audio2text`);
    const speech = await davPut(env.alice, 'alice', 'fa/speak.txt', 'Say hello');
    await env.alice.post(`${API}/file-action/${speech}/core:text2speech`);
    await until(async () => {
      const names = env.emu.control.files().map((f) => f.path);
      return (
        names.includes('/fa/voice.wav - transcribed.md') &&
        names.includes('/fa/speak.txt - text to speech.wav')
      );
    });
    expect(data(await env.alice.post(`${API}/file-action/${id}/core:text2text`))).toEqual({
      error: 'Invalid task type for file action',
    });
    expect(data(await env.alice.post(`${API}/file-action/abc/core:text2text:summary`))).toEqual({
      error: 'Provided path does not point to a file.',
    });
    expect((await env.bob.post(`${API}/file-action/${id}/core:text2text:summary`)).status).toBe(400);
  });

  it('serves output files: download, preview (PNG or 303 icon), save and share, only to the owner', async () => {
    const image = await waitTask(
      env.alice,
      (await schedule(env.alice, 'core:text2image', { input: 'sea' })).id,
    );
    const fileId = (image.output?.images as number[])[0];
    const dl = await env.alice.get(`${API}/task/${image.id}/output-file/${fileId}/download`);
    expect(dl.status).toBe(200);
    expect(dl.contentType).toBe('image/png');
    expect(dl.headers.get('content-disposition')).toBe(`attachment; filename="${image.id}-${fileId}"`);
    const preview = await env.alice.get(`${API}/task/${image.id}/output-file/${fileId}/preview`, {
      query: { x: 64, y: 32 },
    });
    expect(preview.bytes.readUInt32BE(16)).toBe(64);
    expect(preview.bytes.readUInt32BE(20)).toBe(32);
    const saved = data<{ path: string; fileId: number }>(
      await env.alice.post(`${API}/task/${image.id}/file/${fileId}/save`),
    );
    expect(saved.path).toMatch(/^\/Assistant\/\d+-\d{5}\.png$/);
    expect(data<{ size: number }>(await env.alice.get(`${API}/file/${saved.fileId}/info`)).size).toBe(
      dl.bytes.length,
    );
    expect(
      data<{ shareToken: string }>(await env.alice.post(`${API}/task/${image.id}/file/${fileId}/share`))
        .shareToken,
    ).toMatch(/^[A-Za-z0-9]{15}$/);
    expect((await env.alice.get(`${API}/task/${image.id}/output-file/99999/download`)).status).toBe(404);
    expect((await env.bob.get(`${API}/task/${image.id}/output-file/${fileId}/download`)).status).toBe(404);
    expect(data(await env.bob.post(`${API}/task/${image.id}/file/${fileId}/save`))).toEqual({
      error: 'Unauthorized',
    });
    const audioIn = data<{ fileId: number }>(
      await env.alice.post(`${API}/input-file`, { body: upload('a.wav', 'RIFF') }),
    ).fileId;
    const stt = await waitTask(
      env.alice,
      (await schedule(env.alice, 'core:audio2text', { input: audioIn })).id,
    );
    const icon = await env.alice.get(`${API}/task/${stt.id}/output-file/${audioIn}/preview`);
    expect(icon.status).toBe(303);
    expect(icon.headers.get('location')).toContain('/filetypes/audio.svg');
  });
});

describe('WebDAV', () => {
  it('PUT answers 201 then 204 with OC-FileId, GET returns the bytes, PROPFIND lists oc:fileid', async () => {
    await env.alice.request('MKCOL', dav('alice', 'w'), { ocs: false });
    const first = await env.alice.put(dav('alice', 'w/a b.txt'), { body: 'one', ocs: false });
    expect(first.status).toBe(201);
    expect(first.headers.get('oc-fileid')).toMatch(/^\d{8}oc[a-z0-9]+$/);
    const again = await env.alice.put(dav('alice', 'w/a b.txt'), { body: 'two!', ocs: false });
    expect(again.status).toBe(204);
    expect(again.headers.get('oc-fileid')).toBe(first.headers.get('oc-fileid'));
    expect((await env.alice.get(dav('alice', 'w/a%20b.txt'), { ocs: false })).text).toBe('two!');
    const one = await env.alice.request('PROPFIND', dav('alice', 'w/a b.txt'), {
      ocs: false,
      headers: { Depth: '0', 'Content-Type': 'application/xml' },
      body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:fileid/><d:getcontenttype/><d:getcontentlength/></d:prop></d:propfind>',
    });
    expect(one.status).toBe(207);
    expect(one.text).toContain(`<oc:fileid>${parseInt(first.headers.get('oc-fileid')!, 10)}</oc:fileid>`);
    expect(one.text).toContain('<d:getcontentlength>4</d:getcontentlength>');
    const list = await env.alice.request('PROPFIND', dav('alice', 'w'), {
      ocs: false,
      headers: { Depth: '1' },
    });
    expect(list.text).toContain('<d:href>/remote.php/dav/files/alice/w/</d:href>');
    expect(list.text).toContain('<d:href>/remote.php/dav/files/alice/w/a%20b.txt</d:href>');
    expect((await env.alice.request('MKCOL', dav('alice', 'w'), { ocs: false })).status).toBe(405);
    expect((await env.alice.delete(dav('alice', 'w/a b.txt'), { ocs: false })).status).toBe(204);
    expect((await env.alice.get(dav('alice', 'w/a b.txt'), { ocs: false })).status).toBe(404);
    expect((await env.anon.get(dav('alice', 'w'), { ocs: false })).status).toBe(401);
  });

  it('answers a PUT into a missing folder 404 like real servers (not 409), naming the first missing folder', async () => {
    const put = (path: string) => env.alice.put(dav('alice', path), { body: 'x', ocs: false, accept: null });
    const top = await put('nowhere/x.txt');
    expect(top.status).toBe(404);
    expect(top.contentType).toBe('application/xml; charset=utf-8');
    expect(top.text).toContain('<s:exception>Sabre\\DAV\\Exception\\NotFound</s:exception>');
    expect(top.text).toContain('<s:message>File with name //nowhere could not be located</s:message>');
    await env.alice.request('MKCOL', dav('alice', 'deep'), { ocs: false });
    const nested = await put('deep/er/still/x.txt');
    expect(nested.status).toBe(404);
    expect(nested.text).toContain('File with name /deep/er could not be located');
    // MKCOL is where WebDAV's 409 lives: the parent of the new folder is missing
    const mkcol = await env.alice.request('MKCOL', dav('alice', 'deep/er/still'), { ocs: false });
    expect(mkcol.status).toBe(409);
    expect(mkcol.text).toContain('Parent node does not exist');
    expect(env.emu.control.files().some((f) => f.path?.includes('x.txt'))).toBe(false);
  });

  it('lists folders as a folder watch reads them: etags change with the content, oc:size sums it', async () => {
    const props =
      '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><d:getetag/><oc:size/></d:prop></d:propfind>';
    const folder = async (path: string): Promise<{ etag: string; size: number }> => {
      const res = await env.alice.request('PROPFIND', dav('alice', path), {
        ocs: false,
        headers: { Depth: '0', 'Content-Type': 'application/xml' },
        body: props,
      });
      expect(res.status).toBe(207);
      return {
        etag: /<d:getetag>&quot;([0-9a-f]+)&quot;<\/d:getetag>/.exec(res.text)![1]!,
        size: Number(/<oc:size>(\d+)<\/oc:size>/.exec(res.text)![1]),
      };
    };
    await env.alice.request('MKCOL', dav('alice', 'watch'), { ocs: false });
    await env.alice.request('MKCOL', dav('alice', 'watch/inner'), { ocs: false });
    const empty = await folder('watch');
    expect(empty.size).toBe(0);
    expect(empty.etag).toMatch(/^[0-9a-f]{13}$/);
    await davPut(env.alice, 'alice', 'watch/inner/a.md', '# hi\n');
    const one = await folder('watch');
    expect(one.size).toBe(5);
    expect(one.etag).not.toBe(empty.etag);
    await davPut(env.alice, 'alice', 'watch/inner/a.md', '# hi again\n');
    const overwritten = await folder('watch');
    expect(overwritten.size).toBe(11);
    expect(overwritten.etag).not.toBe(one.etag);
    const unrelated = await folder('watch');
    await davPut(env.alice, 'alice', 'elsewhere.txt', 'x');
    expect((await folder('watch')).etag).toBe(unrelated.etag);
    expect((await env.alice.delete(dav('alice', 'watch/inner/a.md'), { ocs: false })).status).toBe(204);
    const after = await folder('watch');
    expect(after.size).toBe(0);
    expect(after.etag).not.toBe(overwritten.etag);
  });

  it('streams big uploads to dataDir instead of memory, and streams them back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emu-data-'));
    const big = await startTestEmulator({ dataDir: dir });
    try {
      const size = 64 * 1024 * 1024;
      const chunk = Buffer.alloc(1024 * 1024, 7);
      // what stays held after a collection, not what a loaded machine has not collected yet
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      gc();
      const before = process.memoryUsage().arrayBuffers;
      const status = await new Promise<number>((resolve, reject) => {
        const u = new URL(`${big.emu.url}${dav('alice', 'big.bin')}`);
        const req = request(u, {
          method: 'PUT',
          headers: {
            Authorization: `Basic ${Buffer.from(`alice:${big.emu.users[0]!.appPassword}`).toString('base64')}`,
            'Content-Length': String(size),
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
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          req.end();
        };
        pump();
      });
      expect(status).toBe(201);
      const files = readdirSync(dir);
      expect(files).toHaveLength(1);
      expect(statSync(join(dir, files[0]!)).size).toBe(size);
      // the server did not keep the 64 MiB body in memory
      gc();
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
      const back = await fetch(`${big.emu.url}${dav('alice', 'big.bin')}`, {
        headers: {
          Authorization: `Basic ${Buffer.from(`alice:${big.emu.users[0]!.appPassword}`).toString('base64')}`,
        },
      });
      let received = 0;
      for await (const part of back.body as unknown as AsyncIterable<Uint8Array>) received += part.length;
      expect(received).toBe(size);
    } finally {
      await big.emu.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
