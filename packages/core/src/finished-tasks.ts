// Which finished tasks a watch (n8n trigger, Node-RED watch node) emits on each look at the task list, and
// what it keeps for the next look. The list has no cursor, and a task's end is in whole seconds and may
// be listed a little after the second it names, so "ended after the last watermark" would both repeat
// tasks of the watermark's second and miss late ones. Instead: every finished task whose end lies within
// a look-back window below the watermark and was not emitted yet is emitted, and the ids emitted inside
// that window are kept. Each task is emitted once (a task below the window is never emitted again) and
// none is missed unless it is listed more than the window after its end. The state is small: the ids of
// the tasks that ended within the window.
import { isFinished, TaskStatus } from './task-status.js';

/** How far below the watermark late tasks are still looked for, in seconds. */
export const LOOK_BACK_SECONDS = 600;
/** The most ids kept, whatever happens (a burst of many tasks ending within the window). */
const MAX_SEEN = 5000;

/** What a watch needs of a task. */
export interface FinishedTaskLike {
  id: number;
  status: string;
  type?: string;
  appId?: string;
  endedAt?: number | null;
  lastUpdated?: number | null;
}

export interface WatchState {
  /** Latest end (unix s) among the finished tasks looked at; null before the first look. */
  watermark: number | null;
  /** Ids handled inside the look-back window, with their end (unix s). */
  seen: Record<string, number>;
}

export interface WatchFilter {
  taskType?: string;
  appId?: string;
  /** Final statuses to emit (default: successful, failed and cancelled). */
  statuses?: readonly string[];
  /** On the very first look, emit what has already finished instead of starting from now. */
  emitExisting?: boolean;
}

export interface WatchDecision<T> {
  /** Tasks to emit now, oldest end first. */
  emit: T[];
  /** What to store for the next look. */
  state: WatchState;
}

/** When a finished task ended, for ordering: its end, or its last update when the server gives no end. */
export function finishedAt(task: FinishedTaskLike): number {
  const ended = typeof task.endedAt === 'number' ? task.endedAt : 0;
  const updated = typeof task.lastUpdated === 'number' ? task.lastUpdated : 0;
  return Math.max(ended, updated);
}

/**
 * Reads a stored state, whatever a host or an earlier version left there: this rule's own form, or a
 * list of seen ids (`{ seen: number[] }`), which is taken over without repeating or skipping a task.
 */
export function readWatchState(stored: unknown, tasks: readonly FinishedTaskLike[] = []): WatchState {
  if (!stored || typeof stored !== 'object') return { watermark: null, seen: {} };
  const raw = stored as { watermark?: unknown; seen?: unknown };
  const seen: Record<string, number> = {};
  if (Array.isArray(raw.seen)) {
    const ids = new Set(raw.seen.map(Number));
    let watermark: number | null = null;
    for (const task of tasks) {
      if (!ids.has(task.id) || !isFinished(task.status)) continue;
      const at = finishedAt(task);
      seen[String(task.id)] = at;
      watermark = Math.max(watermark ?? at, at);
    }
    // Nothing of the old list is listed any more: start from the newest listed end, emitting nothing old.
    if (watermark === null && ids.size > 0) {
      for (const task of tasks)
        if (isFinished(task.status)) watermark = Math.max(watermark ?? 0, finishedAt(task));
      return { watermark: watermark ?? 0, seen };
    }
    return { watermark, seen };
  }
  if (raw.seen && typeof raw.seen === 'object') {
    for (const [id, at] of Object.entries(raw.seen as Record<string, unknown>)) {
      if (/^\d+$/.test(id) && typeof at === 'number' && Number.isFinite(at)) seen[id] = at;
    }
  }
  const watermark =
    typeof raw.watermark === 'number' && Number.isFinite(raw.watermark) ? raw.watermark : null;
  return { watermark, seen };
}

const DEFAULT_STATUSES: readonly string[] = [TaskStatus.Successful, TaskStatus.Failed, TaskStatus.Cancelled];

/**
 * Decides what one look at the task list emits. `stored` is what the previous look returned as `state`
 * (or nothing before the first look: then nothing is emitted unless `emitExisting`, and what has finished
 * is remembered).
 */
export function finishedTasksToEmit<T extends FinishedTaskLike>(
  stored: unknown,
  tasks: readonly T[],
  filter: WatchFilter = {},
): WatchDecision<T> {
  const state = readWatchState(stored, tasks);
  const statuses = filter.statuses ?? DEFAULT_STATUSES;
  const finished = tasks
    .filter((t) => t && typeof t.id === 'number' && isFinished(t.status))
    .sort((a, b) => finishedAt(a) - finishedAt(b) || a.id - b.id);
  const first = state.watermark === null;
  const floor = first ? -Infinity : state.watermark! - LOOK_BACK_SECONDS;
  const fresh = finished.filter((t) => finishedAt(t) >= floor && !(String(t.id) in state.seen));
  const emit =
    first && !filter.emitExisting
      ? []
      : fresh.filter(
          (t) =>
            statuses.includes(t.status) &&
            (!filter.taskType || t.type === filter.taskType) &&
            (!filter.appId || t.appId === filter.appId),
        );
  let watermark = state.watermark ?? -Infinity;
  for (const task of fresh) watermark = Math.max(watermark, finishedAt(task));
  if (!Number.isFinite(watermark)) watermark = 0;
  const keepFrom = watermark - LOOK_BACK_SECONDS;
  const entries: [string, number][] = [
    ...Object.entries(state.seen),
    ...fresh.map((t): [string, number] => [String(t.id), finishedAt(t)]),
  ].filter(([, at]) => at >= keepFrom);
  entries.sort((a, b) => a[1] - b[1]);
  const seen = Object.fromEntries(entries.slice(-MAX_SEEN));
  return { emit, state: { watermark, seen } };
}
