import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { idParameter } from '../../helpers/ids';
import { assignmentIdField } from './fields';

export const description = forOperation('assignment', 'delete', [assignmentIdField]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const id = idParameter(this, 'assignmentId', i, 'Assignment ID');
  await client.assignments.delete(id);
  return [{ json: { assignmentId: id, deleted: true } }];
}
