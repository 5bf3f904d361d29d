// The waits of one client, checked together. A wait that wakes to check its task takes along every other
// wait due within a moment, and when two or more share an app (or a task type) one list request
// (`GET /taskprocessing/tasks/app/{appId}` or `GET /taskprocessing/tasks?taskType=`) reads them all; the
// others find their reading when they wake and send nothing. The list answers every task of the user for
// that app or type (no paging, a week of history), so it is used only while it stays small next to the
// number of tasks it serves.
import { AssistantError } from './errors.js';
import { TaskStatus, isFinished } from './task-status.js';
import type { Task } from './types.js';
import type { WaitBounds } from './wait.js';

/** A wait due within this long is checked with the one that wakes now. */
export const CHECK_TOGETHER_MS = 500;
/** A list is worth it while it answers at most this many tasks per task waited for. */
const LIST_TASKS_PER_WAIT = 20;

export interface ListQuery {
  appId?: string;
  taskType?: string;
  customId?: string;
}

export interface TaskChecks {
  /**
   * The wait of `task` will check it at `due` (client clock); `end` is when it is expected to end. `wake`
   * is called when another wait's list round brought a reading in which its status changed (e.g. it
   * finished), so the wait need not sleep until `due` to take it.
   */
  plan(task: Task, due: number, end: number | undefined, wake?: () => void, replan?: () => void): void;
  /**
   * The task just ahead of this one (same type, lower id), if it is or was waited for: its expected end
   * (client ms) while waited for, the second it ended (`endedAt`) once finished.
   */
  ahead(task: Task): { end: number } | { endedAt: number } | undefined;
  /** Whether a wait of the same type is queued behind this task (a higher id). */
  behind(task: Task): boolean;
  /** A fresh reading of the task: taken by another wait's round, by a list round, or by `single`. */
  read(task: Task, single: (bounds: WaitBounds) => Promise<Task>, bounds: WaitBounds): Promise<Task>;
  /** The wait of this task is over; `last` is its final reading (a finished one tells the tasks behind it). */
  leave(taskId: number, last?: Task): void;
}

/** A plan moving by this much moves the plans of the tasks queued behind it. */
const REPLAN_MS = 300;

interface Waiting {
  task: Task;
  due: number;
  end: number | undefined;
  /** A round that includes this wait is on its way. */
  pending?: Promise<void>;
  /** A reading taken for this wait since it planned. */
  fresh?: Task;
  /** This wait is reading its task itself. */
  busy?: boolean;
  /** Counts plans, so a round's reading only lands on the plan it was taken for. */
  plans: number;
  wake?: (() => void) | undefined;
  /** Plan again without reading: the task ahead of it in its queue is now expected to end at another time. */
  replan?: (() => void) | undefined;
}

export function createTaskChecks(deps: {
  now: () => number;
  list: (query: ListQuery, bounds: WaitBounds) => Promise<Task[]>;
  /** Learns from finished tasks (client.timing): a round's finished tasks in the order they started. */
  learn?: (task: Task) => void;
  /** A list round's reading of a waited task, sent and answered when (client.timing.observe). */
  observe?: (task: Task, sentAt: number, gotAt: number) => void;
}): TaskChecks {
  const waits = new Map<number, Waiting>();
  /** Per task type, the latest finished task a wait saw: its id and `endedAt`, for the tasks behind. */
  const ended = new Map<string, { id: number; endedAt: number }>();
  /** The waits queued behind `task` (same type, higher id) plan again. */
  const replanBehind = (task: Task) => {
    for (const w of waits.values())
      if (w.task.type === task.type && w.task.id > task.id && !w.busy && !w.pending) w.replan?.();
  };
  /** The wait just ahead of `task` in its type's queue (the nearest lower id, not finished). */
  function waitAhead(task: Task): Waiting | undefined {
    let ahead: Waiting | undefined;
    for (const w of waits.values()) {
      if (w.task.type !== task.type || w.task.id >= task.id || isFinished(w.task.status)) continue;
      if (!ahead || w.task.id > ahead.task.id) ahead = w;
    }
    return ahead;
  }
  function aheadOf(task: Task): { end: number } | { endedAt: number } | undefined {
    const ahead = waitAhead(task);
    // a task that ended before this one was scheduled left the worker free: this one heads a queue
    const done = ended.get(task.type);
    const queued = done && done.id < task.id && !(done.endedAt < (task.scheduledAt ?? 0));
    if (queued && (!ahead || done.id > ahead.task.id)) return { endedAt: done.endedAt };
    return ahead?.end === undefined ? undefined : { end: ahead.end };
  }
  /** How many tasks the last list of a key answered. */
  const listSizes = new Map<string, number>();
  const broken = new Set<string>();

  const keyOf = (q: ListQuery) => JSON.stringify([q.appId ?? null, q.taskType ?? null, q.customId ?? null]);

  /** The one list request that covers the most of `due`, when it is cheaper than a GET each. */
  const bestList = (me: Waiting, due: Waiting[]): { query: ListQuery; members: Waiting[] } | undefined => {
    const byApp = due.filter((w) => w.task.appId === me.task.appId);
    const byType = due.filter((w) => w.task.type === me.task.type);
    const options: { query: ListQuery; members: Waiting[] }[] = [];
    if (typeof me.task.appId === 'string' && me.task.appId) {
      const customId = byApp.every((w) => w.task.customId === me.task.customId)
        ? me.task.customId
        : undefined;
      options.push({ query: { appId: me.task.appId, ...(customId ? { customId } : {}) }, members: byApp });
    }
    options.push({ query: { taskType: me.task.type }, members: byType });
    let best: { query: ListQuery; members: Waiting[] } | undefined;
    for (const option of options) {
      const key = keyOf(option.query);
      const size = listSizes.get(key);
      if (option.members.length < 2 || broken.has(key)) continue;
      if (size !== undefined && size > LIST_TASKS_PER_WAIT * option.members.length) continue;
      if (!best || option.members.length > best.members.length) best = option;
    }
    return best;
  };

  return {
    plan(task, due, end, wake, replan) {
      const w = waits.get(task.id);
      const moved =
        !!w && (w.end === undefined) !== (end === undefined)
          ? true
          : !!w && end !== undefined && Math.abs(end - w.end!) >= REPLAN_MS;
      if (w) {
        w.task = task;
        w.due = due;
        w.end = end;
        w.fresh = undefined;
        w.wake = wake;
        w.replan = replan;
        w.plans++;
      } else {
        waits.set(task.id, { task, due, end, plans: 0, wake, replan });
        // the task just ahead now has one behind it, which may change its plan
        const ahead = waitAhead(task);
        if (ahead && !ahead.busy && !ahead.pending) ahead.replan?.();
      }
      if (moved) replanBehind(task);
    },
    ahead: aheadOf,
    behind(task) {
      for (const w of waits.values()) if (w.task.type === task.type && w.task.id > task.id) return true;
      return false;
    },
    async read(task, single, bounds) {
      const me = waits.get(task.id);
      if (!me) return single(bounds);
      if (me.pending) await me.pending;
      if (me.fresh) {
        const fresh = me.fresh;
        me.fresh = undefined;
        return fresh;
      }
      me.busy = true;
      try {
        return await checkRound(me, task, single, bounds);
      } finally {
        me.busy = false;
      }
    },
    leave(taskId, last) {
      waits.delete(taskId);
      if (!last || !isFinished(last.status) || typeof last.endedAt !== 'number') return;
      const known = ended.get(last.type);
      if (known && known.id > last.id) return;
      ended.set(last.type, { id: last.id, endedAt: last.endedAt });
      if (ended.size > 64) ended.delete(ended.keys().next().value!);
      replanBehind(last);
    },
  };

  async function checkRound(
    me: Waiting,
    task: Task,
    single: (bounds: WaitBounds) => Promise<Task>,
    bounds: WaitBounds,
  ): Promise<Task> {
    const now = deps.now();
    const free = (w: Waiting) => w !== me && !w.pending && !w.fresh && !w.busy;
    const due = [...waits.values()].filter((w) => w === me || (free(w) && w.due <= now + CHECK_TOGETHER_MS));
    // The head of a queue, not seen started yet, with tasks of its type behind it: if it has ended, those
    // may have too (their plans hang on its unknown start), so the one request that reads it reads them too.
    const behind =
      me.task.status === TaskStatus.Scheduled && !aheadOf(me.task)
        ? [...waits.values()].filter(
            (w) => free(w) && !due.includes(w) && w.task.type === me.task.type && w.task.id > me.task.id,
          )
        : [];
    const round = due.length + behind.length >= 2 ? bestList(me, [...due, ...behind]) : undefined;
    if (!round) return single(bounds);
    const key = keyOf(round.query);
    const others = round.members.filter((w) => w !== me);
    const plans = new Map([...waits.values()].map((w) => [w, w.plans]));
    let release!: () => void;
    const pending = new Promise<void>((resolve) => (release = resolve));
    for (const w of others) w.pending = pending;
    let listed: Task[] | undefined;
    try {
      const sentAt = deps.now();
      listed = await deps.list(round.query, bounds);
      const gotAt = deps.now();
      listSizes.set(key, listed.length);
      // a reading of every task waited for that the list holds, due or not
      for (const t of listed) if (waits.has(t.id)) deps.observe?.(t, sentAt, gotAt);
      const waited = new Set(round.members.map((w) => w.task.id));
      // in the order they ran, so a task queued behind another is learned after it (its pickup is
      // counted from that end, not from its scheduling)
      for (const t of listed
        .filter((t) => waited.has(t.id) && isFinished(t.status))
        .sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0) || a.id - b.id))
        deps.learn?.(t);
    } catch (error) {
      // Cut by this wait's own deadline or signal: that is this wait's outcome; the others read alone.
      const own =
        bounds.signal?.aborted ||
        (AssistantError.isInstance(error) && (error.code === 'timeout' || error.code === 'aborted'));
      if (!own) broken.add(key);
      if (own) throw error;
    } finally {
      const byId = new Map((listed ?? []).map((t) => [t.id, t]));
      for (const w of others) {
        w.pending = undefined;
        const found = byId.get(w.task.id);
        // a wait not due takes the reading only where it changed (below), not as its next check
        if (found && waits.get(w.task.id) === w && plans.get(w) === w.plans && !behind.includes(w)) {
          w.fresh = found;
          if (found.status !== w.task.status) w.wake?.();
        }
      }
      // A wait not due yet whose task the list shows finished (or started) takes that reading now,
      // instead of sleeping on a plan the list already proved wrong.
      for (const w of waits.values()) {
        if (w === me || w.pending || w.busy || w.fresh || plans.get(w) !== w.plans) continue;
        const found = byId.get(w.task.id);
        if (!found || found.status === w.task.status) continue;
        w.fresh = found;
        w.wake?.();
      }
      release();
    }
    const mine = listed?.find((t) => t.id === task.id);
    return mine ?? single(bounds);
  }
}
