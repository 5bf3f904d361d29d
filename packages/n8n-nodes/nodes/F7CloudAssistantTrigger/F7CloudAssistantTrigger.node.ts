import { finishedTasksToEmit, TaskStatus } from '@f7cloud/assistant-client';
import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { pollTrigger } from '../F7CloudAssistant/helpers/poll-trigger';
import { getTaskTypes } from '../F7CloudAssistant/methods/loadOptions';
import { credentialTestMethods } from '../F7CloudAssistant/transport/credential-test';

export class F7CloudAssistantTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'F7cloud Assistant Trigger',
    name: 'f7CloudAssistantTrigger',
    icon: { light: 'file:../../icons/f7cloud.svg', dark: 'file:../../icons/f7cloud.dark.svg' },
    group: ['trigger'],
    version: 1,
    subtitle: 'When a task finishes',
    description: 'Starts the workflow when an f7cloud Assistant task finishes',
    defaults: { name: 'F7cloud Assistant Trigger' },
    polling: true,
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'f7CloudAssistantApi', required: true, testedBy: 'f7CloudAssistantApiTest' }],
    properties: [
      {
        displayName: 'Task Type Names or IDs',
        name: 'taskTypes',
        type: 'multiOptions',
        typeOptions: { loadOptionsMethod: 'getTaskTypes' },
        default: [],
        description:
          'Only tasks of these types; none selected means all types. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
      },
      {
        displayName: 'Statuses',
        name: 'statuses',
        type: 'multiOptions',
        options: [
          { name: 'Cancelled', value: 'STATUS_CANCELLED' },
          { name: 'Failed', value: 'STATUS_FAILED' },
          { name: 'Successful', value: 'STATUS_SUCCESSFUL' },
        ],
        default: ['STATUS_SUCCESSFUL'],
        description: 'Which outcomes start the workflow',
      },
      {
        displayName: 'App ID',
        name: 'appId',
        type: 'string',
        default: '',
        placeholder: 'e.g. assistant',
        description: 'Only tasks filed under this app; leave empty for all apps',
      },
    ],
  };

  methods = { loadOptions: { getTaskTypes }, credentialTest: credentialTestMethods };

  async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
    const types = this.getNodeParameter('taskTypes', []) as string[];
    const statuses = this.getNodeParameter('statuses', []) as string[];
    const appId = (this.getNodeParameter('appId', '') as string).trim();
    const filter = {
      statuses: statuses.length > 0 ? statuses : [TaskStatus.Successful],
      appId: appId || undefined,
    };
    return await pollTrigger(this, {
      // The key earlier versions stored under; their `{ watermark, seen }` form is core's.
      stateKey: 'pollState',
      read: async (client) => {
        const tasks = await client.tasks.list(types.length === 1 ? { taskTypeId: types[0] } : {});
        // Core's rule takes one task type; a task's type never changes, so narrowing the list to the
        // chosen types first neither repeats nor misses a task.
        return types.length === 0 ? tasks : tasks.filter((task) => types.includes(task.type));
      },
      // the task list has no missing case: tasks is never null here
      decide: (stored, tasks) => finishedTasksToEmit(stored, tasks ?? [], filter),
      // The latest matching task.
      sample: (tasks) => finishedTasksToEmit(undefined, tasks, { ...filter, emitExisting: true }).emit.pop(),
      noSample: {
        message: 'No finished task matches the filters yet',
        description: 'Run a task of the chosen type (e.g. with the F7cloud Assistant node) and test again.',
      },
    });
  }
}
