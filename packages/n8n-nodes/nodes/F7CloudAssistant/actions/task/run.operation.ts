import type {
  AssistantClient,
  ScheduleRequest,
  Task,
  TaskType,
  WaitProgress,
} from '@f7cloud/assistant-client';
import type {
  IDataObject,
  IExecuteFunctions,
  INodeExecutionData,
  INodeProperties,
  ResourceMapperValue,
} from 'n8n-workflow';
import { isLocalHost } from '../../helpers/addresses';
import { forOperation } from '../../helpers/display';
import { maxRateLimitWaitOption, simplifyField, taskTypeField, timeoutOption } from '../../helpers/fields';
import { textParameter } from '../../helpers/ids';
import { buildTaskInput, taskItem, taskResultItem } from '../../helpers/task-io';
import { findTaskType } from '../../helpers/task-types';
import type { ItemOutcome } from '../types';
import { scheduleAndWait, type WebhookWaitItem } from './webhook-wait';

const properties: INodeProperties[] = [
  taskTypeField,
  {
    displayName: 'Choose a task type first: its inputs appear here',
    name: 'chooseTaskTypeNotice',
    type: 'notice',
    default: '',
    displayOptions: { show: { taskType: [''] } },
  },
  {
    displayName: 'Inputs',
    name: 'inputs',
    type: 'resourceMapper',
    noDataExpression: true,
    // Without a type n8n's mapper shows a red "No inputs found … Retry": the notice above speaks instead.
    displayOptions: { hide: { taskType: [''] } },
    default: { mappingMode: 'defineBelow', value: null },
    required: true,
    typeOptions: {
      loadOptionsDependsOn: ['taskType.value'],
      resourceMapper: {
        resourceMapperMethod: 'getTaskInputs',
        mode: 'add',
        fieldWords: { singular: 'input', plural: 'inputs' },
        addAllFields: true,
        multiKeyMatch: false,
        supportAutoMap: true,
      },
    },
  },
  {
    // n8n's mapper shows no hint of its own, so the file-input rule gets a notice under it.
    displayName:
      'File inputs take the name of a binary field of the input item (e.g. data), which is uploaded first, or the ID of a file in your cloud',
    name: 'fileInputsNotice',
    type: 'notice',
    default: '',
    displayOptions: { hide: { taskType: [''] } },
  },
  {
    displayName: 'Wait Mode',
    name: 'waitMode',
    type: 'options',
    options: [
      {
        name: 'Wait for Result',
        value: 'wait',
        description: 'Wait in this node until the task is done and output its result',
      },
      {
        name: "Don't Wait",
        value: 'noWait',
        description: 'Output the scheduled task (with its ID) right away',
      },
      {
        name: 'Wait via Webhook',
        value: 'webhookWait',
        description:
          'This node waits until the server calls back, then re-reads the tasks from the server and outputs them; no Wait node needed',
      },
      {
        name: 'Resume via Webhook (With a Wait Node)',
        value: 'webhook',
        description:
          'The server calls this execution\'s resume URL when the task ends; follow this node with a Wait node set to "On Webhook Call"',
      },
    ],
    default: 'wait',
  },
  { ...simplifyField, displayOptions: { show: { waitMode: ['wait'] } } },
  {
    displayName: 'Options',
    name: 'options',
    type: 'collection',
    placeholder: 'Add Option',
    default: {},
    options: [
      {
        displayName: 'App ID',
        name: 'appId',
        type: 'string',
        default: 'assistant',
        description: 'App the task is filed under; "assistant" shows it in the Assistant\'s history',
      },
      {
        displayName: 'Custom ID',
        name: 'customId',
        displayOptions: { hide: { '/waitMode': ['webhookWait'] } },
        type: 'string',
        default: '',
        description: 'Your own reference for the task, e.g. a document ID, to find it again later',
      },
      {
        displayName: 'Mark Output as AI-Generated',
        name: 'includeWatermark',
        type: 'boolean',
        default: true,
        description:
          'Whether the server marks generated images, audio and documents as made by AI (Nextcloud 33 or newer; older servers never mark them and the option is left out with a notice)',
      },
      maxRateLimitWaitOption,
      {
        displayName: 'Schedule Limit (Per 2 Minutes)',
        name: 'scheduleLimit',
        type: 'number',
        typeOptions: { minValue: 1 },
        default: 20,
        description:
          "How many tasks the server lets you schedule per 2 minutes: Nextcloud's 20 unless its administrator changed that limit. Many items are scheduled ahead at this pace.",
      },
      {
        displayName: 'Stream Output',
        name: 'preferStreaming',
        type: 'boolean',
        default: false,
        description:
          "Whether to ask the provider for output as it is generated (Nextcloud 35 or newer). The node outputs the final text; the parts so far go to n8n's log.",
        displayOptions: { show: { '/waitMode': ['wait'] } },
      },
      {
        ...timeoutOption,
        displayOptions: { show: { '/waitMode': ['wait', 'webhookWait'] } },
        description:
          'How long to wait for the result. With "Wait via Webhook" the execution goes on after this long with its input items if the server never calls back.',
      },
    ],
  },
];

export const description = forOperation('task', 'run', properties);

interface Prepared {
  type: TaskType;
  request: ScheduleRequest;
  waitMode: 'wait' | 'noWait' | 'webhook' | 'webhookWait';
  options: IDataObject;
}

async function prepare(ctx: IExecuteFunctions, i: number, client: AssistantClient): Promise<Prepared> {
  const typeId = textParameter(ctx, 'taskType', i);
  const mapped = ctx.getNodeParameter('inputs', i) as ResourceMapperValue;
  const waitMode = ctx.getNodeParameter('waitMode', i) as Prepared['waitMode'];
  const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
  const type = await findTaskType(client, typeId);
  const input = await buildTaskInput(ctx, i, client, type, mapped?.value ?? {});
  const request: ScheduleRequest = { type: typeId, input };
  if (options.appId) request.appId = String(options.appId);
  if (options.customId) request.customId = String(options.customId);
  if (typeof options.includeWatermark === 'boolean') request.includeWatermark = options.includeWatermark;
  if (waitMode === 'wait' && options.preferStreaming === true) request.preferStreaming = true;
  return { type, request, waitMode, options };
}

const timeoutOf = (options: IDataObject) => Number(options.timeout ?? 600) * 1000;

/** Says once per node run that the server's background jobs do not pick tasks up. */
function slowPickupHint(ctx: IExecuteFunctions): (progress: WaitProgress) => void {
  let hinted = false;
  return (progress) => {
    if (!progress.slowPickup || hinted) return;
    hinted = true;
    ctx.addExecutionHints({
      message: `Task ${progress.taskId} waited more than 5 minutes to be picked up. The server's background jobs run slowly or not at all: ask its administrator to check cron or to start a task worker.`,
      location: 'outputPane',
    });
  };
}

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const { type, request, waitMode, options } = await prepare(this, i, client);

  if (waitMode === 'webhook') {
    const resumeUrl = String(this.evaluateExpression('{{ $execution.resumeUrl }}', i));
    request.webhookUri = resumeUrl;
    request.webhookMethod = 'HTTP:POST';
    const task = await client.tasks.schedule(request);
    hintLocalResumeUrl(this, resumeUrl);
    return [{ json: { ...taskItem(task, true).json, resumeUrl } }];
  }
  if (waitMode === 'noWait') {
    const task = await client.tasks.schedule(request);
    return [taskItem(task, true)];
  }

  const simplify = this.getNodeParameter('simplify', i, true) as boolean;
  const signal = this.getExecutionCancelSignal();
  const onProgress = slowPickupHint(this);
  const task = await client.tasks.run(request, {
    timeoutMs: timeoutOf(options),
    ...(signal ? { signal } : {}),
    onProgress,
    ...(request.preferStreaming
      ? {
          onPartial: (text: string, partial: Task) =>
            this.logger?.debug('f7cloud Assistant: partial output', { taskId: partial.id, text }),
        }
      : {}),
  });
  return [await taskResultItem(this, client, task, type, simplify)];
}

/**
 * Several items waiting for their results: all are scheduled ahead, as fast as the rate limit lets
 * them, and waited for together (core's runMany: one list request per round instead of one poll per task),
 * so N items cost about one pickup round instead of N. Each item keeps its own outcome.
 */
export async function executeAll(
  this: IExecuteFunctions,
  client: AssistantClient,
): Promise<ItemOutcome[] | undefined> {
  const count = this.getInputData().length;
  const modes = Array.from({ length: count }, (_, i) => this.getNodeParameter('waitMode', i) as string);
  if (modes.includes('webhookWait')) return await viaWebhook(this, client, modes);
  const waiting = modes.map((mode) => mode === 'wait');
  if (waiting.filter(Boolean).length < 2) return undefined;

  const outcomes: ItemOutcome[] = new Array<ItemOutcome>(count);
  const batch: { index: number; prepared: Prepared }[] = [];
  for (let i = 0; i < count; i++) {
    try {
      if (!waiting[i]) {
        outcomes[i] = { items: await execute.call(this, i, client) };
        continue;
      }
      batch.push({ index: i, prepared: await prepare(this, i, client) });
    } catch (error) {
      outcomes[i] = { error };
    }
  }

  // Items with different timeouts wait in their own runMany; usually there is one group.
  const groups = new Map<number, typeof batch>();
  for (const entry of batch) {
    const ms = timeoutOf(entry.prepared.options);
    groups.set(ms, [...(groups.get(ms) ?? []), entry]);
  }
  const signal = this.getExecutionCancelSignal();
  const onProgress = slowPickupHint(this);
  await Promise.all(
    [...groups].map(async ([timeoutMs, group]) => {
      const settled = await client.tasks.runMany(
        group.map((entry) => entry.prepared.request),
        { timeoutMs, ...(signal ? { signal } : {}), onProgress: (_index, progress) => onProgress(progress) },
      );
      for (const [k, result] of settled.entries()) {
        const { index, prepared } = group[k] as (typeof group)[number];
        if (result.status === 'rejected') {
          outcomes[index] = { error: result.reason };
          continue;
        }
        try {
          const simplify = this.getNodeParameter('simplify', index, true) as boolean;
          outcomes[index] = {
            items: [await taskResultItem(this, client, result.value, prepared.type, simplify)],
          };
        } catch (error) {
          outcomes[index] = { error };
        }
      }
    }),
  );
  return outcomes;
}

async function viaWebhook(
  ctx: IExecuteFunctions,
  client: AssistantClient,
  modes: string[],
): Promise<ItemOutcome[]> {
  const outcomes: ItemOutcome[] = new Array<ItemOutcome>(modes.length);
  const waiting: WebhookWaitItem[] = [];
  for (const [i, mode] of modes.entries()) {
    try {
      if (mode !== 'webhookWait') {
        outcomes[i] = { items: await execute.call(ctx, i, client) };
        continue;
      }
      const { request, options } = await prepare(ctx, i, client);
      waiting.push({ index: i, request, timeoutMs: timeoutOf(options) });
    } catch (error) {
      outcomes[i] = { error };
    }
  }
  if (waiting.length > 0) {
    hintLocalResumeUrl(ctx, String(ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0)));
    await scheduleAndWait(ctx, client, waiting, outcomes);
  }
  return outcomes;
}

const hintedLocalResume = new WeakSet<object>();

/**
 * The server answers the schedule call either way; only the later webhook call fails, and then the
 * execution waits forever. Say so once per node run when the resume URL cannot work from elsewhere.
 */
export function resumeUrlWarning(resumeUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(resumeUrl);
  } catch {
    return undefined;
  }
  if (!isLocalHost(url.hostname)) return undefined;
  const why =
    url.hostname === 'localhost' && url.port === '5678'
      ? "n8n's default address (WEBHOOK_URL is not set on the n8n process that ran this node; in queue mode the workers need it too)"
      : 'a local or private address';
  return `The server is asked to call ${url.origin} when the task ends, ${why}: a server on another machine cannot reach it, and servers refuse local and private webhook targets unless their admin sets allow_local_remote_servers. Set WEBHOOK_URL to an address of n8n the server can reach, and give the Wait node a time limit so the execution does not wait forever.`;
}

function hintLocalResumeUrl(ctx: IExecuteFunctions, resumeUrl: string): void {
  if (hintedLocalResume.has(ctx)) return;
  const message = resumeUrlWarning(resumeUrl);
  if (!message) return;
  hintedLocalResume.add(ctx);
  ctx.addExecutionHints({ message, location: 'outputPane' });
}
