import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

// What core learned about a server's pickup and run times, kept in the workflow's static data so the
// next execution plans its checks well from the first task. n8n saves static data after executions that
// a trigger started (not after manual test runs); in queue mode the worker saves it with the execution,
// so nothing lives in the process. Core bounds each state (types and samples per server); this bounds
// the servers.
const KEY = 'f7cloudTiming';
export const MAX_TIMING_SERVERS = 4;

type Stored = Record<string, { at: number; state: unknown }>;

function stored(staticData: IDataObject): Stored {
  const value = staticData[KEY];
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Stored) : {};
}

function staticDataOf(ctx: IExecuteFunctions): IDataObject | undefined {
  try {
    return ctx.getWorkflowStaticData('global');
  } catch {
    return undefined;
  }
}

export function importTiming(ctx: IExecuteFunctions, client: AssistantClient): void {
  const data = staticDataOf(ctx);
  if (data) client.timing.import(stored(data)[client.baseUrl]?.state);
}

export function exportTiming(ctx: IExecuteFunctions, client: AssistantClient, now = Date.now()): void {
  const data = staticDataOf(ctx);
  if (!data) return;
  const state = client.timing.export();
  if (Object.keys(state.types).length === 0) return;
  const all = { ...stored(data), [client.baseUrl]: { at: now, state } };
  const keep = Object.entries(all)
    .sort(([, a], [, b]) => b.at - a.at)
    .slice(0, MAX_TIMING_SERVERS);
  data[KEY] = Object.fromEntries(keep) as IDataObject;
}
