import type { Task } from '@f7cloud/assistant-client';
import type { FinalKind } from './task-status.js';

/** Finished tasks already handled; kept in context so a redeploy neither repeats nor skips a task. */
export interface WatchState {
  seen: number[];
}

export interface WatchFilter {
  taskType?: string | undefined;
  appId?: string | undefined;
  statuses: FinalKind[];
  emitExisting?: boolean;
}

/**
 * Decides which tasks to emit on one poll of the task-watch node.
 * `tasks` is every task of the user as listed by the server; `state` is undefined on the very first poll.
 */
export function pollDecision(
  tasks: readonly Task[],
  state: WatchState | undefined,
  filter: WatchFilter,
  finalKind: (status: string) => FinalKind | undefined,
): { emit: Task[]; state: WatchState } {
  const first = state === undefined;
  const seen = new Set(state ? state.seen : []);
  const listed = new Set<number>();
  const emit: Task[] = [];
  const ordered = [...tasks].sort(
    (a, b) => (a.endedAt || a.lastUpdated || 0) - (b.endedAt || b.lastUpdated || 0) || a.id - b.id,
  );
  for (const task of ordered) {
    listed.add(task.id);
    const kind = finalKind(String(task.status));
    if (!kind || seen.has(task.id)) continue;
    seen.add(task.id);
    if (first && !filter.emitExisting) continue;
    if (filter.taskType && task.type !== filter.taskType) continue;
    if (filter.appId && task.appId !== filter.appId) continue;
    if (!filter.statuses.includes(kind)) continue;
    emit.push(task);
  }
  // forget tasks the server no longer lists (deleted or expired), so the state stays small
  for (const id of seen) if (!listed.has(id)) seen.delete(id);
  return { emit, state: { seen: [...seen] } };
}
