// The only seam between core and a host (fetch in Node, n8n's request helpers, a test's handler).
// Core builds complete requests (URL, headers, encoded body) and reads raw answers; a transport only moves
// bytes, so every API fact (envelopes, status meanings, retries) stays in core.

export type ByteStream = AsyncIterable<Uint8Array>;

export interface TransportRequest {
  method: string;
  /** Absolute URL, query string included. */
  url: string;
  /** Header names in their usual spelling; Authorization is present unless the host authenticates. */
  headers: Record<string, string>;
  /** Already encoded: JSON text, multipart bytes/stream, or raw bytes for WebDAV uploads. */
  body?: string | Uint8Array | ByteStream;
  /** `stream` asks the transport to hand back the body unread (large downloads). */
  responseType: 'bytes' | 'stream';
  signal?: AbortSignal;
  /**
   * Total time in ms this request may take until its answer is read, when the caller has a deadline (a
   * wait's timeoutMs). A transport should fail with an error named `TimeoutError` once it has passed.
   */
  timeoutMs?: number;
  /**
   * With `bytes`: the most bytes core will accept. A transport should stop reading past it and fail with an
   * error whose `code` is `ERR_RESPONSE_TOO_LARGE` (core checks again, but only after the bytes are in memory).
   */
  maxBytes?: number;
}

export interface TransportResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Uint8Array | string | ByteStream | null;
}

export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** Waits `ms` milliseconds; resolves early (or rejects) when the signal aborts. Injected by the host. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The error a transport (or core) raises when an answer is larger than allowed. */
export const TOO_LARGE_CODE = 'ERR_RESPONSE_TOO_LARGE';

export function tooLarge(limit: number): Error {
  return Object.assign(new Error(`The answer is larger than ${limit} bytes`), {
    code: TOO_LARGE_CODE,
    limit,
  });
}

/**
 * Reads a whole body. With `limit`, fails with a too-large error as soon as more arrived (the rest is not
 * read); with `truncate` as well, stops there and returns what it has instead.
 */
export async function readAll(
  body: TransportResponse['body'],
  limit = Infinity,
  truncate = false,
): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const whole =
    typeof body === 'string' ? new TextEncoder().encode(body) : body instanceof Uint8Array ? body : undefined;
  if (whole) {
    if (whole.byteLength <= limit) return whole;
    if (truncate) return whole.subarray(0, limit);
    throw tooLarge(limit);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const iterator = (body as ByteStream)[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      const chunk = next.value;
      if (size + chunk.byteLength > limit) {
        if (!truncate) throw tooLarge(limit);
        chunks.push(chunk.subarray(0, limit - size));
        size = limit;
        break;
      }
      chunks.push(chunk);
      size += chunk.byteLength;
    }
  } finally {
    // Stop the source (a socket keeps streaming otherwise).
    await iterator.return?.();
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export async function readText(
  body: TransportResponse['body'],
  limit = Infinity,
  truncate = false,
): Promise<string> {
  if (typeof body === 'string' && body.length <= limit / 3) return body;
  return new TextDecoder().decode(await readAll(body, limit, truncate));
}
