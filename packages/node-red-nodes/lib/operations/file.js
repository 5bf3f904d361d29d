// @ts-check
'use strict';

const { NodeInputError } = require('../errors');
const { waitOptions, shouldWait, fileMessage, taskOutput } = require('./shared');

/** @typedef {import('../worker').OperationContext} Ctx */

/** msg.payload as bytes: a Buffer as is, text as UTF-8. @param {Ctx} ctx */
function payloadBytes(ctx) {
  const payload = ctx.msg.payload;
  if (Buffer.isBuffer(payload)) return payload;
  if (payload instanceof Uint8Array) return Buffer.from(payload);
  if (typeof payload === 'string' && payload.length > 0) return Buffer.from(payload, 'utf8');
  throw new NodeInputError(ctx.t('f7cloud-file.errors.payloadNotFile'));
}

/** @param {Ctx} ctx */
function fileIdOrPathMissing(ctx) {
  return new NodeInputError(ctx.t('f7cloud-file.errors.noFileOrPath'));
}

/** @param {Ctx} ctx */
function fileId(ctx) {
  return ctx.param('fileId', { required: true, type: 'number' });
}

/** @type {Record<string, import('../worker').Operation>} */
const fileOperations = {
  async uploadInput(ctx) {
    const data = payloadBytes(ctx);
    const filename = ctx.param('filename');
    const result = await ctx.client.files.uploadInput(data, {
      ...(filename ? { filename: String(filename) } : {}),
      signal: ctx.signal,
    });
    return { payload: result, assistant: result, set: { fileId: result.fileId } };
  },

  async upload(ctx) {
    const data = payloadBytes(ctx);
    const path = String(ctx.param('path', { required: true }));
    const result = await ctx.client.files.upload(path, data, { signal: ctx.signal });
    return { payload: result, assistant: result, set: { fileId: result.fileId } };
  },

  async extractText(ctx) {
    // by file id unless the node says "by path"; a msg.path alone also works
    const id = ctx.config.source === 'path' ? undefined : ctx.param('fileId', { type: 'number' });
    const path = id === undefined ? ctx.param('path') : undefined;
    const request = id !== undefined ? { fileId: id } : path !== undefined ? { path: String(path) } : null;
    if (!request) throw fileIdOrPathMissing(ctx);
    const text = await ctx.client.files.extractText(request, { signal: ctx.signal });
    return { payload: text, assistant: { ...request, text } };
  },

  async getInfo(ctx) {
    const id = fileId(ctx);
    const info = await ctx.client.files.info(id, { signal: ctx.signal });
    return { payload: info, assistant: info, set: { fileId: id } };
  },

  async download(ctx) {
    const id = fileId(ctx);
    const out = fileMessage(await ctx.client.files.download(id, { signal: ctx.signal }));
    return { ...out, set: { ...out.set, fileId: id } };
  },

  async runAction(ctx) {
    const id = fileId(ctx);
    const action = String(ctx.param('action', { required: true }));
    const wait = shouldWait(ctx.config);
    const result = await ctx.client.files.runAction(
      id,
      action,
      wait ? { wait: true, ...waitOptions(ctx) } : { signal: ctx.signal },
    );
    const task = result.task;
    return {
      // with wait: the task's output (the summary or transcript); without: the task's id
      payload: wait && task ? taskOutput(task) : task ? task.id : null,
      assistant: result,
      // the file the action wrote beside the source, so a download node can follow
      set: {
        fileId: result.file ? result.file.fileId : id,
        sourceFileId: id,
        taskId: task ? task.id : undefined,
      },
    };
  },
};

module.exports = { fileOperations };
