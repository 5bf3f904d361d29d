// @ts-check
'use strict';

const { safeFileName } = require('@f7cloud/assistant-client');
const { NodeInputError } = require('../errors');

const DEFAULT_TIMEOUT_S = 600;

/** Wait settings from the editor (seconds) or msg.timeout (seconds). @param {import('../worker').OperationContext} ctx */
function waitOptions(ctx) {
  const seconds = ctx.param('timeout', { type: 'number' }) ?? DEFAULT_TIMEOUT_S;
  if (seconds <= 0) {
    throw new NodeInputError(ctx.t('common.errors.badTimeout', { value: String(seconds) }));
  }
  return { timeoutMs: seconds * 1000, signal: ctx.signal, onProgress: ctx.progress };
}

/** "wait" is a checkbox in the editor, on unless unticked. @param {any} config */
function shouldWait(config) {
  return config.wait !== false && config.wait !== 'false';
}

/**
 * The server's name of a downloaded file as a safe base name for msg.filename: flows write files under it,
 * and a hostile server may send "../../x" or control characters.
 * @param {any} file core's BinaryResult
 * @returns {string | undefined}
 */
function fileName(file) {
  return file && typeof file.fileName === 'string' ? safeFileName(file.fileName, 'download') : undefined;
}

/**
 * A downloaded file as msg properties: payload Buffer, filename, contentType.
 * Accepts what core returns for a download (bytes, or an object with data/filename/contentType).
 * @param {any} file
 */
function fileMessage(file) {
  const data = file && file.data !== undefined ? file.data : file;
  const payload = Buffer.isBuffer(data)
    ? data
    : data instanceof ArrayBuffer
      ? Buffer.from(data)
      : ArrayBuffer.isView(data)
        ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
        : Buffer.from(String(data ?? ''));
  const filename = fileName(file);
  const contentType = file && typeof file.contentType === 'string' ? file.contentType : undefined;
  return {
    payload,
    assistant: { filename, contentType, size: payload.length },
    set: { filename, contentType },
  };
}

/**
 * The main output of a finished task: the text when the task produced one text output,
 * else the output object as the server sent it.
 * @param {any} task
 */
function taskOutput(task) {
  const output = task ? task.output : undefined;
  if (output && typeof output === 'object' && !Array.isArray(output)) {
    const values = Object.values(output);
    if (values.length === 1 && typeof values[0] === 'string') return values[0];
  }
  return output ?? null;
}

/** First output file id of a task, so downloadOutputFile can follow directly. @param {any} task */
function firstOutputFileId(task) {
  const output = task && task.output && typeof task.output === 'object' ? task.output : {};
  for (const value of Object.values(output)) {
    if (typeof value === 'number') return undefined;
    if (Array.isArray(value) && typeof value[0] === 'number') return value[0];
  }
  return undefined;
}

module.exports = {
  waitOptions,
  shouldWait,
  fileMessage,
  fileName,
  taskOutput,
  firstOutputFileId,
  DEFAULT_TIMEOUT_S,
};
