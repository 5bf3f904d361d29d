import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { maxRateLimitWaitOption, sessionIdField, timeoutOption } from '../../helpers/fields';
import { idParameter } from '../../helpers/ids';
import { logPartials, pendingActionFields, replyFields } from './reply';

export const description = forOperation('chat', 'confirmActions', [
  {
    ...sessionIdField,
    description: 'ID of the chat session whose reply asks for approval ("needsApproval" is true)',
  },
  {
    displayName: 'Decision',
    name: 'decision',
    type: 'options',
    options: [
      {
        name: 'Approve',
        value: 'approve',
        description: 'Let the assistant do what it asked to do',
      },
      {
        name: 'Reject',
        value: 'reject',
        description: 'Drop the actions; the assistant answers without doing them',
      },
      {
        name: 'From Expression (True = Approve)',
        value: 'expression',
        description: 'Decide per item, e.g. from the answer of a Send and Wait for Response node',
      },
    ],
    default: 'approve',
  },
  {
    displayName: 'Approve',
    name: 'approve',
    type: 'boolean',
    default: false,
    description: 'Whether to approve the pending actions; map the yes/no answer of an earlier node here',
    displayOptions: { show: { decision: ['expression'] } },
  },
  {
    displayName: 'Wait for Reply',
    name: 'wait',
    type: 'boolean',
    default: true,
    description: "Whether to wait for the assistant's answer to the decision and output it",
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

function decisionOf(ctx: IExecuteFunctions, i: number): boolean {
  const decision = ctx.getNodeParameter('decision', i) as string;
  if (decision !== 'expression') return decision === 'approve';
  const raw = ctx.getNodeParameter('approve', i) as unknown;
  if (typeof raw === 'boolean') return raw;
  const text = String(raw).trim().toLowerCase();
  if (['true', 'yes', 'approve', 'approved', '1'].includes(text)) return true;
  if (['false', 'no', 'reject', 'rejected', '0'].includes(text)) return false;
  throw new NodeOperationError(
    ctx.getNode(),
    `"Approve" must be true or false, got "${String(raw).slice(0, 40)}". Nothing was sent.`,
    { itemIndex: i, description: 'Map a yes/no value, e.g. {{ $json.data.approved }}.' },
  );
}

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const sessionId = idParameter(this, 'sessionId', i, 'Session ID');
  const approve = decisionOf(this, i);
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const signal = this.getExecutionCancelSignal();
  const result = await client.chat.confirmActions(sessionId, approve, {
    wait: this.getNodeParameter('wait', i) as boolean,
    timeoutMs: Number(options.timeout ?? 600) * 1000,
    onPartial: logPartials(this),
    ...(signal ? { signal } : {}),
  });
  const json: IDataObject = {
    sessionId,
    approved: result.approved,
    actions: pendingActionFields(result.actions),
    taskId: result.taskId,
    ...(result.reply ? replyFields(result.reply) : {}),
  };
  return [{ json }];
}
