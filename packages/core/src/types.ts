// Friendly names for the generated types (spec + corrections), as services return them.
import type { components } from './generated/schema.js';

type Schemas = components['schemas'];

export type Task = Schemas['TaskProcessingTask'];
export type ShapeDescriptor = Schemas['ShapeDescriptor'];
export type ChatSession = Schemas['ChatSession'];
export type ChatMessage = Schemas['ChatMessage'];
export type ChatSessionCheck = Schemas['ChatSessionCheck'];
export type TaskInputValue = number | string | (number | string)[];

export interface EnumOption {
  name: string;
  value: string;
}

/** A task type with every map normalised to an object (servers send `[]` for empty ones). */
export interface TaskType {
  id: string;
  name: string;
  description: string;
  priority: number;
  inputShape: Record<string, ShapeDescriptor>;
  optionalInputShape: Record<string, ShapeDescriptor>;
  outputShape: Record<string, ShapeDescriptor>;
  optionalOutputShape: Record<string, ShapeDescriptor>;
  inputShapeEnumValues: Record<string, EnumOption[]>;
  optionalInputShapeEnumValues: Record<string, EnumOption[]>;
  outputShapeEnumValues: Record<string, EnumOption[]>;
  optionalOutputShapeEnumValues: Record<string, EnumOption[]>;
  inputShapeDefaults: Record<string, TaskInputValue>;
  optionalInputShapeDefaults: Record<string, TaskInputValue>;
}

export interface ScheduleRequest {
  /** Task type id, e.g. `core:text2text`. */
  type: string;
  input: Record<string, TaskInputValue>;
  /** Defaults to `assistant`, so the task shows in the Assistant's own history. */
  appId?: string;
  customId?: string;
  webhookUri?: string;
  webhookMethod?: 'HTTP:POST' | 'HTTP:GET' | 'HTTP:PUT' | 'HTTP:DELETE' | (string & {});
}
