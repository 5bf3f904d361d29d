// One error type for everything the client can go wrong with. The marker is a global symbol so that
// `AssistantError.isInstance` works when core is copied into another bundle (the n8n nodes).
const marker = Symbol.for('f7cloud.assistant.error');

export type AssistantErrorCode =
  | 'auth'
  | 'forbidden'
  | 'not_found'
  | 'rate_limited'
  | 'invalid_input'
  | 'conflict'
  | 'pending'
  | 'server'
  | 'maintenance'
  | 'network'
  | 'tls'
  | 'timeout'
  | 'aborted'
  | 'task_failed'
  | 'not_assistant_server'
  | 'app_disabled';

export interface AssistantErrorOptions {
  code: AssistantErrorCode;
  message: string;
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
  readonly status: number | undefined;
  readonly operationId: string | undefined;
  readonly serverMessage: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, unknown>;

  constructor(options: AssistantErrorOptions) {
    super(options.message);
    this.name = 'AssistantError';
    this.code = options.code;
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
      status: this.status,
      operationId: this.operationId,
      serverMessage: this.serverMessage,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      details: this.details,
    };
  }
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
