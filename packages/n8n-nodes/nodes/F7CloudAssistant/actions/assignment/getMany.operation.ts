import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';

export const description = forOperation('assignment', 'getMany', []);

export async function execute(
  this: IExecuteFunctions,
  _i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const assignments = await client.assignments.list();
  return assignments.map((assignment) => ({ json: assignment as unknown as IDataObject }));
}
