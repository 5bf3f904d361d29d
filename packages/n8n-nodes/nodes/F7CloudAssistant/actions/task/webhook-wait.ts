import { AssistantError, isFinished, type AssistantClient, type Task } from '@f7cloud/assistant-client';
import type {
  IDataObject,
  IExecuteFunctions,
  INodeExecutionData,
  IWebhookFunctions,
  IWebhookResponseData,
} from 'n8n-workflow';
import { taskItem } from '../../helpers/task-io';
import { getClient } from '../../transport';
import type { ItemOutcome } from '../types';

// "Wait via Webhook": the node schedules its tasks with this execution's resume URL as the webhook, parks
// the execution, and when the server calls back it re-reads every task of the execution from the server
// before anything is output. The POSTed body is only a wake-up: it is never read, so a forged or replayed
// call can wake the execution early at most, never feed it data. The tasks carry a custom id naming the
// execution and the item, so any n8n process (main, webhook or worker in queue mode) finds them again:
// nothing is kept in memory between scheduling and resuming.

const PREFIX = 'n8n-wait:';
export const waitCustomId = (executionId: string, item: number) => `${PREFIX}${executionId}:${item}`;

function itemOf(task: Task, executionId: string): number | undefined {
  const match = /^n8n-wait:([^:]+):(\d+)$/.exec(task.customId ?? '');
  return match && match[1] === executionId ? Number(match[2]) : undefined;
}

/** The tasks of this execution, in item order, as the server has them now. */
async function tasksOf(client: AssistantClient, appId: string, executionId: string) {
  const tasks = await client.tasks.find({ appId });
  return tasks
    .map((task) => ({ task, item: itemOf(task, executionId) }))
    .filter((entry): entry is { task: Task; item: number } => entry.item !== undefined)
    .sort((a, b) => a.item - b.item);
}

const output = (entries: { task: Task; item: number }[]): INodeExecutionData[] =>
  entries.map(({ task, item }) => ({ ...taskItem(task, true), pairedItem: { item } }));

export interface WebhookWaitItem {
  index: number;
  request: Parameters<AssistantClient['tasks']['schedule']>[0];
  timeoutMs: number;
}

/** Schedules the items' tasks and parks the execution until the server calls back (or the time is up). */
export async function scheduleAndWait(
  ctx: IExecuteFunctions,
  client: AssistantClient,
  items: WebhookWaitItem[],
  outcomes: ItemOutcome[],
): Promise<void> {
  const executionId = ctx.getExecutionId();
  const resumeUrl = String(ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0));
  const requests = items.map(({ index, request }) => ({
    ...request,
    customId: waitCustomId(executionId, index),
    webhookUri: resumeUrl,
    webhookMethod: 'HTTP:POST' as const,
  }));
  const settled = await client.tasks.runMany(requests, {
    wait: false,
    ...(ctx.getExecutionCancelSignal() ? { signal: ctx.getExecutionCancelSignal() as AbortSignal } : {}),
  });
  const scheduled: Task[] = [];
  for (const [k, result] of settled.entries()) {
    const { index } = items[k] as WebhookWaitItem;
    if (result.status === 'fulfilled') {
      scheduled.push(result.value);
      outcomes[index] = { items: [{ json: { ...taskItem(result.value, true).json, resumeUrl } }] };
    } else outcomes[index] = { error: result.reason };
  }
  if (scheduled.length === 0) return;
  const longest = Math.max(...items.map((item) => item.timeoutMs));
  await ctx.putExecutionToWait(new Date(Date.now() + longest));
}

/**
 * The server's call to the resume URL. Resumes the execution only once every task of it has finished
 * (re-read from the server); until then the call is answered and the execution keeps waiting.
 */
export async function resumeFromWebhook(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
  const url = ctx.getRequestObject().originalUrl ?? ctx.getRequestObject().url ?? '';
  const executionId = /\/webhook-waiting\/([^/?]+)/.exec(url)?.[1];
  if (!executionId) {
    throw new AssistantError({
      code: 'invalid_input',
      sent: false,
      summary: 'The webhook call did not come through a resume URL of this execution.',
    });
  }
  const appId = String(ctx.getNodeParameter('options.appId', 'assistant') || 'assistant');
  const client = await getClient(ctx);
  const entries = await tasksOf(client, appId, executionId);
  if (entries.length === 0 || entries.some(({ task }) => !isFinished(task.status))) {
    return { webhookResponse: { waiting: entries.filter(({ task }) => !isFinished(task.status)).length } };
  }
  return { workflowData: [output(entries)], webhookResponse: { resumed: true } as IDataObject };
}
