import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';

export const description = forOperation('chat', 'getSessions', []);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  void i;
  const sessions = await client.chat.sessions();
  return sessions.map((session) => ({
    json: { sessionId: session.id, ...(session as unknown as IDataObject) },
  }));
}
