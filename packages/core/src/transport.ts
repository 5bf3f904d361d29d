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

export async function readAll(body: TransportResponse['body']): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export async function readText(body: TransportResponse['body']): Promise<string> {
  if (typeof body === 'string') return body;
  return new TextDecoder().decode(await readAll(body));
}
