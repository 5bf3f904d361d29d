import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { idParameter } from '../../helpers/ids';
import { outputFileIdField, taskIdField } from '../../helpers/fields';

export const description = forOperation('task', 'saveOutputFile', [taskIdField, outputFileIdField]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const taskId = idParameter(this, 'taskId', i, 'Task ID');
  const fileId = idParameter(this, 'fileId', i, 'Output File ID');
  const saved = await client.tasks.saveOutputFile(taskId, fileId);
  return [{ json: { taskId, ...(saved as unknown as IDataObject) } }];
}
