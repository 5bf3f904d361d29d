import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { skillNameField } from './nameField';

export const description = forOperation('skill', 'store', [
  { ...skillNameField, description: 'Name of the skill; an existing skill of this name is replaced' },
  {
    displayName: 'Description',
    name: 'skillDescription',
    type: 'string',
    required: true,
    default: '',
    description: 'One line the agent reads to decide when the skill applies',
  },
  {
    displayName: 'Content',
    name: 'content',
    type: 'string',
    typeOptions: { rows: 8 },
    required: true,
    default: '',
    description: 'The instructions of the skill (Markdown)',
  },
]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const name = String(this.getNodeParameter('skillName', i)).trim();
  const result = await client.skills.store({
    name,
    description: this.getNodeParameter('skillDescription', i) as string,
    content: this.getNodeParameter('content', i) as string,
  });
  return [{ json: { name, action: result.action } }];
}
