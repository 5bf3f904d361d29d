// @ts-check
'use strict';

const { NodeInputError } = require('../errors');
const { slotType } = require('@f7cloud/assistant-client');
const { loadTaskTypes, shapeSlots, isFileSlot } = require('../task-types');
const { waitOptions, shouldWait, fileMessage, taskOutput } = require('./shared');

/** @typedef {import('../worker').OperationContext} Ctx */

/** @param {Ctx} ctx */
function taskId(ctx) {
  return ctx.param('taskId', { required: true, type: 'id' });
}

/** @param {Ctx} ctx */
function outputFileId(ctx) {
  return ctx.param('fileId', { required: true, type: 'id' });
}

/**
 * Converts one input value to what the slot takes (numbers, file ids, lists of file ids).
 * @param {{name: string, type: string}} slot @param {any} value @param {Ctx} ctx
 */
function coerce(slot, value, ctx) {
  const { kind, list } = slotType(slot.type);
  const one = (/** @type {any} */ v) => {
    if (kind === 'number' || kind === 'file') {
      const n = typeof v === 'number' ? v : Number(v);
      if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(n)) return n;
      if (typeof v === 'number') return v;
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
 * @param {Ctx} ctx @param {any} taskType
 */
async function buildInput(ctx, taskType) {
  const slots = shapeSlots(taskType.inputShape);
  const optional = shapeSlots(taskType.optionalInputShape);
  /** @type {Record<string, any>} */
  const input = {};
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
  const missing = slots.filter((slot) => input[slot.name] === undefined);
  const target = missing[0];
  /** @type {Buffer | Uint8Array | undefined} the payload, uploaded for the target slot once the input is checked */
  let upload;
  if (target && payload !== undefined && payload !== null && payload !== '') {
    if (isFileSlot(target.type) && (Buffer.isBuffer(payload) || payload instanceof Uint8Array)) {
      upload = payload;
    } else if (!isFileSlot(target.type) && typeof payload === 'object' && !Buffer.isBuffer(payload)) {
      // an object payload is not a prompt: leave it, the missing-input error below says what to do
    } else {
      input[target.name] = Buffer.isBuffer(payload) ? payload.toString('utf8') : payload;
    }
  }
  const stillMissing = slots.filter((slot) => input[slot.name] === undefined && !(upload && slot === target));
  if (stillMissing.length > 0) {
    const slot = /** @type {{name: string, type: string}} */ (stillMissing[0]);
    throw new NodeInputError(
      ctx.t('f7cloud-task.errors.missingInput', { taskType: taskType.id, name: slot.name, type: slot.type }),
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
  return input;
}

/** @type {Record<string, import('../worker').Operation>} */
const taskOperations = {
  async run(ctx) {
    const type = ctx.param('taskType', { required: true });
    // the node's own checks come before the first request
    const wait = shouldWait(ctx.config) ? waitOptions(ctx) : undefined;
    const customId = ctx.param('customId');
    const appId = ctx.param('appId');
    const types = await loadTaskTypes(ctx.server, ctx.client);
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
    /** @type {Record<string, unknown>} */
    const request = { type, input };
    if (customId !== undefined) request.customId = String(customId);
    if (appId !== undefined) request.appId = String(appId);
    if (!wait) {
      const task = await ctx.client.tasks.schedule(request);
      return { payload: task.id, assistant: task, set: { taskId: task.id }, statusText: `#${task.id}` };
    }
    const task = await ctx.client.tasks.run(request, wait);
    /** @type {Record<string, unknown>} */
    const set = { taskId: task.id };
    for (const slot of shapeSlots(taskType.outputShape)) {
      const value = task.output ? task.output[slot.name] : undefined;
      if (isFileSlot(slot.type) && value !== undefined) {
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
    const tasks = await ctx.client.tasks.list({ ...(taskTypeId ? { taskTypeId } : {}), signal: ctx.signal });
    return {
      payload: tasks,
      assistant: tasks,
      statusText: ctx.t('common.status.count', { count: tasks.length }),
    };
  },

  async cancel(ctx) {
    const id = taskId(ctx);
    const result = await ctx.client.tasks.cancel(id);
    return { payload: result ?? null, assistant: result ?? null, set: { taskId: id } };
  },

  async delete(ctx) {
    const id = taskId(ctx);
    const result = await ctx.client.tasks.delete(id);
    return { payload: result ?? null, assistant: result ?? null, set: { taskId: id } };
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
    const result = await ctx.client.tasks.notifyWhenReady(id);
    return { payload: result ?? null, assistant: result ?? null, set: { taskId: id } };
  },

  async getNotification(ctx) {
    const id = taskId(ctx);
    const result = await ctx.client.tasks.getNotification(id);
    return { payload: result, assistant: result, set: { taskId: id } };
  },

  async cancelNotification(ctx) {
    const id = taskId(ctx);
    const result = await ctx.client.tasks.cancelNotification(id);
    return { payload: result ?? null, assistant: result ?? null, set: { taskId: id } };
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
    return { payload: result, assistant: result, set: { taskId: id, fileId: result && result.fileId } };
  },

  async shareOutputFile(ctx) {
    const id = taskId(ctx);
    const result = await ctx.client.tasks.shareOutputFile(id, outputFileId(ctx));
    return { payload: result.url, assistant: result, set: { taskId: id } };
  },
};

module.exports = { taskOperations, buildInput };
