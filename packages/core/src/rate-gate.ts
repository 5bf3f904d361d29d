// The client's rate-limit gate, per operation. Real servers answer 429 with an empty body and no
// Retry-After (recorded), and count every attempt they let through. So:
// - after a 429 every request of the operation waits; when the window reopens ONE request probes, and the
//   rest go only once it got through (otherwise a batch of 100 sends ~250 schedule requests, 150 refused);
// - for limits the server is known to enforce (RATE_LIMITS), the gate keeps count of what it sent and waits
//   for a free slot instead of being refused (our own attempts are a lower bound of the server's count).

/** Limits real servers enforce (docs/api-behaviour.md): attempts per window, per user or per client IP. */
export const RATE_LIMITS: Readonly<Record<string, { limit: number; windowMs: number }>> = {
  'task_processing_api-schedule': { limit: 20, windowMs: 120_000 },
  'assistant_api-get-notify-when-ready': { limit: 10, windowMs: 60_000 },
  'assistant_api-notify-when-ready': { limit: 10, windowMs: 60_000 },
  'assistant_api-cancel-notify-when-ready': { limit: 10, windowMs: 60_000 },
};

/** How often a waiting request looks again while a probe is on its way. */
const PROBE_POLL_MS = 50;
/**
 * A slot frees when the attempt leaves the server's window; we count from when its answer arrived, which is
 * after the server counted it (and real servers count in whole seconds, which only frees it earlier).
 */
const SLOT_MARGIN_MS = 50;

interface OperationGate {
  /** Until when (client clock) nothing is sent; 0 when open. */
  closedUntil: number;
  /** The gate was closed by a refusal: the first request after it is a probe. */
  probeNeeded: boolean;
  probing: boolean;
  inFlight: number;
  /** When our recent attempts were let through (client clock), oldest first. */
  passed: number[];
}

export interface GateDeps {
  now: () => number;
  /** Sleeps without outliving the caller's deadline or signal; throws when they end. */
  pause: (ms: number) => Promise<void>;
}

/** What a request holds while it is on its way; `settle` reports the answer. */
export interface GatePass {
  settle(outcome: 'passed' | 'refused' | 'unknown' | 'unsent', reopenInMs?: number): void;
}

export interface RateGate {
  /** Waits until the operation may be sent. */
  enter(operationId: string, deps: GateDeps): Promise<GatePass>;
  /** When (client clock) the gate of an operation opens again; 0 when open. */
  closedUntil(operationId: string): number;
}

export type RateLimits = Readonly<Record<string, { limit: number; windowMs: number }>>;

/** `limits`: what the server enforces, by operationId (default RATE_LIMITS). */
export function createRateGate(limits: RateLimits = RATE_LIMITS): RateGate {
  const gates = new Map<string, OperationGate>();
  const gateOf = (op: string) => {
    let g = gates.get(op);
    if (!g) {
      g = { closedUntil: 0, probeNeeded: false, probing: false, inFlight: 0, passed: [] };
      gates.set(op, g);
    }
    return g;
  };

  /**
   * With a known limit: when a slot is free for one more attempt (0: now). Our own attempts are a lower
   * bound of what the server counts for us, so waiting for a slot never holds back one it would take;
   * counted from the first attempt, so concurrent callers (a flow's messages, each its own batch) do
   * not send a window's worth too many before the first refusal.
   */
  const slotAt = (op: string, g: OperationGate, now: number): number => {
    const known = limits[op];
    if (!known) return 0;
    const inWindow = g.passed.filter((t) => t > now - known.windowMs - SLOT_MARGIN_MS);
    const used = inWindow.length + g.inFlight;
    if (used < known.limit) return 0;
    // The oldest attempt that must leave the window before one more fits.
    const oldest = inWindow[used - known.limit];
    return oldest === undefined ? now + PROBE_POLL_MS : oldest + known.windowMs + SLOT_MARGIN_MS;
  };

  return {
    closedUntil: (op) => gates.get(op)?.closedUntil ?? 0,
    async enter(op, deps) {
      const g = gateOf(op);
      let probe = false;
      for (;;) {
        const now = deps.now();
        const wait = Math.max(g.closedUntil, slotAt(op, g, now)) - now;
        if (wait > 0) {
          await deps.pause(wait);
          continue;
        }
        if (g.probing) {
          await deps.pause(PROBE_POLL_MS);
          continue;
        }
        if (g.probeNeeded) {
          g.probeNeeded = false;
          g.probing = true;
          probe = true;
        }
        break;
      }
      g.inFlight++;
      let settled = false;
      return {
        settle(outcome, reopenInMs) {
          if (settled) return;
          settled = true;
          g.inFlight--;
          if (probe) g.probing = false;
          const now = deps.now();
          if (outcome === 'unsent') {
            // Nothing reached the server: the next request probes instead.
            if (probe) g.probeNeeded = true;
            return;
          }
          if (outcome === 'refused') {
            g.probeNeeded = true;
            g.closedUntil = Math.max(g.closedUntil, now + (reopenInMs ?? 0), slotAt(op, g, now));
            return;
          }
          g.passed.push(now);
          const known = limits[op];
          const keep = known ? known.limit * 2 : 0;
          if (g.passed.length > keep) g.passed.splice(0, g.passed.length - keep);
          if (probe && outcome === 'passed') g.closedUntil = 0;
        },
      };
    },
  };
}
