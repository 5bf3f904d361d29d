import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { messageIdField, sessionIdField } from '../../helpers/fields';
import { idParameter } from '../../helpers/ids';

export const description = forOperation('chat', 'deleteMessage', [sessionIdField, messageIdField]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const sessionId = idParameter(this, 'sessionId', i, 'Session ID');
  const messageId = idParameter(this, 'messageId', i, 'Message ID');
  await client.chat.deleteMessage(sessionId, messageId);
  return [{ json: { sessionId, messageId, deleted: true } as IDataObject }];
}
