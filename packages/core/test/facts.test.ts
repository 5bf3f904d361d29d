import { describe, expect, it } from 'vitest';
import { finishedTasksToEmit, LOOK_BACK_SECONDS, readWatchState } from '../src/finished-tasks.js';
import { parsePropfind } from '../src/propfind.js';
import { fillSlot, slotParts, slotType } from '../src/shapes.js';
import { TASK_STATUSES, TaskStatus } from '../src/task-status.js';
import { ocs, task, testClient } from './helpers.js';

const T = 1_800_000_000;
const fin = (id: number, endedAt: number, status = 'STATUS_SUCCESSFUL', extra = {}) => ({
  id,
  status,
  type: 'core:text2text',
  appId: 'assistant',
  endedAt,
  lastUpdated: endedAt,
  ...extra,
});

describe('finished-task emission', () => {
  it('emits nothing on the first look (unless asked), then each newly finished task exactly once', () => {
    const first = finishedTasksToEmit(undefined, [fin(1, T), fin(2, T + 1)]);
    expect(first.emit).toEqual([]);
    const again = finishedTasksToEmit(first.state, [fin(1, T), fin(2, T + 1), fin(3, T + 1)]);
    expect(again.emit.map((t) => t.id)).toEqual([3]);
    const same = finishedTasksToEmit(again.state, [fin(1, T), fin(2, T + 1), fin(3, T + 1)]);
    expect(same.emit).toEqual([]);
    expect(
      finishedTasksToEmit(undefined, [fin(2, T + 1), fin(1, T)], { emitExisting: true }).emit.map(
        (t) => t.id,
      ),
    ).toEqual([1, 2]);
  });

  it('neither repeats nor misses tasks listed late in the watermark second or within the look-back', () => {
    let state = finishedTasksToEmit(undefined, []).state;
    const listed = [fin(10, T + 100)];
    let out = finishedTasksToEmit(state, listed);
    expect(out.emit.map((t) => t.id)).toEqual([10]);
    state = out.state;
    // 11 ended in the same second as 10 and 12 earlier, both listed only now (committed late)
    listed.push(fin(11, T + 100), fin(12, T + 40), fin(13, T + 100 - LOOK_BACK_SECONDS - 1));
    out = finishedTasksToEmit(state, listed);
    expect(out.emit.map((t) => t.id)).toEqual([12, 11]);
    // scheduled and running tasks wait until they finish
    listed.push(fin(14, 0, 'STATUS_RUNNING', { endedAt: null, lastUpdated: T + 150 }));
    out = finishedTasksToEmit(out.state, listed);
    expect(out.emit).toEqual([]);
    listed[listed.length - 1] = fin(14, T + 160, 'STATUS_FAILED');
    out = finishedTasksToEmit(out.state, listed);
    expect(out.emit.map((t) => t.id)).toEqual([14]);
  });

  it('keeps only the ids inside the look-back window (bounded state) and filters by type, app and status', () => {
    let state = finishedTasksToEmit(undefined, []).state;
    const listed = Array.from({ length: 200 }, (_, i) =>
      fin(i + 1, T + i * 60, i % 2 ? 'STATUS_FAILED' : 'STATUS_SUCCESSFUL'),
    );
    const out = finishedTasksToEmit(state, listed, { statuses: [TaskStatus.Failed] });
    expect(out.emit).toHaveLength(100);
    expect(out.emit.every((t) => t.status === 'STATUS_FAILED')).toBe(true);
    expect(Object.keys(out.state.seen).length).toBeLessThanOrEqual(LOOK_BACK_SECONDS / 60 + 1);
    state = out.state;
    expect(finishedTasksToEmit(state, listed).emit).toEqual([]);
    const other = finishedTasksToEmit(
      state,
      [...listed, fin(500, T + 200 * 60, 'STATUS_SUCCESSFUL', { appId: 'x' })],
      {
        appId: 'assistant',
      },
    );
    expect(other.emit).toEqual([]);
  });

  it('takes over a stored list of seen ids without repeating or skipping, and ignores junk', () => {
    const listed = [fin(1, T), fin(2, T + 5), fin(3, T + 9)];
    const out = finishedTasksToEmit({ seen: [1, 2] }, listed);
    expect(out.emit.map((t) => t.id)).toEqual([3]);
    expect(readWatchState('junk')).toEqual({ watermark: null, seen: {} });
    expect(readWatchState({ watermark: 'x', seen: { a: 1, 2: 'y', 3: T } })).toEqual({
      watermark: null,
      seen: { 3: T },
    });
  });
});

describe('slots', () => {
  it('knows every slot type, ListOf… lists of texts and numbers included', () => {
    expect(slotType('ListOfTexts')).toEqual({ kind: 'text', list: true });
    expect(slotType('ListOfNumbers')).toEqual({ kind: 'number', list: true });
    expect(slotType('ListOfImages')).toEqual({ kind: 'file', list: true, media: 'Image' });
    expect(slotType('ListOf<Audio>')).toEqual({ kind: 'file', list: true, media: 'Audio' });
    expect(slotType('Enum')).toEqual({ kind: 'enum', list: false });
  });

  it('fills a slot from what a host got: numbers, file ids, lists, texts with commas kept', async () => {
    expect(await fillSlot('n', 'Number', ' 42 ')).toBe(42);
    expect(await fillSlot('f', 'File', '85')).toBe(85);
    expect(await fillSlot('ids', 'ListOfFiles', '85, 86 87')).toEqual([85, 86, 87]);
    expect(await fillSlot('h', 'ListOfTexts', '{"role":"human","content":"a, b"}\nsecond')).toEqual([
      '{"role":"human","content":"a, b"}',
      'second',
    ]);
    expect(await fillSlot('h', 'ListOfTexts', '["a, b", "c"]')).toEqual(['a, b', 'c']);
    expect(await fillSlot('t', 'Text', { a: 1 })).toBe('{"a":1}');
    expect(await fillSlot('t', 'Text', '  ')).toBeUndefined();
    expect(await fillSlot('img', 'Image', 'data', { file: async (ref) => (ref === 'data' ? 99 : 0) })).toBe(
      99,
    );
    expect(slotParts('number', [1, 2])).toEqual([1, 2]);
  });

  it('refuses what does not fit the slot, naming it, before anything is sent', async () => {
    await expect(fillSlot('count', 'Number', 'many')).rejects.toMatchObject({
      code: 'invalid_input',
      sent: false,
    });
    await expect(fillSlot('image', 'Image', 'photo.png')).rejects.toThrow(/Input "image" must be a file id/);
    await expect(fillSlot('ids', 'ListOfNumbers', '1, x')).rejects.toThrow(/"ids" must be a number/);
  });
});

describe('statuses', () => {
  it('lists the statuses a user picks from, with labels and which are final', () => {
    expect(TASK_STATUSES.map((s) => [s.value, s.label, s.finished])).toEqual([
      ['STATUS_SCHEDULED', 'Scheduled', false],
      ['STATUS_RUNNING', 'Running', false],
      ['STATUS_SUCCESSFUL', 'Successful', true],
      ['STATUS_FAILED', 'Failed', true],
      ['STATUS_CANCELLED', 'Cancelled', true],
    ]);
  });
});

describe('PROPFIND answers', () => {
  it('reads each <response> on its own, whatever the prefixes: an entry without an id takes none', () => {
    const xml = `<?xml version="1.0"?>
<D:multistatus xmlns:D="DAV:" xmlns:x1="http://owncloud.org/ns">
  <D:response><D:href>/remote.php/dav/files/alice/Docs/</D:href>
    <D:propstat><D:prop/><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>
  <D:response><D:href>/remote.php/dav/files/alice/Docs/a%20b%26c.md</D:href>
    <D:propstat><D:prop><x1:fileid>85</x1:fileid></D:prop></D:propstat></D:response>
  <response xmlns="DAV:"><href>/remote.php/dav/files/alice/Docs/R&amp;D.md</href>
    <propstat><prop><fileid xmlns="http://owncloud.org/ns">86</fileid></prop></propstat></response>
</D:multistatus>`;
    expect(parsePropfind(xml)).toEqual([
      { href: '/remote.php/dav/files/alice/Docs/' },
      { href: '/remote.php/dav/files/alice/Docs/a b&c.md', fileId: 85 },
      { href: '/remote.php/dav/files/alice/Docs/R&D.md', fileId: 86 },
    ]);
  });
});

describe('the injected clock', () => {
  it('measures a date-form Retry-After against the client clock, not the machine clock', async () => {
    let calls = 0;
    const { client, clock } = testClient(
      () =>
        ++calls === 1
          ? { status: 429, headers: { 'retry-after': new Date(clock.now + 20_000).toUTCString() }, body: '' }
          : ocs({ task: task() }),
      { now: () => clock.now },
    );
    // the client's clock is years away from the machine's
    clock.now = Date.UTC(2031, 0, 1);
    await client.tasks.schedule({ type: 'core:text2text', input: { input: 'x' } });
    expect(clock.slept).toEqual([20_100]);
  });
});

describe('file actions', () => {
  it('lists each file action with the words a user sees and the file it writes', async () => {
    const { FILE_ACTIONS } = await import('../src/services/files.js');
    expect(Object.entries(FILE_ACTIONS).map(([type, a]) => [type, a.label, a.suffix])).toEqual([
      ['core:text2text:summary', 'Summarize', ' - summarized.md'],
      ['core:audio2text', 'Transcribe', ' - transcribed.md'],
      ['core:text2speech', 'Text to Speech', ' - text to speech.'],
    ]);
    expect(Object.values(FILE_ACTIONS).every((a) => a.description.length > 10)).toBe(true);
  });
});
