import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { sessionIdField } from '../../helpers/fields';
import { idParameter } from '../../helpers/ids';

export const description = forOperation('chat', 'deleteSession', [sessionIdField]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const sessionId = idParameter(this, 'sessionId', i, 'Session ID');
  await client.chat.deleteSession(sessionId);
  return [{ json: { sessionId, deleted: true } as IDataObject }];
}
