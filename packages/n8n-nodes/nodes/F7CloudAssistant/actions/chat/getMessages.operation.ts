import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { sessionIdField } from '../../helpers/fields';
import { idParameter } from '../../helpers/ids';

export const description = forOperation('chat', 'getMessages', [
  sessionIdField,
  {
    displayName: 'Return All',
    name: 'returnAll',
    type: 'boolean',
    default: false,
    description: 'Whether to return all results or only up to a given limit',
  },
  {
    displayName: 'Limit',
    name: 'limit',
    type: 'number',
    typeOptions: { minValue: 1 },
    default: 50,
    description: 'Max number of results to return',
    displayOptions: { show: { returnAll: [false] } },
  },
]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const sessionId = idParameter(this, 'sessionId', i, 'Session ID');
  const messages = this.getNodeParameter('returnAll', i)
    ? await client.chat.messages(sessionId, { all: true })
    : await client.chat.messages(sessionId, { limit: this.getNodeParameter('limit', i) as number });
  return messages.map((message) => ({ json: message as unknown as IDataObject }));
}
