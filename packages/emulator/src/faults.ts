import type { Prng } from './prng.js';

export type FaultKind =
  | 'status' // answer 500 / 502 / 503 instead of the real answer
  | 'reset' // close the connection without an answer
  | 'truncate' // send the headers and half the body, then close
  | 'malformed' // a 200 whose JSON body does not parse
  | 'rate-limit' // 429 with Retry-After
  | 'xml' // answer OCS routes in XML although JSON was asked for
  | 'html-login' // an HTML login page with 200, as a misconfigured proxy or SSO gateway sends
  | 'latency' // extra delay (ms)
  | 'cut-upload' // close the connection in the middle of a PUT body (a WebDAV upload or a chunk)
  | 'never-store-reply'; // chat replies / titles are generated but never stored (417 {task_status:3} forever)

export interface FaultRule {
  kind: FaultKind;
  /** operationId (e.g. `chattyllm-get-sessions`), a path prefix starting with `/`, or `*` (default). */
  route?: string;
  method?: string;
  /** Probability 0..1 (seeded PRNG); default 1. */
  rate?: number;
  /** Apply at most this many times, then the rule stays inert. */
  times?: number;
  /** For `status`: 500 (default), 502 or 503 (maintenance mode). */
  status?: 500 | 502 | 503;
  /** For `rate-limit`: seconds in Retry-After (default 1). */
  retryAfter?: number;
  /** For `latency`: added milliseconds. */
  ms?: number;
  /** For `cut-upload`: close after this many body bytes (default half the Content-Length); nothing is kept. */
  bytes?: number;
  /** For `status`, `reset`, `rate-limit`: handle the request first, then lose the answer. */
  after?: boolean;
}

const KINDS: FaultKind[] = [
  'status',
  'reset',
  'truncate',
  'malformed',
  'rate-limit',
  'xml',
  'html-login',
  'latency',
  'never-store-reply',
  'cut-upload',
];

interface ActiveRule extends FaultRule {
  used: number;
}

export function validateFaults(rules: unknown): FaultRule[] {
  if (!Array.isArray(rules))
    throw new TypeError(
      'faults must be an array of fault rules, e.g. [{"kind":"status","status":503,"rate":0.5}]',
    );
  return rules.map((r, i) => {
    const rule = r as FaultRule;
    if (!rule || typeof rule !== 'object' || !KINDS.includes(rule.kind)) {
      throw new TypeError(
        `faults[${i}].kind must be one of ${KINDS.join(', ')}; got ${JSON.stringify(rule?.kind)}`,
      );
    }
    if (rule.rate !== undefined && !(rule.rate >= 0 && rule.rate <= 1)) {
      throw new TypeError(`faults[${i}].rate must be between 0 and 1; got ${String(rule.rate)}`);
    }
    if (rule.status !== undefined && ![500, 502, 503].includes(rule.status)) {
      throw new TypeError(`faults[${i}].status must be 500, 502 or 503; got ${String(rule.status)}`);
    }
    if (rule.bytes !== undefined && !(Number.isInteger(rule.bytes) && rule.bytes >= 0)) {
      throw new TypeError(
        `faults[${i}].bytes must be a whole number of bytes >= 0; got ${String(rule.bytes)}`,
      );
    }
    if (rule.kind === 'latency' && !(Number(rule.ms) >= 0)) {
      throw new TypeError(`faults[${i}] of kind latency needs ms >= 0`);
    }
    return { ...rule };
  });
}

/** The active fault rules; `take` decides (seeded) whether a rule fires for a request. */
export class Faults {
  private rules: ActiveRule[] = [];

  constructor(private readonly prng: Prng) {}

  set(rules: FaultRule[]): void {
    this.rules = validateFaults(rules).map((r) => ({ ...r, used: 0 }));
  }

  add(rule: FaultRule): void {
    this.rules.push(...validateFaults([rule]).map((r) => ({ ...r, used: 0 })));
  }

  list(): FaultRule[] {
    return this.rules.map(({ used: _used, ...r }) => r);
  }

  /** First matching rule of one of `kinds` that fires, consuming one use. */
  take(
    kinds: FaultKind[],
    method: string,
    path: string,
    operationId: string | undefined,
  ): FaultRule | undefined {
    for (const rule of this.rules) {
      if (!kinds.includes(rule.kind)) continue;
      if (rule.times !== undefined && rule.used >= rule.times) continue;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (!matchesRoute(rule.route, path, operationId)) continue;
      if ((rule.rate ?? 1) < 1 && this.prng.next() >= (rule.rate ?? 1)) continue;
      rule.used++;
      return rule;
    }
    return undefined;
  }
}

function matchesRoute(route: string | undefined, path: string, operationId: string | undefined): boolean {
  if (!route || route === '*') return true;
  if (route.startsWith('/')) return path.startsWith(route);
  return route === operationId;
}
