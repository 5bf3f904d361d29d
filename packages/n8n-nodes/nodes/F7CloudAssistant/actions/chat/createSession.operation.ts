import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';

export const description = forOperation('chat', 'createSession', [
  {
    displayName: 'Title',
    name: 'title',
    type: 'string',
    default: '',
    description: 'Title of the new session; can be set later with "Generate Title"',
  },
]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const title = (this.getNodeParameter('title', i, '') as string).trim();
  const session = await client.chat.createSession(title ? { title } : {});
  return [{ json: { sessionId: session.id, ...(session as unknown as IDataObject) } }];
}
