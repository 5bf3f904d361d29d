import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { sessionIdField } from '../../helpers/fields';
import { idParameter } from '../../helpers/ids';
import { pendingActionFields } from './reply';

export const description = forOperation('chat', 'checkSession', [sessionIdField]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const sessionId = idParameter(this, 'sessionId', i, 'Session ID');
  const { pendingActions, ...check } = await client.chat.checkSession(sessionId);
  return [
    {
      json: {
        sessionId,
        ...(check as unknown as IDataObject),
        needsApproval: pendingActions.length > 0,
        pendingActions: pendingActionFields(pendingActions),
      },
    },
  ];
}
