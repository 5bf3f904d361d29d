import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ocs, task, testClient, type Seen } from './helpers.js';

const API = '/ocs/v2.php/apps/assistant/api/v1';
const DAV = '/remote.php/dav/files/alice';

function propfind(entries: [string, number][]) {
  const body = entries
    .map(
      ([href, id]) =>
        `<d:response><d:href>${href}</d:href><d:propstat><d:prop><oc:fileid>${id}</oc:fileid></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`,
    )
    .join('');
  return {
    status: 207,
    headers: { 'content-type': 'application/xml; charset=utf-8' },
    body: `<?xml version="1.0"?>\n<d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">${body}</d:multistatus>`,
  };
}

describe('files', () => {
  it('uploads an input file as multipart with the file in part "data"', async () => {
    const { client, requests } = testClient(() =>
      ocs({ fileId: 92, filePath: '/alice/files/Assistant/pixel.png' }),
    );
    const result = await client.files.uploadInput(new Uint8Array([1, 2, 3]), {
      filename: 'pixel.png',
      contentType: 'image/png',
    });
    expect(result).toEqual({ fileId: 92, filePath: '/alice/files/Assistant/pixel.png' });
    const sent = requests[0]!;
    expect(sent.path).toBe(`${API}/input-file`);
    expect(sent.headers['Content-Type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(sent.text).toContain('Content-Disposition: form-data; name="data"; filename="pixel.png"');
    expect(sent.text).toContain('Content-Disposition: form-data; name="filename"\r\n\r\npixel.png');
    expect(Number(sent.headers['Content-Length'])).toBe(new TextEncoder().encode(sent.text).byteLength);
  });

  it('streams a large input upload without buffering it', async () => {
    const { client, requests } = testClient(() =>
      ocs({ fileId: 93, filePath: '/alice/files/Assistant/big.bin' }),
    );
    const chunk = new Uint8Array(64 * 1024).fill(1);
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < 16; i++) yield chunk;
      })(),
    );
    await client.files.uploadInput(source, { filename: 'big.bin', size: 16 * chunk.byteLength });
    const sent = requests[0]!;
    expect(typeof sent.body === 'object' && Symbol.asyncIterator in (sent.body as object)).toBe(true);
    expect(Number(sent.headers['Content-Length'])).toBe(new TextEncoder().encode(sent.text).byteLength);
  });

  it('refuses to upload something that is not bytes, text or a stream', async () => {
    const { client, requests } = testClient(() => ocs({}));
    await expect(client.files.uploadInput({ not: 'a file' } as never)).rejects.toThrow(/must be bytes/);
    expect(requests).toHaveLength(0);
  });

  it('extracts text by id or by path', async () => {
    const { client, requests } = testClient(() => ocs({ parsedText: 'Hello' }));
    expect(await client.files.extractText({ fileId: 85 })).toBe('Hello');
    expect(await client.files.extractText({ path: 'peer-test/notes.md' })).toBe('Hello');
    expect(requests.map((r) => r.json)).toEqual([{ fileId: 85 }, { filePath: '/peer-test/notes.md' }]);
  });

  it('refuses paths that climb out of the user folder', async () => {
    const { client, requests } = testClient(() => ocs({}));
    await expect(client.files.extractText({ path: '../../etc/passwd' })).rejects.toThrow(
      /without "\.\." parts/,
    );
    await expect(client.files.upload('/a/../../b.txt', 'x')).rejects.toMatchObject({ code: 'invalid_input' });
    expect(requests).toHaveLength(0);
  });

  it('reports file info with the path inside the user files', async () => {
    const { client } = testClient(() =>
      ocs({ name: 'hello.txt', path: '/alice/files/peer-test/hello.txt', owner: 'alice', size: 97 }),
    );
    expect(await client.files.info(85)).toEqual({
      name: 'hello.txt',
      path: '/peer-test/hello.txt',
      owner: 'alice',
      size: 97,
    });
  });

  it('downloads a file as bytes or as a stream', async () => {
    const { client } = testClient(() => ({
      status: 200,
      headers: {
        'content-type': 'text/plain;charset=UTF-8',
        'content-disposition': 'attachment; filename="hello.txt"',
      },
      body: 'Hello',
    }));
    const file = await client.files.download(85);
    expect(new TextDecoder().decode(file.data)).toBe('Hello');
    expect(file.fileName).toBe('hello.txt');
  });

  it('uploads to a path with WebDAV, encodes names, and reads the id from OC-FileId', async () => {
    const { client, requests } = testClient(() => ({
      status: 201,
      headers: { 'oc-fileid': '00000085oczey9cnej33' },
      body: '',
    }));
    const result = await client.files.upload('/Reports/Q1 #1.md', '# Q1');
    expect(result).toEqual({ fileId: 85, path: '/Reports/Q1 #1.md' });
    expect(requests[0]!.method).toBe('PUT');
    expect(requests[0]!.url).toContain('/remote.php/dav/files/alice/Reports/Q1%20%231.md');
    expect(requests[0]!.text).toBe('# Q1');
  });

  it('creates missing folders when the server says the parent is missing', async () => {
    const made: string[] = [];
    let puts = 0;
    const { client } = testClient((req: Seen) => {
      if (req.method === 'MKCOL') {
        made.push(req.path);
        return { status: req.path.endsWith('/a') ? 405 : 201, body: '' };
      }
      return ++puts === 1
        ? { status: 409, headers: { 'content-type': 'application/xml' }, body: '<d:error/>' }
        : { status: 201, headers: { 'oc-fileid': '00000120oc' }, body: '' };
    });
    expect((await client.files.upload('a/b/c.txt', 'x')).fileId).toBe(120);
    // The deepest folder first: one MKCOL when only it is missing.
    expect(made).toEqual([`${DAV}/a/b`]);
    expect(puts).toBe(2);
  });

  it('resolves a path to its file id with PROPFIND', async () => {
    const { client, requests } = testClient(() =>
      propfind([['/remote.php/dav/files/alice/peer-test/hello.txt', 85]]),
    );
    expect(await client.files.resolve('/peer-test/hello.txt')).toBe(85);
    expect(requests[0]!.method).toBe('PROPFIND');
    expect(requests[0]!.headers.Depth).toBe('0');
  });

  it('runs a file action, finds its task by custom id, waits, and finds the generated file', async () => {
    let listed = 0;
    let polls = 0;
    const actionTask = task({ id: 31, type: 'core:text2text:summary', customId: 'file-action:85' });
    const { client, requests } = testClient((req) => {
      if (req.path.endsWith('/tasks/app/assistant')) {
        return ocs({
          tasks:
            listed++ === 0
              ? [
                  task({
                    id: 12,
                    type: 'core:text2text:summary',
                    customId: 'file-action:85',
                    status: 'STATUS_SUCCESSFUL',
                  }),
                ]
              : [task({ id: 12, type: 'core:text2text:summary', customId: 'file-action:85' }), actionTask],
        });
      }
      if (req.path.includes('/file-action/'))
        return ocs({ version: 0.1, tooltip: 'Summarization task submitted successfully' });
      if (req.path.endsWith('/task/31'))
        return ocs({
          task:
            ++polls < 2
              ? actionTask
              : { ...actionTask, status: 'STATUS_SUCCESSFUL', output: { output: 'Summary' } },
        });
      if (req.path.endsWith('/info'))
        return ocs({ name: 'hello.txt', path: '/alice/files/peer-test/hello.txt', owner: 'alice', size: 97 });
      if (req.method === 'PROPFIND') {
        return propfind([
          ['/remote.php/dav/files/alice/peer-test/', 84],
          ['/remote.php/dav/files/alice/peer-test/hello.txt', 85],
          ['/remote.php/dav/files/alice/peer-test/hello.txt%20-%20summarized.md', 114],
        ]);
      }
      throw new Error(`unexpected ${req.method} ${req.path}`);
    });
    const result = await client.files.runAction(85, 'core:text2text:summary', { wait: true });
    expect(result.task?.id).toBe(31);
    expect(result.task?.status).toBe('STATUS_SUCCESSFUL');
    expect(result.file).toEqual({ fileId: 114, path: '/peer-test/hello.txt - summarized.md' });
    expect(requests.find((r) => r.path.includes('/file-action/'))!.path).toBe(
      `${API}/file-action/85/core:text2text:summary`,
    );
  });

  it('refuses task types that are not file actions before sending', async () => {
    const { client, requests } = testClient(() => ocs({}));
    await expect(client.files.runAction(85, 'core:text2text' as never)).rejects.toThrow(
      /not a file action. Use one of: core:text2text:summary, core:audio2text, core:text2speech/,
    );
    expect(requests).toHaveLength(0);
  });
});
