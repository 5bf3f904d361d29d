// Which finished tasks a poll should emit, and what to remember for the next poll.
//
// The task list has no cursor, and `endedAt` has one-second resolution and may become visible a little
// after the second it names (a task ends, its row is committed later). So a plain "ended after the last
// watermark" filter would both repeat tasks ending in the watermark second and miss late-committed ones.
// We remember every emitted id whose end lies inside a look-back window below the watermark, and emit any
// finished task inside that window we have not emitted yet: no duplicates, no misses, bounded state.

export interface FinishedTask {
  id: number;
  /** Unix seconds when the task ended (falls back to its last update when the server gives no end). */
  endedAt: number;
}

export interface PollState {
  /** Highest end time emitted so far (unix seconds); null before the first poll. */
  watermark: number | null;
  /** Ids already emitted, with their end time, for tasks inside the look-back window. */
  seen: Record<string, number>;
}

/** How far below the watermark we keep looking for late-committed tasks, in seconds. */
export const LOOK_BACK_SECONDS = 600;

export function emptyState(): PollState {
  return { watermark: null, seen: {} };
}

/** Reads the state stored in workflow static data, tolerating anything a previous version left there. */
export function readState(stored: unknown): PollState {
  if (!stored || typeof stored !== 'object') return emptyState();
  const raw = stored as { watermark?: unknown; seen?: unknown };
  const watermark =
    typeof raw.watermark === 'number' && Number.isFinite(raw.watermark) ? raw.watermark : null;
  const seen: Record<string, number> = {};
  if (raw.seen && typeof raw.seen === 'object') {
    for (const [id, endedAt] of Object.entries(raw.seen as Record<string, unknown>)) {
      if (typeof endedAt === 'number' && Number.isFinite(endedAt)) seen[id] = endedAt;
    }
  }
  return { watermark, seen };
}

export interface PollDecision<T extends FinishedTask> {
  /** Tasks to emit now, oldest first. */
  emit: T[];
  next: PollState;
}

/**
 * Decides what to emit. On the very first poll (no watermark) nothing is emitted: the trigger starts
 * watching from "now" instead of replaying the whole history; the tasks already finished are remembered.
 */
export function decide<T extends FinishedTask>(state: PollState, finished: T[]): PollDecision<T> {
  const sorted = [...finished].sort((a, b) => a.endedAt - b.endedAt || a.id - b.id);
  const first = state.watermark === null;
  const floor = first ? -Infinity : (state.watermark as number) - LOOK_BACK_SECONDS;

  const emit = first ? [] : sorted.filter((t) => t.endedAt >= floor && !(String(t.id) in state.seen));
  const remembered = first ? sorted : emit;

  let watermark = state.watermark ?? 0;
  for (const task of remembered) watermark = Math.max(watermark, task.endedAt);

  const seen: Record<string, number> = {};
  const keepFrom = watermark - LOOK_BACK_SECONDS;
  for (const [id, endedAt] of Object.entries(state.seen)) if (endedAt >= keepFrom) seen[id] = endedAt;
  for (const task of remembered) if (task.endedAt >= keepFrom) seen[String(task.id)] = task.endedAt;

  return { emit, next: { watermark, seen } };
}
