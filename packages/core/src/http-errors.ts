// What an HTTP error answer means for the user: one sentence naming the cause, one next step.
import { APP_PASSWORD_ADVICE, AssistantError, scrubError, type AssistantErrorCode } from './errors.js';
import { safeHost, type ErrorBody, type RawAnswer } from './decode.js';

export interface ErrorTarget {
  operationId: string;
  summary: string;
  url: string;
  /** What the request was about, as the user named it (e.g. `task 7`), for not-found messages. */
  subject?: string;
}

/** Assistant app routes: only here does an unknown route mean "the app is missing or the URL is wrong". */
const ASSISTANT_ROUTE = /\/ocs\/v[12]\.php\/apps\/assistant\//;

/**
 * A Retry-After header in ms: seconds, or an HTTP date measured against `now` (the client's injected
 * clock). Without `now` a date cannot be measured and counts as no header.
 */
export function retryAfterMs(value: string | undefined, now?: number): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) || now === undefined ? undefined : Math.max(0, date - now);
}

/** The error for an answer; `now` is the client's clock, for a date-form Retry-After. */
export function errorFor(ex: ErrorTarget, answer: RawAnswer, now?: number): AssistantError {
  const body = answer.data as ErrorBody;
  const status = answer.status;
  const host = safeHost(ex.url);
  const said = body.message ? ` The server says: "${body.message}".` : '';
  const base = {
    status,
    sent: true,
    operationId: ex.operationId,
    ...(body.message ? { serverMessage: body.message } : {}),
    details: { ...(body.data !== undefined ? { body: body.data } : {}) },
  };
  const make = (
    code: AssistantErrorCode,
    cause: string,
    hint: string,
    extra: Partial<ConstructorParameters<typeof AssistantError>[0]> = {},
  ) =>
    new AssistantError({
      ...base,
      code,
      summary: `"${ex.summary}" failed (HTTP ${status}): ${cause}`,
      hint,
      ...extra,
    });
  const wait = retryAfterMs(answer.headers['retry-after'], now);
  const waitPart = wait !== undefined ? { retryAfterMs: wait } : {};

  if (status === 401 || body.ocsStatus === 997) {
    return make('auth', 'the server rejected the login (user name or app password).', APP_PASSWORD_ADVICE);
  }
  if (status === 403) {
    return make(
      'forbidden',
      `this account may not do that.${said}`,
      "Use an account that may, or ask the server's administrator for access.",
    );
  }
  if (status === 404 && body.ocsStatus === 998) {
    return make(
      'app_disabled',
      `the server has no Assistant API at ${host}.`,
      'Check that the server URL points at your f7cloud server, and that the Assistant app is installed and enabled there.',
    );
  }
  if (status === 404 && body.kind !== 'json') {
    return ASSISTANT_ROUTE.test(ex.url)
      ? make(
          'not_assistant_server',
          `${host} does not know this Assistant API route.`,
          'Check the server URL, and that the Assistant app is enabled on the server.',
        )
      : make(
          'not_assistant_server',
          `${host} does not know this API route.`,
          'Check the server URL: it must be the address of your f7cloud / Nextcloud server (version 30 or later).',
        );
  }
  if (status === 404) {
    return make(
      'not_found',
      `${ex.subject ?? 'it'} was not found: it does not exist or belongs to another user.`,
      'Check the id you passed (items of other users are not visible to this account).',
    );
  }
  if (status === 412 && /csrf/i.test(body.message ?? '')) {
    return make(
      'not_assistant_server',
      'the server did not receive the "OCS-APIRequest: true" header.',
      'A proxy in front of the server removes it; configure it to pass the header through.',
    );
  }
  if (status === 400 && body.message === 'session_already_thinking') {
    return make(
      'conflict',
      'the assistant is still answering in this chat session.',
      'Wait for that reply first.',
    );
  }
  const missingKey = status === 400 ? /^Missing key: "(.{1,80})"$/.exec(body.message ?? '')?.[1] : undefined;
  if (missingKey) {
    return make(
      'invalid_input',
      `the required input "${missingKey}" is missing.`,
      `Give a value for "${missingKey}" (the task type's input shape lists what it needs).`,
      { details: { ...base.details, input: missingKey } },
    );
  }
  if (status === 400 || status === 412 || status === 413 || status === 422) {
    return make('invalid_input', `the server refused the input.${said}`, 'Check the values you passed.');
  }
  if (status === 409) {
    return make(
      'conflict',
      `it conflicts with the current state.${said}`,
      'Check the current state and try again.',
    );
  }
  if (status === 429) {
    return make(
      'rate_limited',
      'too many requests: the server limits how often this may be done.',
      wait !== undefined ? `Try again in ${Math.ceil(wait / 1000)} s.` : 'Wait a minute and try again.',
      { retryable: true, ...waitPart },
    );
  }
  if (status === 503 && answer.headers['x-nextcloud-maintenance-mode'] === '1') {
    return make(
      'maintenance',
      'the server is in maintenance mode.',
      'Try again when the maintenance is over.',
      waitPart,
    );
  }
  if (status === 417) {
    return make('pending', 'the result is not ready yet.', 'Check again in a moment.', { retryable: true });
  }
  if (status >= 500) {
    return make(
      'server',
      `the server had an internal error.${said}`,
      "Try again later; if it persists, ask the server's administrator to check the server log.",
      waitPart,
    );
  }
  return make(
    'server',
    `unexpected answer.${said}`,
    'Check the server URL; the server may run a version this client does not support.',
  );
}

/** Replaces every secret of the client in an error's texts. */
export function scrub<T>(ctx: { secrets: readonly string[] }, error: T): T {
  return scrubError(error, ctx.secrets);
}
