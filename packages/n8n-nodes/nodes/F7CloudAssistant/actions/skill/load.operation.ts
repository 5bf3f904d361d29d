import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { skillNameField } from './nameField';

export const description = forOperation('skill', 'load', [skillNameField]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const name = String(this.getNodeParameter('skillName', i)).trim();
  const content = await client.skills.load(name);
  return [{ json: { name, content } }];
}
