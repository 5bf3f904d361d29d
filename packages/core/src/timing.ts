// What a client learns about a server's task timing from the tasks it saw finish: how long a task waits to
// be picked up and how long it runs, per task type. Real servers' `completionExpectedAt` ignores the pickup
// (cron or a worker), so waits plan their checks from this instead. Timestamps are whole seconds; the
// estimates are trimmed means of recent samples, which the rounding does not bias.
import type { Task } from './types.js';
import { TaskStatus, isFinished } from './task-status.js';

/** Recent samples kept per task type. */
export const TIMING_SAMPLES = 10;
/** Task types kept per server; the one seen least recently is dropped first. */
export const TIMING_TYPES = 32;
const MAX_SECONDS = 7 * 24 * 3600;

export interface TypeTiming {
  /** Recent pickup delays (s): start minus schedule, or minus the previous end while the worker was busy. */
  pickup: number[];
  /** Recent run times (s): end minus start. */
  run: number[];
  /** Two tasks of this type were seen running at the same time: the server does not run them one by one. */
  parallel: boolean;
  /** Start and end (unix s) of the latest task seen, for queue-adjusted pickups and `parallel`. */
  last: [start: number, end: number] | null;
  /** When (unix s) this type was last learned from. */
  at: number;
  /** Recent starts (unix s) of tasks that waited for a pickup: cron runs show up as a period. */
  ticks?: number[];
  /**
   * Recent starts (unix s) of tasks picked up at once (not queued behind another): a cron can start a
   * task only at one of its runs, so one of these off the runs' grid proves there is no such grid (long
   * pickups then came from something else, e.g. a batch paced by the rate limit).
   */
  quick?: number[];
  /** Pickups (s) of those tasks: how long a free worker took to take a task (the queue's first). */
  idle?: number[];
  /**
   * Where in its (whole) second a task of this type ends, on the client's clock: [lo, hi] ms past the
   * second `endedAt` names, narrowed by every wait whose reads bracketed an end, and how many did.
   */
  phase?: [lo: number, hi: number, count: number];
}

/** The learned state: small, JSON-safe, for a host to store and give back (`client.timing.import`). */
export interface TimingState {
  version: 1;
  /** The server root it was learned from; a state of another server is not used. */
  server: string;
  types: Record<string, TypeTiming>;
}

export interface TimingEstimate {
  /** Expected wait for pickup, when a worker is free (ms). */
  pickupMs: number;
  /** Expected run time (ms). */
  runMs: number;
  /** Spread of the pickups seen (ms): how far one may be off the expectation. */
  pickupSpreadMs: number;
  /**
   * The longest a free worker took to pick a task up (ms), among recent tasks that had none ahead of them
   * and did not wait for a pickup run; absent before one was seen.
   */
  freePickupMs?: number;
  /** Whether tasks of this type run at the same time (otherwise one after the other). */
  parallel: boolean;
  samples: number;
  /** Pickups come at fixed ticks (cron): every `periodMs`, one of them at `tickMs` (client clock, ms). */
  pickupTicks?: { periodMs: number; tickMs: number };
  /**
   * Tasks of this type waited for pickup runs (a start seconds after scheduling, the tasks behind it
   * following at once), even where their period is not known yet: a wait checks on a rhythm of the run
   * time instead of backing off.
   */
  pickupRuns?: boolean;
  /**
   * Tasks of this type end at one sub-second phase (the server's worker and cron ticks do, with run times
   * of whole seconds): ms past the second a task's `endedAt` names, on the client's clock, between
   * `loMs` and `hiMs`. Present once two waits agreed on it.
   */
  endPhase?: { loMs: number; hiMs: number };
}

export interface Timing {
  /** Learns from a finished task (once per task id); ignores tasks without full timestamps. */
  learn(task: Task): void;
  /**
   * A reading of a task sent at `sentAt` and answered at `gotAt` (client clock, ms): the reads of one wait
   * bracket its end finer than the server's whole seconds (learned as the type's `endPhase`).
   */
  observe(task: Task, sentAt: number, gotAt: number): void;
  /**
   * Whether a wait may spend a read at `at` (client ms) to narrow this type's end phase: one probe per
   * type every few seconds, so the waits of a batch do not each pay for what one finds for all.
   */
  mayProbe(taskType: string, at: number): boolean;
  /** What is known about a task type, or undefined before the first task of it finished. */
  estimate(taskType: string): TimingEstimate | undefined;
  /** A copy of what was learned, for the host to store. */
  export(): TimingState;
  /** Takes back a stored state (merged, newest wins); a state of another server or in an unknown form is ignored. */
  import(state: unknown): void;
}

function isSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function trimmedMean(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const kept = sorted.length >= 5 ? sorted.slice(1, -1) : sorted;
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}

/**
 * A pickup this long or longer was a wait for a pickup run, not a busy worker's next task (a worker that
 * looks every 2 s shows pickups of up to 2 s in whole-second timestamps).
 */
const TICK_MIN_PICKUP_S = 3;
/** A pickup this long shows runs further apart than a worker's polling (which picks up within ~2 s). */
const RUN_MIN_PICKUP_S = 4;

/**
 * The period of pickup runs, when the starts that waited for one fall on a grid (cron): the smallest gap
 * between them that every gap is a multiple of (within the timestamps' one second).
 */
function tickPeriod(
  ticks: readonly number[],
  longestPickup: number,
  quick: readonly number[] = [],
): number | undefined {
  const period = gridPeriod(ticks, longestPickup);
  if (period === undefined) return undefined;
  const anchor = Math.max(...ticks);
  const onGrid = (t: number) => {
    const off = (((t - anchor) % period) + period) % period;
    return off <= 1 || period - off <= 1;
  };
  return quick.every(onGrid) ? period : undefined;
}

function gridPeriod(ticks: readonly number[], longestPickup: number): number | undefined {
  const sorted = [...new Set(ticks)].sort((a, b) => a - b);
  if (sorted.length < 2) return undefined;
  if (sorted.length === 2) {
    // Two runs: their gap is a whole number of periods, and no period is shorter than the longest wait
    // for a run. So the gap is the period when half of it would be shorter than that wait (one second
    // of slack for each rounded timestamp); otherwise it stays unknown (waits check on a rhythm).
    const gap = sorted[1]! - sorted[0]!;
    const proven = longestPickup >= RUN_MIN_PICKUP_S && gap / 2 < longestPickup - 2;
    return proven && gap >= 2 * TICK_MIN_PICKUP_S ? gap : undefined;
  }
  const gaps = sorted.slice(1).map((t, i) => t - sorted[i]!);
  const period = Math.min(...gaps);
  if (period < 2 * TICK_MIN_PICKUP_S) return undefined;
  const onGrid = gaps.every((g) => {
    const k = Math.round(g / period);
    return Math.abs(g - k * period) <= 1;
  });
  return onGrid ? period : undefined;
}

/** How far (ms) a type's end phase may wander between two tasks (timers, load) and still count as one. */
const PHASE_SLACK_MS = 15;
/** Probes of one type's end phase are at least this far apart. */
const PROBE_SPACING_MS = 10_000;
/** A phase bracket wider than this says too little to plan by. */
const PHASE_USEFUL_MS = 700;

/**
 * Narrows a type's phase bracket by one task's [lo, hi] (ms past its second). Phases are circular (an end at
 * 990 ms and one at 5 ms of the next second are 15 ms apart), so the new bracket is shifted by a second
 * where that makes it meet the known one; when they do not meet, the phase moved (or never was one) and
 * the new bracket starts over.
 */
function mergePhase(known: TypeTiming['phase'], lo: number, hi: number): [number, number, number] {
  if (!known) return [lo, hi, 1];
  const [klo, khi, count] = known;
  // strictly first; with a little slack only where the phase wandered (the bracket then widens that much)
  for (const slack of [0, PHASE_SLACK_MS]) {
    for (const shift of [0, -1000, 1000]) {
      const a = Math.max(klo - slack, lo + shift);
      const b = Math.min(khi + slack, hi + shift);
      if (a > b) continue;
      // kept within (-1000, 2000): a bracket drifting by whole seconds is the same phase
      const back = a >= 1000 ? -1000 : b < 0 ? 1000 : 0;
      return [a + back, b + back, count + 1];
    }
  }
  return [lo, hi, 1];
}

function readPhase(value: unknown): TypeTiming['phase'] {
  if (!Array.isArray(value) || value.length !== 3) return undefined;
  const [lo, hi, count] = value as unknown[];
  const ms = (v: unknown): v is number =>
    typeof v === 'number' && Number.isFinite(v) && v > -1000 && v < 2000;
  if (!ms(lo) || !ms(hi) || lo > hi || !(typeof count === 'number' && Number.isInteger(count) && count >= 1))
    return undefined;
  return [lo, hi, Math.min(count, 1000)];
}

function samples(value: unknown): number[] | undefined {
  if (!Array.isArray(value) || !value.every((v) => isSeconds(v) && v <= MAX_SECONDS)) return undefined;
  return value.slice(-TIMING_SAMPLES);
}

/** One stored type entry, checked field by field (host storage may hold anything). */
function readType(raw: unknown): TypeTiming | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const pickup = samples(r.pickup);
  const run = samples(r.run);
  if (!pickup || !run || !isSeconds(r.at)) return undefined;
  const last =
    Array.isArray(r.last) && r.last.length === 2 && r.last.every(isSeconds)
      ? ([r.last[0], r.last[1]] as [number, number])
      : null;
  // moments (unix s), not durations
  const moments = (v: unknown) =>
    Array.isArray(v) && v.every(isSeconds) ? (v as number[]).slice(-TIMING_SAMPLES) : [];
  const ticks = moments(r.ticks);
  const quick = moments(r.quick);
  const idle = samples(r.idle)?.filter((v) => v < TICK_MIN_PICKUP_S) ?? [];
  const phase = readPhase(r.phase);
  return {
    pickup,
    run,
    parallel: r.parallel === true,
    last,
    at: r.at,
    ...(ticks.length ? { ticks } : {}),
    ...(quick.length ? { quick } : {}),
    ...(idle.length ? { idle } : {}),
    ...(phase ? { phase } : {}),
  };
}

export function createTiming(server: string): Timing {
  const types = new Map<string, TypeTiming>();
  const learned = new Set<number>();
  /** Recent ends per type (unix s), kept in memory only. */
  const recentEnds = new Map<string, number[]>();
  /** Per task being read: when the latest reading that found it not yet finished was sent (client ms). */
  const unfinishedAt = new Map<number, number>();
  /** When each type's latest probe was planned for (client ms), in memory only. */
  const probes = new Map<string, number>();
  /** Phase brackets of types not learned yet (a wait reads its task finished before it learns from it). */
  const early = new Map<string, [number, number, number]>();

  const keepBounded = () => {
    while (types.size > TIMING_TYPES) {
      let oldest: string | undefined;
      for (const [key, entry] of types)
        if (oldest === undefined || entry.at < types.get(oldest)!.at) oldest = key;
      types.delete(oldest!);
    }
  };

  return {
    learn(task) {
      const { scheduledAt, startedAt, endedAt } = task;
      if (task.status !== TaskStatus.Successful || typeof task.type !== 'string') return;
      if (!isSeconds(scheduledAt) || !isSeconds(startedAt) || !isSeconds(endedAt)) return;
      if (startedAt < scheduledAt || endedAt < startedAt || endedAt - scheduledAt > MAX_SECONDS) return;
      if (learned.has(task.id)) return;
      learned.add(task.id);
      if (learned.size > 1000) learned.delete(learned.values().next().value!);
      const entry = types.get(task.type) ?? { pickup: [], run: [], parallel: false, last: null, at: 0 };
      const phase = early.get(task.type);
      if (phase && !entry.phase) entry.phase = phase;
      early.delete(task.type);
      if (entry.last) {
        const [start, end] = entry.last;
        // Whole seconds: a strict overlap both ways proves both ran at once.
        if (start < endedAt && startedAt < end) entry.parallel = true;
      }
      // A task queued behind another waited for the worker, not for the pickup: count from that end
      // (the latest end seen up to its start: tasks of one round may be learned in any order).
      const seen = recentEnds.get(task.type) ?? [];
      if (entry.last) seen.push(entry.last[1]);
      const before = seen.filter((e) => e <= startedAt);
      const busyUntil = before.length && !entry.parallel ? Math.max(...before) : undefined;
      recentEnds.set(task.type, [...seen, endedAt].slice(-TIMING_SAMPLES * 2));
      const readyAt =
        busyUntil !== undefined && busyUntil > scheduledAt && busyUntil <= startedAt
          ? busyUntil
          : scheduledAt;
      entry.pickup = [...entry.pickup, startedAt - readyAt].slice(-TIMING_SAMPLES);
      if (startedAt - readyAt >= TICK_MIN_PICKUP_S) {
        entry.ticks = [...(entry.ticks ?? []), startedAt].slice(-TIMING_SAMPLES);
      } else if (readyAt === scheduledAt) {
        entry.quick = [...(entry.quick ?? []), startedAt].slice(-TIMING_SAMPLES);
        entry.idle = [...(entry.idle ?? []), startedAt - scheduledAt].slice(-TIMING_SAMPLES);
      }
      entry.run = [...entry.run, endedAt - startedAt].slice(-TIMING_SAMPLES);
      if (!entry.last || endedAt >= entry.last[1]) entry.last = [startedAt, endedAt];
      entry.at = Math.max(entry.at, endedAt);
      types.delete(task.type);
      types.set(task.type, entry);
      keepBounded();
    },
    observe(task, sentAt, gotAt) {
      if (!Number.isFinite(sentAt) || !Number.isFinite(gotAt) || gotAt < sentAt) return;
      if (!isFinished(task.status)) {
        unfinishedAt.set(task.id, Math.max(unfinishedAt.get(task.id) ?? sentAt, sentAt));
        if (unfinishedAt.size > 1000) unfinishedAt.delete(unfinishedAt.keys().next().value!);
        return;
      }
      const before = unfinishedAt.get(task.id);
      unfinishedAt.delete(task.id);
      if (task.status !== TaskStatus.Successful || typeof task.type !== 'string') return;
      if (!isSeconds(task.endedAt)) return;
      const second = task.endedAt * 1000;
      // The end lies after the last reading that found the task running and before this answer, and
      // within the second `endedAt` names. An answer before that second: the clocks differ, no phase.
      if (gotAt < second) return;
      const lo = before === undefined ? 0 : Math.max(0, before - second);
      const hi = Math.min(1000, gotAt - second);
      if (lo > hi || hi - lo >= 1000) return;
      const entry = types.get(task.type);
      if (!entry) {
        // learn() creates the entry; this keeps the bracket until it does
        if (early.has(task.type) || early.size < TIMING_TYPES)
          early.set(task.type, mergePhase(early.get(task.type), lo, hi));
        return;
      }
      entry.phase = mergePhase(entry.phase, lo, hi);
    },
    mayProbe(taskType, at) {
      const last = probes.get(taskType);
      if (last !== undefined && Math.abs(at - last) < PROBE_SPACING_MS) return false;
      probes.set(taskType, at);
      if (probes.size > TIMING_TYPES) probes.delete(probes.keys().next().value!);
      return true;
    },
    estimate(taskType) {
      const entry = types.get(taskType);
      if (!entry || entry.run.length === 0) return undefined;
      const longest = Math.max(...entry.pickup);
      const period = entry.ticks ? tickPeriod(entry.ticks, longest, entry.quick) : undefined;
      return {
        ...(period
          ? { pickupTicks: { periodMs: period * 1000, tickMs: Math.max(...entry.ticks!) * 1000 } }
          : {}),
        ...(entry.ticks && longest >= RUN_MIN_PICKUP_S ? { pickupRuns: true } : {}),
        pickupMs: trimmedMean(entry.pickup) * 1000,
        runMs: trimmedMean(entry.run) * 1000,
        pickupSpreadMs: (Math.max(...entry.pickup) - Math.min(...entry.pickup)) * 1000,
        ...(entry.idle?.length ? { freePickupMs: Math.max(...entry.idle) * 1000 } : {}),
        ...(entry.phase && entry.phase[2] >= 2 && entry.phase[1] - entry.phase[0] <= PHASE_USEFUL_MS
          ? { endPhase: { loMs: entry.phase[0], hiMs: entry.phase[1] } }
          : {}),
        parallel: entry.parallel,
        samples: entry.run.length,
      };
    },
    export() {
      const out: Record<string, TypeTiming> = {};
      for (const [key, e] of types) {
        out[key] = {
          pickup: [...e.pickup],
          run: [...e.run],
          parallel: e.parallel,
          last: e.last && [...e.last],
          at: e.at,
          ...(e.ticks ? { ticks: [...e.ticks] } : {}),
          ...(e.quick ? { quick: [...e.quick] } : {}),
          ...(e.idle ? { idle: [...e.idle] } : {}),
          ...(e.phase ? { phase: [...e.phase] } : {}),
        };
      }
      return { version: 1, server, types: out };
    },
    import(state) {
      if (!state || typeof state !== 'object') return;
      const s = state as Partial<TimingState>;
      if (s.version !== 1 || s.server !== server || !s.types || typeof s.types !== 'object') return;
      for (const [key, raw] of Object.entries(s.types).slice(0, TIMING_TYPES * 2)) {
        const entry = readType(raw);
        if (!entry || key.length > 200) continue;
        const current = types.get(key);
        if (current && current.at >= entry.at) continue;
        types.set(key, entry);
      }
      keepBounded();
    },
  };
}
