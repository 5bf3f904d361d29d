import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';

export const description = forOperation('file', 'getAssistantFolder', []);

export async function execute(
  this: IExecuteFunctions,
  _i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  return [{ json: { path: await client.assistantFolder() } }];
}
