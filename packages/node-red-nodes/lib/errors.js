// @ts-check
'use strict';

/** Codes of core's AssistantError that get a hint on what to do. */
const HINTED = new Set([
  'auth',
  'forbidden',
  'not_found',
  'rate_limited',
  'invalid_input',
  'conflict',
  'pending',
  'server',
  'maintenance',
  'tls',
  'network',
  'timeout',
  'aborted',
  'task_failed',
  'not_assistant_server',
  'app_disabled',
]);

/** An error the user can fix in the node or the message; `code` is 'invalid_config' or 'invalid_input'. */
class NodeInputError extends Error {
  /** @param {string} message @param {string} code */
  constructor(message, code = 'invalid_input') {
    super(message);
    this.name = 'NodeInputError';
    this.code = code;
  }
}

/**
 * Turns anything thrown into a message for the Catch node, a short text for the status badge,
 * and a machine-readable code.
 * @param {any} err
 * @param {(key: string, vars?: Record<string, unknown>) => string} t
 * @returns {{message: string, short: string, code: string, status?: number, retryable?: boolean}}
 */
function describeError(err, t) {
  const raw = err && typeof err.message === 'string' ? err.message : String(err);
  const code = err && typeof err.code === 'string' ? err.code : 'unknown';
  if (err instanceof NodeInputError) return { message: raw, short: raw, code };
  if (HINTED.has(code)) {
    // core's message says what happened in detail; the hint, in the user's language, what to do
    const hint = t(`common.errors.code.${code}`);
    return {
      message: raw && raw !== hint ? `${hint}: ${raw}` : hint,
      short: hint,
      code,
      status: typeof err.status === 'number' ? err.status : undefined,
      retryable: Boolean(err.retryable),
    };
  }
  return { message: raw, short: raw, code };
}

/**
 * Removes a secret from any text that leaves the node (errors, status, debug).
 * @param {string} text
 * @param {string[]} secrets
 */
function scrub(text, secrets) {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

module.exports = { NodeInputError, describeError, scrub };
