import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { messageIdField, sessionIdField } from '../../helpers/fields';
import { idParameter } from '../../helpers/ids';

export const description = forOperation('chat', 'getMessage', [sessionIdField, messageIdField]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const message = await client.chat.message(
    idParameter(this, 'sessionId', i, 'Session ID'),
    idParameter(this, 'messageId', i, 'Message ID'),
  );
  return [{ json: message as unknown as IDataObject }];
}
