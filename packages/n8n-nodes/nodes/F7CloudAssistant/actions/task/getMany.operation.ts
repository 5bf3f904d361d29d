import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { simplifyField, taskTypeField } from '../../helpers/fields';
import { taskItem } from '../../helpers/task-io';

const properties: INodeProperties[] = [
  {
    displayName: 'Return All',
    name: 'returnAll',
    type: 'boolean',
    default: false,
    description: 'Whether to return all results or only up to a given limit',
  },
  {
    displayName: 'Limit',
    name: 'limit',
    type: 'number',
    typeOptions: { minValue: 1 },
    default: 50,
    description: 'Max number of results to return',
    displayOptions: { show: { returnAll: [false] } },
  },
  {
    displayName: 'Filters',
    name: 'filters',
    type: 'collection',
    placeholder: 'Add Filter',
    default: {},
    options: [
      {
        displayName: 'Status',
        name: 'status',
        type: 'options',
        options: [
          { name: 'Cancelled', value: 'STATUS_CANCELLED' },
          { name: 'Failed', value: 'STATUS_FAILED' },
          { name: 'Running', value: 'STATUS_RUNNING' },
          { name: 'Scheduled', value: 'STATUS_SCHEDULED' },
          { name: 'Successful', value: 'STATUS_SUCCESSFUL' },
        ],
        default: 'STATUS_SUCCESSFUL',
        description: 'Only tasks in this state',
      },
      {
        ...taskTypeField,
        required: false,
        description: 'Only tasks of this type',
      },
    ],
  },
  simplifyField,
];

export const description = forOperation('task', 'getMany', properties);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const filters = this.getNodeParameter('filters', i, {}) as IDataObject;
  const simplify = this.getNodeParameter('simplify', i) as boolean;
  // A resource locator inside the collection; a plain string in workflows saved before.
  const rawType = filters.taskType as IDataObject | string | undefined;
  const taskType = String(
    (rawType !== null && typeof rawType === 'object' ? rawType.value : rawType) ?? '',
  ).trim();
  let tasks = await client.tasks.list(taskType ? { taskTypeId: taskType } : {});
  if (filters.status) tasks = tasks.filter((task) => task.status === filters.status);
  // Newest first, like the Assistant's own history.
  tasks = [...tasks].sort((a, b) => (b.lastUpdated ?? 0) - (a.lastUpdated ?? 0) || b.id - a.id);
  if (!this.getNodeParameter('returnAll', i))
    tasks = tasks.slice(0, this.getNodeParameter('limit', i) as number);
  return tasks.map((task) => taskItem(task, simplify));
}
