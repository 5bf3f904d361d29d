import {
  AssistantError,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from '@f7cloud/assistant-client';
import type {
  IAllExecuteFunctions,
  IDataObject,
  IHttpRequestMethods,
  IHttpRequestOptions,
} from 'n8n-workflow';

export const CREDENTIAL_TYPE = 'f7CloudAssistantApi';

type HelperContext = Pick<IAllExecuteFunctions, 'helpers'>;

export interface N8nTransportOptions {
  allowUnauthorizedCerts: boolean;
  /** Aborts requests when the execution is cancelled. */
  signal?: AbortSignal;
  /** Every string the credential contributes: never in an error this transport raises. */
  secrets?: readonly string[];
}

/** Same-origin redirects followed per request (a server moved behind a path prefix, a trailing slash). */
export const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** What n8n's request helpers answer when asked for the full response. */
export interface HelperResponse {
  statusCode?: number;
  headers?: IDataObject;
  body?: unknown;
}

/** One request through an n8n request helper, which adds the credential. */
export type SendRequest = (options: IHttpRequestOptions) => Promise<HelperResponse>;

/**
 * Core's transport over n8n's own request helper, so n8n adds the credential (Basic auth), honours its
 * proxy settings and logs requests without the password. Core does everything API-specific (envelopes,
 * errors, retries, rate limits): this only moves bytes.
 */
export function createN8nTransport(ctx: HelperContext, options: N8nTransportOptions): Transport {
  return transportOver(
    async (httpOptions) =>
      (await ctx.helpers.httpRequestWithAuthentication.call(
        ctx as IAllExecuteFunctions,
        CREDENTIAL_TYPE,
        httpOptions,
      )) as HelperResponse,
    options,
  );
}

/** The same transport over another helper (the credential test has its own). */
export function transportOver(sendRequest: SendRequest, options: N8nTransportOptions): Transport {
  return async (request: TransportRequest): Promise<TransportResponse> => {
    let hop: Hop = {
      method: request.method.toUpperCase(),
      url: request.url,
      headers: request.headers,
      body: await encodeBody(request.body),
    };
    // n8n's helper would follow redirects with the credential attached, to any host: we follow them
    // ourselves, only within the origin the credential was configured for.
    for (let redirects = 0; ; redirects++) {
      const response = await send(sendRequest, request, hop, options);
      const location = response.headers.location;
      if (!REDIRECTS.has(response.status) || !location) return response;
      await discard(response.body);
      hop = nextHop(request, hop, response.status, location, redirects);
    }
  };
}

interface Hop {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array | string | undefined;
}

function nextHop(
  request: TransportRequest,
  hop: Hop,
  status: number,
  location: string,
  redirects: number,
): Hop {
  const from = new URL(hop.url);
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    throw redirectError(request, status, `an invalid address (${location.slice(0, 100)})`, undefined);
  }
  if (target.origin !== new URL(request.url).origin) {
    throw redirectError(request, status, target.host, target.origin);
  }
  if (redirects >= MAX_REDIRECTS) {
    throw new AssistantError({
      code: 'server',
      status,
      retryable: false,
      sent: true,
      summary: `The server redirected "${request.method.toUpperCase()} ${from.pathname}" more than ${MAX_REDIRECTS} times (last to ${target.pathname}).`,
      hint: 'Enter the address you end up at in the browser as Server URL in the credential, or ask the admin to fix the redirect loop.',
    });
  }
  // As browsers do: 303 (and 301/302 after a POST) repeat the request as a GET without its body.
  const toGet =
    (status === 303 && hop.method !== 'HEAD') ||
    ((status === 301 || status === 302) && hop.method === 'POST');
  if (!toGet) return { ...hop, url: target.href };
  const headers = Object.fromEntries(
    Object.entries(hop.headers).filter(([name]) => !/^content-/i.test(name)),
  );
  return { method: 'GET', url: target.href, headers, body: undefined };
}

function redirectError(
  request: TransportRequest,
  status: number,
  where: string,
  origin: string | undefined,
): AssistantError {
  const from = new URL(request.url);
  return new AssistantError({
    code: 'server',
    status,
    retryable: false,
    sent: true,
    summary: `${from.host} redirected "${request.method.toUpperCase()} ${from.pathname}" to ${where} (HTTP ${status}); the redirect was not followed and nothing was sent there: the credential goes only to ${from.host}.`,
    hint: origin
      ? `If ${origin} is your server's real address, enter it as Server URL in the credential; otherwise ask the admin why the server redirects.`
      : 'Ask the admin to check the server and proxy configuration.',
  });
}

async function discard(body: TransportResponse['body']): Promise<void> {
  if (!body || typeof body === 'string' || body instanceof Uint8Array) return;
  const stream = body as AsyncIterable<Uint8Array> & { destroy?: () => void };
  if (typeof stream.destroy === 'function') stream.destroy();
  else for await (const _ of stream) void _;
}

async function send(
  sendRequest: SendRequest,
  request: TransportRequest,
  hop: Hop,
  options: N8nTransportOptions,
): Promise<TransportResponse> {
  const body = hop.body;
  const httpOptions: IHttpRequestOptions = {
    method: hop.method as IHttpRequestMethods,
    url: hop.url,
    headers: hop.headers,
    json: false,
    encoding: request.responseType === 'stream' ? 'stream' : 'arraybuffer',
    returnFullResponse: true,
    ignoreHttpStatusErrors: true,
    skipSslCertificateValidation: options.allowUnauthorizedCerts,
    // Redirects come back to us (see transportOver); the second flag guards helpers that follow anyway.
    disableFollowRedirect: true,
    maxRedirects: 0,
    sendCredentialsOnCrossOriginRedirect: false,
  };
  if (body !== undefined) httpOptions.body = toBuffer(body);
  const signal = request.signal ?? options.signal;
  if (signal) httpOptions.abortSignal = signal;

  let raw: HelperResponse;
  try {
    raw = await sendRequest(httpOptions);
  } catch (error) {
    throw sanitizedError(error, options.secrets);
  }
  return {
    status: typeof raw.statusCode === 'number' ? raw.statusCode : 0,
    headers: lowerCaseHeaders(raw.headers),
    body: decodeBody(raw.body),
  };
}

async function encodeBody(body: TransportRequest['body']): Promise<Uint8Array | string | undefined> {
  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) return body;
  // n8n's helper needs the whole body; uploads from n8n come from binary data that is in memory anyway.
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  const joined = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}

function toBuffer(body: Uint8Array | string): Buffer | string {
  if (typeof body === 'string') return body;
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function decodeBody(body: unknown): TransportResponse['body'] {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    return body as AsyncIterable<Uint8Array>;
  }
  // Some helper versions parse JSON even when asked not to: hand core the text back.
  return JSON.stringify(body);
}

function lowerCaseHeaders(headers: IDataObject | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/**
 * Errors thrown by the request helper can carry the request options, Authorization header included. Keep
 * only what helps the user (name, code, message), with the credential's strings removed, so no secret can
 * reach logs or execution data.
 */
export function sanitizedError(error: unknown, secrets: readonly string[] = []): Error {
  const source = (error ?? {}) as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
  const cause = (source.cause ?? {}) as { code?: unknown };
  const code =
    typeof source.code === 'string' ? source.code : typeof cause.code === 'string' ? cause.code : undefined;
  const message = typeof source.message === 'string' ? source.message : 'Request failed';
  const scrubbed = [...secrets]
    .filter((secret) => secret.length > 0)
    .sort((a, b) => b.length - a.length)
    .reduce((text, secret) => text.split(secret).join('[redacted]'), message);
  const clean = new Error(scrubbed.replace(/(authorization|password)[^,;\n]*/gi, '$1 [redacted]'));
  clean.name = typeof source.name === 'string' ? source.name : 'Error';
  if (code) (clean as Error & { code?: string }).code = code;
  return clean;
}
