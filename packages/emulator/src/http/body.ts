import type { IncomingMessage } from 'node:http';

export class BadRequestBody extends Error {}

const cache = new WeakMap<IncomingMessage, Promise<Buffer>>();

/** Reads a (small) request body once; later calls get the same bytes. */
export function readBody(req: IncomingMessage, limit = 16 * 1024 * 1024): Promise<Buffer> {
  let pending = cache.get(req);
  if (!pending) {
    pending = (async () => {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limit) throw new BadRequestBody(`request body larger than ${limit} bytes`);
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    })();
    cache.set(req, pending);
  }
  return pending;
}

/**
 * Request parameters the way the server's framework merges them: query string first, then a JSON or
 * form-encoded body on top. Invalid JSON throws (real servers crash with 500).
 */
export async function readParams(
  req: IncomingMessage,
  query: URLSearchParams,
): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = Object.fromEntries(query);
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/')) return params;
  const raw = await readBody(req);
  if (raw.length === 0) return params;
  if (type.includes('application/json')) {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new BadRequestBody('request body is not valid JSON');
    }
    if (body && typeof body === 'object' && !Array.isArray(body)) Object.assign(params, body);
  } else if (type.includes('application/x-www-form-urlencoded')) {
    Object.assign(params, Object.fromEntries(new URLSearchParams(raw.toString('utf8'))));
  }
  return params;
}
