// One logical request through the host's transport: the per-operation rate-limit gate, retries of what is
// safe to repeat, and time bounds (a caller's deadline caps every wait and the request in flight).
import { AssistantError } from './errors.js';
import {
  decode,
  isTooLarge,
  limitFor,
  safeHost,
  tooLargeError,
  type RawAnswer,
  type ResponseLimits,
} from './decode.js';
import { errorFor, scrub } from './http-errors.js';
import type { GatePass, RateGate } from './rate-gate.js';
import type { ByteStream, Sleep, Transport, TransportResponse } from './transport.js';

export interface RetryPolicy {
  /** Attempts after the first one, for answers that are safe to repeat. */
  retries: number;
  /** First back-off delay; doubles each time. */
  baseDelayMs: number;
  /**
   * How long one request may wait in total for the server's Retry-After and rate limits (429, 503) before
   * the error is handed to the caller. The default covers the schedule limit's 120 s window.
   */
  maxRateLimitWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 500, maxRateLimitWaitMs: 130_000 };
const MAX_RATE_LIMIT_BACKOFF_MS = 15_000;
const MIN_RATE_LIMIT_WAIT_MS = 200;
const RETRY_AFTER_MARGIN_MS = 100;
const MAX_RATE_LIMIT_RETRIES = 100;
/** A transport timeout this close to the caller's deadline is the deadline. */
const DEADLINE_SLACK_MS = 100;

// Routes that answer 417 while the task they check is not done yet (a normal answer, not an error).
const ANSWERS_PENDING: ReadonlySet<string> = new Set([
  'chattyllm-check-message-generation-task',
  'chattyllm-check-title-generation-task',
]);

export interface HttpContext {
  baseUrl: string;
  transport: Transport;
  sleep: Sleep;
  headers: Record<string, string>;
  /** Values that must never appear in an error (the app password, the Authorization header). */
  secrets: string[];
  retry: RetryPolicy;
  limits: ResponseLimits;
  now: () => number;
  /**
   * The client's rate-limit gate: after a 429 every request of that operation waits, one probes when the
   * window reopens, so many items in a batch do not all hammer the server and burn their retries.
   */
  gate: RateGate;
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
  /** The caller's deadline (on ctx.now()): no wait and no request in flight outlives it. */
  deadline?: number;
  /** What the request is about, as the user named it (`task 7`), for not-found messages. */
  subject?: string;
  /** Error statuses the caller interprets itself: returned as answers (data is the parsed error body). */
  answers?: readonly number[];
}

/** One logical request with the retry policy: lost answers are retried only when safe; 429/503 always. */
export async function exchange(ctx: HttpContext, ex: Exchange): Promise<RawAnswer> {
  let attempt = 0;
  let calls = 0;
  let streamed = false;
  let rateLimits = 0;
  let waitedForServer = 0;
  const maxBytes = limitFor(ex, ctx.limits);
  for (;;) {
    throwIfAborted(ex, calls);
    const pass: GatePass = await ctx.gate.enter(ex.operationId, {
      now: ctx.now,
      pause: (ms) => pause(ctx, ex, ms, calls),
    });
    const left = ex.deadline === undefined ? undefined : ex.deadline - ctx.now();
    if (left !== undefined && left <= 0) {
      pass.settle('unsent');
      throw deadlineError(ctx, ex, calls);
    }
    let response: TransportResponse;
    try {
      const body = ex.makeBody();
      streamed = streamed || isStream(body);
      calls++;
      response = await ctx.transport({
        method: ex.method,
        url: ex.url,
        headers: ex.headers,
        ...(body !== undefined ? { body } : {}),
        responseType: ex.responseType,
        ...(ex.signal ? { signal: ex.signal } : {}),
        ...(left !== undefined ? { timeoutMs: left } : {}),
        ...(maxBytes !== undefined ? { maxBytes } : {}),
      });
    } catch (cause) {
      const error = transportError(ctx, ex, cause);
      pass.settle(error.sent === false ? 'unsent' : 'unknown');
      if (
        error.code === 'timeout' &&
        ex.deadline !== undefined &&
        ex.deadline - ctx.now() < DEADLINE_SLACK_MS
      )
        throw deadlineError(ctx, ex, calls);
      // A refused connection proves nothing was sent; otherwise only safe requests are repeated.
      const notSent = error.sent === false;
      if (error.retryable && (ex.safe || notSent) && !streamed && attempt < ctx.retry.retries) {
        await pause(ctx, ex, ctx.retry.baseDelayMs * 2 ** attempt++, calls);
        continue;
      }
      throw error;
    }
    const refused =
      response.status === 429 || (response.status === 503 && response.headers['retry-after'] !== undefined);
    if (!refused) pass.settle('passed');
    let answer: RawAnswer;
    try {
      answer = await decode(ex, response, ctx.limits);
    } catch (error) {
      pass.settle('refused', MIN_RATE_LIMIT_WAIT_MS);
      if (AssistantError.isInstance(error) && error.retryable && ex.safe && attempt < ctx.retry.retries) {
        await pause(ctx, ex, ctx.retry.baseDelayMs * 2 ** attempt++, calls);
        continue;
      }
      throw scrub(ctx, isTooLarge(error) ? tooLargeError(ex, maxBytes ?? 0) : error);
    }
    if (
      (answer.status >= 200 && answer.status < 300) ||
      (answer.status === 417 && ANSWERS_PENDING.has(ex.operationId)) ||
      ex.answers?.includes(answer.status)
    ) {
      return answer;
    }
    const error = scrub(ctx, errorFor(ex, answer, ctx.now()));
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
      pass.settle('refused', wait);
      // Past the caller's deadline: wait until it, then time out (the caller's time wins over the server's).
      if (ex.deadline !== undefined && ctx.now() + wait >= ex.deadline) await pause(ctx, ex, wait, calls);
      if (waitedForServer + wait > ctx.retry.maxRateLimitWaitMs || rateLimits > MAX_RATE_LIMIT_RETRIES) {
        throw error;
      }
      waitedForServer += wait;
      continue;
    }
    pass.settle('refused', MIN_RATE_LIMIT_WAIT_MS);
    if (error.retryable && ex.safe && attempt < ctx.retry.retries) {
      const delay = error.retryAfterMs ?? ctx.retry.baseDelayMs * 2 ** attempt;
      if (ex.deadline !== undefined && ctx.now() + delay >= ex.deadline) await pause(ctx, ex, delay, calls);
      // A server's Retry-After counts against the same budget as rate limits: an hour is not waited.
      if (error.retryAfterMs !== undefined) {
        if (waitedForServer + delay > ctx.retry.maxRateLimitWaitMs) throw error;
        waitedForServer += delay;
      }
      attempt++;
      await pause(ctx, ex, delay, calls);
      continue;
    }
    throw error;
  }
}

function isStream(body: unknown): boolean {
  return !!body && typeof body === 'object' && !(body instanceof Uint8Array) && Symbol.asyncIterator in body;
}

/** Sleeps, but never past the caller's deadline: a wait that would end after it times out at the deadline. */
async function pause(ctx: HttpContext, ex: Exchange, ms: number, calls: number): Promise<void> {
  const left = ex.deadline === undefined ? Infinity : ex.deadline - ctx.now();
  await ctx.sleep(Math.max(0, Math.min(ms, left)), ex.signal);
  throwIfAborted(ex, calls);
  if (ms >= left) throw deadlineError(ctx, ex, calls);
}

function throwIfAborted(ex: Exchange, calls: number): void {
  if (ex.signal?.aborted) throw abortedError(ex, calls);
}

function abortedError(ex: Exchange, calls: number): AssistantError {
  return new AssistantError({
    code: 'aborted',
    operationId: ex.operationId,
    ...(calls === 0 ? { sent: false } : {}),
    summary: `"${ex.summary}" was cancelled.`,
  });
}

function deadlineError(ctx: HttpContext, ex: Exchange, calls: number): AssistantError {
  return new AssistantError({
    code: 'timeout',
    operationId: ex.operationId,
    retryable: false,
    ...(calls === 0 ? { sent: false } : {}),
    details: { deadline: true },
    summary: `"${ex.summary}" did not get an answer from ${safeHost(ex.url)} within the time allowed.`,
    hint: 'Allow more time (timeoutMs), or try again when the server is less busy.',
  });
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
  if (ex.signal?.aborted) return abortedError(ex, 1);
  if (code === 'ERR_RESPONSE_TOO_LARGE') {
    return tooLargeError(ex, limitFor(ex, ctx.limits) ?? ctx.limits.text);
  }
  if (c.name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new AssistantError({
      code: 'timeout',
      operationId: ex.operationId,
      cause,
      summary: `"${ex.summary}" got no answer from ${host} in time.`,
      hint: 'The server may be overloaded or unreachable; try again later or raise the timeout.',
    });
  }
  if (TLS_CODES.test(code)) {
    return new AssistantError({
      code: 'tls',
      operationId: ex.operationId,
      retryable: false,
      cause,
      details: { tlsCode: code },
      summary: `The TLS certificate of ${host} is not trusted (${code}).`,
      hint: 'If the server uses a self-signed or private certificate, configure its CA certificate; turn off certificate verification only for testing.',
    });
  }
  const notSent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
  const [reason, hint] =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? [`the host name ${host} could not be resolved.`, 'Check the server URL.']
      : code === 'ECONNREFUSED'
        ? [
            `${host} refused the connection.`,
            'Check the server URL and port, and that the server is running.',
          ]
        : [
            `the connection to ${host} failed (${code || c.message || 'network error'}).`,
            'Check your network and the server URL.',
          ];
  return new AssistantError({
    code: 'network',
    operationId: ex.operationId,
    cause,
    ...(notSent ? { sent: false } : {}),
    details: { notSent, ...(code ? { networkCode: code } : {}) },
    summary: `"${ex.summary}" failed: ${reason}`,
    hint,
  });
}
