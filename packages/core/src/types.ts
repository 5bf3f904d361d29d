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
  /** Assistant 3.x+: the group the web UI files the type under. */
  category?: { id: string; name: string };
  /** Assistant 4.0: the provider the administrator prefers for this type (null: none set). */
  preferredProviderName?: string | null;
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
  /**
   * Nextcloud 33+: mark generated output as AI-made (the server's default is true). Left out, with an
   * `ignored_option` warning, on older servers, which never mark output.
   */
  includeWatermark?: boolean;
  /**
   * Nextcloud 35+: ask a streaming provider for output as it is generated (see `onPartial`). Left out, with
   * an `ignored_option` warning, on older servers.
   */
  preferStreaming?: boolean;
}
