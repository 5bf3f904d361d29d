import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** Reads an ID parameter (text field, so expressions work) as the positive whole number the API needs. */
export function idParameter(ctx: IExecuteFunctions, name: string, itemIndex: number, label: string): number {
  const raw = ctx.getNodeParameter(name, itemIndex) as unknown;
  const text = typeof raw === 'number' ? String(raw) : String(raw ?? '').trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new NodeOperationError(
      ctx.getNode(),
      `${label} must be a positive whole number, got "${text.slice(0, 40)}". Nothing was sent.`,
      {
        itemIndex,
        description: `Enter the ${label}, or map it from a previous node, e.g. {{ $json.${name} }}.`,
      },
    );
  }
  return Number(text);
}
