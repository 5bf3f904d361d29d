import { Readable } from 'node:stream';
import type { BinaryResult, FileActionType } from '@f7cloud/assistant-client';
import { NodeInputError } from '../errors.js';
import type { Operation, OperationContext, OperationResult } from '../worker.js';
import { fileMessage, fileName, shouldWait, taskOutput, waitOptions } from './shared.js';

interface PayloadBody {
  data: Buffer | AsyncIterable<Uint8Array>;
  size?: number;
  /** The payload stream's own read error, if it failed. */
  streamError: () => Error | undefined;
}

type PayloadStream = AsyncIterable<Uint8Array> & {
  readableEnded?: boolean;
  destroyed?: boolean;
  once?: (event: 'error', listener: (error: Error) => void) => unknown;
};

/** A Readable (or any async iterable of bytes) that is not a Buffer. */
function isStream(value: unknown): value is PayloadStream {
  return (
    !!value &&
    typeof value === 'object' &&
    !(value instanceof Uint8Array) &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/**
 * msg.payload as something to upload: a Buffer as is, text as UTF-8, a Readable streamed through
 * (with msg.size, when given, as its length), so a large file never sits in memory.
 */
function payloadBody(ctx: OperationContext): PayloadBody {
  const payload = ctx.msg.payload;
  const none = (): undefined => undefined;
  if (Buffer.isBuffer(payload)) return { data: payload, streamError: none };
  if (payload instanceof Uint8Array) return { data: Buffer.from(payload), streamError: none };
  if (typeof payload === 'string' && payload.length > 0) {
    return { data: Buffer.from(payload, 'utf8'), streamError: none };
  }
  if (isStream(payload)) {
    if (payload.readableEnded || payload.destroyed) {
      throw new NodeInputError(ctx.t('f7cloud-file.errors.streamUsed'));
    }
    // A read error of the source (a missing file, a broken pipe) would otherwise look like a network error.
    let failed: Error | undefined;
    if (typeof payload.once === 'function') payload.once('error', (e) => (failed = e));
    const size = ctx.param('size', { type: 'number' });
    return { data: payload, ...(size !== undefined ? { size } : {}), streamError: () => failed };
  }
  throw new NodeInputError(ctx.t('f7cloud-file.errors.payloadNotFile'));
}

/** Runs an upload; when the payload stream itself failed, says so instead of blaming the network. */
async function uploading<T>(ctx: OperationContext, body: PayloadBody, upload: () => Promise<T>): Promise<T> {
  try {
    return await upload();
  } catch (error) {
    const failed = body.streamError();
    if (failed) {
      // part of the file may have been sent before the read failed
      throw new NodeInputError(
        ctx.t('f7cloud-file.errors.streamFailed', { message: failed.message }),
        'invalid_input',
        {
          sent: undefined,
        },
      );
    }
    throw error;
  }
}

/**
 * A download handed on as a stream: msg.payload is a Readable the next node consumes (e.g. pipes to a
 * file). Errors after this node is done (the server or network failing mid-file) are emitted on the stream;
 * one is logged here too, so an unconsumed stream cannot crash Node-RED with an unhandled 'error'.
 */
function streamMessage(
  ctx: OperationContext,
  file: BinaryResult,
): OperationResult & { set: Record<string, unknown> } {
  const source = file.stream ?? [];
  const payload = source instanceof Readable ? source : Readable.from(source, { objectMode: false });
  payload.once('error', (error: Error) =>
    ctx.warn(ctx.t('f7cloud-file.errors.downloadStreamFailed', { message: error.message })),
  );
  const filename = fileName(file);
  const contentType = typeof file.contentType === 'string' ? file.contentType : undefined;
  const size = typeof file.size === 'number' ? file.size : undefined;
  return {
    payload,
    assistant: { filename, contentType, size, stream: true },
    set: { filename, contentType, size },
  };
}

function fileId(ctx: OperationContext): number {
  return ctx.param('fileId', { required: true, type: 'id' });
}

function fileAction(ctx: OperationContext): FileActionType {
  // core refuses any other value, with the list of actions, before sending anything
  return String(ctx.param('action', { required: true })) as FileActionType;
}

export const fileOperations: Record<string, Operation> = {
  async uploadInput(ctx) {
    const body = payloadBody(ctx);
    const filename = ctx.param('filename');
    const result = await uploading(ctx, body, () =>
      ctx.client.files.uploadInput(body.data, {
        ...(filename ? { filename: String(filename) } : {}),
        ...(body.size !== undefined ? { size: body.size } : {}),
        signal: ctx.signal,
      }),
    );
    return { payload: result, assistant: result, set: { fileId: result.fileId } };
  },

  async upload(ctx) {
    const body = payloadBody(ctx);
    const path = String(ctx.param('path', { required: true }));
    const result = await uploading(ctx, body, () =>
      ctx.client.files.upload(path, body.data, {
        ...(body.size !== undefined ? { size: body.size } : {}),
        signal: ctx.signal,
      }),
    );
    return { payload: result, assistant: result, set: { fileId: result.fileId } };
  },

  async extractText(ctx) {
    // by file id unless the node says "by path"; a msg.path alone also works
    const id = ctx.config.source === 'path' ? undefined : ctx.param('fileId', { type: 'id' });
    const path = id === undefined ? ctx.param('path') : undefined;
    const request = id !== undefined ? { fileId: id } : path !== undefined ? { path: String(path) } : null;
    if (!request) throw new NodeInputError(ctx.t('f7cloud-file.errors.noFileOrPath'));
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
    if (ctx.config.stream === true || ctx.config.stream === 'true') {
      const out = streamMessage(
        ctx,
        await ctx.client.files.download(id, { stream: true, signal: ctx.signal }),
      );
      return { ...out, set: { ...out.set, fileId: id } };
    }
    const out = fileMessage(await ctx.client.files.download(id, { signal: ctx.signal }));
    return { ...out, set: { ...out.set, fileId: id } };
  },

  async runAction(ctx) {
    const id = fileId(ctx);
    const action = fileAction(ctx);
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
