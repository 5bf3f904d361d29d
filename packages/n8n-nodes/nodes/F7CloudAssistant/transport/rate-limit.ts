// A 429 means the server refused the request without acting on it, so sending the very same request again
// after the wait it asks for can neither lose nor duplicate anything. This is what lets a workflow push
// hundreds of items through the schedule rate limit without a single item failing.

/** Milliseconds the server asks us to wait, from a Retry-After header (seconds or an HTTP date). */
export function retryAfterMs(header: string | undefined, nowMs: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

export interface RateLimitPolicy {
  /** Longest total time to spend waiting for one request; past it the 429 goes to the caller. */
  maxWaitMs: number;
  /** Wait used when the server gives no Retry-After, doubled on every retry up to `maxBackoffMs`. */
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RATE_LIMIT_POLICY: RateLimitPolicy = {
  maxWaitMs: 5 * 60_000,
  initialBackoffMs: 1_000,
  maxBackoffMs: 15_000,
};

/**
 * Delay before the next attempt, or undefined when the budget is spent. A small margin is added to a
 * server-given wait so we do not arrive a few milliseconds early and get refused again.
 */
export function nextDelay(
  attempt: number,
  serverWaitMs: number | undefined,
  waitedMs: number,
  policy: RateLimitPolicy,
): number | undefined {
  const delay =
    serverWaitMs !== undefined
      ? serverWaitMs + 250
      : Math.min(policy.initialBackoffMs * 2 ** attempt, policy.maxBackoffMs);
  if (waitedMs + delay > policy.maxWaitMs) return undefined;
  return delay;
}
