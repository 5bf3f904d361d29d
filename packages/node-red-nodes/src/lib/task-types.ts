import { slotType, type ShapeDescriptor, type TaskType } from '@f7cloud/assistant-client';
import type { ServerNode } from './server-client.js';

const CACHE_MS = 60_000;

interface Cached {
  at: number;
  types: TaskType[];
}
const cache = new WeakMap<ServerNode, Cached>();

/** The server's task types, cached for a minute per config node. */
export async function loadTaskTypes(server: ServerNode): Promise<TaskType[]> {
  const cached = cache.get(server);
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.types;
  const types = await server.getClient().taskTypes();
  cache.set(server, { at: Date.now(), types });
  return types;
}

export interface Slot {
  /** The slot's key in the task input. */
  name: string;
  /** Its shape type, e.g. Text, Enum, ListOfImages. */
  type: string;
}

/** Slots of a shape map as a list. */
export function shapeSlots(shape: Record<string, ShapeDescriptor> | undefined): Slot[] {
  if (!shape || typeof shape !== 'object') return [];
  return Object.entries(shape).map(([key, slot]) => ({
    name: key,
    type: slot && typeof slot.type === 'string' ? slot.type : 'Text',
  }));
}

/** One input of a task type as the editor shows it: the server's display name, with the key as a hint. */
export interface EditorField {
  key: string;
  name: string;
  description: string;
  type: string;
  /** How the slot is filled, from core: text, number, enum or file (ids). */
  kind: ReturnType<typeof slotType>['kind'];
  list: boolean;
  required: boolean;
  /** For enum slots; the editor puts "server default" first. */
  options?: { name: string; value: string }[];
}

/** The inputs of a task type, required ones first, for the editor's fields. */
export function editorFields(taskType: TaskType): EditorField[] {
  const fields = (
    shape: Record<string, ShapeDescriptor>,
    enums: Record<string, { name: string; value: string }[]>,
    required: boolean,
  ): EditorField[] =>
    Object.entries(shape ?? {}).map(([key, slot]) => {
      const type = typeof slot?.type === 'string' ? slot.type : 'Text';
      const { kind, list } = slotType(type);
      const options = enums?.[key];
      return {
        key,
        name: typeof slot?.name === 'string' && slot.name.trim() ? slot.name : key,
        description: typeof slot?.description === 'string' ? slot.description : '',
        type,
        kind,
        list,
        required,
        ...(kind === 'enum' && Array.isArray(options) ? { options } : {}),
      };
    });
  return [
    ...fields(taskType.inputShape, taskType.inputShapeEnumValues, true),
    ...fields(taskType.optionalInputShape, taskType.optionalInputShapeEnumValues, false),
  ];
}
