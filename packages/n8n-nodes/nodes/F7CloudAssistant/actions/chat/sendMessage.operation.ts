import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { maxRateLimitWaitOption, sessionIdField, timeoutOption } from '../../helpers/fields';
import { idParameter, locatorParameter } from '../../helpers/ids';
import { logPartials, replyFields } from './reply';

export const description = forOperation('chat', 'sendMessage', [
  {
    ...sessionIdField,
    required: false,
    description:
      'Chat session to continue. Leave empty to start a new session; its ID is in the output for the next turn.',
  },
  {
    displayName: 'Message',
    name: 'message',
    type: 'string',
    typeOptions: { rows: 4 },
    required: true,
    default: '',
    description: 'What to say to the assistant',
  },
  {
    displayName: 'Wait for Reply',
    name: 'wait',
    type: 'boolean',
    default: true,
    description: "Whether to wait for the assistant's answer and output it",
  },
  {
    displayName: 'Options',
    name: 'options',
    type: 'collection',
    placeholder: 'Add Option',
    default: {},
    options: [
      maxRateLimitWaitOption,
      {
        displayName: 'New Session Title',
        name: 'sessionTitle',
        type: 'string',
        default: '',
        description: 'Title for a session created on the fly; by default the first message becomes the title',
      },
      timeoutOption,
    ],
  },
]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const rawSession = String(locatorParameter(this, 'sessionId', i, '').value ?? '').trim();
  const content = this.getNodeParameter('message', i) as string;
  const wait = this.getNodeParameter('wait', i) as boolean;
  const options = this.getNodeParameter('options', i, {}) as IDataObject;

  let sessionId: number;
  let created = false;
  if (rawSession === '') {
    const title = String(options.sessionTitle ?? '').trim();
    sessionId = (await client.chat.createSession(title ? { title } : {})).id;
    created = true;
  } else {
    sessionId = idParameter(this, 'sessionId', i, 'Session ID');
  }
  const signal = this.getExecutionCancelSignal();
  const result = await client.chat.send(sessionId, content, {
    wait,
    timeoutMs: Number(options.timeout ?? 600) * 1000,
    // A new session without a given title is named after its first message, as in the web UI.
    ...(created && !options.sessionTitle ? { firstHumanMessage: true } : {}),
    onPartial: logPartials(this),
    ...(signal ? { signal } : {}),
  });
  const json: IDataObject = {
    sessionId,
    sessionCreated: created,
    messageId: result.message.id,
    taskId: result.taskId,
    ...(result.reply ? replyFields(result.reply) : {}),
  };
  return [{ json }];
}
