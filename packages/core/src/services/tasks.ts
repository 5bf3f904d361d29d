import { AssistantError, badInput } from '../errors.js';
import type { BinaryResult } from '../http.js';
import type { ServiceContext } from '../context.js';
import { field, listOf, object, objectAt, printable, taskShape } from '../shape.js';
import type {
  ScheduleRequest,
  Task,
  TaskType,
  EnumOption,
  ShapeDescriptor,
  TaskInputValue,
} from '../types.js';
import { runMany, type RunManyOptions } from '../run-many.js';
import { waitForTask, waitTimedOutUnread, waitTimeout, type WaitBounds, type WaitOptions } from '../wait.js';
import { NEXTCLOUD_FEATURES } from '../server.js';
import { TaskStatus } from '../task-status.js';
import { withUserFacingMessage } from '../task-failure.js';

/** Text inputs real servers accept for one task (bytes). */
export const MAX_TEXT_INPUT_BYTES = 512_000;
const WEBHOOK_METHODS = /^(HTTP:(POST|GET|PUT|DELETE)|AppAPI:[\w.-]+:(POST|GET|PUT|DELETE))$/;

function map<T>(value: unknown): Record<string, T> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, T>) : {};
}

/** Normalises one task type as the assistant's task-types route sends it (`[]` for empty maps). */
export function normalizeTaskType(raw: Record<string, unknown>): TaskType {
  return {
    id: printable(raw.id, 200),
    name: printable(raw.name ?? raw.id, 200),
    description: printable(raw.description ?? '', 2000),
    priority: typeof raw.priority === 'number' ? raw.priority : 0,
    inputShape: map<ShapeDescriptor>(raw.inputShape),
    optionalInputShape: map<ShapeDescriptor>(raw.optionalInputShape),
    outputShape: map<ShapeDescriptor>(raw.outputShape),
    optionalOutputShape: map<ShapeDescriptor>(raw.optionalOutputShape),
    inputShapeEnumValues: map<EnumOption[]>(raw.inputShapeEnumValues),
    optionalInputShapeEnumValues: map<EnumOption[]>(raw.optionalInputShapeEnumValues),
    outputShapeEnumValues: map<EnumOption[]>(raw.outputShapeEnumValues),
    optionalOutputShapeEnumValues: map<EnumOption[]>(raw.optionalOutputShapeEnumValues),
    inputShapeDefaults: map<TaskInputValue>(raw.inputShapeDefaults),
    optionalInputShapeDefaults: map<TaskInputValue>(raw.optionalInputShapeDefaults),
    // Assistant 3.x / 4.0 add these; passed through when the server sends them.
    ...(raw.category &&
    typeof raw.category === 'object' &&
    typeof (raw.category as { id?: unknown }).id === 'string'
      ? {
          category: {
            id: printable((raw.category as { id: string }).id, 200),
            name: printable(
              (raw.category as { name?: unknown }).name ?? (raw.category as { id: string }).id,
              200,
            ),
          },
        }
      : {}),
    ...('preferredProviderName' in raw
      ? {
          preferredProviderName:
            typeof raw.preferredProviderName === 'string' ? raw.preferredProviderName : null,
        }
      : {}),
  };
}

/** The task types the user can run, sorted as the Assistant's web UI shows them (lowest priority first). */
export async function taskTypes(
  ctx: ServiceContext,
  options: { signal?: AbortSignal } = {},
): Promise<TaskType[]> {
  const data = await ctx.call('assistant_api-get-available-task-types', options);
  return listOf(data, 'types', 'assistant_api-get-available-task-types')
    .map(normalizeTaskType)
    .sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
}

/** The answer of a read by id must be about that id: a proxy or cache mixing answers is an error. */
export function checkAnswerId(operationId: string, what: string, asked: unknown, answered: unknown): void {
  if (typeof answered === 'number' && Number(asked) !== answered) {
    throw new AssistantError({
      code: 'server',
      operationId,
      sent: true,
      retryable: false,
      details: { asked: Number(asked), answered },
      summary: `The server answered for ${what} ${answered} when ${what} ${Number(asked)} was asked.`,
      hint: 'A proxy or cache in front of the server probably mixes up answers; ask its administrator to check it.',
    });
  }
}

function checkSchedule(request: ScheduleRequest): void {
  const bad = (message: string, hint?: string) =>
    badInput(message, hint, { operationId: 'task_processing_api-schedule' });
  if (!request || typeof request !== 'object')
    throw bad('The task to schedule is missing.', 'Pass { type, input }.');
  if (typeof request.type !== 'string' || !request.type.trim()) {
    throw bad(
      'The task type is missing.',
      'Pass a task type id such as "core:text2text" (list them with taskTypes()).',
    );
  }
  if (!request.input || typeof request.input !== 'object' || Array.isArray(request.input)) {
    throw bad(
      `The input of a "${printable(request.type)}" task must be an object keyed by the type's input names.`,
      'Pass it like { "input": "Hello" }.',
    );
  }
  const encoder = new TextEncoder();
  for (const [name, value] of Object.entries(request.input)) {
    const ok =
      typeof value === 'string' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (Array.isArray(value) &&
        value.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))));
    if (!ok) {
      throw bad(
        `Input "${name}" must be a text, a number (file ids too) or a list of them; got ${value === null ? 'null' : typeof value}.`,
        `Check the value given for "${name}".`,
      );
    }
    if (
      typeof value === 'string' &&
      value.length > MAX_TEXT_INPUT_BYTES / 4 &&
      encoder.encode(value).byteLength > MAX_TEXT_INPUT_BYTES
    ) {
      throw bad(
        `Input "${name}" is longer than the server accepts (${MAX_TEXT_INPUT_BYTES} bytes).`,
        'Shorten it or split it into several tasks.',
      );
    }
  }
  if (
    request.webhookUri !== undefined &&
    !(typeof request.webhookUri === 'string' && /^https?:\/\//i.test(request.webhookUri))
  ) {
    throw bad(
      `webhookUri must be an http(s) URL, got "${printable(request.webhookUri)}".`,
      'Give an address the server can reach, starting with https:// or http://.',
    );
  }
  if (
    request.webhookMethod !== undefined &&
    !(typeof request.webhookMethod === 'string' && WEBHOOK_METHODS.test(request.webhookMethod))
  ) {
    throw bad(
      `webhookMethod must be HTTP:POST, HTTP:GET, HTTP:PUT or HTTP:DELETE, got "${printable(request.webhookMethod)}".`,
      'Use one of these methods.',
    );
  }
}

/**
 * Checks that every required input of a task type (its inputShape) has a value, before anything is sent.
 * Hosts that know the task type (they list it in their UI) call it; the server would only answer 400.
 */
export function checkTaskInput(taskType: TaskType, input: Record<string, unknown>): void {
  for (const [name, shape] of Object.entries(taskType?.inputShape ?? {})) {
    const value = input?.[name];
    if (
      value === undefined ||
      value === null ||
      value === '' ||
      (Array.isArray(value) && value.length === 0)
    ) {
      const label = shape?.name && shape.name !== name ? `"${printable(shape.name)}" (${name})` : `"${name}"`;
      throw badInput(
        `The task type "${printable(taskType.name)}" needs the input ${label}, and it is empty.`,
        `Give a value for "${name}".`,
        { operationId: 'task_processing_api-schedule', details: { input: name } },
      );
    }
  }
}

export interface NotificationRecord {
  id: number;
  ocp_task_id: number;
  timestamp: number;
}

export interface RunOptions extends WaitOptions {
  /**
   * Nextcloud 35 streaming providers: called with the output text so far whenever it grew while the task
   * runs (ask for it with `preferStreaming` on schedule). Other servers only report the final output.
   */
  onPartial?: (text: string, task: Task) => void;
}

/** A read of the task during a wait that also reports the running task's partial text output. */
export function withPartials(
  read: (b: WaitBounds) => Promise<Task>,
  onPartial: ((text: string, task: Task) => void) | undefined,
): (b: WaitBounds) => Promise<Task> {
  if (!onPartial) return read;
  let last = '';
  return async (b) => {
    const task = await read(b);
    const text = task.output?.output;
    if (task.status === TaskStatus.Running && typeof text === 'string' && text !== '' && text !== last) {
      last = text;
      onPartial(text, task);
    }
    return task;
  };
}

/** The signal and deadline of a caller's options, as request parameters. */
export function bounds(options: { signal?: AbortSignal; deadline?: number } | undefined): {
  signal?: AbortSignal;
  deadline?: number;
} {
  return {
    ...(options?.signal ? { signal: options.signal } : {}),
    ...(typeof options?.deadline === 'number' ? { deadline: options.deadline } : {}),
  };
}

/**
 * `includeWatermark` (Nextcloud 33+) and `preferStreaming` (Nextcloud 35+) as the server takes them: on a
 * server known to lack one, it is left out (the server would ignore it) and reported once as a warning.
 */
async function taskOptions(
  ctx: ServiceContext,
  request: ScheduleRequest,
): Promise<{ includeWatermark?: boolean; preferStreaming?: boolean }> {
  const out: { includeWatermark?: boolean; preferStreaming?: boolean } = {};
  const asked = [
    ['includeWatermark', 'watermark'],
    ['preferStreaming', 'streaming'],
  ] as const;
  for (const [option, feature] of asked) {
    const value = request[option];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') {
      throw badInput(`${option} must be true or false, got ${printable(value)}.`, undefined, {
        operationId: 'task_processing_api-schedule',
      });
    }
    const server = await ctx.server().catch(() => undefined);
    if (server && !server.features[feature]) {
      ctx.warn({
        code: 'ignored_option',
        message: `${option} was left out: it needs Nextcloud ${NEXTCLOUD_FEATURES[feature]} or newer, and this server runs Nextcloud ${server.nextcloudVersion ?? 'of an unknown version'}.`,
      });
      continue;
    }
    out[option] = value;
  }
  return out;
}

export function tasksService(ctx: ServiceContext) {
  const get = async (
    id: number,
    options: { signal?: AbortSignal; deadline?: number } = {},
  ): Promise<Task> => {
    const op = 'task_processing_api-get-task';
    const data = await ctx.call(op, { path: { id }, ...bounds(options) });
    const task = taskShape<Task>(objectAt(data, 'task', op), op);
    checkAnswerId(op, 'task', id, task.id);
    return task;
  };
  const schedule = async (
    request: ScheduleRequest,
    options: { signal?: AbortSignal } = {},
  ): Promise<Task> => {
    checkSchedule(request);
    const options_ = await taskOptions(ctx, request);
    const body = {
      ...options_,
      type: request.type,
      input: request.input,
      appId: request.appId ?? 'assistant',
      ...(request.customId !== undefined ? { customId: request.customId } : {}),
      ...(request.webhookUri !== undefined
        ? { webhookUri: request.webhookUri, webhookMethod: request.webhookMethod ?? 'HTTP:POST' }
        : {}),
    };
    const data = await ctx.call('task_processing_api-schedule', { body, ...options });
    return taskShape<Task>(
      objectAt(data, 'task', 'task_processing_api-schedule'),
      'task_processing_api-schedule',
    );
  };
  const wait = async (id: number, options: RunOptions = {}): Promise<Task> => {
    const startedAt = ctx.now();
    const timeoutMs = waitTimeout(options);
    const read = withPartials((b) => get(id, b), options.onPartial);
    const first = await read({ ...bounds(options), deadline: startedAt + timeoutMs }).catch((error) => {
      throw waitTimedOutUnread(id, timeoutMs, error);
    });
    return waitForTask(ctx, first, read, options, startedAt).catch((error) => {
      throw withUserFacingMessage(error);
    });
  };
  const service = {
    /** The user's tasks (any app), optionally of one task type. */
    async list(filter: { taskTypeId?: string; signal?: AbortSignal } = {}): Promise<Task[]> {
      const data = await ctx.call('assistant_api-get-user-tasks', {
        query: filter.taskTypeId ? { taskTypeId: filter.taskTypeId } : {},
        ...(filter.signal ? { signal: filter.signal } : {}),
      });
      return listOf(data, 'tasks', 'assistant_api-get-user-tasks').map((t) =>
        taskShape<Task>(t, 'assistant_api-get-user-tasks'),
      );
    },
    /** Tasks through TaskProcessing, by app and custom id (how file actions and chats are found). */
    async find(filter: {
      appId?: string;
      customId?: string;
      taskType?: string;
      signal?: AbortSignal;
      deadline?: number;
    }): Promise<Task[]> {
      const signal = bounds(filter);
      const data = filter.appId
        ? await ctx.call('task_processing_api-list-tasks-by-app', {
            path: { appId: filter.appId },
            query: filter.customId !== undefined ? { customId: filter.customId } : {},
            ...signal,
          })
        : await ctx.call('task_processing_api-list-tasks', {
            query: {
              ...(filter.customId !== undefined ? { customId: filter.customId } : {}),
              ...(filter.taskType ? { taskType: filter.taskType } : {}),
            },
            ...signal,
          });
      const op = filter.appId ? 'task_processing_api-list-tasks-by-app' : 'task_processing_api-list-tasks';
      return listOf(data, 'tasks', op).map((t) => taskShape<Task>(t, op));
    },
    get,
    schedule,
    wait,
    /** Schedules a task and waits for its result. */
    async run(request: ScheduleRequest, options: RunOptions = {}): Promise<Task> {
      waitTimeout(options);
      const first = await schedule(request, bounds(options));
      return waitForTask(
        ctx,
        first,
        withPartials((b) => get(first.id, b), options.onPartial),
        options,
      ).catch((error) => {
        throw withUserFacingMessage(error);
      });
    },
    /**
     * Schedules many tasks as fast as the rate limit allows and waits for all of them at once. Results
     * come in request order, each settled on its own; a lost schedule answer is looked up, never repeated.
     */
    runMany(
      requests: readonly ScheduleRequest[],
      options: RunManyOptions = {},
    ): Promise<PromiseSettledResult<Task>[]> {
      return runMany({ ...ctx, schedule, get, find: (f) => service.find(f) }, requests, options);
    },
    async cancel(id: number): Promise<Task> {
      const op = 'task_processing_api-cancel-task';
      const task = taskShape<Task>(objectAt(await ctx.call(op, { path: { id } }), 'task', op), op);
      checkAnswerId(op, 'task', id, task.id);
      return task;
    },
    async delete(id: number): Promise<void> {
      await ctx.call('task_processing_api-delete-task', { path: { id } });
    },
    /** The notify-when-ready record, or null when none is registered. */
    async getNotification(id: number): Promise<NotificationRecord | null> {
      const data = object(
        await ctx.call('assistant_api-get-notify-when-ready', { path: { ocpTaskId: id } }),
        'assistant_api-get-notify-when-ready',
      );
      return typeof data.id === 'number' ? (data as unknown as NotificationRecord) : null;
    },
    async notifyWhenReady(id: number): Promise<void> {
      await ctx.call('assistant_api-notify-when-ready', { path: { ocpTaskId: id } });
    },
    async cancelNotification(id: number): Promise<void> {
      await ctx.call('assistant_api-cancel-notify-when-ready', { path: { ocpTaskId: id } });
    },
    async downloadOutputFile(
      taskId: number,
      fileId: number,
      options: { stream?: boolean; signal?: AbortSignal } = {},
    ): Promise<BinaryResult> {
      return ctx.call('assistant_api-get-output-file', { path: { ocpTaskId: taskId, fileId }, ...options });
    },
    async previewOutputFile(
      taskId: number,
      fileId: number,
      options: { x?: number; y?: number; signal?: AbortSignal } = {},
    ): Promise<BinaryResult> {
      const { signal, ...size } = options;
      return ctx.call('assistant_api-get-output-file-preview', {
        path: { ocpTaskId: taskId, fileId },
        query: size,
        ...(signal ? { signal } : {}),
      });
    },
    /** Copies an output file into the user's files; returns the copy. */
    async saveOutputFile(taskId: number, fileId: number): Promise<{ fileId: number; path: string }> {
      const data = await ctx.call('assistant_api-save-output-file', { path: { ocpTaskId: taskId, fileId } });
      return {
        fileId: field(data, 'fileId', 'number', 'assistant_api-save-output-file'),
        path: field(data, 'path', 'string', 'assistant_api-save-output-file'),
      };
    },
    /** Shares an output file by public link. */
    async shareOutputFile(taskId: number, fileId: number): Promise<{ shareToken: string; url: string }> {
      const data = await ctx.call('assistant_api-share-output-file', { path: { ocpTaskId: taskId, fileId } });
      const shareToken = field(data, 'shareToken', 'string', 'assistant_api-share-output-file');
      return { shareToken, url: `${ctx.http.baseUrl}/s/${encodeURIComponent(shareToken)}` };
    },
  };
  return service;
}

export type TasksService = ReturnType<typeof tasksService>;
