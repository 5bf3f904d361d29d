// Guards for what services read out of answers: a proxy, an old server or a broken one can answer
// well-formed JSON of the wrong shape, which must become an AssistantError, not a TypeError.
import { AssistantError } from './errors.js';
import { operations } from './generated/operations.js';
import type { OperationId } from './http.js';
import type { Task } from './types.js';

export type Json = Record<string, unknown>;

/** A plain object (not null, not an array); keeps what the caller already knew about the value's type. */
export function isObject<T>(value: T): value is Exclude<T, null | undefined | readonly unknown[]> & Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unexpected(operationId: OperationId, expected: string): AssistantError {
  return new AssistantError({
    code: 'server',
    operationId,
    retryable: false,
    sent: true,
    summary: `"${operations[operationId]?.summary ?? operationId}" got an answer in an unexpected form (expected ${expected}).`,
    hint: 'The server may run a version of the Assistant app this client does not support; check its version.',
  });
}

/** The answer itself as an object. */
export function object(data: unknown, operationId: OperationId): Json {
  if (!isObject(data)) throw unexpected(operationId, 'an object');
  return data;
}

/** `data[key]` as an object with the given fields of the given types. */
export function objectAt(data: unknown, key: string, operationId: OperationId): Json {
  const value = object(data, operationId)[key];
  if (!isObject(value)) throw unexpected(operationId, `"${key}" to be an object`);
  return value;
}

/** A list of objects: `data[key]`, or the answer itself when key is omitted. */
export function listOf(data: unknown, key: string | undefined, operationId: OperationId): Json[] {
  const value = key === undefined ? data : object(data, operationId)[key];
  if (!Array.isArray(value) || !value.every(isObject))
    throw unexpected(operationId, `${key ? `"${key}"` : 'the answer'} to be a list of objects`);
  return value;
}

export function field<T extends 'string' | 'number'>(
  data: unknown,
  key: string,
  type: T,
  operationId: OperationId,
): T extends 'string' ? string : number {
  const value = object(data, operationId)[key];
  if (typeof value !== type || (type === 'number' && !Number.isFinite(value))) {
    throw unexpected(operationId, `"${key}" to be a ${type}`);
  }
  return value as T extends 'string' ? string : number;
}

/** What every task answer has, checked; the rest of a task is read field by field where it is used. */
export interface TaskCore {
  id: number;
  status: string;
}

/** A task as TaskProcessing and the assistant return it: at least an id and a status. */
export function taskShape<T extends TaskCore = Task>(value: unknown, operationId: OperationId): T {
  if (!isObject(value) || typeof value.id !== 'number' || typeof value.status !== 'string') {
    throw unexpected(operationId, 'a task with an id and a status');
  }
  return value as unknown as T;
}

/** Text for any value, for messages: never throws (JSON can carry `{"toString": ""}`). */
export function printable(value: unknown, max = 60): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (
    value === null ||
    value === undefined ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    typeof value === 'bigint'
  )
    text = String(value);
  else if (typeof value === 'symbol') text = value.description ?? 'a symbol';
  else {
    try {
      text = JSON.stringify(value) ?? 'an object';
    } catch {
      text = 'an object';
    }
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
