// Builds requests from the generated operation table, sends them through the host's transport with the
// retry policy, and turns raw answers into data or an AssistantError a user can act on.
import { AssistantError, type AssistantErrorCode } from './errors.js';
import { printable } from './shape.js';
import { operations } from './generated/operations.js';
import {
  readAll,
  readText,
  type ByteStream,
  type Sleep,
  type Transport,
  type TransportResponse,
} from './transport.js';
import { encodeMultipart, type UploadData } from './multipart.js';

export type OperationId = keyof typeof operations;
type Operation = (typeof operations)[OperationId];

// GETs that start work on the server: repeating one after a lost answer would start it twice.
const SCHEDULES_WORK: ReadonlySet<string> = new Set([
  'chattyllm-generate-for-session',
  'chattyllm-regenerate-for-session',
  'chattyllm-generate-title',
]);

// Routes that answer 417 while the task they check is not done yet (a normal answer, not an error).
const ANSWERS_PENDING: ReadonlySet<string> = new Set([
  'chattyllm-check-message-generation-task',
  'chattyllm-check-title-generation-task',
]);

export interface RetryPolicy {
  /** Attempts after the first one, for answers that are safe to repeat. */
  retries: number;
  /** First back-off delay; doubles each time. */
  baseDelayMs: number;
  /**
   * How long one request may wait in total for rate limits (429, 503 with Retry-After) before the error is
   * handed to the caller. The default covers the schedule limit's 120 s window.
   */
  maxRateLimitWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 500, maxRateLimitWaitMs: 130_000 };
const MAX_RATE_LIMIT_BACKOFF_MS = 15_000;
const MIN_RATE_LIMIT_WAIT_MS = 200;
const RETRY_AFTER_MARGIN_MS = 100;
const MAX_RATE_LIMIT_RETRIES = 100;

export interface HttpContext {
  baseUrl: string;
  transport: Transport;
  sleep: Sleep;
  headers: Record<string, string>;
  /** Values that must never appear in an error (the app password, the Authorization header). */
  secrets: string[];
  retry: RetryPolicy;
  now: () => number;
  /**
   * Per operation, the time until which the server said it is rate limited: every request of the client
   * waits for it, so many items in a batch do not all hammer the server and burn their retries.
   */
  rateLimitedUntil: Map<string, number>;
}

export interface RequestParams {
  path?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  signal?: AbortSignal;
  /** For binary downloads: hand back the body as a stream instead of reading it. */
  stream?: boolean;
  /** false: do not repeat this read on a server error (the caller treats the error itself). */
  retry?: boolean;
}

export interface BinaryResult {
  /** The bytes, unless a stream was asked for. */
  data?: Uint8Array;
  stream?: ByteStream;
  contentType: string;
  fileName: string | undefined;
  size: number | undefined;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  data: unknown;
}

/** What every OCS request carries: without these, servers answer XML or 412 (see docs/api-behaviour.md). */
export const OCS_REQUEST = {
  headers: { 'OCS-APIRequest': 'true', Accept: 'application/json' },
  query: { format: 'json' },
} as const;

const ID_PARAMS = new Set(['id', 'ocpTaskId', 'fileId', 'taskId', 'sessionId', 'messageId']);

function invalidParam(operationId: string, message: string): AssistantError {
  return new AssistantError({ code: 'invalid_input', operationId, message });
}

function integerParam(operationId: string, name: string, value: unknown): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  const min = ID_PARAMS.has(name) ? 1 : 0;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
    const shown = typeof value === 'string' ? `"${value.slice(0, 40)}"` : printable(value, 40);
    throw invalidParam(
      operationId,
      `${name} must be a ${min ? 'positive' : 'non-negative'} whole number, got ${shown}. Check the ${name} you passed (an expression may have produced an empty or non-numeric value).`,
    );
  }
  return n;
}

function stringParam(operationId: string, name: string, value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidParam(operationId, `${name} is required and must be a non-empty text.`);
  }
  // Encoding keeps "/" inside one segment, but "." and ".." would still be resolved away by URL parsing.
  if (value === '.' || value === '..' || /[\u0000-\u001f]/.test(value)) {
    throw invalidParam(operationId, `${name} "${value.slice(0, 40)}" is not a valid value.`);
  }
  return value;
}

export function buildUrl(ctx: HttpContext, operationId: OperationId, params: RequestParams): string {
  const op: Operation = operations[operationId];
  const ints = new Set<string>(op.integerParams);
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const given = typeof params.path === 'object' && params.path !== null ? params.path : {};
    let value = given[name];
    if (value === undefined && name === 'apiVersion') value = 'v1';
    if (value === undefined || value === null) {
      throw invalidParam(operationId, `${name} is required for "${op.summary}".`);
    }
    const text = ints.has(name)
      ? String(integerParam(operationId, name, value))
      : stringParam(operationId, name, value);
    return encodeURIComponent(text);
  });
  const search = new URLSearchParams();
  for (const name of op.queryParams as readonly string[]) {
    const value = typeof params.query === 'object' && params.query !== null ? params.query[name] : undefined;
    if (value === undefined || value === null) continue;
    search.set(
      name,
      ints.has(name) ? String(integerParam(operationId, name, value)) : stringParam(operationId, name, value),
    );
  }
  for (const [name, value] of Object.entries(OCS_REQUEST.query)) search.set(name, value);
  return `${ctx.baseUrl}${path}?${search.toString()}`;
}

/** Sends one API operation and returns the decoded answer, whatever its status. Throws only for transport failures. */
export async function send(
  ctx: HttpContext,
  operationId: OperationId,
  given?: RequestParams | null,
): Promise<RawAnswer> {
  const params: RequestParams = given && typeof given === 'object' ? given : {};
  const op: Operation | undefined =
    typeof operationId === 'string' && Object.hasOwn(operations, operationId)
      ? operations[operationId]
      : undefined;
  if (!op) throw invalidParam(printable(operationId), `Unknown operation "${printable(operationId)}".`);
  const url = buildUrl(ctx, operationId, params);
  const headers: Record<string, string> = { ...ctx.headers };
  let body: string | Uint8Array | ByteStream | undefined;
  const streamBody = op.body === 'multipart';
  if (op.body === 'json' && params.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(params.body);
  }
  const binary = op.response === 'binary';
  return exchange(ctx, {
    operationId,
    summary: op.summary,
    method: op.method,
    url,
    headers,
    makeBody: streamBody
      ? () => {
          const encoded = encodeMultipart(params.body as UploadData);
          Object.assign(headers, encoded.headers);
          return encoded.body;
        }
      : () => body,
    responseType: binary && params.stream ? 'stream' : 'bytes',
    safe: op.method === 'GET' && !SCHEDULES_WORK.has(operationId) && params.retry !== false,
    binary,
    ...(params.signal ? { signal: params.signal } : {}),
  });
}

export interface Exchange {
  operationId: string;
  summary: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  makeBody: () => string | Uint8Array | ByteStream | undefined;
  responseType: 'bytes' | 'stream';
  /** Whether repeating the request after a lost answer cannot do anything twice. */
  safe: boolean;
  binary: boolean;
  /** Raw WebDAV answers: no JSON decoding, errors still mapped. */
  raw?: boolean;
  signal?: AbortSignal;
}

/** One logical request with the retry policy: lost answers are retried only when safe; 429/503 always. */
export async function exchange(ctx: HttpContext, ex: Exchange): Promise<RawAnswer> {
  let attempt = 0;
  let streamed = false;
  let rateLimits = 0;
  let rateLimitWaited = 0;
  for (;;) {
    throwIfAborted(ex);
    const gate = (ctx.rateLimitedUntil.get(ex.operationId) ?? 0) - ctx.now();
    if (gate > 0) {
      await ctx.sleep(gate, ex.signal);
      throwIfAborted(ex);
    }
    let response: TransportResponse;
    try {
      const body = ex.makeBody();
      streamed = streamed || isStream(body);
      response = await ctx.transport({
        method: ex.method,
        url: ex.url,
        headers: ex.headers,
        ...(body !== undefined ? { body } : {}),
        responseType: ex.responseType,
        ...(ex.signal ? { signal: ex.signal } : {}),
      });
    } catch (cause) {
      const error = transportError(ctx, ex, cause);
      // A refused connection proves nothing was sent; otherwise only safe requests are repeated.
      const notSent = error.details.notSent === true;
      if (error.retryable && (ex.safe || notSent) && !streamed && attempt < ctx.retry.retries) {
        await backoff(ctx, ex, attempt++);
        continue;
      }
      throw error;
    }
    let answer: RawAnswer;
    try {
      answer = await decode(ex, response);
    } catch (error) {
      if (AssistantError.isInstance(error) && error.retryable && ex.safe && attempt < ctx.retry.retries) {
        await backoff(ctx, ex, attempt++);
        continue;
      }
      throw scrub(ctx, error);
    }
    if (
      (answer.status >= 200 && answer.status < 300) ||
      (answer.status === 417 && ANSWERS_PENDING.has(ex.operationId))
    ) {
      return answer;
    }
    const error = scrub(ctx, errorFor(ex, answer));
    // 429 and 503-with-Retry-After come from gates in front of the controller: nothing was executed.
    const provenNotExecuted =
      answer.status === 429 || (answer.status === 503 && answer.headers['retry-after'] !== undefined);
    if (provenNotExecuted && !streamed) {
      // Retry-After: 0 (or a date in the past) still waits a little, so a stuck limiter cannot spin us; a
      // small margin keeps us from arriving a few milliseconds before the window opens.
      const wait = Math.max(
        MIN_RATE_LIMIT_WAIT_MS,
        error.retryAfterMs !== undefined
          ? error.retryAfterMs + RETRY_AFTER_MARGIN_MS
          : Math.min(MAX_RATE_LIMIT_BACKOFF_MS, 1000 * 2 ** rateLimits),
      );
      rateLimits++;
      if (rateLimitWaited + wait > ctx.retry.maxRateLimitWaitMs || rateLimits > MAX_RATE_LIMIT_RETRIES)
        throw error;
      rateLimitWaited += wait;
      const until = ctx.now() + wait;
      if (until > (ctx.rateLimitedUntil.get(ex.operationId) ?? 0))
        ctx.rateLimitedUntil.set(ex.operationId, until);
      continue;
    }
    if (error.retryable && ex.safe && attempt < ctx.retry.retries) {
      await backoff(ctx, ex, attempt++, error.retryAfterMs);
      continue;
    }
    throw error;
  }
}

function isStream(body: unknown): boolean {
  return !!body && typeof body === 'object' && !(body instanceof Uint8Array) && Symbol.asyncIterator in body;
}

async function backoff(
  ctx: HttpContext,
  ex: Exchange,
  attempt: number,
  retryAfterMs?: number,
): Promise<void> {
  const delay = retryAfterMs ?? ctx.retry.baseDelayMs * 2 ** attempt;
  await ctx.sleep(delay, ex.signal);
  throwIfAborted(ex);
}

function throwIfAborted(ex: Exchange): void {
  if (ex.signal?.aborted) {
    throw new AssistantError({
      code: 'aborted',
      operationId: ex.operationId,
      message: `"${ex.summary}" was cancelled.`,
    });
  }
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS|SSL|ERR_OSSL/;

function transportError(ctx: HttpContext, ex: Exchange, cause: unknown): AssistantError {
  if (AssistantError.isInstance(cause)) return scrub(ctx, cause);
  const c = (cause ?? {}) as {
    name?: string;
    code?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  const code = c.code ?? c.cause?.code ?? '';
  const host = safeHost(ex.url);
  if (ex.signal?.aborted) {
    return new AssistantError({
      code: 'aborted',
      operationId: ex.operationId,
      message: `"${ex.summary}" was cancelled.`,
    });
  }
  if (c.name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new AssistantError({
      code: 'timeout',
      operationId: ex.operationId,
      cause,
      message: `"${ex.summary}" got no answer from ${host} in time. The server may be overloaded or unreachable; try again later or raise the timeout.`,
    });
  }
  if (TLS_CODES.test(code)) {
    return new AssistantError({
      code: 'tls',
      operationId: ex.operationId,
      retryable: false,
      cause,
      details: { tlsCode: code },
      message: `The TLS certificate of ${host} is not trusted (${code}). If the server uses a self-signed or private certificate, configure its CA certificate; turn off certificate verification only for testing.`,
    });
  }
  const notSent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
  const reason =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? `the host name ${host} could not be resolved. Check the server URL`
      : code === 'ECONNREFUSED'
        ? `${host} refused the connection. Check the server URL and port, and that the server is running`
        : `the connection to ${host} failed (${code || c.message || 'network error'}). Check your network and the server URL`;
  return new AssistantError({
    code: 'network',
    operationId: ex.operationId,
    cause,
    details: { notSent, ...(code ? { networkCode: code } : {}) },
    message: `"${ex.summary}" failed: ${reason}.`,
  });
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the server';
  }
}

/** Replaces every secret in an error's texts: errors end up in logs, execution data and flow exports. */
export function scrub<T>(ctx: HttpContext, error: T): T {
  if (!AssistantError.isInstance(error)) return error;
  const clean = (text: string | undefined) =>
    text === undefined ? text : ctx.secrets.reduce((t, s) => (s ? t.split(s).join('[redacted]') : t), text);
  const e = error as AssistantError;
  const message = clean(e.message)!;
  const serverMessage = clean(e.serverMessage);
  const detailsText = JSON.stringify(e.details);
  const cleanDetails = clean(detailsText)!;
  if (message === e.message && serverMessage === e.serverMessage && cleanDetails === detailsText)
    return error;
  return new AssistantError({
    code: e.code,
    message,
    ...(e.status !== undefined ? { status: e.status } : {}),
    ...(e.operationId ? { operationId: e.operationId } : {}),
    ...(serverMessage !== undefined ? { serverMessage } : {}),
    retryable: e.retryable,
    ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
    details: cleanDetails === detailsText ? e.details : (JSON.parse(cleanDetails) as Record<string, unknown>),
  }) as T;
}

function contentTypeOf(headers: Record<string, string>): string {
  return (headers['content-type'] ?? '').toLowerCase();
}

function looksLikeHtml(contentType: string, text: string): boolean {
  return contentType.includes('html') || /^\s*<(!doctype html|html)/i.test(text);
}

function looksLikeXml(contentType: string, text: string): boolean {
  return contentType.includes('xml') || /^\s*<\?xml/.test(text);
}

async function decode(ex: Exchange, res: TransportResponse): Promise<RawAnswer> {
  const headers = res.headers;
  const ok = res.status >= 200 && res.status < 300;
  if (ok && (ex.binary || ex.raw)) {
    const contentType = contentTypeOf(headers) || 'application/octet-stream';
    const length = headers['content-length'] !== undefined ? Number(headers['content-length']) : undefined;
    const result: BinaryResult = {
      contentType,
      fileName: fileNameOf(headers['content-disposition']),
      size: Number.isFinite(length) ? length : undefined,
    };
    if (
      ex.responseType === 'stream' &&
      res.body &&
      typeof res.body === 'object' &&
      !(res.body instanceof Uint8Array)
    ) {
      result.stream = res.body as ByteStream;
    } else {
      result.data = await readAll(res.body);
      result.size = result.data.byteLength;
    }
    return { status: res.status, headers, data: result };
  }
  const text = await readText(res.body);
  const contentType = contentTypeOf(headers);
  if (!ok) return { status: res.status, headers, data: parseErrorBody(contentType, text) };
  if (looksLikeHtml(contentType, text)) {
    throw new AssistantError({
      code: 'not_assistant_server',
      status: res.status,
      operationId: ex.operationId,
      message: `"${ex.summary}" got a web page instead of an API answer from ${safeHost(ex.url)}. Check the server URL (the address of your f7cloud server, e.g. https://cloud.example.com), and that no login page, proxy or captive portal is in front of it.`,
    });
  }
  if (looksLikeXml(contentType, text)) {
    throw new AssistantError({
      code: 'not_assistant_server',
      status: res.status,
      operationId: ex.operationId,
      message: `"${ex.summary}" got XML instead of JSON from ${safeHost(ex.url)}. A proxy in front of the server probably changes the Accept header; make it pass "Accept: application/json" through unchanged.`,
    });
  }
  let parsed: unknown;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    throw new AssistantError({
      code: 'server',
      status: res.status,
      operationId: ex.operationId,
      retryable: true,
      message: `"${ex.summary}" got a broken answer from ${safeHost(ex.url)} (invalid or cut-off JSON).${ex.safe ? ' Try again.' : ' The request may have been carried out: check before repeating it.'}`,
    });
  }
  if (operations[ex.operationId as OperationId]?.response === 'ocs') {
    const ocs = (parsed as { ocs?: { meta?: unknown; data?: unknown } } | null)?.ocs;
    if (!ocs || typeof ocs !== 'object' || !('meta' in ocs)) {
      throw new AssistantError({
        code: 'not_assistant_server',
        status: res.status,
        operationId: ex.operationId,
        message: `"${ex.summary}" got JSON without the OCS envelope from ${safeHost(ex.url)}. The server URL does not seem to point at an f7cloud / Nextcloud server.`,
      });
    }
    return { status: res.status, headers, data: ocs.data };
  }
  return { status: res.status, headers, data: parsed };
}

interface ErrorBody {
  ocsStatus?: number;
  message?: string;
  data?: unknown;
  kind: 'json' | 'xml' | 'html' | 'text' | 'empty';
}

function parseErrorBody(contentType: string, text: string): ErrorBody {
  if (!text.trim()) return { kind: 'empty' };
  if (looksLikeHtml(contentType, text)) return { kind: 'html' };
  if (looksLikeXml(contentType, text)) {
    const status = /<statuscode>(\d+)<\/statuscode>/.exec(text)?.[1];
    const message = /<message>([\s\S]*?)<\/message>/.exec(text)?.[1]?.trim();
    return { kind: 'xml', ...(status ? { ocsStatus: Number(status) } : {}), ...(message ? { message } : {}) };
  }
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const ocs = body?.ocs as { meta?: { statuscode?: number; message?: string }; data?: unknown } | undefined;
    if (ocs?.meta) {
      const data = ocs.data as Record<string, unknown> | string | undefined;
      const dataMessage =
        typeof data === 'string'
          ? data
          : typeof data?.message === 'string'
            ? data.message
            : typeof data?.error === 'string'
              ? data.error
              : undefined;
      return {
        kind: 'json',
        ...(typeof ocs.meta.statuscode === 'number' ? { ocsStatus: ocs.meta.statuscode } : {}),
        ...(dataMessage || ocs.meta.message ? { message: dataMessage || ocs.meta.message } : {}),
        data: ocs.data,
      };
    }
    const message =
      typeof body?.error === 'string'
        ? body.error
        : typeof body?.message === 'string'
          ? body.message
          : undefined;
    return { kind: 'json', ...(message ? { message } : {}), data: body };
  } catch {
    return { kind: 'text', message: text.slice(0, 200) };
  }
}

function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function errorFor(
  ex: Pick<Exchange, 'operationId' | 'summary' | 'url'>,
  answer: RawAnswer,
): AssistantError {
  const body = answer.data as ErrorBody;
  const status = answer.status;
  const said = body.message ? ` The server says: "${body.message}".` : '';
  const base = {
    status,
    operationId: ex.operationId,
    ...(body.message ? { serverMessage: body.message } : {}),
    details: { ...(body.data !== undefined ? { body: body.data } : {}) },
  };
  const make = (
    code: AssistantErrorCode,
    text: string,
    extra: Partial<ConstructorParameters<typeof AssistantError>[0]> = {},
  ) =>
    new AssistantError({
      ...base,
      code,
      message: `"${ex.summary}" failed (HTTP ${status}): ${text}`,
      ...extra,
    });

  if (status === 401 || body.ocsStatus === 997) {
    return make(
      'auth',
      'the server rejected the login. Check the user name and the app password (create a new one under Settings → Security → Devices & sessions); an account password does not work when two-factor login is on.',
    );
  }
  if (status === 403) return make('forbidden', `this account may not do that.${said}`);
  if (status === 404 && body.ocsStatus === 998) {
    return make(
      'app_disabled',
      `the server has no Assistant API at ${safeHost(ex.url)}. Install and enable the Assistant app on the server, or check that the server URL points at your f7cloud server.`,
    );
  }
  if (status === 404 && body.kind !== 'json') {
    return make(
      'not_assistant_server',
      `${safeHost(ex.url)} does not know this API route. Check the server URL.`,
    );
  }
  if (status === 404) return make('not_found', `it does not exist or belongs to another user.${said}`);
  if (status === 412 && /csrf/i.test(body.message ?? '')) {
    return make(
      'not_assistant_server',
      'the server did not receive the "OCS-APIRequest: true" header. A proxy in front of the server removes it; configure it to pass the header through.',
    );
  }
  if (status === 400 && body.message === 'session_already_thinking') {
    return make(
      'conflict',
      'the assistant is still answering in this chat session. Wait for that reply first.',
    );
  }
  if (status === 400 || status === 412 || status === 413 || status === 422) {
    return make('invalid_input', `the server refused the input.${said || ' Check the values you passed.'}`);
  }
  if (status === 409) return make('conflict', `it conflicts with the current state.${said}`);
  if (status === 429) {
    const wait = retryAfterMs(answer.headers['retry-after']);
    return make(
      'rate_limited',
      `too many requests; the server limits how often this may be done.${wait !== undefined ? ` Try again in ${Math.ceil(wait / 1000)} s.` : ' Wait a minute and try again.'}`,
      { retryable: true, ...(wait !== undefined ? { retryAfterMs: wait } : {}) },
    );
  }
  if (status === 503 && answer.headers['x-nextcloud-maintenance-mode'] === '1') {
    const wait = retryAfterMs(answer.headers['retry-after']);
    return make('maintenance', 'the server is in maintenance mode. Try again when the maintenance is over.', {
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    });
  }
  if (status === 417) {
    return make('pending', 'the result is not ready yet.', { retryable: true });
  }
  if (status >= 500) {
    const wait = retryAfterMs(answer.headers['retry-after']);
    return make(
      'server',
      `the server had an internal error.${said} Try again later; if it persists, ask the server's administrator to check the server log.`,
      {
        ...(wait !== undefined ? { retryAfterMs: wait } : {}),
      },
    );
  }
  return make('server', `unexpected answer.${said}`);
}

function fileNameOf(disposition: string | undefined): string | undefined {
  if (!disposition) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition)?.[1];
  if (star) {
    try {
      return decodeURIComponent(star.trim().replace(/^"|"$/g, ''));
    } catch {
      // fall through to the plain form
    }
  }
  return /filename\s*=\s*"?([^";]+)"?/i.exec(disposition)?.[1]?.trim();
}
