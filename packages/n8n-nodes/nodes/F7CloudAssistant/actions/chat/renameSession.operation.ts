import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { sessionIdField } from '../../helpers/fields';
import { idParameter } from '../../helpers/ids';

export const description = forOperation('chat', 'renameSession', [
  sessionIdField,
  {
    displayName: 'Title',
    name: 'title',
    type: 'string',
    required: true,
    default: '',
    description: 'New title of the session',
  },
]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const sessionId = idParameter(this, 'sessionId', i, 'Session ID');
  const title = this.getNodeParameter('title', i) as string;
  await client.chat.renameSession(sessionId, title);
  return [{ json: { sessionId, title } as IDataObject }];
}
