import type { ChatReply, PendingAction } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

/** Pending actions as output fields: what, with which arguments, and one line for people. */
export function pendingActionFields(actions: readonly PendingAction[]): IDataObject[] {
  return actions.map((action) => ({
    description: action.description,
    name: action.name,
    ...(action.tool ? { tool: action.tool } : {}),
    arguments: action.arguments as IDataObject,
  }));
}

/** The assistant's answer as flat output fields, the same for send, regenerate and approval. */
export function replyFields(reply: ChatReply): IDataObject {
  return {
    reply: reply.content,
    replyMessageId: reply.message?.id ?? null,
    replyStored: reply.stored,
    needsApproval: reply.pendingActions.length > 0,
    pendingActions: pendingActionFields(reply.pendingActions),
  };
}

/**
 * Streaming servers (Nextcloud 35) hand out the reply as it grows. An n8n node outputs once, so the
 * output holds the final text and the partials go to n8n's log (debug level), the one place n8n allows.
 */
export function logPartials(ctx: IExecuteFunctions): (text: string, info: { taskId: number }) => void {
  return (text, info) => ctx.logger?.debug('f7cloud Assistant: partial reply', { taskId: info.taskId, text });
}
