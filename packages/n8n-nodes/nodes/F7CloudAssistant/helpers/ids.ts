import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

interface LocatorValue {
  mode?: unknown;
  value?: unknown;
}

/**
 * A parameter's value and mode: resource locators give `{ mode, value }`; workflows saved before they
 * existed hold the bare ID string (or a number from an expression), read as mode "id".
 */
export function locatorParameter(
  ctx: IExecuteFunctions,
  name: string,
  itemIndex: number,
  fallback?: string,
): { mode: string; value: unknown } {
  const raw = ctx.getNodeParameter(name, itemIndex, fallback) as unknown;
  if (raw !== null && typeof raw === 'object' && 'value' in raw) {
    const { mode, value } = raw as LocatorValue;
    return { mode: typeof mode === 'string' ? mode : 'id', value };
  }
  return { mode: 'id', value: raw };
}

function positiveId(
  ctx: IExecuteFunctions,
  raw: unknown,
  name: string,
  itemIndex: number,
  label: string,
): number {
  const text = typeof raw === 'number' ? String(raw) : String(raw ?? '').trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new NodeOperationError(
      ctx.getNode(),
      `${label} must be a positive whole number, got "${text.slice(0, 40)}". Nothing was sent.`,
      {
        itemIndex,
        description: `Pick it from the list, enter the ${label}, or map it from a previous node, e.g. {{ $json.${name} }}.`,
      },
    );
  }
  return Number(text);
}

/** Reads an ID parameter (resource locator or text field) as the positive whole number the API needs. */
export function idParameter(ctx: IExecuteFunctions, name: string, itemIndex: number, label: string): number {
  return positiveId(ctx, locatorParameter(ctx, name, itemIndex).value, name, itemIndex, label);
}

/** Reads a string-valued locator (task type): the value, trimmed. */
export function textParameter(ctx: IExecuteFunctions, name: string, itemIndex: number): string {
  return String(locatorParameter(ctx, name, itemIndex).value ?? '').trim();
}

/** A file chosen by path or by ID (helpers/fields.ts fileIdField), as core takes it. */
export function fileParameter(
  ctx: IExecuteFunctions,
  name: string,
  itemIndex: number,
): { fileId: number } | { path: string } {
  const { mode, value } = locatorParameter(ctx, name, itemIndex);
  if (mode === 'path') return { path: String(value ?? '') };
  return { fileId: positiveId(ctx, value, name, itemIndex, 'File ID') };
}

/** The file's ID, looking a path up on the server when the file was given by path. */
export async function fileIdOf(
  client: AssistantClient,
  file: { fileId: number } | { path: string },
): Promise<number> {
  return 'fileId' in file ? file.fileId : await client.files.resolve(file.path);
}
