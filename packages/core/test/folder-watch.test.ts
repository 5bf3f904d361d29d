import { describe, expect, it } from 'vitest';
import {
  decideFolder,
  isFileActionOutput,
  mimeMatcher,
  nameMatcher,
  type ListedFile,
} from '../src/folder-watch.js';
import { testClient } from './helpers.js';

const file = (fileId: number, etag: string, size = 10, name = `f${fileId}.pdf`): ListedFile => ({
  fileId,
  path: `/Inbox/${name}`,
  name,
  etag,
  size,
  mimeType: 'application/pdf',
  lastModified: 1_800_000_000 + fileId,
});

/** Runs looks in a row as a host would, feeding each state back; returns the ids emitted per look. */
function looks(listings: ListedFile[][], waitForStableSize = true) {
  let state: unknown;
  return listings.map((files) => {
    const decision = decideFolder(state, files, { waitForStableSize });
    state = JSON.parse(JSON.stringify(decision.state)); // what a store keeps
    return decision.emit.map((f) => `${f.fileId}:${f.change}`);
  });
}

describe('folder watch decision', () => {
  it('notes what is there on the first look and emits each of many new files once, after a stable size', () => {
    const many = Array.from({ length: 50 }, (_, i) => file(100 + i, 'e1'));
    const emitted = looks([
      [file(1, 'a')],
      [file(1, 'a'), ...many],
      [file(1, 'a'), ...many],
      [file(1, 'a'), ...many],
    ]);
    expect(emitted[0]).toEqual([]);
    expect(emitted[1]).toEqual([]);
    expect(emitted[2]).toEqual(many.map((f) => `${f.fileId}:added`));
    expect(emitted[3]).toEqual([]);
  });

  it('a missing folder is empty on the first look and keeps what was known on a later one: nothing replays', () => {
    const opts = { waitForStableSize: false };
    // not there yet: files put into it later are new
    const first = decideFolder(undefined, null, opts);
    expect(first.emit).toEqual([]);
    expect(decideFolder(first.state, [file(1, 'a')], opts).emit.map((f) => f.fileId)).toEqual([1]);
    // gone for a moment (renamed away and back, a 404 during maintenance): its files are not sent again
    const known = decideFolder(undefined, [file(1, 'a'), file(2, 'b')], opts).state;
    const gone = decideFolder(known, null, opts);
    expect(gone).toEqual({ emit: [], state: known });
    expect(decideFolder(gone.state, [file(1, 'a'), file(2, 'b'), file(3, 'c')], opts).emit).toEqual([
      expect.objectContaining({ fileId: 3, change: 'added' }),
    ]);
  });

  it('waits while a file grows, emits a changed file again once, and not a renamed one', () => {
    const emitted = looks([
      [],
      [file(5, 'v1', 100)],
      [file(5, 'v2', 200)],
      [file(5, 'v2', 200)],
      [file(5, 'v3', 300)],
      [file(5, 'v3', 300)],
      [{ ...file(5, 'v3', 300), name: 'renamed.pdf', path: '/Inbox/renamed.pdf' }],
    ]);
    expect(emitted).toEqual([[], [], [], ['5:added'], [], ['5:changed'], []]);
  });

  it('emits at once without waiting, and forgets files that left the folder (bounded state)', () => {
    let decision = decideFolder(undefined, [], { waitForStableSize: false });
    decision = decideFolder(decision.state, [file(1, 'a'), file(2, 'b')], { waitForStableSize: false });
    expect(decision.emit.map((f) => f.fileId)).toEqual([1, 2]);
    decision = decideFolder(decision.state, [file(2, 'b')], { waitForStableSize: false });
    expect(Object.keys(decision.state.known)).toEqual(['2']);
  });

  it('emits what is there on the first look with emitExisting; a broken stored state starts afresh', () => {
    expect(
      decideFolder(undefined, [file(1, 'a')], { waitForStableSize: false, emitExisting: true }).emit,
    ).toHaveLength(1);
    expect(decideFolder({ version: 9 }, [file(1, 'a')], { waitForStableSize: false }).emit).toEqual([]);
  });
});

describe('file action outputs and filters', () => {
  it("recognises the files the assistant's file actions write, and nothing else", () => {
    for (const name of [
      'r - summarized.md',
      'm - transcribed.md',
      't - text to speech.mp3',
      'x.pdf - summarized.md',
    ])
      expect(isFileActionOutput(name), name).toBe(true);
    for (const name of [
      'summarized.md',
      'r - summarized.txt',
      't - text to speech.',
      'report.pdf',
      ' - text to speech.mp3',
    ])
      expect(isFileActionOutput(name), name).toBe(false);
  });

  it('matches names by * and ? patterns and MIME types by type or family', () => {
    expect(nameMatcher('*.mp3, report-?.PDF')('Report-1.pdf')).toBe(true);
    expect(nameMatcher('*.mp3')('a.mp3.txt')).toBe(false);
    expect(nameMatcher('')('anything')).toBe(true);
    expect(mimeMatcher('audio/*')('audio/mpeg')).toBe(true);
    expect(mimeMatcher('application/pdf')('application/pdf; charset=binary')).toBe(true);
    expect(mimeMatcher('application/pdf')('text/plain')).toBe(false);
  });
});

function multistatus(entries: string[]) {
  return {
    status: 207,
    headers: { 'content-type': 'application/xml; charset=utf-8' },
    body: `<?xml version="1.0"?>\n<d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:oc="http://owncloud.org/ns">${entries.join('')}</d:multistatus>`,
  };
}
const folderEntry = (href: string, id: number) =>
  `<d:response><d:href>${href}</d:href><d:propstat><d:prop><oc:fileid>${id}</oc:fileid><d:getetag>&quot;f${id}&quot;</d:getetag><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat><d:propstat><d:prop><d:getcontentlength/><d:getcontenttype/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>`;
const fileEntry = (href: string, id: number, size: number, type: string) =>
  `<d:response><d:href>${href}</d:href><d:propstat><d:prop><oc:fileid>${id}</oc:fileid><d:getetag>&quot;e${id}&quot;</d:getetag><d:getcontentlength>${size}</d:getcontentlength><d:getcontenttype>${type}</d:getcontenttype><d:getlastmodified>Tue, 01 Dec 2026 10:00:00 GMT</d:getlastmodified><d:resourcetype/></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`;

describe('files.list', () => {
  const DAV = '/remote.php/dav/files/alice';
  const server = (path: string) => {
    if (path === `${DAV}/In box`)
      return multistatus([
        folderEntry(`${DAV}/In%20box/`, 1),
        fileEntry(`${DAV}/In%20box/a%26b.pdf`, 2, 1234, 'application/pdf'),
        folderEntry(`${DAV}/In%20box/sub/`, 3),
      ]);
    if (path === `${DAV}/In box/sub`)
      return multistatus([
        folderEntry(`${DAV}/In%20box/sub/`, 3),
        fileEntry(`${DAV}/In%20box/sub/m.mp3`, 4, 9, 'audio/mpeg'),
      ]);
    return {
      status: 404,
      headers: { 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns"><s:exception>Sabre\\DAV\\Exception\\NotFound</s:exception></d:error>',
    };
  };

  it('lists the files of a folder with id, etag, size, type and time, by PROPFIND depth 1 per folder', async () => {
    const { client, requests } = testClient((req) => server(req.path));
    const files = await client.files.list('/In box');
    expect(files).toEqual([
      {
        fileId: 2,
        path: '/In box/a&b.pdf',
        name: 'a&b.pdf',
        etag: 'e2',
        size: 1234,
        mimeType: 'application/pdf',
        lastModified: Date.UTC(2026, 11, 1, 10) / 1000,
      },
    ]);
    expect(requests[0]!.method).toBe('PROPFIND');
    expect(requests[0]!.headers.Depth).toBe('1');
    expect(requests[0]!.text).toContain('getetag');
    const deep = await client.files.list('In box/', { depth: 2 });
    expect(deep.map((f) => f.path)).toEqual(['/In box/a&b.pdf', '/In box/sub/m.mp3']);
  });

  it('says which folder is missing, and refuses a bad depth before sending anything', async () => {
    const { client, requests } = testClient((req) => server(req.path));
    await expect(client.files.list('/Nope')).rejects.toThrow(/Folder "Nope" does not exist/);
    const before = requests.length;
    await expect(client.files.list('/In box', { depth: 0 })).rejects.toThrow(
      /depth 0 is not valid; nothing was sent/,
    );
    expect(requests.length).toBe(before);
  });
});
