import { FileError, type FileStore, type StoredContent } from './file-store.js';

/** One chunked upload (Nextcloud chunking v2): the upload folder's chunks until MOVE `.file` assembles them. */
export interface Upload {
  user: string;
  id: string;
  /** The `Destination` the upload folder was created with (v2); null for a folder made without one. */
  destination: string | null;
  chunks: Map<string, StoredContent>;
  mtime: number;
}

/** Chunks are assembled in the order of their names, numerically when they are numbers (00001, 00002 …). */
export function chunkOrder(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isInteger(na) && Number.isInteger(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The upload folders under `/remote.php/dav/uploads/<user>/`; chunk bodies live where the FileStore keeps bodies. */
export class Uploads {
  private uploads = new Map<string, Upload>();

  constructor(private readonly files: FileStore) {}

  get(user: string, id: string): Upload | undefined {
    return this.uploads.get(`${user}/${id}`);
  }

  create(user: string, id: string, destination: string | null): Upload {
    if (this.get(user, id)) throw new FileError(405, 'The resource you tried to create already exists');
    const upload: Upload = { user, id, destination, chunks: new Map(), mtime: Date.now() };
    this.uploads.set(`${user}/${id}`, upload);
    return upload;
  }

  /** Stores a chunk; true when it is new (201), false when it replaced one of the same name (204). */
  putChunk(upload: Upload, name: string, content: StoredContent): boolean {
    const old = upload.chunks.get(name);
    if (old) void this.files.drop(old);
    upload.chunks.set(name, content);
    upload.mtime = Date.now();
    return !old;
  }

  /**
   * The chunks joined in name order, streamed into one body (on disk when the store has a dataDir, so a
   * 2 GiB upload never sits in memory). Refused like the server when the sizes do not add up.
   */
  async assemble(upload: Upload, totalLength: number | null): Promise<StoredContent> {
    const names = [...upload.chunks.keys()].sort(chunkOrder);
    const sum = names.reduce((s, n) => s + (upload.chunks.get(n) as StoredContent).size, 0);
    if (totalLength !== null && sum !== totalLength) {
      throw new FileError(400, `Chunks on server do not sum up to ${totalLength} but to ${sum} bytes`);
    }
    const sink = this.files.sink();
    try {
      for (const name of names) {
        for await (const piece of this.files.open(upload.chunks.get(name) as StoredContent))
          await sink.write(piece as Buffer);
      }
      await sink.end();
    } catch (err) {
      await sink.discard();
      throw err;
    }
    return sink.result();
  }

  async remove(upload: Upload): Promise<void> {
    this.uploads.delete(`${upload.user}/${upload.id}`);
    await Promise.all([...upload.chunks.values()].map((c) => this.files.drop(c)));
  }

  all(): Upload[] {
    return [...this.uploads.values()];
  }

  clear(): void {
    for (const u of this.all()) void this.remove(u);
  }
}
