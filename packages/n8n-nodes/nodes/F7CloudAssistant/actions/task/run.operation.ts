import type { AssistantClient, ScheduleRequest } from '@f7cloud/assistant-client';
import type {
  IDataObject,
  IExecuteFunctions,
  INodeExecutionData,
  INodeProperties,
  ResourceMapperValue,
} from 'n8n-workflow';
import { isLocalHost } from '../../helpers/addresses';
import { forOperation } from '../../helpers/display';
import { maxRateLimitWaitOption, simplifyField, timeoutOption } from '../../helpers/fields';
import { buildTaskInput, taskItem, taskResultItem } from '../../helpers/task-io';
import { findTaskType } from '../../helpers/task-types';

const properties: INodeProperties[] = [
  {
    displayName: 'Task Type Name or ID',
    name: 'taskType',
    type: 'options',
    typeOptions: { loadOptionsMethod: 'getTaskTypes' },
    required: true,
    default: '',
    description:
      'What the assistant should do. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
  },
  {
    displayName: 'Inputs',
    name: 'inputs',
    type: 'resourceMapper',
    noDataExpression: true,
    default: { mappingMode: 'defineBelow', value: null },
    required: true,
    typeOptions: {
      loadOptionsDependsOn: ['taskType'],
      resourceMapper: {
        resourceMapperMethod: 'getTaskInputs',
        mode: 'add',
        fieldWords: { singular: 'input', plural: 'inputs' },
        addAllFields: true,
        multiKeyMatch: false,
        supportAutoMap: true,
      },
    },
    hint: 'File inputs take the name of a binary field of the item (e.g. data) or a file ID',
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
        name: 'Resume via Webhook',
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
        type: 'string',
        default: '',
        description: 'Your own reference for the task, e.g. a document ID, to find it again later',
      },
      maxRateLimitWaitOption,
      { ...timeoutOption, displayOptions: { show: { '/waitMode': ['wait'] } } },
    ],
  },
];

export const description = forOperation('task', 'run', properties);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const typeId = this.getNodeParameter('taskType', i) as string;
  const mapped = this.getNodeParameter('inputs', i) as ResourceMapperValue;
  const waitMode = this.getNodeParameter('waitMode', i) as 'wait' | 'noWait' | 'webhook';
  const options = this.getNodeParameter('options', i, {}) as IDataObject;

  const type = await findTaskType(client, typeId);
  const input = await buildTaskInput(this, i, client, type, mapped?.value ?? {});
  const request: ScheduleRequest = { type: typeId, input };
  if (options.appId) request.appId = String(options.appId);
  if (options.customId) request.customId = String(options.customId);

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
  const timeoutMs = Number(options.timeout ?? 600) * 1000;
  let hinted = false;
  const signal = this.getExecutionCancelSignal();
  const task = await client.tasks.run(request, {
    timeoutMs,
    ...(signal ? { signal } : {}),
    onProgress: (progress) => {
      if (progress.slowPickup && !hinted) {
        hinted = true;
        this.addExecutionHints({
          message: `Task ${progress.taskId} waited more than 5 minutes to be picked up. The server's background jobs run slowly or not at all: ask its administrator to check cron or to start a task worker.`,
          location: 'outputPane',
        });
      }
    },
  });
  return [await taskResultItem(this, client, task, type, simplify)];
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
      ? "n8n's default address (WEBHOOK_URL is not set)"
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
