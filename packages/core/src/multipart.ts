// multipart/form-data for the input-file upload, streamed: a 1 GiB file passes through in chunks.
import { badInput } from './errors.js';
import type { ByteStream } from './transport.js';

/** What can be uploaded: bytes, text, or a stream of bytes (a Node Readable is one). */
export type UploadBody = Uint8Array | string | ByteStream;

export interface UploadData {
  data: UploadBody;
  filename?: string;
  /** Byte size of a stream, when known; lets the request carry a Content-Length. */
  size?: number;
  contentType?: string;
}

const encoder = new TextEncoder();

export function isByteStream(value: unknown): value is ByteStream {
  return (
    !!value && typeof value === 'object' && !(value instanceof Uint8Array) && Symbol.asyncIterator in value
  );
}

export function checkUploadBody(data: unknown, what: string): UploadBody {
  if (typeof data === 'string' || data instanceof Uint8Array || isByteStream(data)) return data;
  throw badInput(
    `${what} must be bytes (a Buffer or Uint8Array), a text, or a readable stream; got ${data === null ? 'null' : typeof data}.`,
    'Pass the file content itself.',
  );
}

function quote(name: string): string {
  return name.replace(/["\\\r\n]/g, '_');
}

export function encodeMultipart(upload: UploadData): {
  headers: Record<string, string>;
  body: Uint8Array | ByteStream;
} {
  const data = checkUploadBody(upload?.data, 'The file to upload');
  checkUploadOptions(upload);
  const boundary = `----f7cloud${Math.random().toString(16).slice(2)}${Math.random().toString(16).slice(2)}`;
  const filename = upload.filename?.trim() || 'upload';
  const head = encoder.encode(
    (upload.filename
      ? `--${boundary}\r\nContent-Disposition: form-data; name="filename"\r\n\r\n${upload.filename}\r\n`
      : '') +
      `--${boundary}\r\nContent-Disposition: form-data; name="data"; filename="${quote(filename)}"\r\n` +
      `Content-Type: ${upload.contentType ?? 'application/octet-stream'}\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const headers: Record<string, string> = { 'Content-Type': `multipart/form-data; boundary=${boundary}` };
  if (!isByteStream(data)) {
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    const body = new Uint8Array(head.byteLength + bytes.byteLength + tail.byteLength);
    body.set(head, 0);
    body.set(bytes, head.byteLength);
    body.set(tail, head.byteLength + bytes.byteLength);
    headers['Content-Length'] = String(body.byteLength);
    return { headers, body };
  }
  if (upload.size !== undefined)
    headers['Content-Length'] = String(head.byteLength + upload.size + tail.byteLength);
  async function* stream(): ByteStream {
    yield head;
    for await (const chunk of data as ByteStream) yield chunk;
    yield tail;
  }
  return { headers, body: stream() };
}

/** File name, content type and size of an upload, checked before anything is sent. */
export function checkUploadOptions(options: {
  filename?: unknown;
  contentType?: unknown;
  size?: unknown;
}): void {
  const bad = (message: string) => badInput(message);
  if (options.filename !== undefined && typeof options.filename !== 'string')
    throw bad('The file name must be a text.');
  if (
    options.contentType !== undefined &&
    (typeof options.contentType !== 'string' || /[\r\n]/.test(options.contentType))
  ) {
    throw bad('The content type must be a MIME type such as text/plain.');
  }
  if (
    options.size !== undefined &&
    !(typeof options.size === 'number' && Number.isSafeInteger(options.size) && options.size >= 0)
  ) {
    throw bad('The size must be the number of bytes of the file (a whole number, 0 or more).');
  }
}
