import type { ChatReply } from '@f7cloud/assistant-client';
import type { IDataObject } from 'n8n-workflow';

/** The assistant's answer as flat output fields, the same for send and regenerate. */
export function replyFields(reply: ChatReply): IDataObject {
  return {
    reply: reply.content,
    replyMessageId: reply.message?.id ?? null,
    replyStored: reply.stored,
  };
}
