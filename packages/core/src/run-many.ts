// Many tasks at once: schedule ahead as fast as the rate limit allows (the client's gate paces the
// schedule calls), wait for all of them concurrently (their checks go together), and report each request's
// outcome on its own, in request order. A schedule whose answer was lost may have created the task, so
// it is looked up by its custom id before it is sent again: nothing is scheduled twice.
import { AssistantError } from './errors.js';
import { printable } from './shape.js';
import type { ScheduleRequest, Task } from './types.js';
import { waitForTask, waitTimeout, type WaitDeps, type WaitOptions, type WaitProgress } from './wait.js';

export interface RunManyOptions {
  /** false: only schedule; each result is the task as scheduled. Default true: wait for each result. */
  wait?: boolean;
  /** How long each task may take once scheduled (default 15 minutes). The tasks keep running on the server. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Schedule requests on their way at once (default 2): more only adds refusals when the limit is hit. */
  concurrency?: number;
  /**
   * Prefix of the custom ids given to requests without one (default `batch`): the id is how a schedule
   * whose answer was lost is found again.
   */
  customIdPrefix?: string;
  /** Called once a request's task is scheduled. */
  onScheduled?: (index: number, task: Task) => void;
  /** Progress of each task's wait, with the request's index. */
  onProgress?: (index: number, progress: WaitProgress) => void;
}

export interface RunManyDeps extends WaitDeps {
  schedule: (request: ScheduleRequest, options: { signal?: AbortSignal }) => Promise<Task>;
  get: (id: number, options: { signal?: AbortSignal; deadline?: number }) => Promise<Task>;
  find: (filter: { appId: string; customId: string; signal?: AbortSignal }) => Promise<Task[]>;
}

/** Lost answers are looked up at most this often per request; rate limits are waited out this often. */
const MAX_LOOKUPS = 2;
const MAX_RATE_LIMITED = 3;

/** Could the server have created the task although no answer said so? */
function maybeScheduled(error: AssistantError): boolean {
  if (error.sent === false) return false;
  return error.code === 'network' || error.code === 'timeout' || error.code === 'server';
}

/** Whether the server's task holds what was asked: it stores optional inputs with its defaults added. */
function sameInput(asked: Record<string, unknown>, stored: unknown): boolean {
  if (!stored || typeof stored !== 'object') return false;
  const other = stored as Record<string, unknown>;
  return Object.keys(asked).every((k) => String(asked[k]) === String(other[k]));
}

export async function runMany(
  deps: RunManyDeps,
  requests: readonly ScheduleRequest[],
  options: RunManyOptions = {},
): Promise<PromiseSettledResult<Task>[]> {
  if (!Array.isArray(requests)) {
    throw new AssistantError({
      code: 'invalid_input',
      sent: false,
      summary: 'runMany needs a list of tasks to schedule.',
      hint: 'Pass an array of { type, input }.',
    });
  }
  const opts = options ?? {};
  const waitOptions: WaitOptions = {
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  waitTimeout(waitOptions);
  const concurrency = opts.concurrency ?? 2;
  if (!(Number.isSafeInteger(concurrency) && concurrency >= 1)) {
    throw new AssistantError({
      code: 'invalid_input',
      sent: false,
      summary: `concurrency must be a whole number of at least 1, got ${printable(concurrency)}.`,
    });
  }
  const prefix = `${opts.customIdPrefix ?? 'batch'}-${deps.now().toString(36)}`;
  const signal = opts.signal ? { signal: opts.signal } : {};
  const claimed = new Set<number>();

  // A tiny semaphore: schedule calls take a slot, waits do not.
  let free = concurrency;
  const queue: (() => void)[] = [];
  const slot = async () => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => queue.push(resolve));
  };
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else free++;
  };

  const lookUp = async (request: ScheduleRequest & { appId: string; customId: string }) => {
    const found = await deps.find({ appId: request.appId, customId: request.customId, ...signal });
    const match = found
      .filter((t) => !claimed.has(t.id) && t.type === request.type && sameInput(request.input, t.input))
      .sort((a, b) => a.id - b.id)[0];
    return match;
  };

  const scheduleOne = async (request: ScheduleRequest & { appId: string; customId: string }) => {
    let lookups = 0;
    let limited = 0;
    for (;;) {
      try {
        return await deps.schedule(request, signal);
      } catch (error) {
        if (!AssistantError.isInstance(error)) throw error;
        if (error.code === 'rate_limited' && ++limited < MAX_RATE_LIMITED) continue;
        if (!maybeScheduled(error) || lookups >= MAX_LOOKUPS) throw error;
        lookups++;
        // A look-up that fails proves nothing: scheduling again could make the task twice.
        const found = await lookUp(request).catch(() => {
          throw new AssistantError({
            code: error.code,
            sent: true,
            retryable: false,
            details: { ...error.details, appId: request.appId, customId: request.customId },
            summary: `The task may have been scheduled: its answer was lost (${error.summary.replace(/\.$/, '')}) and looking it up failed too.`,
            hint: `Look for the task with custom ID "${request.customId}" before running it again.`,
          });
        });
        if (found) return found;
      }
    }
  };

  const one = async (request: ScheduleRequest, index: number): Promise<Task> => {
    const given = request && typeof request === 'object' ? request : ({} as ScheduleRequest);
    const full = {
      ...given,
      appId: given.appId ?? 'assistant',
      customId: given.customId ?? `${prefix}-${index}`,
    };
    await slot();
    let task: Task;
    try {
      if (opts.signal?.aborted) {
        throw new AssistantError({ code: 'aborted', sent: false, summary: 'The batch was cancelled.' });
      }
      task = await scheduleOne(full);
      claimed.add(task.id);
    } finally {
      release();
    }
    opts.onScheduled?.(index, task);
    if (opts.wait === false) return task;
    return waitForTask(deps, task, (b) => deps.get(task.id, b), {
      ...waitOptions,
      ...(opts.onProgress ? { onProgress: (p: WaitProgress) => opts.onProgress!(index, p) } : {}),
    });
  };

  return Promise.allSettled(requests.map((request, index) => one(request, index)));
}
