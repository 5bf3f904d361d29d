// Waiting for a task: the first check goes near the end the client learned for this task type on this
// server (pickup + run time, client.timing), then a short back-off; progress, when the provider reports
// it, gives the end on our own clock. `completionExpectedAt` is only a lower bound until something was
// learned (real servers leave the pickup out of it). Bounded by a timeout, cancellable through an
// AbortSignal, and reporting "waiting for pickup" apart from "running".
import { AssistantError, badInput, scrubError } from './errors.js';
import { TaskStatus, isFinished } from './task-status.js';
import type { TaskChecks } from './task-checks.js';
import type { TimingEstimate, Timing } from './timing.js';
import type { Sleep } from './transport.js';
import type { Task } from './types.js';

/** Real servers pick tasks up within seconds (workers) to ~5 minutes (cron); past that it is "slow pickup". */
export const SLOW_PICKUP_MS = 5 * 60_000;
export const DEFAULT_WAIT_TIMEOUT_MS = 15 * 60_000;

export type WaitPhase = 'scheduled' | 'running' | 'done';

export interface WaitProgress {
  phase: WaitPhase;
  taskId: number;
  status: string;
  /** 0..1 while running, when the provider reports it. */
  progress: number | null;
  /** Still waiting for a worker to pick the task up after 5 minutes. */
  slowPickup: boolean;
  task: Task;
}

export interface WaitOptions {
  /** Give up after this long (default 15 minutes). The task keeps running on the server. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: WaitProgress) => void;
}

const FIRST_CHECK_MS = 400;
const BACKOFF_FACTOR = 1.8;
const AFTER_ETA_MS = 150;
const MIN_DELAY_MS = 200;
const MAX_RUNNING_DELAY_MS = 5_000;
const MAX_PICKUP_DELAY_MS = 15_000;
/** The shortest check rhythm while a task waits for a pickup run (cron). */
const RUN_RHYTHM_MIN_MS = 2_000;
/** Past the learned end: a short back-off, growing slowly. */
const OVERDUE_FIRST_MS = 400;
const OVERDUE_FACTOR = 1.5;
/** Timestamps are whole seconds (floored): the moment they name lies half a second later on average. */
const HALF_SECOND_MS = 500;
/** Past the latest moment a learned end phase allows (the bracket's top already includes a read's trip). */
const AFTER_PHASE_MS = 40;
/** A learned end phase wider than this is worth a probe (a check in its middle). */
export const PROBE_PHASE_MS = 100;

/** An earlier reading of the task's progress, timed with our own clock (finer than the server's seconds). */
export interface ProgressReading {
  at: number;
  progress: number;
}

/** What the client knows about a task beyond the task itself, for planning checks. */
export interface CheckHints {
  /** What was learned about this task type on this server (client.timing). */
  learned?: TimingEstimate;
  /** Expected end (ms) of the task ahead of this one in the same type's queue, when the server runs one at a time. */
  aheadEnd?: number;
  /** The second (`endedAt`) the task ahead of this one in its queue ended, once it did. */
  aheadEndedAt?: number;
  /** When the task was scheduled on the client's clock (finer than the server's whole seconds), if known. */
  scheduledMs?: number;
  /**
   * This wait may spend a read to narrow the learned end phase: while the phase is known only roughly,
   * check once in the middle of where the end can be (either answer halves it, for every later task).
   */
  probe?: boolean;
  /** Another wait is queued behind this task (same type, run one at a time). */
  queuedBehind?: boolean;
  /** When (client ms) the wait last read the task: an expected end after it has not been looked at yet. */
  readAt?: number;
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}

/**
 * When (ms, client clock) a task is expected to end, from what was learned about its type, or undefined
 * when nothing was. `completionExpectedAt` alone is not used: real servers leave the pickup out of it.
 */
export function expectedEnd(task: Task, hints: CheckHints = {}): number | undefined {
  const { learned } = hints;
  // A finished task ahead ended within its `endedAt` second, at this type's phase when that is known.
  const aheadEnd =
    hints.aheadEndedAt !== undefined
      ? hints.aheadEndedAt * 1000 + (learned?.endPhase?.hiMs ?? HALF_SECOND_MS)
      : hints.aheadEnd;
  const guessRun =
    typeof task.completionExpectedAt === 'number' && typeof task.scheduledAt === 'number'
      ? Math.max(0, task.completionExpectedAt - task.scheduledAt) * 1000
      : undefined;
  const runMs = learned?.runMs ?? guessRun;
  if (runMs === undefined) return undefined;
  if (task.status === TaskStatus.Running && typeof task.startedAt === 'number') {
    return learned ? onPhase(task.startedAt * 1000 + HALF_SECOND_MS + runMs, learned) : undefined;
  }
  if (task.status !== TaskStatus.Scheduled || typeof task.scheduledAt !== 'number') return undefined;
  const scheduled = hints.scheduledMs ?? task.scheduledAt * 1000 + HALF_SECOND_MS;
  const ticks = learned?.pickupTicks;
  // Cron: the next pickup run after scheduling; otherwise the usual pickup delay. The first of a queue of
  // tasks that run shorter than a free worker may take to pick one up is checked past the longest such
  // pickup: an earlier read would mostly find it not started or running and cost a second one, most of
  // what such tasks take; that read also shows the tasks behind it (a lone task keeps its early check).
  const free = learned?.freePickupMs;
  const late =
    free !== undefined &&
    hints.queuedBehind === true &&
    !ticks &&
    !learned!.pickupRuns &&
    aheadEnd === undefined &&
    learned!.runMs < free;
  const start = ticks
    ? ticks.tickMs + Math.ceil((scheduled - ticks.tickMs) / ticks.periodMs) * ticks.periodMs + HALF_SECOND_MS
    : learned
      ? scheduled + (late ? free : learned.pickupMs)
      : undefined;
  const own = start !== undefined ? start + runMs : undefined;
  // Queued behind the task ahead only where tasks of this type were seen running one at a time.
  const serial = learned !== undefined && !learned.parallel && learned.samples >= 2;
  const queued = aheadEnd !== undefined && serial ? aheadEnd + runMs : undefined;
  if (own === undefined) return queued === undefined ? undefined : onPhase(queued, learned);
  return onPhase(queued === undefined ? own : Math.max(own, queued), learned);
}

/**
 * An expected end moved to the latest moment of the nearest second at which this type's tasks end, when
 * that phase was learned: the plan is then off by whole seconds or not at all, instead of by up to half
 * a second on every task.
 */
function onPhase(end: number, learned: TimingEstimate | undefined): number {
  const phase = learned?.endPhase;
  if (!phase) return end;
  const second = Math.round((end - (phase.loMs + phase.hiMs) / 2) / 1000);
  return second * 1000 + phase.hiMs;
}

/** The first moment at or after `at` at which a task of this type can be seen ended (learned phase). */
function nextOnPhase(at: number, phase: { hiMs: number }): number {
  return Math.ceil((at - phase.hiMs) / 1000) * 1000 + phase.hiMs;
}

/**
 * Milliseconds until the next check, from what the task says, what was learned about its type, and how
 * many checks found it unchanged (`misses`, counted since its status last changed). `earlier` is a previous
 * progress reading: two readings give the provider's speed on our own clock.
 */
export function nextDelay(
  task: Task,
  now: number,
  misses: number,
  earlier?: ProgressReading,
  hints: CheckHints = {},
): number {
  const backoff = (cap: number) => Math.min(cap, FIRST_CHECK_MS * BACKOFF_FACTOR ** misses);
  const progress = task.progress ?? 0;
  const running = task.status === TaskStatus.Running;
  let remaining: number | undefined;
  const advancing = running && progress > 0 && progress < 1;
  let byProgress: number | undefined;
  // Providers report in steps (e.g. half-way): the server stamps the step's moment as `lastUpdated`, and
  // the speed since the start gives the end. Counting from when we read it would stretch a stale step.
  const updated = task.lastUpdated;
  const steppedAt =
    advancing &&
    typeof task.startedAt === 'number' &&
    typeof updated === 'number' &&
    updated > task.startedAt &&
    updated * 1000 <= now + 1000
      ? updated * 1000 + HALF_SECOND_MS
      : undefined;
  if (steppedAt !== undefined) {
    const elapsed = steppedAt - (task.startedAt! * 1000 + HALF_SECOND_MS);
    byProgress = Math.max(0, steppedAt + (elapsed * (1 - progress)) / progress - now);
  } else if (advancing && earlier && progress > earlier.progress && now > earlier.at) {
    byProgress = ((1 - progress) * (now - earlier.at)) / (progress - earlier.progress);
  } else if (advancing && progress >= 0.05 && task.startedAt) {
    const elapsed = Math.max(0, now - task.startedAt * 1000);
    byProgress = (elapsed * (1 - progress)) / progress;
  }
  const end = expectedEnd(task, hints);
  const { learned } = hints;
  const phase = learned?.endPhase;
  const afterEnd = phase ? AFTER_PHASE_MS : AFTER_ETA_MS;
  // Past the learned end: the back-off's next check, moved to when an end of this type can be seen.
  const overdue = () => {
    const delay = overdueDelay();
    return phase ? nextOnPhase(now + delay, phase) + AFTER_PHASE_MS - now : delay;
  };
  const overdueDelay = () => {
    const short = (cap: number) => clamp(OVERDUE_FIRST_MS * OVERDUE_FACTOR ** misses, MIN_DELAY_MS, cap);
    if (running) return short(clamp((learned?.runMs ?? 0) / 4, 1_000, MAX_RUNNING_DELAY_MS));
    if (!learned?.pickupRuns && !learned?.pickupTicks) {
      return short(clamp((learned?.pickupSpreadMs ?? 0) / 4, 1_000, MAX_PICKUP_DELAY_MS));
    }
    // Waiting for a pickup run: once it comes, the queue runs one task after the other, so a check
    // about every run time sees the first of them running and plans the rest (instead of a back-off
    // that lets the whole queue finish unseen). On a grid of the clock, so the waits of a batch check
    // together (one list request per round).
    const rhythm = clamp(learned.runMs, RUN_RHYTHM_MIN_MS, MAX_PICKUP_DELAY_MS);
    const onGrid = rhythm - (now % rhythm);
    const grid = onGrid < MIN_DELAY_MS ? onGrid + rhythm : onGrid;
    const ticks = learned.pickupTicks;
    if (ticks) {
      // Well past a run that did not take it (skipped or late cron): sleep until the next one.
      const sinceTick = (((now - ticks.tickMs) % ticks.periodMs) + ticks.periodMs) % ticks.periodMs;
      if (sinceTick > 3 * rhythm + HALF_SECOND_MS && ticks.periodMs > 6 * rhythm) {
        return ticks.periodMs - sinceTick + HALF_SECOND_MS + afterEnd;
      }
    }
    return grid;
  };
  if (end !== undefined) {
    // What was seen of this server wins over a provider's progress, which can be coarse or stale: check
    // at the learned end when it comes first, and past it no later than the short back-off.
    const width = phase ? phase.hiMs - phase.loMs : 0;
    const probeAt = end - width / 2;
    if (
      hints.probe &&
      width > PROBE_PHASE_MS &&
      probeAt - now >= MIN_DELAY_MS &&
      !(byProgress! < probeAt - now)
    )
      return probeAt - now;
    if (end > now) remaining = byProgress === undefined ? end - now : Math.min(byProgress, end - now);
    // an end that passed unseen (the plan moved there, e.g. the task ahead turned out to end earlier): look now
    else if (hints.readAt !== undefined && hints.readAt < end) return 0;
    else
      return byProgress === undefined ? overdue() : Math.max(MIN_DELAY_MS, Math.min(byProgress, overdue()));
  } else if (byProgress !== undefined) {
    remaining = byProgress;
  } else if (task.completionExpectedAt) {
    // Nothing learned yet: the server's guess is a lower bound (it ignores the pickup), and not worth a
    // long sleep: the waits of other tasks may learn this type meanwhile (a queue's first task ending),
    // and the next check plans from that.
    remaining = Math.min(task.completionExpectedAt * 1000 - now, MAX_PICKUP_DELAY_MS);
  }
  if (remaining !== undefined && remaining > 0) {
    return Math.max(MIN_DELAY_MS, Math.min(remaining + afterEnd, MAX_PICKUP_DELAY_MS * 4));
  }
  return Math.max(MIN_DELAY_MS, backoff(running ? MAX_RUNNING_DELAY_MS : MAX_PICKUP_DELAY_MS));
}

export function waitProgress(task: Task, now: number, waitStartedAt: number): WaitProgress {
  const phase: WaitPhase = isFinished(task.status)
    ? 'done'
    : task.status === TaskStatus.Running
      ? 'running'
      : 'scheduled';
  const scheduledAt = task.scheduledAt ? task.scheduledAt * 1000 : waitStartedAt;
  return {
    phase,
    taskId: task.id,
    status: task.status,
    progress: task.progress ?? null,
    slowPickup: phase === 'scheduled' && now - Math.min(scheduledAt, waitStartedAt) > SLOW_PICKUP_MS,
    task,
  };
}

export interface WaitDeps {
  sleep: Sleep;
  now: () => number;
  /** Strings scrubbed from the errors (a failed task's message can echo anything). */
  secrets?: readonly string[];
  /** What the client learned about the server's timing: used to plan checks, fed with finished tasks. */
  timing?: Timing;
  /** The client's waits checked together (one list request per round when cheaper). */
  checks?: TaskChecks;
}

/** What a read during a wait must respect: the wait's deadline (on deps.now) and its signal. */
export interface WaitBounds {
  deadline: number;
  signal?: AbortSignal;
}

/** Checks a wait's options before anything is sent; returns the timeout in ms. */
export function waitTimeout(options: WaitOptions = {}): number {
  const timeoutMs = options?.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  if (!(typeof timeoutMs === 'number' && timeoutMs > 0)) {
    throw badInput(
      `timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs).slice(0, 40)}.`,
      'Pass how long to wait, e.g. 600000 for 10 minutes.',
    );
  }
  return timeoutMs;
}

/**
 * Polls `read` until the task has finished and returns it. Throws `task_failed` for failed or cancelled
 * tasks, `timeout` when the time is up (details.taskId lets the caller resume) and `aborted` on the signal.
 * `read` gets the wait's deadline and signal: a request in flight ends with the wait, not after it.
 * `startedAt` (on deps.now) counts time already spent, e.g. on reading `first`.
 */
export async function waitForTask(
  deps: WaitDeps,
  first: Task,
  read: (bounds: WaitBounds) => Promise<Task>,
  options: WaitOptions = {},
  startedAt?: number,
): Promise<Task> {
  try {
    return await poll(deps, first, read, options ?? {}, startedAt);
  } catch (error) {
    throw scrubError(error, deps.secrets ?? []);
  }
}

async function poll(
  deps: WaitDeps,
  first: Task,
  read: (bounds: WaitBounds) => Promise<Task>,
  options: WaitOptions,
  startedAt: number | undefined,
): Promise<Task> {
  const timeoutMs = waitTimeout(options);
  const started = startedAt ?? deps.now();
  const deadline = started + timeoutMs;
  const bounds: WaitBounds = { deadline, ...(options.signal ? { signal: options.signal } : {}) };
  // A task seen within the second the server scheduled it (run, or a wait started right after scheduling)
  // was scheduled just before we saw it: our clock places it finer than the server's whole seconds.
  const seenAt = deps.now();
  const sinceScheduled = typeof first.scheduledAt === 'number' ? seenAt - first.scheduledAt * 1000 : -1;
  const scheduledMs =
    first.status === TaskStatus.Scheduled && sinceScheduled >= 0 && sinceScheduled < 1000
      ? seenAt
      : undefined;
  // Each reading's moments bracket the task's end on our clock (client.timing learns the phase from them).
  const timedRead = async (b: WaitBounds): Promise<Task> => {
    const sentAt = deps.now();
    const reading = await read(b);
    deps.timing?.observe(reading, sentAt, deps.now());
    return reading;
  };
  let task = first;
  let readAt = seenAt;
  let probed = false;
  /** This wait holds its type's probe (kept when it plans again without reading). */
  let claimed = false;
  let misses = 0;
  let sinceChange = 0;
  let last = '';
  let earlier: ProgressReading | undefined;
  let latest: ProgressReading | undefined;
  try {
    for (;;) {
      const now = deps.now();
      const report = waitProgress(task, now, started);
      const key = `${report.phase}|${report.progress}|${report.slowPickup}`;
      if (key !== last) {
        if (!last.startsWith(`${report.phase}|`)) sinceChange = 0;
        last = key;
        options.onProgress?.(report);
      }
      if (report.phase === 'done') {
        deps.timing?.learn(task);
        return finished(task);
      }
      const left = deadline - now;
      if (left <= 0) throw timedOut(task, report, timeoutMs);
      const hints: CheckHints = { readAt, ...(scheduledMs !== undefined ? { scheduledMs } : {}) };
      const learned = deps.timing?.estimate(task.type);
      if (learned) hints.learned = learned;

      const ahead = deps.checks?.ahead(task);
      if (ahead && 'end' in ahead) hints.aheadEnd = ahead.end;
      if (ahead && 'endedAt' in ahead) hints.aheadEndedAt = ahead.endedAt;
      if (deps.checks?.behind(task)) hints.queuedBehind = true;
      // Learned timing plans from the last change; without it, the back-off counts every check.
      const plan = (h: CheckHints) => nextDelay(task, now, learned ? sinceChange : misses, earlier, h);
      let delay = plan(hints);
      // one probe per wait, while the learned end phase is rough: once its end is known to the second, from
      // its own start or, queued one at a time, from the end of the task ahead
      let probing = false;
      const toTheSecond =
        task.status === TaskStatus.Running ||
        (task.status === TaskStatus.Scheduled && hints.aheadEndedAt !== undefined);
      if (!probed && learned?.endPhase && toTheSecond) {
        const probe = plan({ ...hints, probe: true });
        // one probe of a type at a time: the waits of a batch share what it finds
        if (probe !== delay && (claimed || deps.timing?.mayProbe(task.type, now + probe))) {
          claimed = true;
          probing = true;
          delay = probe;
        }
      }
      delay = Math.min(delay, left);
      // Woken early when another wait's list read found this task changed (finished, or started), or to
      // plan again when the task ahead of it in its queue moved (or ended).
      const early = deps.checks ? new AbortController() : undefined;
      let woken = false;
      let replanned = false;
      const stop = () => {
        woken = true;
        early?.abort();
      };
      const replan = () => {
        replanned = true;
        early?.abort();
      };
      options.signal?.addEventListener('abort', stop, { once: true });
      deps.checks?.plan(task, now + delay, expectedEnd(task, hints), stop, replan);
      try {
        await deps.sleep(delay, early?.signal ?? options.signal);
      } finally {
        options.signal?.removeEventListener('abort', stop);
      }
      if (options.signal?.aborted) throw cancelled(task);
      // nothing was read: plan again from what is known now
      if (replanned && !woken && deps.now() < now + delay) continue;
      if (probing) probed = true;
      try {
        task = deps.checks ? await deps.checks.read(task, timedRead, bounds) : await timedRead(bounds);
      } catch (error) {
        // The request in flight was cut by the wait's own deadline or signal: report the wait's outcome.
        if (options.signal?.aborted) throw cancelled(task);
        if (
          AssistantError.isInstance(error) &&
          error.code === 'timeout' &&
          (error.details.deadline === true || deps.now() >= deadline)
        ) {
          throw timedOut(task, waitProgress(task, deps.now(), started), timeoutMs);
        }
        throw error;
      }
      readAt = deps.now();
      if (task.status === TaskStatus.Running && typeof task.progress === 'number') {
        const at = deps.now();
        if (latest && task.progress === latest.progress) {
          // Still at the same step: the next step happened after this moment, not after the first sighting.
          latest.at = at;
        } else {
          earlier = latest;
          latest = { at, progress: task.progress };
        }
      }
      misses++;
      sinceChange++;
    }
  } finally {
    deps.checks?.leave(task.id, task);
  }
}

function timedOut(task: Task, report: WaitProgress, timeoutMs: number): AssistantError {
  return new AssistantError({
    code: 'timeout',
    retryable: false,
    details: { taskId: task.id, status: task.status, slowPickup: report.slowPickup },
    ...(report.phase === 'scheduled'
      ? {
          summary: `Task ${task.id} was still waiting to be picked up after ${formatMs(timeoutMs)}${report.slowPickup ? " (the server's background jobs seem slow or stopped: ask its administrator to check cron or the task worker)" : ''}.`,
          hint: 'It stays scheduled on the server; wait longer or fetch it later by its id.',
        }
      : {
          summary: `Task ${task.id} was still running after ${formatMs(timeoutMs)}.`,
          hint: 'It keeps running on the server; wait longer or fetch it later by its id.',
        }),
  });
}

/** A wait whose first read of the task did not get an answer before the wait's time was up. */
export function waitTimedOutUnread(taskId: number, timeoutMs: number, error: unknown): unknown {
  if (!(AssistantError.isInstance(error) && error.code === 'timeout' && error.details.deadline === true)) {
    return error;
  }
  return new AssistantError({
    code: 'timeout',
    retryable: false,
    details: { taskId },
    summary: `Task ${taskId} could not be read within ${formatMs(timeoutMs)}: the server did not answer in time.`,
    hint: 'Wait longer, or fetch the task later by its id.',
  });
}

function cancelled(task: Task): AssistantError {
  return new AssistantError({
    code: 'aborted',
    details: { taskId: task.id },
    summary: `Waiting for task ${task.id} was cancelled; the task itself goes on on the server.`,
  });
}

function finished(task: Task): Task {
  if (task.status === TaskStatus.Successful) return task;
  const cancelled = task.status === TaskStatus.Cancelled;
  const reason = (task as { errorMessage?: string | null }).errorMessage;
  throw new AssistantError({
    code: 'task_failed',
    retryable: false,
    details: { taskId: task.id, status: task.status, task },
    ...(reason ? { serverMessage: reason } : {}),
    ...(cancelled
      ? {
          summary: `Task ${task.id} (${task.type}) was cancelled.`,
          hint: 'Run it again if you still need it.',
        }
      : {
          summary: `Task ${task.id} (${task.type}) failed${reason ? `: ${String(reason).slice(0, 500).replace(/\.$/, '')}` : ''}.`,
          hint: "Check the input, or ask the server's administrator whether the AI provider for this task type works.",
        }),
  });
}

function formatMs(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}
