import {
  slotType,
  waitForTask,
  type ScheduleRequest,
  type Task,
  type TaskInputValue,
  type TaskType,
} from '@f7cloud/assistant-client';
import { NodeInputError } from '../errors.js';
import { loadTaskTypes, shapeSlots, type Slot } from '../task-types.js';
import type { Operation, OperationContext } from '../worker.js';
import type { WakeTarget } from '../wake.js';
import { fileMessage, shouldWait, taskOutput, waitOptions } from './shared.js';

function taskId(ctx: OperationContext): number {
  return ctx.param('taskId', { required: true, type: 'id' });
}

function outputFileId(ctx: OperationContext): number {
  return ctx.param('fileId', { required: true, type: 'id' });
}

const isFileSlot = (slot: Slot): boolean => slotType(slot.type).kind === 'file';

/** Converts one input value to what the slot takes (numbers, file ids, lists of file ids). */
function coerce(slot: Slot, value: unknown, ctx: OperationContext): unknown {
  const { kind, list } = slotType(slot.type);
  const one = (v: unknown): unknown => {
    if (kind === 'number' || kind === 'file') {
      if (typeof v === 'number') return v;
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (Number.isFinite(n)) return n;
      if (kind === 'file') {
        throw new NodeInputError(
          ctx.t('f7cloud-task.errors.badFileInput', { name: slot.name, type: slot.type, value: String(v) }),
        );
      }
    }
    return v;
  };
  if (list) return (Array.isArray(value) ? value : [value]).map(one);
  return one(value);
}

/**
 * The task's input object: editor fields, then msg.input, then msg.payload for the first
 * required slot still empty (text for a Text slot, a Buffer is uploaded for a file slot).
 */
export async function buildInput(
  ctx: OperationContext,
  taskType: TaskType,
): Promise<Record<string, TaskInputValue>> {
  const slots = shapeSlots(taskType.inputShape);
  const optional = shapeSlots(taskType.optionalInputShape);
  const input: Record<string, unknown> = {};
  // (not "inputs": that is the number of input ports of a Node-RED node)
  const fromEditor =
    ctx.config.taskInputs && typeof ctx.config.taskInputs === 'object' ? ctx.config.taskInputs : {};
  for (const [name, value] of Object.entries(fromEditor)) {
    if (value !== '' && value !== null && value !== undefined) input[name] = value;
  }
  if (ctx.msg.input !== undefined) {
    if (!ctx.msg.input || typeof ctx.msg.input !== 'object' || Array.isArray(ctx.msg.input)) {
      throw new NodeInputError(ctx.t('f7cloud-task.errors.inputNotObject'));
    }
    Object.assign(input, ctx.msg.input);
  }
  const payload = ctx.msg.payload;
  const target = slots.find((slot) => input[slot.name] === undefined);
  // the payload, uploaded for the target slot once the input is checked
  let upload: Uint8Array | undefined;
  if (target && payload !== undefined && payload !== null && payload !== '') {
    if (isFileSlot(target) && payload instanceof Uint8Array) {
      upload = payload;
    } else if (!isFileSlot(target) && typeof payload === 'object' && !Buffer.isBuffer(payload)) {
      // an object payload is not a prompt: leave it, the missing-input error below says what to do
    } else {
      input[target.name] = Buffer.isBuffer(payload) ? payload.toString('utf8') : payload;
    }
  }
  const missing = slots.find((slot) => input[slot.name] === undefined && !(upload && slot === target));
  if (missing) {
    throw new NodeInputError(
      ctx.t('f7cloud-task.errors.missingInput', {
        taskType: taskType.id,
        name: missing.name,
        type: missing.type,
      }),
    );
  }
  for (const slot of [...slots, ...optional]) {
    if (input[slot.name] !== undefined) input[slot.name] = coerce(slot, input[slot.name], ctx);
  }
  if (upload && target) {
    const uploaded = await ctx.client.files.uploadInput(upload, {
      ...(typeof ctx.msg.filename === 'string' ? { filename: ctx.msg.filename } : {}),
      signal: ctx.signal,
    });
    input[target.name] = uploaded.fileId;
  }
  // values from msg.input are the flow's own: core checks every value against the shape before sending
  return input as Record<string, TaskInputValue>;
}

let batchCounter = 0;

/** Settled result of one request through core's runMany: its failure as thrown. */
async function one(results: Promise<PromiseSettledResult<Task>[]>): Promise<Task> {
  const [result] = await results;
  if (!result) throw new Error('runMany returned no result');
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

/**
 * Polling wait through core's runMany: a lost schedule answer is looked up by custom id before anything
 * is sent again, and the waits of every message of every node on this config node share the client's
 * learned timing and its list reads.
 */
async function runPolling(
  ctx: OperationContext,
  request: ScheduleRequest,
  wait: ReturnType<typeof waitOptions>,
): Promise<Task> {
  try {
    return await one(
      ctx.client.tasks.runMany([request], {
        timeoutMs: wait.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        signal: ctx.signal,
        customIdPrefix: `node-red-${(batchCounter = (batchCounter + 1) % 1e9)}`,
        onProgress: (_index, p) => ctx.progress(p),
      }),
    );
  } finally {
    ctx.server.rememberTiming();
  }
}

const DEFAULT_TIMEOUT_MS = 600_000;
const DEFAULT_FALLBACK_S = 60;
const MIN_FALLBACK_S = 1;

function fallbackSeconds(ctx: OperationContext): number {
  const value = Number(ctx.config.fallbackPoll);
  return Number.isFinite(value) && value > 0 ? Math.max(MIN_FALLBACK_S, value) : DEFAULT_FALLBACK_S;
}

function sleep(ms: number, signal?: AbortSignal, until?: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, Math.max(0, ms));
    signal?.addEventListener('abort', finish, { once: true });
    void until?.then(finish);
  });
}

/**
 * "Wake on webhook": the task is scheduled with a per-task callback on Node-RED's HTTP node server and
 * read again only when the server calls back, or every `fallbackS` seconds in case the callback was lost
 * or refused. After a callback the wait goes on as core plans it (a callback is a wake-up, not a result).
 */
async function runWoken(
  ctx: OperationContext,
  request: ScheduleRequest,
  wait: ReturnType<typeof waitOptions>,
  fallbackS: number,
): Promise<Task> {
  // the node's own checks come before anything is sent
  const target: WakeTarget = ctx.server.wakeTarget();
  try {
    const scheduled = await one(
      ctx.client.tasks.runMany([{ ...request, webhookUri: target.uri, webhookMethod: 'HTTP:POST' }], {
        wait: false,
        signal: ctx.signal,
        customIdPrefix: `node-red-${(batchCounter = (batchCounter + 1) % 1e9)}`,
      }),
    );
    const timeoutMs = wait.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    return await waitForTask(
      {
        now: Date.now,
        sleep: (ms, signal) =>
          target.isWoken()
            ? sleep(ms, signal)
            : sleep(Math.min(fallbackS * 1000, deadline - Date.now()), signal, target.woken),
      },
      scheduled,
      (bounds) => ctx.client.tasks.get(scheduled.id, bounds),
      { timeoutMs, signal: ctx.signal, onProgress: ctx.progress },
    );
  } finally {
    target.dispose();
  }
}

export const taskOperations: Record<string, Operation> = {
  async run(ctx) {
    const type = String(ctx.param('taskType', { required: true }));
    // the node's own checks come before the first request
    const wait = shouldWait(ctx.config) ? waitOptions(ctx) : undefined;
    const customId = ctx.param('customId');
    const appId = ctx.param('appId');
    const types = await loadTaskTypes(ctx.server);
    const taskType = types.find((candidate) => candidate.id === type);
    if (!taskType) {
      throw new NodeInputError(
        ctx.t('f7cloud-task.errors.unknownTaskType', {
          taskType: type,
          known: types.map((candidate) => candidate.id).join(', '),
        }),
      );
    }
    const input = await buildInput(ctx, taskType);
    const request: ScheduleRequest = {
      type,
      input,
      ...(customId !== undefined ? { customId: String(customId) } : {}),
      ...(appId !== undefined ? { appId: String(appId) } : {}),
    };
    if (!wait) {
      const task = await ctx.client.tasks.schedule(request);
      return { payload: task.id, assistant: task, set: { taskId: task.id }, statusText: `#${task.id}` };
    }
    const task =
      ctx.config.waitMode === 'webhook'
        ? await runWoken(ctx, request, wait, fallbackSeconds(ctx))
        : await runPolling(ctx, request, wait);
    const set: Record<string, unknown> = { taskId: task.id };
    for (const slot of shapeSlots(taskType.outputShape)) {
      const value = task.output ? task.output[slot.name] : undefined;
      if (isFileSlot(slot) && value !== undefined) {
        set.fileId = Array.isArray(value) ? value[0] : value;
        break;
      }
    }
    return { payload: taskOutput(task), assistant: task, set };
  },

  async get(ctx) {
    const task = await ctx.client.tasks.get(taskId(ctx), { signal: ctx.signal });
    return { payload: task, assistant: task, set: { taskId: task.id } };
  },

  async getMany(ctx) {
    const taskTypeId = ctx.param('taskType');
    const tasks = await ctx.client.tasks.list({
      ...(taskTypeId ? { taskTypeId: String(taskTypeId) } : {}),
      signal: ctx.signal,
    });
    return {
      payload: tasks,
      assistant: tasks,
      statusText: ctx.t('common.status.count', { count: tasks.length }),
    };
  },

  async cancel(ctx) {
    const id = taskId(ctx);
    const result = await ctx.client.tasks.cancel(id);
    return { payload: result, assistant: result, set: { taskId: id } };
  },

  async delete(ctx) {
    const id = taskId(ctx);
    await ctx.client.tasks.delete(id);
    return { payload: null, assistant: null, set: { taskId: id } };
  },

  async getTypes(ctx) {
    const types = await ctx.client.taskTypes({ signal: ctx.signal });
    return {
      payload: types,
      assistant: types,
      statusText: ctx.t('common.status.count', { count: types.length }),
    };
  },

  async setNotification(ctx) {
    const id = taskId(ctx);
    await ctx.client.tasks.notifyWhenReady(id);
    return { payload: null, assistant: null, set: { taskId: id } };
  },

  async getNotification(ctx) {
    const id = taskId(ctx);
    const result = await ctx.client.tasks.getNotification(id);
    return { payload: result, assistant: result, set: { taskId: id } };
  },

  async cancelNotification(ctx) {
    const id = taskId(ctx);
    await ctx.client.tasks.cancelNotification(id);
    return { payload: null, assistant: null, set: { taskId: id } };
  },

  async downloadOutputFile(ctx) {
    const id = taskId(ctx);
    const file = await ctx.client.tasks.downloadOutputFile(id, outputFileId(ctx), { signal: ctx.signal });
    const out = fileMessage(file);
    return { ...out, set: { ...out.set, taskId: id } };
  },

  async previewOutputFile(ctx) {
    const id = taskId(ctx);
    // x/y are the canvas position of a Node-RED node, so the preview size is width/height here
    const x = ctx.param('width', { type: 'number' });
    const y = ctx.param('height', { type: 'number' });
    const file = await ctx.client.tasks.previewOutputFile(id, outputFileId(ctx), {
      ...(x !== undefined ? { x } : {}),
      ...(y !== undefined ? { y } : {}),
      signal: ctx.signal,
    });
    const out = fileMessage(file);
    return { ...out, set: { ...out.set, taskId: id } };
  },

  async saveOutputFile(ctx) {
    const id = taskId(ctx);
    const result = await ctx.client.tasks.saveOutputFile(id, outputFileId(ctx));
    return { payload: result, assistant: result, set: { taskId: id, fileId: result.fileId } };
  },

  async shareOutputFile(ctx) {
    const id = taskId(ctx);
    const result = await ctx.client.tasks.shareOutputFile(id, outputFileId(ctx));
    return { payload: result.url, assistant: result, set: { taskId: id } };
  },
};
