// A hostile HTTP server on 127.0.0.1 for tests: it redirects elsewhere, echoes credentials, sends endless
// or dripping answers, asks for absurd Retry-After waits, or hands out "../" file names. Each test starts
// its own and stops it; close() also cuts connections that are still open (a drip never ends by itself).
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface HostileServer {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: SeenRequest[];
  /** Bytes the server has put on the wire so far (all connections, headers included). */
  bytesWritten: () => number;
  close: () => Promise<void>;
}

export async function hostileServer(behaviour: Behaviour): Promise<HostileServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  let closedBytes = 0;
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    // Drain what the client sends, so uploads do not stall the answer.
    req.resume();
    behaviour(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      closedBytes += socket.bytesWritten;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    bytesWritten: () => [...sockets].reduce((n, s) => n + s.bytesWritten, closedBytes),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function ocsBody(data: unknown, status = 200): string {
  return JSON.stringify({
    ocs: { meta: { status: status < 300 ? 'ok' : 'failure', statuscode: status, message: '' }, data },
  });
}

/** 302 to another address (a second server on another port is another origin). */
export function redirectTo(target: string): Behaviour {
  return (req, res) => {
    res.writeHead(302, { location: `${target}${req.url ?? '/'}` });
    res.end();
  };
}

/** A 500 whose body repeats the request's Authorization header (a misconfigured proxy, a hostile server). */
export const echoAuthorization: Behaviour = (req, res) => {
  res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
  res.end(ocsBody({ message: `proxy error for "${req.headers.authorization ?? 'no header'}"` }, 500));
};

/**
 * An answer of `bytes` bytes, produced lazily (only when the socket drained), so the server never holds
 * more than one chunk. `declare` sends its Content-Length; without it the answer is chunked.
 */
export function huge(bytes: number, options: { declare?: boolean; contentType?: string } = {}): Behaviour {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  return (_req, res) => {
    res.writeHead(200, {
      'content-type': options.contentType ?? 'application/json; charset=utf-8',
      ...(options.declare ? { 'content-length': String(bytes) } : {}),
    });
    let left = bytes;
    const pump = () => {
      while (left > 0 && !res.destroyed) {
        const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= part.length;
        if (!res.write(part)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end();
    };
    res.on('close', () => (left = 0));
    pump();
  };
}

/** Headers at once, then one byte every `everyMs`, forever (until the client gives up). */
export function drip(everyMs = 1000): Behaviour {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.write('{');
    const timer = setInterval(() => res.write(' '), everyMs);
    res.on('close', () => clearInterval(timer));
  };
}

/** An error status with a huge Retry-After (and an empty body, as real gates send). */
export function retryAfter(status: number, seconds: number): Behaviour {
  return (_req, res) => {
    res.writeHead(status, { 'retry-after': String(seconds), 'content-type': 'text/html; charset=UTF-8' });
    res.end();
  };
}

/** A download whose Content-Disposition carries the given file name part, e.g. `filename="../../x"`. */
export function download(disposition: string, body = 'payload'): Behaviour {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': disposition });
    res.end(body);
  };
}

/** Answers by route: the first behaviour whose test matches the request path. */
export function routes(table: [RegExp, Behaviour][], fallback?: Behaviour): Behaviour {
  return (req, res) => {
    const hit = table.find(([re]) => re.test(req.url ?? ''));
    if (hit) return hit[1](req, res);
    if (fallback) return fallback(req, res);
    res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
    res.end(ocsBody({ message: 'Not found' }, 404));
  };
}

/**
 * Under scripts/canary.mjs (F7CLOUD_CANARY_ARTIFACTS set), writes what a user or another host would see, so
 * the canary's own search covers it too: a credential that leaked there fails the canary run as well.
 */
export function exportForCanary(name: string, value: unknown): void {
  const dir = process.env.F7CLOUD_CANARY_ARTIFACTS;
  if (!dir) return;
  writeFileSync(
    join(dir, `${name}.json`),
    typeof value === 'string' ? value : JSON.stringify(value, null, 2),
  );
}
