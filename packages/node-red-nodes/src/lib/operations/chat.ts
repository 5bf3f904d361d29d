import type { ChatReply, ChatSession, ChatWaitOptions, PendingAction } from '@f7cloud/assistant-client';
import { NodeInputError } from '../errors.js';
import type { Operation, OperationContext } from '../worker.js';
import { shouldWait, waitOptions } from './shared.js';

function sessionId(ctx: OperationContext): number {
  return ctx.param('sessionId', { required: true, type: 'id' });
}

function messageId(ctx: OperationContext): number {
  return ctx.param('messageId', { required: true, type: 'id' });
}

/** The message text: the editor's "message" field, else msg.payload. */
function content(ctx: OperationContext): string {
  const value = ctx.param('content', { msgName: 'payload' });
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new NodeInputError(ctx.t('f7cloud-chat.errors.noContent'));
}

function replyText(reply: ChatReply | { content?: unknown } | undefined | null): unknown {
  return reply && typeof reply.content === 'string' ? reply.content : (reply ?? null);
}

/** Output ports of the chat node. */
const NEEDS_APPROVAL = 1;
const PARTIAL = 2;

/**
 * Wait settings; while the reply is generated on a streaming server (Nextcloud 35), each longer text so far
 * leaves on the third output as msg.payload with msg.partial = true.
 */
function waitOrNot(ctx: OperationContext, wait: boolean, sessionId?: number): ChatWaitOptions {
  if (!wait) return { wait: false };
  return {
    ...waitOptions(ctx),
    onPartial: (text, info) =>
      ctx.emit(PARTIAL, { payload: text, partial: true, taskId: info.taskId, sessionId }),
  };
}

/**
 * What a reply asks approval for: msg.pendingActions (readable: description, name, arguments) and
 * msg.needsApproval; such a message leaves on the second output.
 */
function approvalOf(reply: { pendingActions?: PendingAction[] } | undefined | null): {
  set: { pendingActions: PendingAction[]; needsApproval: boolean };
  output: number;
} {
  const pendingActions = reply && Array.isArray(reply.pendingActions) ? reply.pendingActions : [];
  return {
    set: { pendingActions, needsApproval: pendingActions.length > 0 },
    output: pendingActions.length > 0 ? NEEDS_APPROVAL : 0,
  };
}

const YES = new Set(['true', 'yes', 'approve', 'approved', '1', 'y', 'ok']);
const NO = new Set(['false', 'no', 'reject', 'rejected', '0', 'n']);

/** The node's decision, or msg.approve: true / false (also "approve" / "reject", "yes" / "no", 1 / 0). */
function decision(ctx: OperationContext): boolean {
  const fixed = ctx.config.decision;
  if (fixed === 'approve') return true;
  if (fixed === 'reject') return false;
  const value = ctx.msg.approve;
  if (typeof value === 'boolean') return value;
  const text =
    typeof value === 'string' || typeof value === 'number' ? String(value).trim().toLowerCase() : '';
  if (YES.has(text)) return true;
  if (NO.has(text)) return false;
  throw new NodeInputError(
    ctx.t('f7cloud-chat.errors.badDecision', {
      value: value === undefined ? 'nothing' : JSON.stringify(value),
    }),
  );
}

export const chatOperations: Record<string, Operation> = {
  async createSession(ctx) {
    const title = ctx.param('title');
    const session = await ctx.client.chat.createSession(title ? { title: String(title) } : {});
    return { payload: session, assistant: session, set: { sessionId: session.id } };
  },

  async getSessions(ctx) {
    const sessions = await ctx.client.chat.sessions();
    return {
      payload: sessions,
      assistant: sessions,
      statusText: ctx.t('common.status.count', { count: sessions.length }),
    };
  },

  async renameSession(ctx) {
    const id = sessionId(ctx);
    const title = String(ctx.param('title', { required: true }));
    await ctx.client.chat.renameSession(id, title);
    return { payload: title, assistant: null, set: { sessionId: id } };
  },

  async deleteSession(ctx) {
    const id = sessionId(ctx);
    await ctx.client.chat.deleteSession(id);
    return { payload: null, assistant: null, set: { sessionId: id } };
  },

  async sendMessage(ctx) {
    const text = content(ctx);
    let id = ctx.param('sessionId', { type: 'id' });
    const wait = shouldWait(ctx.config);
    // (checks the timeout before anything is sent)
    waitOrNot(ctx, wait);
    let created: ChatSession | undefined;
    if (id === undefined) {
      // no session given: start one, titled from this first message
      created = await ctx.client.chat.createSession({});
      id = created.id;
    }
    const result = await ctx.client.chat.send(id, text, {
      ...waitOrNot(ctx, wait, id),
      ...(created ? { firstHumanMessage: true } : {}),
    });
    const replyMessage = result.reply?.message;
    const approval = approvalOf(result.reply);
    return {
      payload: wait ? replyText(result.reply) : result.taskId,
      assistant: created ? { ...result, session: created } : result,
      set: {
        sessionId: id,
        taskId: result.taskId,
        messageId: replyMessage ? replyMessage.id : result.message.id,
        ...(wait ? approval.set : {}),
      },
      output: approval.output,
    };
  },

  async getMessages(ctx) {
    const id = sessionId(ctx);
    const limit = ctx.param('limit', { type: 'number' });
    const messages = await ctx.client.chat.messages(id, limit ? { limit } : { all: true });
    return {
      payload: messages,
      assistant: messages,
      set: { sessionId: id },
      statusText: ctx.t('common.status.count', { count: messages.length }),
    };
  },

  async getMessage(ctx) {
    const id = sessionId(ctx);
    const message = await ctx.client.chat.message(id, messageId(ctx));
    return { payload: replyText(message), assistant: message, set: { sessionId: id } };
  },

  async deleteMessage(ctx) {
    const id = sessionId(ctx);
    await ctx.client.chat.deleteMessage(id, messageId(ctx));
    return { payload: null, assistant: null, set: { sessionId: id } };
  },

  async regenerate(ctx) {
    const id = sessionId(ctx);
    const wait = shouldWait(ctx.config);
    const result = await ctx.client.chat.regenerate(id, messageId(ctx), waitOrNot(ctx, wait, id));
    const approval = approvalOf(result.reply);
    return {
      payload: wait ? replyText(result.reply) : result.taskId,
      assistant: result,
      set: {
        sessionId: id,
        taskId: result.taskId,
        messageId: result.reply?.message?.id,
        ...(wait ? approval.set : {}),
      },
      output: approval.output,
    };
  },

  async generateTitle(ctx) {
    const id = sessionId(ctx);
    const wait = shouldWait(ctx.config);
    const result = await ctx.client.chat.generateTitle(id, waitOrNot(ctx, wait));
    return {
      payload: wait ? (result.title ?? null) : result.taskId,
      assistant: result,
      set: { sessionId: id, taskId: result.taskId },
    };
  },

  async checkSession(ctx) {
    const id = sessionId(ctx);
    const result = await ctx.client.chat.checkSession(id);
    return { payload: result, assistant: result, set: { sessionId: id, ...approvalOf(result).set } };
  },

  async confirmActions(ctx) {
    const id = sessionId(ctx);
    const approve = decision(ctx);
    const wait = shouldWait(ctx.config);
    // core refuses (conflict, nothing sent) when no action waits, so a decision never re-runs a message
    const result = await ctx.client.chat.confirmActions(id, approve, waitOrNot(ctx, wait, id));
    const approval = approvalOf(result.reply);
    return {
      payload: wait ? replyText(result.reply) : result.taskId,
      assistant: result,
      set: {
        sessionId: id,
        taskId: result.taskId,
        approved: result.approved,
        decidedActions: result.actions,
        messageId: result.reply?.message?.id,
        ...(wait ? approval.set : { pendingActions: [], needsApproval: false }),
      },
      output: approval.output,
    };
  },
};
