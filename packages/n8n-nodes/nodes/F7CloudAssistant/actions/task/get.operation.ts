import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { idParameter } from '../../helpers/ids';
import { simplifyField, taskIdField } from '../../helpers/fields';
import { taskItem } from '../../helpers/task-io';

export const description = forOperation('task', 'get', [taskIdField, simplifyField]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const task = await client.tasks.get(idParameter(this, 'taskId', i, 'Task ID'));
  return [taskItem(task, this.getNodeParameter('simplify', i) as boolean)];
}
