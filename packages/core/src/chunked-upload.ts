// Nextcloud chunked upload v2, for files too big for one PUT (reverse proxies often refuse requests over
// 100 MB): MKCOL an upload folder under /remote.php/dav/uploads/<user>/ with the final `Destination`, PUT the
// chunks 00001, 00002, … (each but the last ≥ 5 MiB, as object storage requires), then MOVE `.file` to the
// destination; the server assembles it and answers the file id (OC-FileId). Recorded in
// test/fixtures/real-server-2/dav-chunked-v2__*. One chunk is held in memory at a time.
import { AssistantError, badInput } from './errors.js';
import { errorFor, exchange, scrub, type BinaryResult, type RawAnswer } from './http.js';
import type { ServiceContext } from './context.js';
import { isByteStream, type UploadBody } from './multipart.js';
import type { ByteStream } from './transport.js';

const MiB = 1024 * 1024;
/** Uploads of this size or more go in chunks (the `chunkedUploadThreshold` option). */
export const DEFAULT_CHUNKED_UPLOAD_THRESHOLD = 50 * MiB;
export const DEFAULT_CHUNK_SIZE = 10 * MiB;
/** Nextcloud's limits for every chunk but the last (object storage refuses smaller ones), and its chunk count. */
export const MIN_CHUNK_SIZE = 5 * MiB;
export const MAX_CHUNK_SIZE = 5 * 1024 * MiB;
const MAX_CHUNKS = 10_000;

export interface ChunkedUploadOptions {
  /** Bytes per chunk (default 10 MiB, at least 5 MiB, at most 5 GiB). */
  chunkSize?: number;
  contentType?: string;
  signal?: AbortSignal;
}

/** Checks the chunk size and threshold options before anything is sent. */
export function checkChunkOptions(options: { chunkSize?: unknown; chunkedUploadThreshold?: unknown }): void {
  const { chunkSize, chunkedUploadThreshold } = options;
  if (
    chunkSize !== undefined &&
    !(
      typeof chunkSize === 'number' &&
      Number.isSafeInteger(chunkSize) &&
      chunkSize >= MIN_CHUNK_SIZE &&
      chunkSize <= MAX_CHUNK_SIZE
    )
  ) {
    throw badInput(
      `chunkSize must be a whole number of bytes from 5 MiB (${MIN_CHUNK_SIZE}) to 5 GiB, got ${String(chunkSize).slice(0, 40)}.`,
      'Nextcloud needs every chunk but the last to be at least 5 MiB; the default is 10 MiB.',
    );
  }
  if (
    chunkedUploadThreshold !== undefined &&
    !(
      typeof chunkedUploadThreshold === 'number' &&
      Number.isSafeInteger(chunkedUploadThreshold) &&
      chunkedUploadThreshold >= 0
    )
  ) {
    throw badInput(
      `chunkedUploadThreshold must be a whole number of bytes (0 or more), got ${String(chunkedUploadThreshold).slice(0, 40)}.`,
      'Give the size from which uploads go in chunks, e.g. 52428800 for 50 MiB.',
    );
  }
}

/** The body's chunks in order; a stream is read into one reused buffer of `size` bytes. */
async function* chunksOf(body: UploadBody, size: number): AsyncGenerator<Uint8Array> {
  if (!isByteStream(body)) {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    for (let at = 0; at < bytes.byteLength || at === 0; at += size) {
      yield bytes.subarray(at, Math.min(at + size, bytes.byteLength));
      if (bytes.byteLength === 0) return;
    }
    return;
  }
  const buffer = new Uint8Array(size);
  let filled = 0;
  for await (const piece of body as ByteStream) {
    let at = 0;
    while (at < piece.byteLength) {
      const n = Math.min(size - filled, piece.byteLength - at);
      buffer.set(piece.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === size) {
        yield buffer;
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}

function uploadId(): string {
  let id = 'f7cloud-';
  while (id.length < 40) id += Math.random().toString(36).slice(2);
  return id.slice(0, 40);
}

function fileIdFrom(value: string | undefined): number | undefined {
  const match = value ? /^0*(\d+)/.exec(value) : null;
  return match ? Number(match[1]) : undefined;
}

export interface ChunkedUploadDeps {
  /** The WebDAV URL of a path in the user's files. */
  fileUrl: (segments: string[]) => string;
  /** PROPFIND of the destination: its id and size, or undefined when it does not exist. */
  stat: (segments: string[], signal?: AbortSignal) => Promise<{ fileId: number; size: number } | undefined>;
}

/**
 * Uploads `body` (`size` bytes when known) to `segments` through chunked upload v2 and returns the new
 * file's id. The caller makes sure the destination's folder exists. Chunk PUTs are repeated after a lost
 * answer or a broken connection (re-sending the chunk held in memory); a lost MOVE answer is resolved by
 * looking at the destination.
 */
export async function chunkedUpload(
  ctx: ServiceContext,
  deps: ChunkedUploadDeps,
  segments: string[],
  body: UploadBody,
  size: number | undefined,
  options: ChunkedUploadOptions = {},
): Promise<number> {
  checkChunkOptions(options);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (size !== undefined && Math.ceil(size / chunkSize) > MAX_CHUNKS) {
    throw badInput(
      `A ${size}-byte file in ${chunkSize}-byte chunks needs more than ${MAX_CHUNKS} chunks, which Nextcloud refuses.`,
      `Use a chunkSize of at least ${Math.ceil(size / MAX_CHUNKS)} bytes.`,
    );
  }
  if (!ctx.davUser) {
    throw badInput(
      'Files by path need the user name, and this client has none.',
      'Create the client with auth { user, appPassword } or the `user` option.',
    );
  }
  const folder = `${ctx.http.baseUrl}/remote.php/dav/uploads/${encodeURIComponent(ctx.davUser)}/${uploadId()}`;
  const destination = deps.fileUrl(segments);
  const shown = `/${segments.join('/')}`;
  const signal = options.signal ? { signal: options.signal } : {};
  const request = (
    method: string,
    url: string,
    name: string,
    headers: Record<string, string>,
    extra: { body?: Uint8Array; safe: boolean; answers?: readonly number[] },
  ): Promise<RawAnswer> =>
    exchange(ctx.http, {
      operationId: `dav-chunked-${name}`,
      summary: `${method} ${name === 'put' ? 'a chunk of' : 'the chunked upload of'} ${shown}`,
      method,
      url,
      headers: { ...ctx.http.headers, Destination: destination, ...headers },
      makeBody: () => extra.body,
      responseType: 'bytes',
      safe: extra.safe,
      binary: false,
      raw: true,
      ...(extra.answers ? { answers: extra.answers } : {}),
      ...signal,
    });
  const fail = (name: string, method: string, url: string, answer: RawAnswer) =>
    scrub(
      ctx.http,
      errorFor(
        { operationId: `dav-chunked-${name}`, summary: `${method} the chunked upload of ${shown}`, url },
        answer,
      ),
    );

  // MKCOL is repeated after a lost answer: a second one finds the folder (405), which is as good.
  const made = await request('MKCOL', folder, 'mkcol', {}, { safe: true, answers: [405] });
  if (made.status >= 300 && made.status !== 405) throw fail('mkcol', 'MKCOL', folder, made);
  let total = 0;
  try {
    let index = 0;
    for await (const chunk of chunksOf(body, chunkSize)) {
      index++;
      if (index > MAX_CHUNKS) {
        throw badInput(
          `The file needs more than ${MAX_CHUNKS} chunks of ${chunkSize} bytes, which Nextcloud refuses.`,
          'Pass a larger chunkSize.',
        );
      }
      const url = `${folder}/${String(index).padStart(5, '0')}`;
      const headers: Record<string, string> = {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(chunk.byteLength),
        ...(size !== undefined ? { 'OC-Total-Length': String(size) } : {}),
      };
      // A chunk PUT can be repeated: the same name is overwritten with the same bytes.
      const put = await request('PUT', url, 'put', headers, { body: chunk, safe: true });
      if (put.status >= 300) throw fail('put', 'PUT', url, put);
      total += chunk.byteLength;
    }
    if (size !== undefined && total !== size) {
      throw badInput(
        `The upload was announced as ${size} bytes but the data had ${total}.`,
        'Pass the size of the data you upload (or leave it out).',
      );
    }
    const moveUrl = `${folder}/.file`;
    const moveHeaders = { 'OC-Total-Length': String(total) };
    let moved: RawAnswer;
    try {
      moved = await request('MOVE', moveUrl, 'move', moveHeaders, { safe: false });
    } catch (error) {
      // The answer was lost: the server may have assembled the file all the same.
      if (!(AssistantError.isInstance(error) && ['network', 'timeout', 'server'].includes(error.code)))
        throw error;
      const there = await deps.stat(segments, options.signal);
      if (there && there.size === total) return there.fileId;
      moved = await request('MOVE', moveUrl, 'move', moveHeaders, { safe: false });
    }
    if (moved.status >= 300) throw fail('move', 'MOVE', moveUrl, moved);
    const id = fileIdFrom(moved.headers['oc-fileid']);
    if (id !== undefined) return id;
    const there = await deps.stat(segments, options.signal);
    if (there) return there.fileId;
    throw new AssistantError({
      code: 'server',
      sent: true,
      summary: `The server accepted the chunked upload of "${shown}" but the file is not there.`,
      hint: "Ask the server's administrator to check the server's log.",
    });
  } catch (error) {
    // Leave nothing behind on the server (best effort: its own cleanup job removes old uploads too).
    await request('DELETE', folder, 'delete', {}, { safe: true, answers: [404] }).catch(() => undefined);
    throw error;
  }
}

/** Parses a PROPFIND answer (depth 0) for the file id and size. */
export function statFrom(answer: RawAnswer): { fileId: number; size: number } | undefined {
  if (answer.status === 404) return undefined;
  const text = new TextDecoder().decode((answer.data as BinaryResult).data);
  const id = /<oc:fileid>(\d+)<\/oc:fileid>/.exec(text)?.[1];
  const size = /<d:getcontentlength>(\d+)<\/d:getcontentlength>/.exec(text)?.[1];
  return id ? { fileId: Number(id), size: size === undefined ? -1 : Number(size) } : undefined;
}
