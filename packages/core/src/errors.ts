// One error type for everything the client can go wrong with. The marker is a global symbol so that
// `AssistantError.isInstance` works when core is copied into another bundle (the n8n nodes).
const marker = Symbol.for('f7cloud.assistant.error');

export type AssistantErrorCode =
  | 'auth'
  | 'forbidden'
  | 'not_found'
  | 'not_a_file'
  | 'unsupported_type'
  | 'rate_limited'
  | 'invalid_input'
  | 'conflict'
  | 'pending'
  | 'server'
  | 'maintenance'
  | 'network'
  | 'tls'
  | 'timeout'
  | 'too_large'
  | 'aborted'
  | 'task_failed'
  | 'unsupported'
  | 'not_assistant_server'
  | 'app_disabled';

/** The one wording of the app-password advice (core's errors and the hosts' UIs). */
export const APP_PASSWORD_ADVICE =
  'Create an app password under Settings → Security → Devices & sessions on your server and enter it with your login name.';

const NOTHING_SENT = 'Nothing was sent.';

export interface AssistantErrorOptions {
  code: AssistantErrorCode;
  /** The cause in one sentence. `message` is accepted instead for errors that have no separate hint. */
  summary?: string;
  /** One concrete next step. */
  hint?: string;
  /** Full text when no summary is given (then the summary is this text). */
  message?: string;
  /** false: raised before anything was sent; true: a request reached the server; undefined: unknown. */
  sent?: boolean;
  status?: number;
  operationId?: string;
  serverMessage?: string;
  retryable?: boolean;
  retryAfterMs?: number;
  /** Extra facts a caller can act on (task id, task status, body of a pending answer). Never secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

const RETRYABLE_BY_DEFAULT: ReadonlySet<AssistantErrorCode> = new Set([
  'rate_limited',
  'server',
  'maintenance',
  'network',
  'timeout',
]);

export class AssistantError extends Error {
  readonly [marker] = true;
  readonly code: AssistantErrorCode;
  /** What is wrong, in one sentence (hosts show it as the error message). */
  readonly summary: string;
  /** One concrete next step (hosts show it as the description), when there is one. */
  readonly hint: string | undefined;
  /** false: nothing was sent; true: a request reached the server; undefined: unknown. */
  readonly sent: boolean | undefined;
  readonly status: number | undefined;
  readonly operationId: string | undefined;
  readonly serverMessage: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, unknown>;

  constructor(options: AssistantErrorOptions) {
    let summary = (options.summary ?? options.message ?? '').trim();
    let hint = options.hint?.trim() || undefined;
    // "Nothing was sent." ends the full text, so it goes at the end of its last part.
    if (options.sent === false && !(hint ?? summary).endsWith(NOTHING_SENT)) {
      if (hint) hint = `${hint} ${NOTHING_SENT}`;
      else summary = `${summary} ${NOTHING_SENT}`.trim();
    }
    super(hint ? `${summary} ${hint}` : summary);
    this.name = 'AssistantError';
    this.code = options.code;
    this.summary = summary;
    this.hint = hint;
    this.sent = options.sent;
    this.status = options.status;
    this.operationId = options.operationId;
    this.serverMessage = options.serverMessage;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(options.code);
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details ?? {};
    if (options.cause !== undefined) {
      // Only a sanitised summary of the cause is kept: transports' errors can carry request options
      // (headers included) that must never be serialised.
      Object.defineProperty(this, 'cause', { value: describeCause(options.cause), enumerable: false });
    }
  }

  static isInstance(value: unknown): value is AssistantError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      summary: this.summary,
      hint: this.hint,
      sent: this.sent,
      status: this.status,
      operationId: this.operationId,
      serverMessage: this.serverMessage,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      details: this.details,
    };
  }
}

/** Bad input found by core itself, before anything was sent. */
export function badInput(
  summary: string,
  hint?: string,
  extra: Omit<AssistantErrorOptions, 'code' | 'summary' | 'hint' | 'sent'> = {},
): AssistantError {
  return new AssistantError({
    ...extra,
    code: 'invalid_input',
    summary,
    ...(hint ? { hint } : {}),
    sent: false,
  });
}

/**
 * A copy of the error with every secret replaced in its texts (message, summary, hint, server message,
 * details): errors end up in logs, execution data and flow exports. Other values pass unchanged.
 */
export function scrubError<T>(error: T, secrets: readonly string[]): T {
  if (!AssistantError.isInstance(error) || secrets.length === 0) return error;
  // Longest first, and in their JSON-escaped form too (details are cleaned as JSON text).
  const used = [
    ...new Set(
      secrets
        .filter((s) => typeof s === 'string' && s.length > 0)
        .flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]),
    ),
  ].sort((a, b) => b.length - a.length);
  const clean = (text: string | undefined) =>
    text === undefined ? text : used.reduce((t, s) => t.split(s).join('[redacted]'), text);
  const e = error as AssistantError;
  const detailsText = JSON.stringify(e.details) ?? '{}';
  const cleanDetails = clean(detailsText)!;
  const cause = (e as { cause?: { message?: string } }).cause?.message;
  const texts = [e.message, e.summary, e.hint, e.serverMessage, cause];
  if (texts.every((t) => clean(t) === t) && cleanDetails === detailsText) return error;
  const hint = clean(e.hint);
  const serverMessage = clean(e.serverMessage);
  return new AssistantError({
    code: e.code,
    summary: clean(e.summary)!,
    ...(hint !== undefined ? { hint } : {}),
    ...(e.sent !== undefined ? { sent: e.sent } : {}),
    ...(e.status !== undefined ? { status: e.status } : {}),
    ...(e.operationId ? { operationId: e.operationId } : {}),
    ...(serverMessage !== undefined ? { serverMessage } : {}),
    retryable: e.retryable,
    ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
    details: cleanDetails === detailsText ? e.details : (JSON.parse(cleanDetails) as Record<string, unknown>),
  }) as T;
}

function describeCause(cause: unknown): { name: string; code?: string; message: string } {
  if (cause && typeof cause === 'object') {
    const c = cause as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
    const inner = c.cause && typeof c.cause === 'object' ? (c.cause as { code?: unknown }) : undefined;
    const code =
      typeof c.code === 'string' ? c.code : typeof inner?.code === 'string' ? inner.code : undefined;
    return {
      name: typeof c.name === 'string' ? c.name : 'Error',
      ...(code ? { code } : {}),
      message: typeof c.message === 'string' ? c.message : String(cause),
    };
  }
  return { name: 'Error', message: String(cause) };
}
