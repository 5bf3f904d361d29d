import {
  AssistantError,
  slotType,
  type AssistantClient,
  type ShapeDescriptor,
  type SlotKind,
  type Task,
  type TaskInputValue,
  type TaskType,
} from '@f7cloud/assistant-client';
import type { IBinaryKeyData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { readBinary, toBinary } from './binary';

export type { SlotKind };

/** What kind of value a task input/output slot holds (core knows the shape types). */
export function slotKind(shape: Pick<ShapeDescriptor, 'type'>): { kind: SlotKind; list: boolean } {
  const { kind, list } = slotType(shape.type);
  return { kind, list };
}

type MappedValue = string | number | boolean | null | undefined | unknown[];

/**
 * Turns the values from the input mapper into the task's `input`: numbers become numbers, lists become
 * arrays, and file slots take either a file id or the name of a binary field, which is uploaded first.
 */
export async function buildTaskInput(
  ctx: IExecuteFunctions,
  itemIndex: number,
  client: AssistantClient,
  type: TaskType,
  values: Record<string, MappedValue>,
): Promise<Record<string, TaskInputValue>> {
  const input: Record<string, TaskInputValue> = {};
  const shapes = { ...type.optionalInputShape, ...type.inputShape };
  for (const [name, raw] of Object.entries(values)) {
    const shape = shapes[name];
    if (!shape || isEmpty(raw)) continue;
    const { kind, list } = slotKind(shape);
    const parts = list ? toList(raw) : [raw];
    const converted: (string | number)[] = [];
    for (const part of parts) converted.push(await convert(ctx, itemIndex, client, name, kind, part));
    input[name] = list ? converted : (converted[0] as string | number);
  }
  const missing = Object.keys(type.inputShape).filter((name) => input[name] === undefined);
  if (missing.length > 0) {
    throw new AssistantError({
      code: 'invalid_input',
      message: `The task type "${type.name}" needs a value for: ${missing.join(', ')}. Fill these in under "Inputs".`,
    });
  }
  return input;
}

async function convert(
  ctx: IExecuteFunctions,
  itemIndex: number,
  client: AssistantClient,
  name: string,
  kind: SlotKind,
  value: unknown,
): Promise<string | number> {
  if (kind === 'number') {
    const n = typeof value === 'number' ? value : Number(String(value).trim());
    if (!Number.isFinite(n)) {
      throw new AssistantError({
        code: 'invalid_input',
        message: `Input "${name}" must be a number, got "${String(value)}".`,
      });
    }
    return n;
  }
  if (kind === 'file') {
    if (typeof value === 'number') return value;
    const text = String(value).trim();
    if (/^\d+$/.test(text)) return Number(text);
    // Not an id: the name of a binary field of this item, uploaded as an input file.
    const file = await readBinary(ctx, itemIndex, text);
    const uploaded = await client.files.uploadInput(
      file.data,
      file.fileName ? { filename: file.fileName } : {},
    );
    return uploaded.fileId;
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function isEmpty(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

function toList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(trimmed);
        if (Array.isArray(parsed)) return parsed;
      } catch {
        // not JSON: fall through to comma-separated
      }
    }
    return trimmed
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
  }
  return [value];
}

/** Output item for a finished task: file outputs become binary fields named after their slot. */
export async function taskResultItem(
  ctx: IExecuteFunctions,
  client: AssistantClient,
  task: Task,
  type: TaskType | undefined,
  simplify: boolean,
): Promise<INodeExecutionData> {
  const binary: IBinaryKeyData = {};
  const output = task.output ?? {};
  if (type) {
    const shapes = { ...type.optionalOutputShape, ...type.outputShape };
    for (const [name, value] of Object.entries(output)) {
      const shape = shapes[name];
      if (!shape || slotKind(shape).kind !== 'file') continue;
      const ids = Array.isArray(value) ? value : [value];
      for (const [index, id] of ids.entries()) {
        const file = await client.tasks.downloadOutputFile(task.id, Number(id));
        const field = Array.isArray(value) ? `${name}_${index}` : name;
        binary[field] = await toBinary(ctx, file, `${task.id}-${String(id)}`);
      }
    }
  }
  const json: IDataObject = simplify
    ? { taskId: task.id, status: task.status, ...(output as IDataObject) }
    : (task as unknown as IDataObject);
  return Object.keys(binary).length > 0 ? { json, binary } : { json };
}

export function taskItem(task: Task, simplify: boolean): INodeExecutionData {
  if (!simplify) return { json: task as unknown as IDataObject };
  return {
    json: {
      taskId: task.id,
      type: task.type,
      status: task.status,
      ...(task.output ? { output: task.output as IDataObject } : {}),
      scheduledAt: task.scheduledAt,
      endedAt: task.endedAt,
    },
  };
}
