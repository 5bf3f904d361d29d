// Node entry: a transport over node:http/https (TLS options, keep-alive, streaming both ways, redirects
// for downloads), a timer sleep, and createNodeClient wiring them to the pure client.
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { createClient, type Auth } from './client.js';
import type { RetryPolicy } from './http.js';
import type { ByteStream, Sleep, Transport, TransportRequest, TransportResponse } from './transport.js';

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
  tls?: TlsOptions;
}

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
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({
    keepAlive: true,
    rejectUnauthorized: options.tls?.rejectUnauthorized ?? true,
    ...(options.tls?.ca ? { ca: options.tls.ca } : {}),
  });

  function once(request: TransportRequest, url: URL, redirects: number): Promise<TransportResponse> {
    const secure = url.protocol === 'https:';
    return new Promise<TransportResponse>((resolve, reject) => {
      if (request.signal?.aborted) return reject(abortError());
      const req = (secure ? https : http).request(url, {
        method: request.method,
        headers: request.headers,
        agent: secure ? httpsAgent : httpAgent,
      });
      const onAbort = () => req.destroy(abortError());
      request.signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => request.signal?.removeEventListener('abort', onAbort);
      req.setTimeout(timeoutMs, () => req.destroy(timeoutError()));
      req.on('error', (error) => {
        cleanup();
        reject(error);
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (
          status >= 300 &&
          status < 400 &&
          location &&
          request.method === 'GET' &&
          request.body === undefined
        ) {
          res.resume();
          cleanup();
          if (redirects >= MAX_REDIRECTS)
            return reject(new Error(`Too many redirects (last to ${location})`));
          const next = new URL(location, url);
          // Credentials go only to the origin they were meant for.
          const headers = { ...request.headers };
          if (next.origin !== url.origin) delete headers.Authorization;
          return resolve(once({ ...request, headers }, next, redirects + 1));
        }
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        if (request.responseType === 'stream') {
          res.on('close', cleanup);
          return resolve({ status, headers, body: res });
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => {
          cleanup();
          reject(error);
        });
        res.on('end', () => {
          cleanup();
          resolve({ status, headers, body: Buffer.concat(chunks) });
        });
      });
      const body = request.body;
      if (body === undefined) req.end();
      else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
      else {
        const source = Readable.from(body as ByteStream, { objectMode: false });
        source.on('error', (error) => req.destroy(error));
        source.pipe(req);
      }
    });
  }

  const transport = ((request: TransportRequest) =>
    once(request, new URL(request.url), 0)) as ClosableTransport;
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
    const init: RequestInit & { duplex?: 'half' } = {
      method: request.method,
      headers: request.headers,
      redirect: 'follow',
      ...(request.signal ? { signal: request.signal } : {}),
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
    return { status: res.status, headers, body: new Uint8Array(await res.arrayBuffer()) };
  };
}

export interface NodeClientOptions {
  baseUrl: string;
  auth: Auth;
  /** Time allowed without progress on one request (default 60 s). */
  timeoutMs?: number;
  tls?: TlsOptions;
  userAgent?: string;
  /** The user id for WebDAV paths when it differs from the login name. */
  user?: string;
  retry?: Partial<RetryPolicy>;
}

/** A ready client for Node: node:http(s) transport, timer sleep. Call `close()` when done. */
export function createNodeClient(options: NodeClientOptions) {
  const transport = nodeTransport({
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
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
    });
    return Object.assign(client, { close: () => transport.close() });
  } catch (error) {
    transport.close();
    throw error;
  }
}

export type NodeAssistantClient = ReturnType<typeof createNodeClient>;
