import { AssistantError } from '@f7cloud/assistant-client';
import type { Translate } from './i18n.js';

/** A hint longer than this stays in msg.assistantError only: node.error is read in a narrow sidebar. */
const SHORT_HINT = 160;

export type NodeInputCode = 'invalid_config' | 'invalid_input';

/**
 * An error the user can fix in the node or the message. `sent` is false when it was raised before
 * anything was sent (the default), undefined when unknown.
 */
export class NodeInputError extends Error {
  readonly code: NodeInputCode;
  readonly sent: boolean | undefined;

  constructor(
    message: string,
    code: NodeInputCode = 'invalid_input',
    opts: { sent?: boolean } = { sent: false },
  ) {
    super(message);
    this.name = 'NodeInputError';
    this.code = code;
    this.sent = opts.sent;
  }
}

export interface DescribedError {
  /** The text for node.error: core's one-sentence summary, plus its hint when short. */
  message: string;
  /** A shorter text for the status badge. */
  short: string;
  code: string;
  /** For msg.assistantError. */
  details: Record<string, unknown>;
}

/** Turns anything thrown into what the node shows and hands on. */
export function describeError(err: unknown, t: Translate): DescribedError {
  if (AssistantError.isInstance(err)) {
    const hint = typeof err.hint === 'string' ? err.hint : '';
    // a hint before sending ends with "Nothing was sent.": keep it whatever its length
    const withHint = hint && (hint.length <= SHORT_HINT || err.sent === false);
    return {
      message: withHint ? `${err.summary} ${hint}` : err.summary,
      short: err.summary,
      code: err.code,
      details: err.toJSON() as Record<string, unknown>,
    };
  }
  const raw = err instanceof Error ? err.message : String(err);
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
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

/** An error's details as JSON-safe data with every secret removed, for msg.assistantError. */
export function scrubDetails(
  details: Record<string, unknown>,
  secrets: readonly string[],
): Record<string, unknown> {
  const secretsAsJson = secrets.filter(Boolean).map((s) => JSON.stringify(s).slice(1, -1));
  try {
    return JSON.parse(scrub(JSON.stringify(details), [...secretsAsJson, ...secrets])) as Record<
      string,
      unknown
    >;
  } catch {
    // a secret that happened to span JSON syntax: keep what can be shown safely
    const message = typeof details.message === 'string' ? details.message : '';
    return { code: details.code, message: scrub(message, secrets) };
  }
}
