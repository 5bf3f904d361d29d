import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { idParameter } from '../../helpers/ids';
import { assignmentIdField } from './fields';

export const description = forOperation('assignment', 'get', [assignmentIdField]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const assignment = await client.assignments.get(idParameter(this, 'assignmentId', i, 'Assignment ID'));
  return [{ json: assignment as unknown as IDataObject }];
}
