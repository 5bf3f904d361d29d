import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { maxRateLimitWaitOption, sessionIdField, timeoutOption } from '../../helpers/fields';
import { idParameter } from '../../helpers/ids';

export const description = forOperation('chat', 'generateTitle', [
  sessionIdField,
  {
    displayName: 'Wait for Title',
    name: 'wait',
    type: 'boolean',
    default: true,
    description: 'Whether to wait for the generated title and output it',
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
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const signal = this.getExecutionCancelSignal();
  const result = await client.chat.generateTitle(sessionId, {
    wait: this.getNodeParameter('wait', i) as boolean,
    timeoutMs: Number(options.timeout ?? 600) * 1000,
    ...(signal ? { signal } : {}),
  });
  return [
    {
      json: {
        sessionId,
        taskId: result.taskId,
        ...(result.title !== undefined ? { title: result.title } : {}),
      },
    },
  ];
}
