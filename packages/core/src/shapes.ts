import { badInput } from './errors.js';
import { printable } from './shape.js';
import type { TaskInputValue } from './types.js';

// What a task input/output slot holds, from its shape type. Servers name list types ListOfImages (some docs
// write ListOf<Image>); file slots (Image, Audio, Video, File) take and give numeric file ids.
export type SlotKind = 'text' | 'number' | 'enum' | 'file';

export interface SlotType {
  kind: SlotKind;
  /** A list of values (ListOf…). */
  list: boolean;
  /** For file slots: what the file is. */
  media?: 'Image' | 'Audio' | 'Video' | 'File';
}

export function slotType(shapeType: string): SlotType {
  const type = typeof shapeType === 'string' ? shapeType : 'Text';
  const list = type.startsWith('ListOf');
  const base = (list ? type.slice('ListOf'.length) : type).replace(/^<(.*)>$/, '$1');
  const media = /^(Image|Audio|Video|File)s?$/.exec(base)?.[1] as SlotType['media'];
  if (media) return { kind: 'file', list, media };
  if (/^Numbers?$/.test(base)) return { kind: 'number', list };
  if (base === 'Enum') return { kind: 'enum', list };
  return { kind: 'text', list };
}

/** Every slot kind with the words a user sees for it, and what a value of it is. */
export const SLOT_KINDS: Readonly<Record<SlotKind, { label: string; takes: string }>> = {
  text: { label: 'Text', takes: 'a text' },
  number: { label: 'Number', takes: 'a number' },
  enum: { label: 'Choice', takes: 'one of the values the task type lists' },
  file: { label: 'File', takes: 'the numeric id of a file in your files (or one uploaded as task input)' },
};

export interface FillOptions {
  /**
   * For file slots given something other than a file id (e.g. the name of a host's binary field): turns
   * it into a file id, typically by uploading it with `files.uploadInput`. Without it such a value is refused.
   */
  file?: (reference: string) => Promise<number>;
}

function isBlank(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

/**
 * The parts of a list slot's value: an array as it is, a JSON array text, or a text split into parts —
 * by lines for texts (a text may hold commas), by commas, spaces or lines for numbers and file ids.
 */
export function slotParts(kind: SlotKind, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') return [value];
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // not JSON: split it below
    }
  }
  const separator = kind === 'text' || kind === 'enum' ? /\r?\n/ : /[\s,]+/;
  return trimmed
    .split(separator)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/**
 * Turns what a host got for an input slot (from a form, an expression, a message) into the task input
 * value the server takes: numbers for number and file slots, texts otherwise, arrays for ListOf… slots.
 * Returns undefined for an empty value (leave the input out). Throws `invalid_input` naming the slot.
 */
export async function fillSlot(
  name: string,
  shapeType: string,
  value: unknown,
  options: FillOptions = {},
): Promise<TaskInputValue | undefined> {
  if (isBlank(value)) return undefined;
  const { kind, list } = slotType(shapeType);
  const parts = list ? slotParts(kind, value) : [value];
  const out: (string | number)[] = [];
  for (const part of parts) out.push(await fillPart(name, kind, part, options));
  return list ? out : out[0];
}

async function fillPart(
  name: string,
  kind: SlotKind,
  value: unknown,
  options: FillOptions,
): Promise<string | number> {
  const text = typeof value === 'string' ? value.trim() : undefined;
  if (kind === 'number') {
    const n = typeof value === 'number' ? value : text !== undefined && text !== '' ? Number(text) : NaN;
    if (!Number.isFinite(n)) {
      throw badInput(
        `Input "${name}" must be a number, got ${printable(value)}.`,
        `Give a number for "${name}".`,
      );
    }
    return n;
  }
  if (kind === 'file') {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
    if (text !== undefined && /^\d+$/.test(text) && Number(text) > 0) return Number(text);
    if (text && options.file) return options.file(text);
    throw badInput(
      `Input "${name}" must be a file id (a positive whole number), got ${printable(value)}.`,
      `Give the id of a file in your files, or upload the file as a task input first.`,
    );
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}
