import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { getClient } from '../transport';
import { toNodeError } from './errors';

interface Said {
  message: string;
  description: string;
}

/** What a polling trigger watches and how it tells what is new; `pollTrigger` does the rest. */
export interface PollSource<T> {
  /** Where `decide` keeps its state in the node's workflow static data. */
  stateKey: string;
  /** The items as the server has them now. */
  read(client: AssistantClient): Promise<readonly T[]>;
  /** The items to start the workflow with, and the state for the next poll (from the stored one only). */
  /** `items` is null when the place is `missing` (core's rule then keeps or starts the state). */
  decide(stored: unknown, items: readonly T[] | null): { emit: readonly object[]; state: unknown };
  /** A test run's sample ("Fetch Test Event"). */
  sample(items: readonly T[]): object | undefined;
  /** What a test run says when there is no sample. */
  noSample: Said;
  /** For a place that may not exist yet: which failed read says so, and what a test run says then. */
  missing?: Said & { is(error: unknown): boolean };
}

/**
 * One poll of a trigger node: the server read through the node's credential, a test run answered with a
 * sample without touching the state (or an error saying why there is none, as n8n's own polling triggers
 * do), otherwise the new items emitted and the state stored in the workflow's static data, where every n8n
 * process finds it (queue mode).
 */
export async function pollTrigger<T>(
  ctx: IPollFunctions,
  source: PollSource<T>,
): Promise<INodeExecutionData[][] | null> {
  let items: readonly T[] | undefined;
  try {
    items = await source.read(await getClient(ctx));
  } catch (error) {
    if (!source.missing?.is(error)) throw pollError(ctx, error);
  }

  if (ctx.getMode() === 'manual') {
    const sample = items && source.sample(items);
    if (sample) return [[{ json: { ...sample } as IDataObject }]];
    const said = (!items && source.missing) || source.noSample;
    throw new NodeOperationError(ctx.getNode(), said.message, { description: said.description });
  }

  const staticData = ctx.getWorkflowStaticData('node');
  const { emit, state } = source.decide(staticData[source.stateKey], items ?? null);
  staticData[source.stateKey] = state as IDataObject;
  if (emit.length === 0) return null;
  return [emit.map((item) => ({ json: { ...item } as IDataObject }))];
}

/** A poll has no input item to tie an error to. */
function pollError(ctx: IPollFunctions, error: unknown): NodeApiError | NodeOperationError {
  const nodeError = toNodeError(ctx.getNode(), error, 0);
  if (nodeError instanceof NodeApiError) return nodeError;
  return new NodeOperationError(ctx.getNode(), nodeError.message, {
    description: nodeError.description ?? undefined,
  });
}
