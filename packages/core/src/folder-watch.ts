import { FILE_ACTIONS } from './services/files.js';

// What one look at a watched folder emits, as a pure function of the stored state and the listing, so
// that the state (n8n's workflow static data, a Node-RED context store) is all there is: a restart,
// another process or a worker picking up never repeats or misses a file.

export interface ListedFile {
  fileId: number;
  /** Path in the user's files, e.g. `/Inbox/memo.mp3`. */
  path: string;
  name: string;
  etag: string;
  size: number;
  mimeType: string;
  /** Unix seconds. */
  lastModified: number;
}

interface Known {
  etag: string;
  size: number;
}

export interface FolderState {
  version: 1;
  /** Files emitted (or there before the watch began), by file id: the version last handled. */
  known: Record<string, Known>;
  /** New or changed files seen once, waiting for their size to hold still for one more look. */
  settling: Record<string, Known>;
}

export interface FolderDecision {
  emit: (ListedFile & { change: 'added' | 'changed' })[];
  state: FolderState;
}

const isKnown = (v: unknown): v is Known =>
  !!v &&
  typeof v === 'object' &&
  typeof (v as Known).etag === 'string' &&
  typeof (v as Known).size === 'number';

/** A stored state, or undefined when there is none or it is not one (then the next look starts afresh). */
export function readFolderState(stored: unknown): FolderState | undefined {
  if (!stored || typeof stored !== 'object') return undefined;
  const s = stored as Partial<FolderState>;
  if (s.version !== 1 || !s.known || typeof s.known !== 'object') return undefined;
  if (!s.settling || typeof s.settling !== 'object') return undefined;
  const pick = (r: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(r).filter(([, v]) => isKnown(v))) as Record<string, Known>;
  return { version: 1, known: pick(s.known), settling: pick(s.settling) };
}

/**
 * `stored` is what the previous look returned (nothing before the first look: then what is there is
 * remembered and nothing is emitted, unless `emitExisting`). A file is emitted once per version (file id +
 * etag): a new id is "added", a new etag of a known id "changed"; a rename keeps id and etag and is not
 * emitted. With `waitForStableSize`, a new version is emitted only when a second look finds the same etag
 * and size, so a file still being written is not processed half-way. The state holds only the files in
 * this listing, so it is as large as the folder (which the listing bounds), never growing with time.
 * `files` is null when the folder does not exist.
 */
export function decideFolder(
  stored: unknown,
  files: readonly ListedFile[] | null,
  options: { waitForStableSize: boolean; emitExisting?: boolean },
): FolderDecision {
  const state: FolderState = { version: 1, known: {}, settling: {} };
  // `null`: the folder is not there (yet). A first look sees it empty, so what is put into it once it
  // exists is new rather than the baseline; a later look keeps what it knew, so a folder that is back
  // (or a moment's 404) replays nothing.
  if (files === null) return { emit: [], state: readFolderState(stored) ?? state };
  const previous =
    readFolderState(stored) ?? (options.emitExisting ? { version: 1, known: {}, settling: {} } : undefined);
  if (!previous) {
    for (const file of files) state.known[file.fileId] = { etag: file.etag, size: file.size };
    return { emit: [], state };
  }
  const emit: FolderDecision['emit'] = [];
  for (const file of files) {
    const id = String(file.fileId);
    const known = previous.known[id];
    const now = { etag: file.etag, size: file.size };
    if (known && known.etag === file.etag) {
      state.known[id] = now;
      continue;
    }
    const seen = previous.settling[id];
    const stable = seen !== undefined && seen.etag === file.etag && seen.size === file.size;
    if (options.waitForStableSize && !stable) {
      state.settling[id] = now;
      // Until the new version is handled, the old one stays the known one.
      if (known) state.known[id] = known;
      continue;
    }
    state.known[id] = now;
    emit.push({ ...file, change: known ? 'changed' : 'added' });
  }
  emit.sort((a, b) => a.lastModified - b.lastModified || a.path.localeCompare(b.path));
  return { emit, state };
}

/**
 * Whether a file is one the assistant's file actions write beside their source (`report - summarized.md`,
 * `memo - transcribed.md`, `text - text to speech.mp3`): processing these again would loop (summarize the
 * summary …).
 */
export function isFileActionOutput(name: string): boolean {
  return Object.values(FILE_ACTIONS).some(({ suffix }) => {
    if (!suffix.endsWith('.')) return name.endsWith(suffix);
    // " - text to speech." is followed by the audio's extension.
    const at = name.lastIndexOf(suffix);
    return at > 0 && /^[A-Za-z0-9]{1,8}$/.test(name.slice(at + suffix.length));
  });
}

/** `*.mp3, report-?.pdf` style name patterns, case-insensitive; empty matches everything. */
export function nameMatcher(patterns: string): (name: string) => boolean {
  const list = patterns
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (list.length === 0) return () => true;
  const regexes = list.map(
    (p) =>
      new RegExp(
        `^${p
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
        'i',
      ),
  );
  return (name) => regexes.some((r) => r.test(name));
}

/** `audio/*, application/pdf` style MIME filters; empty matches everything. */
export function mimeMatcher(types: string): (mime: string) => boolean {
  const list = types
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
  if (list.length === 0) return () => true;
  return (mime) => {
    const m = mime.toLowerCase().split(';')[0]?.trim() ?? '';
    return list.some((t) => (t.endsWith('/*') ? m.startsWith(t.slice(0, -1)) : m === t));
  };
}
