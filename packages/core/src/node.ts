// Node entry: a transport over node:http/https (TLS options, keep-alive, streaming both ways, redirects
// for downloads), a timer sleep, and createNodeClient wiring them to the pure client.
import http from 'node:http';
import https from 'node:https';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createClient, type AssistantClient, type Auth, type ClientOptions } from './client.js';
import type { ResponseLimits, RetryPolicy } from './http.js';
import {
  readAll,
  tooLarge,
  type ByteStream,
  type Sleep,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from './transport.js';
import type { AssistantWarning } from './warnings.js';

export * from './index.js';

export interface TlsOptions {
  /** Verify the server's certificate (default true). Turn off only for testing. */
  rejectUnauthorized?: boolean;
  /** PEM CA certificate(s) to trust, for servers with a private or self-signed certificate. */
  ca?: string | string[];
}

export interface NodeTransportOptions {
  /** Time allowed without any progress on a request (default 60 s). */
  timeoutMs?: number;
  /**
   * Total time for one request until its answer is read, redirects included (default 5 minutes): a server
   * that drips one byte at a time cannot hold it forever. A streamed download keeps only the idle timeout
   * once its headers arrived. A request's own `timeoutMs` (a wait's deadline) shortens it.
   */
  deadlineMs?: number;
  tls?: TlsOptions;
}

export const DEFAULT_DEADLINE_MS = 5 * 60_000;

export type ClosableTransport = Transport & { close(): void };

const MAX_REDIRECTS = 5;

export const nodeSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

function timeoutError(): Error {
  const error = new Error('The request timed out');
  error.name = 'TimeoutError';
  return error;
}

/** A transport over node:http / node:https with its own keep-alive agents; `close()` frees them. */
export function nodeTransport(options: NodeTransportOptions = {}): ClosableTransport {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({
    keepAlive: true,
    rejectUnauthorized: options.tls?.rejectUnauthorized ?? true,
    ...(options.tls?.ca ? { ca: options.tls.ca } : {}),
  });

  function once(
    request: TransportRequest,
    url: URL,
    redirects: number,
    deadlineAt: number,
  ): Promise<TransportResponse> {
    const secure = url.protocol === 'https:';
    return new Promise<TransportResponse>((resolve, reject) => {
      if (request.signal?.aborted) return reject(abortError());
      const req = (secure ? https : http).request(url, {
        method: request.method,
        headers: request.headers,
        agent: secure ? httpsAgent : httpAgent,
      });
      let res: http.IncomingMessage | undefined;
      let settled = false;
      const deadline = setTimeout(() => fail(timeoutError()), Math.max(0, deadlineAt - Date.now()));
      const onAbort = () => fail(abortError());
      request.signal?.addEventListener('abort', onAbort, { once: true });
      function cleanup() {
        clearTimeout(deadline);
        request.signal?.removeEventListener('abort', onAbort);
      }
      function fail(error: Error) {
        cleanup();
        res?.destroy(error);
        req.destroy(error);
        if (!settled) {
          settled = true;
          reject(error);
        }
      }
      function done(response: TransportResponse | Promise<TransportResponse>) {
        if (settled) return;
        settled = true;
        resolve(response);
      }
      req.setTimeout(timeoutMs, () => fail(timeoutError()));
      req.on('error', fail);
      req.on('response', (response) => {
        res = response;
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        if (
          status >= 300 &&
          status < 400 &&
          location &&
          request.method === 'GET' &&
          request.body === undefined
        ) {
          response.resume();
          cleanup();
          if (redirects >= MAX_REDIRECTS) return fail(new Error(`Too many redirects (last to ${location})`));
          let next: URL;
          try {
            next = new URL(location, url);
          } catch {
            return fail(new Error('The server redirected to an invalid address'));
          }
          // Credentials go only to the origin they were meant for.
          const headers = { ...request.headers };
          if (next.origin !== url.origin) {
            for (const name of Object.keys(headers)) {
              if (/^(authorization|cookie)$/i.test(name)) delete headers[name];
            }
          }
          return done(once({ ...request, headers }, next, redirects + 1, deadlineAt));
        }
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        if (request.responseType === 'stream') {
          // From here on only the idle timeout applies: a large download may take its time.
          clearTimeout(deadline);
          response.on('close', cleanup);
          return done({ status, headers, body: response });
        }
        const max = request.maxBytes ?? Infinity;
        if (Number(headers['content-length']) > max) return fail(tooLarge(max));
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > max) return fail(tooLarge(max));
          chunks.push(chunk);
        });
        response.on('error', fail);
        response.on('end', () => {
          cleanup();
          done({ status, headers, body: Buffer.concat(chunks) });
        });
      });
      const body = request.body;
      if (body === undefined) req.end();
      else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
      else {
        const source = Readable.from(body as ByteStream, { objectMode: false });
        source.on('error', (error) => fail(error));
        source.pipe(req);
      }
    });
  }

  const transport = ((request: TransportRequest) => {
    const total = Math.min(deadlineMs, request.timeoutMs ?? Infinity);
    return once(request, new URL(request.url), 0, Date.now() + total);
  }) as ClosableTransport;
  transport.close = () => {
    httpAgent.destroy();
    httpsAgent.destroy();
  };
  return transport;
}

function abortError(): Error {
  const error = new Error('The request was aborted');
  error.name = 'AbortError';
  return error;
}

/**
 * A transport over a WHATWG fetch (the platform's by default): for runtimes other than Node, or when a
 * custom fetch (proxy agent, instrumentation) should carry the requests. TLS options are the fetch's own.
 */
export function fetchTransport(options: { fetch?: typeof fetch } = {}): Transport {
  const doFetch = options.fetch ?? fetch;
  return async (request) => {
    const body = request.body;
    const signals = [
      ...(request.signal ? [request.signal] : []),
      ...(request.timeoutMs !== undefined ? [AbortSignal.timeout(Math.max(0, request.timeoutMs))] : []),
    ];
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const init: RequestInit & { duplex?: 'half' } = {
      method: request.method,
      headers: request.headers,
      redirect: 'follow',
      ...(signal ? { signal } : {}),
    };
    if (body !== undefined) {
      init.body =
        typeof body === 'string' || body instanceof Uint8Array
          ? body
          : (Readable.toWeb(Readable.from(body)) as ReadableStream);
      if (typeof body !== 'string' && !(body instanceof Uint8Array)) init.duplex = 'half';
    }
    const res = await doFetch(request.url, init);
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    if (request.responseType === 'stream' && res.body) {
      return { status: res.status, headers, body: Readable.fromWeb(res.body as never) };
    }
    const max = request.maxBytes ?? Infinity;
    if (Number(headers['content-length']) > max) {
      await res.body?.cancel();
      throw tooLarge(max);
    }
    const bytes = res.body ? await readAll(Readable.fromWeb(res.body as never), max) : new Uint8Array(0);
    return { status: res.status, headers, body: bytes };
  };
}

/**
 * A local file as an upload body, read as a stream with its size: `files.upload(path, f.data, { size: f.size })`
 * then sends a big file in chunks without reading it into memory.
 */
export async function localFile(path: string): Promise<{ data: ByteStream; size: number }> {
  const { size } = await stat(path);
  return { data: createReadStream(path), size };
}

export interface NodeClientOptions {
  baseUrl: string;
  auth: Auth;
  /** Time allowed without progress on one request (default 60 s). */
  timeoutMs?: number;
  /** Total time for one request until its answer is read (default 5 minutes; see NodeTransportOptions). */
  deadlineMs?: number;
  /** Largest answer read into memory (defaults: 64 MiB JSON/text, 512 MiB binary download). */
  maxResponseBytes?: Partial<ResponseLimits>;
  /** Called once when credentials would go over plain http:// to a host that is not loopback. */
  onWarning?: (warning: AssistantWarning) => void;
  tls?: TlsOptions;
  userAgent?: string;
  /** The user id for WebDAV paths when it differs from the login name. */
  user?: string;
  retry?: Partial<RetryPolicy>;
  /** What an earlier client learned about this server's task timing (`client.timing.export()`). */
  timing?: unknown;
  /** The server's rate limits where they differ from a real server's (see ClientOptions). */
  rateLimits?: ClientOptions['rateLimits'];
  /** How many tasks the server lets one user schedule per 2 minutes, where it allows more than 20 (see ClientOptions). */
  scheduleLimit?: number;
}

/** A client for Node; `close()` ends its keep-alive connections. */
export interface NodeAssistantClient extends AssistantClient {
  close(): void;
}

/** A ready client for Node: node:http(s) transport, timer sleep. Call `close()` when done. */
export function createNodeClient(options: NodeClientOptions): NodeAssistantClient {
  const transport = nodeTransport({
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
  });
  try {
    const client = createClient({
      baseUrl: options.baseUrl,
      auth: options.auth,
      transport,
      sleep: nodeSleep,
      userAgent: options.userAgent ?? 'f7cloud-assistant-client',
      ...(options.user ? { user: options.user } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      ...(options.timing !== undefined ? { timing: options.timing } : {}),
      ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
      ...(options.scheduleLimit !== undefined ? { scheduleLimit: options.scheduleLimit } : {}),
    });
    return Object.assign(client, { close: () => transport.close() });
  } catch (error) {
    transport.close();
    throw error;
  }
}
