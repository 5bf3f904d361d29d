import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { maxRateLimitWaitOption, messageIdField, sessionIdField, timeoutOption } from '../../helpers/fields';
import { idParameter } from '../../helpers/ids';
import { logPartials, replyFields } from './reply';

export const description = forOperation('chat', 'regenerate', [
  sessionIdField,
  { ...messageIdField, description: 'ID of the assistant message to replace with a new answer' },
  {
    displayName: 'Wait for Reply',
    name: 'wait',
    type: 'boolean',
    default: true,
    description: 'Whether to wait for the new answer and output it',
  },
  {
    displayName: 'Options',
    name: 'options',
    type: 'collection',
    placeholder: 'Add Option',
    default: {},
    options: [maxRateLimitWaitOption, timeoutOption],
  },
]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const sessionId = idParameter(this, 'sessionId', i, 'Session ID');
  const messageId = idParameter(this, 'messageId', i, 'Message ID');
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const signal = this.getExecutionCancelSignal();
  const result = await client.chat.regenerate(sessionId, messageId, {
    wait: this.getNodeParameter('wait', i) as boolean,
    timeoutMs: Number(options.timeout ?? 600) * 1000,
    onPartial: logPartials(this),
    ...(signal ? { signal } : {}),
  });
  return [{ json: { sessionId, taskId: result.taskId, ...(result.reply ? replyFields(result.reply) : {}) } }];
}
