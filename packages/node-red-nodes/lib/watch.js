// @ts-check
'use strict';

/**
 * Decides which tasks to emit on one poll of the task-watch node.
 * State is { seen: number[] } of finished tasks already handled; it is kept in node
 * context so a redeploy (or a restart with a persistent context store) neither repeats nor skips a task.
 *
 * @param {any[]} tasks every task of the user, as listed by the server
 * @param {{seen: number[]} | undefined} state undefined on the very first poll
 * @param {{taskType?: string, appId?: string, statuses: string[], emitExisting?: boolean}} filter
 * @param {(status: string) => string | undefined} finalKind 'successful' | 'failed' | 'cancelled' for final statuses
 * @returns {{emit: any[], state: {seen: number[]}}}
 */
function pollDecision(tasks, state, filter, finalKind) {
  const first = state === undefined;
  const seen = new Set(state ? state.seen : []);
  const listed = new Set();
  /** @type {any[]} */
  const emit = [];
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

module.exports = { pollDecision };
