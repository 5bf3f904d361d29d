import type { Transport, TransportRequest, TransportResponse } from '@f7cloud/assistant-client';
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
}

/**
 * Core's transport over n8n's own request helper, so n8n adds the credential (Basic auth), honours its
 * proxy settings and logs requests without the password. Core does everything API-specific (envelopes,
 * errors, retries, rate limits): this only moves bytes.
 */
export function createN8nTransport(ctx: HelperContext, options: N8nTransportOptions): Transport {
  return async (request: TransportRequest): Promise<TransportResponse> =>
    await send(ctx, request, await encodeBody(request.body), options);
}

async function send(
  ctx: HelperContext,
  request: TransportRequest,
  body: Uint8Array | string | undefined,
  options: N8nTransportOptions,
): Promise<TransportResponse> {
  const httpOptions: IHttpRequestOptions = {
    method: request.method.toUpperCase() as IHttpRequestMethods,
    url: request.url,
    headers: request.headers,
    json: false,
    encoding: request.responseType === 'stream' ? 'stream' : 'arraybuffer',
    returnFullResponse: true,
    ignoreHttpStatusErrors: true,
    skipSslCertificateValidation: options.allowUnauthorizedCerts,
  };
  if (body !== undefined) httpOptions.body = toBuffer(body);
  const signal = request.signal ?? options.signal;
  if (signal) httpOptions.abortSignal = signal;

  let raw: { statusCode?: number; headers?: IDataObject; body?: unknown };
  try {
    raw = (await ctx.helpers.httpRequestWithAuthentication.call(
      ctx as IAllExecuteFunctions,
      CREDENTIAL_TYPE,
      httpOptions,
    )) as typeof raw;
  } catch (error) {
    throw sanitizedError(error);
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
 * only what helps the user (name, code, message) so no secret can reach logs or execution data.
 */
export function sanitizedError(error: unknown): Error {
  const source = (error ?? {}) as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
  const cause = (source.cause ?? {}) as { code?: unknown };
  const code =
    typeof source.code === 'string' ? source.code : typeof cause.code === 'string' ? cause.code : undefined;
  const message = typeof source.message === 'string' ? source.message : 'Request failed';
  const clean = new Error(message.replace(/(authorization|password)[^,;\n]*/gi, '$1 [redacted]'));
  clean.name = typeof source.name === 'string' ? source.name : 'Error';
  if (code) (clean as Error & { code?: string }).code = code;
  return clean;
}
