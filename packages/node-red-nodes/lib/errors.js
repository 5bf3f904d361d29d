// @ts-check
'use strict';

const { AssistantError } = require('@f7cloud/assistant-client');

/** A hint longer than this stays in msg.assistantError only: node.error is read in a narrow sidebar. */
const SHORT_HINT = 160;

/**
 * An error the user can fix in the node or the message; `code` is 'invalid_config' or 'invalid_input'.
 * `sent` is false when it was raised before anything was sent (the default), undefined when unknown.
 */
class NodeInputError extends Error {
  /** @param {string} message @param {string} [code] @param {{sent?: boolean}} [opts] */
  constructor(message, code = 'invalid_input', opts = { sent: false }) {
    super(message);
    this.name = 'NodeInputError';
    this.code = code;
    this.sent = opts.sent;
  }
}

/**
 * Turns anything thrown into the text for node.error (core's one-sentence summary, plus its hint when
 * short), a shorter text for the status badge, and the details for msg.assistantError.
 * @param {any} err
 * @param {(key: string, vars?: Record<string, unknown>) => string} t
 * @returns {{message: string, short: string, code: string, details: Record<string, unknown>}}
 */
function describeError(err, t) {
  if (AssistantError.isInstance(err)) {
    const hint = typeof err.hint === 'string' ? err.hint : '';
    // a hint before sending ends with "Nothing was sent.": keep it whatever its length
    const withHint = hint && (hint.length <= SHORT_HINT || err.sent === false);
    return {
      message: withHint ? `${err.summary} ${hint}` : err.summary,
      short: err.summary,
      code: err.code,
      details: err.toJSON(),
    };
  }
  const raw = err && typeof err.message === 'string' ? err.message : String(err);
  if (err instanceof NodeInputError) {
    const message =
      err.sent !== false
        ? raw
        : raw.endsWith('.')
          ? t('common.errors.nothingSentSentence', { message: raw })
          : t('common.errors.nothingSent', { message: raw });
    return {
      message,
      short: raw,
      code: err.code,
      details: { name: err.name, code: err.code, message, summary: message, sent: err.sent },
    };
  }
  return { message: raw, short: raw, code: 'unknown', details: { code: 'unknown', message: raw } };
}

/**
 * Removes secrets from any text that leaves the node (errors, status, debug). Core scrubs its own errors;
 * this also covers what the node adds (e.g. a stream's own error message).
 * @param {string} text
 * @param {string[]} secrets
 */
function scrub(text, secrets) {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

/**
 * An error's details as JSON-safe data with every secret removed, for msg.assistantError.
 * @param {Record<string, unknown>} details @param {string[]} secrets
 */
function scrubDetails(details, secrets) {
  const secretsAsJson = secrets.filter(Boolean).map((s) => JSON.stringify(s).slice(1, -1));
  try {
    return JSON.parse(scrub(JSON.stringify(details), [...secretsAsJson, ...secrets]));
  } catch {
    // a secret that happened to span JSON syntax: keep what can be shown safely
    return { code: details.code, message: scrub(String(details.message ?? ''), secrets) };
  }
}

module.exports = { NodeInputError, describeError, scrub, scrubDetails };
