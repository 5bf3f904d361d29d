import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, rmSync, type WriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { PartSink } from '../http/multipart.js';

export interface FileNode {
  id: number;
  owner: string;
  name: string;
  parentId: number | null;
  kind: 'file' | 'folder';
  size: number;
  mime: string;
  mtime: number;
  etag: string;
  /** Task output files live in app data: not in the user's tree, reachable only through their task. */
  appData: boolean;
  blob?: Buffer;
  blobPath?: string;
}

export interface StoredContent {
  size: number;
  etag: string;
  blob?: Buffer;
  blobPath?: string;
}

/** A sink that receives an upload chunk by chunk and yields where the bytes ended up. */
export interface ContentSink extends PartSink {
  result(): Promise<StoredContent>;
  discard(): Promise<void>;
}

const MIME: Record<string, string> = {
  txt: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  rtf: 'text/rtf',
  csv: 'text/csv',
  html: 'text/html',
  json: 'application/json',
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  odt: 'application/vnd.oasis.opendocument.text',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  mp4: 'video/mp4',
};

export function mimeOf(name: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  return (ext && MIME[ext]) || 'application/octet-stream';
}

export class FileError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Per-user file trees with stable numeric ids; bodies in memory, or on disk under `dataDir`. */
export class FileStore {
  private nodes = new Map<number, FileNode>();
  private roots = new Map<string, number>();
  private uploadSeq = 0;
  private etagSeq = 0;

  constructor(
    private readonly nextId: () => number,
    private readonly dataDir?: string,
  ) {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
  }

  root(user: string): FileNode {
    let id = this.roots.get(user);
    if (id === undefined) {
      id = this.nextId();
      this.roots.set(user, id);
      this.nodes.set(id, this.folderNode(id, user, '', null));
    }
    return this.nodes.get(id) as FileNode;
  }

  get(id: number): FileNode | undefined {
    return this.nodes.get(id);
  }

  /** A file or folder in `user`'s own tree (never another user's, never app data). */
  owned(user: string, id: number): FileNode | undefined {
    const node = this.nodes.get(id);
    return node && node.owner === user && !node.appData ? node : undefined;
  }

  all(): FileNode[] {
    return [...this.nodes.values()];
  }

  children(folder: FileNode): FileNode[] {
    return [...this.nodes.values()].filter((n) => n.parentId === folder.id && !n.appData);
  }

  /** Path relative to the user's files, with a leading slash (`/peer-test/hello.txt`; root is `/`). */
  pathOf(node: FileNode): string {
    const parts: string[] = [];
    let cur: FileNode | undefined = node;
    while (cur && cur.parentId !== null) {
      parts.unshift(cur.name);
      cur = this.nodes.get(cur.parentId);
    }
    return `/${parts.join('/')}`;
  }

  /** Internal path as servers show it: `/<user>/files/<path>`. */
  internalPath(node: FileNode): string {
    return `/${node.owner}/files${this.pathOf(node) === '/' ? '' : this.pathOf(node)}`;
  }

  /** Sabre's 404 for the first segment of `path` that does not exist: `File with name //a could not be located`. */
  notFound(user: string, path: string): FileError {
    let cur = this.root(user);
    for (const seg of splitPath(path)) {
      const next = cur.kind === 'folder' ? this.children(cur).find((c) => c.name === seg) : undefined;
      if (!next) return new FileError(404, `File with name ${this.pathOf(cur)}/${seg} could not be located`);
      cur = next;
    }
    return new FileError(404, `File with name ${this.pathOf(cur)} could not be located`);
  }

  /** A folder's size is what it holds, as servers report it (`oc:size`). */
  sizeOf(node: FileNode): number {
    if (node.kind === 'file') return node.size;
    return this.children(node).reduce((sum, c) => sum + this.sizeOf(c), 0);
  }

  resolve(user: string, path: string): FileNode | undefined {
    let cur: FileNode | undefined = this.root(user);
    for (const seg of splitPath(path)) {
      cur = this.children(cur).find((c) => c.name === seg);
      if (!cur) return undefined;
    }
    return cur;
  }

  mkdir(user: string, path: string): FileNode {
    const segs = splitPath(path);
    const name = segs.pop();
    if (!name) throw new FileError(405, 'The root folder already exists');
    const parent = this.resolve(user, segs.join('/'));
    if (!parent || parent.kind !== 'folder') throw new FileError(409, 'Parent node does not exist');
    if (this.children(parent).some((c) => c.name === name)) {
      throw new FileError(405, 'The resource you tried to create already exists');
    }
    const node = this.folderNode(this.nextId(), user, name, parent.id);
    this.nodes.set(node.id, node);
    this.touch(parent);
    return node;
  }

  ensureFolder(user: string, path: string): FileNode {
    let cur = this.root(user);
    for (const seg of splitPath(path)) {
      const next = this.children(cur).find((c) => c.name === seg);
      if (next && next.kind !== 'folder') throw new FileError(409, `${seg} is a file, not a folder`);
      cur = next ?? this.mkdir(user, this.pathOf(cur) + '/' + seg);
    }
    return cur;
  }

  /** `name`, or `name (2).ext`, `name (3).ext`… so nothing is overwritten. */
  uniqueName(folder: FileNode, name: string): string {
    const taken = new Set(this.children(folder).map((c) => c.name));
    if (!taken.has(name)) return name;
    const m = /^(.*?)(\.[^.]*)?$/.exec(name);
    const stem = m?.[1] ?? name;
    const ext = m?.[2] ?? '';
    for (let i = 2; ; i++) if (!taken.has(`${stem} (${i})${ext}`)) return `${stem} (${i})${ext}`;
  }

  /** Creates or overwrites the file at `path`; `created` tells which (WebDAV answers 201 or 204). */
  put(user: string, path: string, content: StoredContent): { node: FileNode; created: boolean } {
    const segs = splitPath(path);
    const name = segs.pop();
    const parent = name ? this.resolve(user, segs.join('/')) : undefined;
    if (!name || !parent || parent.kind !== 'folder') {
      void this.dropContent(content);
      // real servers answer 404 here, not WebDAV's 409 (recorded: dav-put__missing_parent_folder)
      throw this.notFound(user, path);
    }
    const existing = this.children(parent).find((c) => c.name === name);
    if (existing?.kind === 'folder') {
      void this.dropContent(content);
      throw new FileError(405, 'A folder exists at this path');
    }
    if (existing) {
      void this.dropContent(existing);
      Object.assign(existing, { size: content.size, etag: content.etag, mtime: nowS() });
      existing.blob = content.blob;
      existing.blobPath = content.blobPath;
      this.touch(parent);
      return { node: existing, created: false };
    }
    const node = this.fileNode(this.nextId(), user, name, parent.id, content, false);
    this.nodes.set(node.id, node);
    this.touch(parent);
    return { node, created: true };
  }

  /** Adds a file with a fresh name in `folder` (listeners writing results, saved output files). */
  add(folder: FileNode, name: string, data: Buffer): FileNode {
    const node = this.fileNode(
      this.nextId(),
      folder.owner,
      this.uniqueName(folder, name),
      folder.id,
      this.memory(data),
      false,
    );
    return this.store(node);
  }

  /** A task output file in app data, owned by `user`. */
  addAppData(user: string, name: string, data: Buffer): FileNode {
    const node = this.fileNode(this.nextId(), user, name, null, this.memory(data), true);
    node.mime = sniffMime(data);
    return this.store(node);
  }

  /** A sink for an upload: a temp file under dataDir (streamed), or memory. */
  sink(): ContentSink {
    const hash = createHash('md5');
    let size = 0;
    if (!this.dataDir) {
      const chunks: Buffer[] = [];
      return {
        write(chunk) {
          chunks.push(chunk);
          hash.update(chunk);
          size += chunk.length;
        },
        end() {},
        result: async () => ({ size, etag: hash.digest('hex'), blob: Buffer.concat(chunks) }),
        discard: async () => {},
      };
    }
    const path = join(this.dataDir, `upload-${process.pid}-${++this.uploadSeq}.part`);
    const out: WriteStream = createWriteStream(path);
    const finished = new Promise<void>((resolve, reject) => {
      out.on('finish', resolve);
      out.on('error', reject);
    });
    return {
      write(chunk) {
        hash.update(chunk);
        size += chunk.length;
        if (!out.write(chunk)) return new Promise<void>((resolve) => out.once('drain', resolve));
      },
      end() {
        out.end();
        return finished;
      },
      result: async () => {
        await finished;
        return { size, etag: hash.digest('hex'), blobPath: path };
      },
      discard: async () => {
        out.destroy();
        await rm(path, { force: true });
      },
    };
  }

  /** Deletes a file, or a folder with everything in it. */
  remove(node: FileNode): void {
    for (const child of this.children(node)) this.remove(child);
    if (node.blobPath) rmSync(node.blobPath, { force: true });
    this.nodes.delete(node.id);
    const parent = node.parentId === null ? undefined : this.nodes.get(node.parentId);
    if (parent) this.touch(parent);
  }

  open(node: Pick<FileNode, 'blob' | 'blobPath'>): Readable {
    if (node.blobPath) return createReadStream(node.blobPath);
    return Readable.from([node.blob ?? Buffer.alloc(0)]);
  }

  async read(node: FileNode): Promise<Buffer> {
    if (node.blobPath) return readFile(node.blobPath);
    return node.blob ?? Buffer.alloc(0);
  }

  /** Copies a file into `folder` under `name` (save output file). */
  async copy(node: FileNode, folder: FileNode, name: string): Promise<FileNode> {
    return this.add(folder, name, await this.read(node));
  }

  clear(): void {
    for (const node of this.nodes.values()) if (node.blobPath) rmSync(node.blobPath, { force: true });
    this.nodes.clear();
    this.roots.clear();
  }

  // Generated files (results, images, speech) are small: they stay in memory even with a dataDir.
  private store(node: FileNode): FileNode {
    this.nodes.set(node.id, node);
    const parent = node.parentId === null ? undefined : this.nodes.get(node.parentId);
    if (parent) this.touch(parent);
    return node;
  }

  /** A change inside a folder gives it and every folder above it a new etag and mtime, as servers do. */
  private touch(folder: FileNode): void {
    for (
      let cur: FileNode | undefined = folder;
      cur;
      cur = cur.parentId === null ? undefined : this.nodes.get(cur.parentId)
    ) {
      cur.etag = this.folderEtag();
      cur.mtime = nowS();
    }
  }

  /** Like the server's uniqid(): 8 hex digits of seconds and 5 more (a counter here, so never the same). */
  private folderEtag(): string {
    this.etagSeq = (this.etagSeq + 1) % 0x100000;
    return `${nowS().toString(16).padStart(8, '0')}${this.etagSeq.toString(16).padStart(5, '0')}`;
  }

  private memory(data: Buffer): StoredContent {
    return { size: data.length, etag: createHash('md5').update(data).digest('hex'), blob: data };
  }

  /** Deletes a body that is no longer wanted (a replaced chunk, an upload given up). */
  async drop(c: { blobPath?: string }): Promise<void> {
    await this.dropContent(c);
  }

  private async dropContent(c: { blobPath?: string }): Promise<void> {
    if (c.blobPath) await rm(c.blobPath, { force: true });
  }

  private folderNode(id: number, owner: string, name: string, parentId: number | null): FileNode {
    return {
      id,
      owner,
      name,
      parentId,
      kind: 'folder',
      size: 0,
      mime: 'httpd/unix-directory',
      mtime: nowS(),
      etag: this.folderEtag(),
      appData: false,
    };
  }

  private fileNode(
    id: number,
    owner: string,
    name: string,
    parentId: number | null,
    c: StoredContent,
    appData: boolean,
  ): FileNode {
    return {
      id,
      owner,
      name,
      parentId,
      kind: 'file',
      size: c.size,
      mime: mimeOf(name),
      mtime: nowS(),
      etag: c.etag,
      appData,
      blob: c.blob,
      blobPath: c.blobPath,
    };
  }
}

/** Content type from the first bytes (app data files have no extension). */
export function sniffMime(data: Buffer): string {
  if (data.subarray(0, 4).toString('latin1') === '\x89PNG') return 'image/png';
  if (
    data.subarray(0, 4).toString('latin1') === 'RIFF' &&
    data.subarray(8, 12).toString('latin1') === 'WAVE'
  ) {
    return 'audio/x-wav';
  }
  return 'application/octet-stream';
}

export function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '' && s !== '.');
}

export const nowS = (): number => Math.floor(Date.now() / 1000);
