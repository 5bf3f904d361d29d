import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';

export const description = forOperation('skill', 'getMany', []);

export async function execute(
  this: IExecuteFunctions,
  _i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const skills = await client.skills.list();
  return skills.map((skill) => ({ json: { name: skill.name, description: skill.description } }));
}
