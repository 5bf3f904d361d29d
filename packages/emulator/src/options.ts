import type { FaultRule } from './faults.js';

export interface EmulatorUser {
  user: string;
  /** App password (Basic auth with the login name, or as a Bearer token). */
  appPassword: string;
  /** Login password; real servers accept it over Basic auth too. Defaults to `<user>-login`. */
  password?: string;
}

export interface ProviderTiming {
  /** Time until a worker picks the task up (scheduled → running). */
  pickupMs: number;
  /** Time the provider runs (running → successful / failed). */
  runMs: number;
  /** Make every task of this type fail; a string becomes the error message. */
  fail?: boolean | string;
  /**
   * What `completionExpectedAt` tells clients: `accurate` (default) the real end (pickup + run, rounded up
   * to the second like real servers), `none` null (providers that give no estimate).
   */
  eta?: 'accurate' | 'none';
  /** Added to the announced end, in ms, to rehearse providers whose estimate is wrong (negative: too early). */
  etaErrorMs?: number;
  /**
   * Stop this type's worker: tasks stay scheduled (or running) however long they wait. Setting it back to
   * false lets the held tasks move on at once, so tests can look at each phase without racing a timer.
   */
  paused?: boolean;
}

export interface RateLimit {
  limit: number;
  windowMs: number;
}

export interface ChatOptions {
  /** Delay between a successful chat/title task and the listener storing its result (417 {task_status:3} meanwhile). */
  storeDelayMs?: number;
  /** A scheduled task counts as `slow_pickup` after this long (real servers: 5 minutes). */
  slowPickupMs?: number;
}

/**
 * How background jobs pick tasks up (realistic profile): one serial worker per task type that looks for work
 * every `pollMs` and, once busy, takes the next task the moment one ends (`occ taskprocessing:worker`), or
 * cron every `intervalMs` running each type's queue one task after the other.
 */
export type PickupMode = { mode: 'worker'; pollMs?: number } | { mode: 'cron'; intervalMs?: number };

/** Assistant app versions the emulator can act as, each serving the routes and shapes of its spec file. */
export type AssistantVersion = '2.13' | '3.5' | '4.0';
export const ASSISTANT_VERSIONS: readonly AssistantVersion[] = ['2.13', '3.5', '4.0'];

export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. */
  port?: number;
  /** Only loopback addresses are allowed: 127.0.0.1 (default), ::1 or localhost. */
  host?: string;
  users?: { user: string; appPassword?: string; password?: string }[];
  /** Added latency for every API response, in ms (a number, or a range picked from with the seeded PRNG). */
  latency?: number | { min: number; max: number };
  faults?: FaultRule[];
  /** Seed for every random choice (faults, tokens, generated app passwords). */
  seed?: number;
  /** Keep file bodies in this directory instead of memory (uploads stream straight to disk). */
  dataDir?: string;
  rateLimit?: { schedule?: RateLimit; notify?: RateLimit };
  /** Per task type timings; `default` applies to types not listed. */
  providers?: Record<string, Partial<ProviderTiming>>;
  chat?: ChatOptions;
  /**
   * Which assistant app version to act as (default 2.13): its spec's routes and answer shapes, and the
   * Nextcloud version it runs on (2.13 → 31, 3.5 → 33, 4.0 → 35) with that version's TaskProcessing.
   */
  assistant?: AssistantVersion;
  /** The Nextcloud version to report (and whose TaskProcessing features to offer); default per `assistant`. */
  nextcloud?: string;
  /** Install the context agent: chat replies come from `core:contextagent:interaction`, with agency actions. */
  contextAgent?: boolean;
  /**
   * `idealised` (default): every task picked up `pickupMs` after scheduling, all at once. `realistic`: as the
   * measured server (docs/api-behaviour.md, "Waiting, batches and workers"): serial pickup (`pickup`, default
   * a worker polling every second), tasks of one type run one after the other (1 s each unless `providers`
   * say otherwise), `completionExpectedAt` without the pickup delay, the real rate limits.
   */
  profile?: 'idealised' | 'realistic';
  /** Pickup for the realistic profile (also turns serial pickup on in the idealised one). */
  pickup?: PickupMode;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export const DEFAULT_TIMING: ProviderTiming = { pickupMs: 50, runMs: 100 };
export const DEFAULT_SCHEDULE_LIMIT: RateLimit = { limit: 20, windowMs: 120_000 };
export const DEFAULT_NOTIFY_LIMIT: RateLimit = { limit: 10, windowMs: 60_000 };
export const DEFAULT_SLOW_PICKUP_MS = 5 * 60_000;
export const DEFAULT_STORE_DELAY_MS = 25;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Throws a clear error for options that cannot work, naming the option and how to fix it. */
export function validateOptions(options: EmulatorOptions): void {
  const fail = (msg: string): never => {
    throw new TypeError(`startEmulator: ${msg}`);
  };
  if (options.host !== undefined && !LOOPBACK.has(options.host)) {
    fail(`host "${options.host}" is not a loopback address; use 127.0.0.1, ::1 or localhost`);
  }
  if (
    options.port !== undefined &&
    (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
  ) {
    fail(`port must be an integer 0..65535 (0 picks a free port), got ${String(options.port)}`);
  }
  for (const u of options.users ?? []) {
    if (!u.user || !/^[A-Za-z0-9_.@-]+$/.test(u.user)) {
      fail(`user name "${u.user}" is invalid; use letters, digits and _ . @ -`);
    }
  }
  const names = (options.users ?? []).map((u) => u.user);
  if (new Set(names).size !== names.length) fail('users contains the same user name twice');
  for (const [type, t] of Object.entries(options.providers ?? {})) {
    for (const key of ['pickupMs', 'runMs'] as const) {
      const v = t[key];
      if (v !== undefined && (!Number.isFinite(v) || v < 0)) {
        fail(`providers["${type}"].${key} must be a number of milliseconds >= 0, got ${String(v)}`);
      }
    }
    if (t.eta !== undefined && t.eta !== 'accurate' && t.eta !== 'none') {
      fail(`providers["${type}"].eta must be "accurate" or "none", got ${JSON.stringify(t.eta)}`);
    }
    if (t.paused !== undefined && typeof t.paused !== 'boolean') {
      fail(`providers["${type}"].paused must be true or false, got ${JSON.stringify(t.paused)}`);
    }
    if (t.etaErrorMs !== undefined && !Number.isFinite(t.etaErrorMs)) {
      fail(`providers["${type}"].etaErrorMs must be a number of milliseconds, got ${String(t.etaErrorMs)}`);
    }
  }
  for (const [name, rl] of Object.entries(options.rateLimit ?? {})) {
    if (rl && (!(rl.limit > 0) || !(rl.windowMs > 0))) {
      fail(`rateLimit.${name} needs a positive limit and windowMs, got ${JSON.stringify(rl)}`);
    }
  }
  if (options.profile !== undefined && options.profile !== 'idealised' && options.profile !== 'realistic') {
    fail(`profile must be "idealised" or "realistic", got ${JSON.stringify(options.profile)}`);
  }
  if (options.pickup !== undefined) {
    const p = options.pickup;
    const ms = p.mode === 'worker' ? p.pollMs : p.mode === 'cron' ? p.intervalMs : undefined;
    if (p.mode !== 'worker' && p.mode !== 'cron') {
      fail(`pickup.mode must be "worker" or "cron", got ${JSON.stringify((p as { mode?: unknown }).mode)}`);
    }
    if (ms !== undefined && !(Number.isFinite(ms) && ms > 0)) {
      fail(
        `pickup.${p.mode === 'worker' ? 'pollMs' : 'intervalMs'} must be a number of milliseconds > 0, got ${String(ms)}`,
      );
    }
  }
  if (options.assistant !== undefined && !ASSISTANT_VERSIONS.includes(options.assistant)) {
    fail(
      `assistant must be one of ${ASSISTANT_VERSIONS.join(', ')}, got ${JSON.stringify(options.assistant)}`,
    );
  }
  if (options.nextcloud !== undefined && !/^\d+\.\d+\.\d+$/.test(options.nextcloud)) {
    fail(`nextcloud must be a version like 33.0.2, got ${JSON.stringify(options.nextcloud)}`);
  }
  if (options.tls && (!options.tls.key || !options.tls.cert)) fail('tls needs both key and cert (PEM)');
}
