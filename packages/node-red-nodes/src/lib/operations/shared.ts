import { safeFileName, type BinaryResult, type Task, type WaitOptions } from '@f7cloud/assistant-client';
import type { NodeDef } from '../../red.js';
import { NodeInputError } from '../errors.js';
import type { OperationContext } from '../worker.js';

const DEFAULT_TIMEOUT_S = 600;

/** Wait settings from the editor (seconds) or msg.timeout (seconds). */
export function waitOptions(ctx: OperationContext): WaitOptions & { signal: AbortSignal } {
  const seconds = ctx.param('timeout', { type: 'number' }) ?? DEFAULT_TIMEOUT_S;
  if (seconds <= 0) {
    throw new NodeInputError(ctx.t('common.errors.badTimeout', { value: String(seconds) }));
  }
  return { timeoutMs: seconds * 1000, signal: ctx.signal, onProgress: ctx.progress };
}

/** "wait" is a checkbox in the editor, on unless unticked. */
export function shouldWait(config: NodeDef): boolean {
  return config.wait !== false && config.wait !== 'false';
}

/**
 * The server's name of a downloaded file as a safe base name for msg.filename: flows write files under it,
 * and a hostile server may send "../../x" or control characters.
 */
export function fileName(file: Pick<BinaryResult, 'fileName'>): string | undefined {
  return typeof file.fileName === 'string' ? safeFileName(file.fileName, 'download') : undefined;
}

/** A downloaded file as msg properties: payload Buffer, filename, contentType. */
export function fileMessage(file: BinaryResult): {
  payload: Buffer;
  assistant: Record<string, unknown>;
  set: Record<string, unknown>;
} {
  const data = file.data;
  const payload = data ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.alloc(0);
  const filename = fileName(file);
  const contentType = typeof file.contentType === 'string' ? file.contentType : undefined;
  return {
    payload,
    assistant: { filename, contentType, size: payload.length },
    set: { filename, contentType },
  };
}

/**
 * The main output of a finished task: the text when the task produced one text output,
 * else the output object as the server sent it.
 */
export function taskOutput(task: Pick<Task, 'output'> | undefined): unknown {
  const output = task ? task.output : undefined;
  if (output && typeof output === 'object' && !Array.isArray(output)) {
    const values = Object.values(output);
    if (values.length === 1 && typeof values[0] === 'string') return values[0];
  }
  return output ?? null;
}
