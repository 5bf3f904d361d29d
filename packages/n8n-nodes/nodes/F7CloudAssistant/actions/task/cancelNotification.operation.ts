import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { taskIdField } from '../../helpers/fields';
import { idParameter } from '../../helpers/ids';

export const description = forOperation('task', 'cancelNotification', [taskIdField]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const taskId = idParameter(this, 'taskId', i, 'Task ID');
  await client.tasks.cancelNotification(taskId);
  return [{ json: { taskId, notification: false } }];
}
