// Issue 15: "On File Added or Changed in Folder" against the emulator's WebDAV (PROPFIND as recorded,
// with etags), through the node's poll() with the state in the workflow's static data.
import type { RunningEmulator } from '@f7cloud/assistant-emulator';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { F7CloudAssistantFolderTrigger } from '../nodes/F7CloudAssistantFolderTrigger/F7CloudAssistantFolderTrigger.node';
import { isFileActionOutput } from '@f7cloud/assistant-client';
import { createContext, emulatorCredentials, httpHandler, type Handler } from './support/context';
import { emulator } from './support/run-node';

let emu: RunningEmulator;
let auth: string;
beforeAll(async () => {
  emu = await emulator();
  const { user, appPassword } = emulatorCredentials(emu);
  auth = `Basic ${Buffer.from(`${user}:${appPassword}`).toString('base64')}`;
});
afterAll(async () => await emu.close());

let folder: string;
let n = 0;
beforeEach(async () => {
  folder = `/Inbox-${++n}`;
  await dav('MKCOL', folder);
});

async function dav(method: string, path: string, body?: string, type = 'text/plain'): Promise<number> {
  const url = `${emu.url}/remote.php/dav/files/alice${path.split('/').map(encodeURIComponent).join('/')}`;
  const res = await fetch(url, {
    method,
    headers: { authorization: auth, 'content-type': type },
    ...(body !== undefined ? { body } : {}),
  });
  await res.arrayBuffer();
  return res.status;
}
const put = (path: string, body: string, type?: string) => dav('PUT', path, body, type);

function watcher(parameters: Record<string, unknown> = {}, handler?: Handler) {
  const staticData: IDataObject = {};
  const credentials = emulatorCredentials(emu);
  const poll = async (mode: 'trigger' | 'manual' = 'trigger') => {
    const fake = createContext({
      parameters: { folder, recursive: false, options: {}, ...parameters },
      credentials,
      staticData,
      mode,
      handler: handler ?? httpHandler(credentials),
    });
    const result = await new F7CloudAssistantFolderTrigger().poll.call(fake.context as never);
    return { items: (result?.[0] ?? []) as INodeExecutionData[], requests: fake.requests };
  };
  const names = async () => (await poll()).items.map((item) => `${item.json.change} ${item.json.name}`);
  return { poll, names, staticData };
}

describe('On File Added or Changed in Folder', () => {
  it('does not replay what was there before, then emits each new file once, also many at a time', async () => {
    await put(`${folder}/old.txt`, 'old');
    const watch = watcher({ options: { waitForStableSize: false } });
    expect(await watch.names()).toEqual([]);
    for (let i = 0; i < 25; i++) await put(`${folder}/note-${i}.txt`, `note ${i}`);
    const emitted = await watch.names();
    expect(emitted).toHaveLength(25);
    expect(new Set(emitted)).toEqual(new Set(Array.from({ length: 25 }, (_, i) => `added note-${i}.txt`)));
    expect(await watch.names()).toEqual([]);
  });

  it('emits a changed file once per new version (file id and etag), with what a next step needs', async () => {
    const watch = watcher({ options: { waitForStableSize: false } });
    await watch.poll();
    await put(`${folder}/memo.txt`, 'first');
    const [added] = (await watch.poll()).items;
    expect(added?.json).toMatchObject({
      change: 'added',
      name: 'memo.txt',
      path: `${folder}/memo.txt`,
      size: 5,
      mimeType: expect.stringMatching(/^text\/plain/),
      fileId: expect.any(Number),
      etag: expect.any(String),
    });
    await put(`${folder}/memo.txt`, 'second version');
    const [changed] = (await watch.poll()).items;
    expect(changed?.json).toMatchObject({ change: 'changed', fileId: added?.json.fileId, size: 14 });
    expect(changed?.json.etag).not.toBe(added?.json.etag);
    expect(await watch.names()).toEqual([]);
  });

  it('waits until a file being written holds its size for two polls', async () => {
    const watch = watcher();
    await watch.poll();
    await put(`${folder}/recording.txt`, 'part 1');
    expect(await watch.names()).toEqual([]);
    await put(`${folder}/recording.txt`, 'part 1, part 2');
    expect(await watch.names()).toEqual([]);
    expect(await watch.names()).toEqual(['added recording.txt']);
    expect(await watch.names()).toEqual([]);
  });

  it('does not emit a renamed file again (same file id and etag under a new name)', async () => {
    await put(`${folder}/draft.txt`, 'text');
    let renamed = false;
    // The emulator has no WebDAV MOVE for files: this answers the PROPFIND as the server does after one.
    const base = httpHandler(emulatorCredentials(emu));
    const handler: Handler = async (request) => {
      const response = await base(request);
      if (!renamed || request.method !== 'PROPFIND') return response;
      return {
        ...response,
        body: Buffer.from(response.body.toString('utf8').replace('/draft.txt<', '/final.txt<')),
      };
    };
    const watch = watcher({ options: { waitForStableSize: false } }, handler);
    await watch.poll();
    renamed = true;
    expect(await watch.names()).toEqual([]);
    await put(`${folder}/other.txt`, 'x');
    expect(await watch.names()).toEqual(['added other.txt']);
  });

  it("skips files the assistant's file actions write beside their source, unless asked", async () => {
    const watch = watcher({ options: { waitForStableSize: false } });
    const all = watcher({ options: { waitForStableSize: false, includeActionOutputs: true } });
    await watch.poll();
    await all.poll();
    await put(`${folder}/memo.mp3`, 'audio', 'audio/mpeg');
    await put(`${folder}/memo - transcribed.md`, '# text', 'text/markdown');
    await put(`${folder}/memo - summarized.md`, '# sum', 'text/markdown');
    await put(`${folder}/memo - text to speech.mp3`, 'speech', 'audio/mpeg');
    expect(await watch.names()).toEqual(['added memo.mp3']);
    expect((await all.names()).sort()).toEqual(
      [
        'added memo - summarized.md',
        'added memo - text to speech.mp3',
        'added memo - transcribed.md',
        'added memo.mp3',
      ].sort(),
    );
    expect(isFileActionOutput('minutes - text to speech.wav')).toBe(true);
    expect(isFileActionOutput('a - text to speech. notes.txt')).toBe(false);
  });

  it('filters by name and MIME type and looks into subfolders when asked', async () => {
    await dav('MKCOL', `${folder}/sub`);
    const flat = watcher({ options: { waitForStableSize: false, names: '*.mp3, *.m4a' } });
    const deep = watcher({ recursive: true, options: { waitForStableSize: false, mimeTypes: 'audio/*' } });
    await flat.poll();
    await deep.poll();
    await put(`${folder}/a.mp3`, 'a', 'audio/mpeg');
    await put(`${folder}/b.pdf`, 'b', 'application/pdf');
    await put(`${folder}/sub/c.mp3`, 'c', 'audio/mpeg');
    expect(await flat.names()).toEqual(['added a.mp3']);
    const deepItems = (await deep.poll()).items.map((item) => item.json.path);
    expect(deepItems.sort()).toEqual([`${folder}/a.mp3`, `${folder}/sub/c.mp3`]);
  });

  it('keeps all state in the static data: a new node instance with the same data neither repeats nor misses', async () => {
    const watch = watcher({ options: { waitForStableSize: false } });
    await watch.poll();
    await put(`${folder}/one.txt`, '1');
    expect(await watch.names()).toEqual(['added one.txt']);
    const copy = JSON.parse(JSON.stringify(watch.staticData)) as IDataObject;
    await put(`${folder}/two.txt`, '2');
    const other = watcher({ options: { waitForStableSize: false } });
    Object.assign(other.staticData, copy);
    expect(await other.names()).toEqual(['added two.txt']);
  });

  it('shows the newest file as a test event without changing the state', async () => {
    const watch = watcher();
    await put(`${folder}/sample.txt`, 's');
    const { items } = await watch.poll('manual');
    expect(items[0]?.json.name).toBe('sample.txt');
    expect(watch.staticData.folderState).toBeUndefined();
  });

  it('watches a folder that does not exist yet as an empty one: each file put into it later starts it once', async () => {
    folder = `/Later-${n}`;
    const watch = watcher();
    expect(await watch.names()).toEqual([]);
    expect(await watch.names()).toEqual([]);
    await dav('MKCOL', folder);
    await put(`${folder}/first.txt`, 'there before the next poll');
    // Wait Until Upload Finished (the default): seen once, then emitted when it held still.
    expect(await watch.names()).toEqual([]);
    expect(await watch.names()).toEqual(['added first.txt']);
    await put(`${folder}/second.txt`, 'later');
    expect(await watch.names()).toEqual([]);
    expect(await watch.names()).toEqual(['added second.txt']);
    expect(await watch.names()).toEqual([]);
  });

  it('says in a test run that the folder does not exist yet, without changing the state', async () => {
    folder = `/Not-Yet-${n}`;
    const watch = watcher();
    await expect(watch.poll('manual')).rejects.toThrow(`The folder "${folder}" does not exist yet`);
    expect(watch.staticData).toEqual({});
  });

  it('keeps what it knew while the folder is missing: nothing is replayed when it is back', async () => {
    let gone = false;
    const base = httpHandler(emulatorCredentials(emu));
    // While `gone`, listings ask for a folder that is not there, and the emulator answers its 404.
    const handler: Handler = async (request) =>
      await base(
        gone ? { ...request, url: request.url.replace(`/alice${folder}`, `/alice${folder}-gone`) } : request,
      );
    await put(`${folder}/old.txt`, 'old');
    const watch = watcher({ options: { waitForStableSize: false } }, handler);
    expect(await watch.names()).toEqual([]);
    await put(`${folder}/memo.txt`, 'memo');
    expect(await watch.names()).toEqual(['added memo.txt']);
    gone = true;
    expect(await watch.names()).toEqual([]);
    gone = false;
    expect(await watch.names()).toEqual([]);
    await put(`${folder}/new.txt`, 'new');
    expect(await watch.names()).toEqual(['added new.txt']);
  });

  it('still fails when the address answers 404 without being a file server (not a missing folder)', async () => {
    const handler: Handler = async () => ({
      statusCode: 404,
      headers: { 'content-type': 'text/html' },
      body: Buffer.from('<html><body><h1>Not Found</h1></body></html>'),
    });
    const watch = watcher({}, handler);
    await expect(watch.poll()).rejects.toThrow(/does not know this API route/);
    expect(watch.staticData).toEqual({});
  });
});
