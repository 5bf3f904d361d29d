import { AssistantError, badInput } from '../errors.js';
import { send } from '../http.js';
import type { ServiceContext } from '../context.js';
import { field, isObject, listOf, object, objectAt, printable } from '../shape.js';
import type { ChatMessage, ChatSession, ChatSessionCheck, Task } from '../types.js';
import { waitForTask, waitTimedOutUnread, waitTimeout, type WaitBounds, type WaitOptions } from '../wait.js';
import { checkAnswerId, withPartials, type TasksService } from './tasks.js';
import { parsePendingActions, type PendingAction } from '../agency.js';
import { withUserFacingMessage } from '../task-failure.js';
import { TaskStatus } from '../task-status.js';

/** How the assistant app files the tasks of a chat session (for finding them through TaskProcessing). */
export const CHAT_TASKS = {
  appId: 'assistant:chatty-llm',
  messagePrefix: 'chatty-llm:',
  titlePrefix: 'chatty-title:',
  messageCustomId: (sessionId: number) => `${CHAT_TASKS.messagePrefix}${sessionId}`,
  titleCustomId: (sessionId: number) => `${CHAT_TASKS.titlePrefix}${sessionId}`,
} as const;

/** Real servers refuse longer chat messages (bytes). */
export const MAX_MESSAGE_BYTES = 64_000;
/** How long a finished reply may take to be stored before we read it from the task instead. */
const STORE_GRACE_MS = 10_000;
const PAGE = 50;

export interface ChatReply {
  content: string;
  taskId: number;
  /** The stored assistant message; null when the server never stored it and the text came from the task. */
  message: ChatMessage | null;
  stored: boolean;
  /**
   * Actions the assistant (context agent) wants to take and that wait for the user's approval: what, with
   * which arguments. Approve or reject them with `chat.confirmActions`. Empty when there are none.
   */
  pendingActions: PendingAction[];
}

export interface SendResult {
  /** The user's message as stored. */
  message: ChatMessage;
  /** The generation task. */
  taskId: number;
  /** With `wait` (the default): the assistant's answer. */
  reply?: ChatReply;
}

export interface ChatWaitOptions extends WaitOptions {
  /** Wait for the answer (default true). */
  wait?: boolean;
  /**
   * Nextcloud 35 streaming providers: called with the reply's text so far while it is generated (read from
   * the chat's `task_output`). Other servers only give the final reply.
   */
  onPartial?: (text: string, info: { taskId: number }) => void;
}

/** `check_session`'s answer with the pending actions in a readable form. */
export type SessionCheck = ChatSessionCheck & { pendingActions: PendingAction[] };

export interface Attachment {
  type: 'File' | 'Image' | 'Audio' | 'Video' | (string & {});
  fileId: number;
}

function bad(message: string, hint?: string): AssistantError {
  return badInput(message, hint);
}

/** Messages read for a session must belong to it. */
function checkSession(operationId: string, sessionId: number, message: unknown): void {
  const answered = (message as { session_id?: unknown } | null)?.session_id;
  checkAnswerId(operationId, 'chat session', sessionId, answered);
}

function checkContent(content: unknown): string {
  if (typeof content !== 'string' || content.trim() === '') {
    throw bad('The message is empty.', 'Pass the text to send to the assistant.');
  }
  const bytes = new TextEncoder().encode(content).byteLength;
  if (bytes > MAX_MESSAGE_BYTES) {
    throw bad(
      `The message is ${bytes} bytes long; the server accepts at most ${MAX_MESSAGE_BYTES}.`,
      'Shorten it or send it in parts.',
    );
  }
  return content;
}

export function chatService(ctx: ServiceContext, tasks: TasksService) {
  const nowSeconds = () => Math.floor(ctx.now() / 1000);

  /** Waits for a chat generation task and reads what the server stored for it. */
  async function waitForStored<T, F = T>(
    taskId: number,
    options: WaitOptions,
    readStored: (bounds: WaitBounds) => Promise<{ status: number; data: unknown }>,
    fromStored: (data: unknown) => T,
    fromTask: (task: Task) => F | undefined,
    readTask: (bounds: WaitBounds) => Promise<Task> = (b) => tasks.get(taskId, b),
  ): Promise<T | F> {
    const started = ctx.now();
    const timeoutMs = waitTimeout(options);
    const bounds: WaitBounds = {
      deadline: started + timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    const first = await readTask(bounds).catch((error) => {
      throw waitTimedOutUnread(taskId, timeoutMs, error);
    });
    const task = await waitForTask(ctx, first, readTask, options, started).catch((error) => {
      throw withUserFacingMessage(error);
    });
    const doneAt = ctx.now();
    let delay = 100;
    for (;;) {
      const answer = await readStored(bounds);
      if (answer.status === 200) return fromStored(answer.data);
      const now = ctx.now();
      if (now - doneAt >= STORE_GRACE_MS || now >= bounds.deadline) break;
      await ctx.sleep(Math.min(delay, bounds.deadline - now), options.signal);
      if (options.signal?.aborted) {
        throw new AssistantError({
          code: 'aborted',
          details: { taskId },
          summary: `Waiting for the reply of task ${taskId} was cancelled.`,
        });
      }
      delay = Math.min(delay * 2, 2_000);
    }
    // The task finished but the server did not store its result (a broken listener): use the task's output.
    const fallback = fromTask(task);
    if (fallback !== undefined) return fallback;
    throw new AssistantError({
      code: 'timeout',
      details: { taskId },
      summary: `Task ${taskId} finished but the server never stored its result.`,
      hint: "Ask the server's administrator to check the Assistant app's logs.",
    });
  }

  const checkStatus = async (
    operationId: 'chattyllm-check-message-generation-task' | 'chattyllm-check-title-generation-task',
    sessionId: number,
    taskId: number,
    bounds: WaitBounds,
  ) => {
    try {
      return await send(ctx.http, operationId, { query: { taskId, sessionId }, ...bounds });
    } catch (error) {
      if (AssistantError.isInstance(error) && error.status === 400) {
        throw new AssistantError({
          code: 'task_failed',
          status: 400,
          operationId,
          details: { taskId, ...(error.details.body ? { body: error.details.body } : {}) },
          sent: true,
          summary: `The assistant could not answer (task ${taskId} failed).`,
          hint: "Try again, or ask the server's administrator whether the chat provider works.",
        });
      }
      throw error;
    }
  };

  /** Reads the task, and while it runs on a streaming server, the reply's text so far. */
  const partialReader = async (sessionId: number, taskId: number, options: ChatWaitOptions) => {
    const onPartial = options.onPartial;
    if (!onPartial) return undefined;
    const streaming = await ctx.server().then(
      (s) => s.features.streaming,
      () => false,
    );
    let last = '';
    const report = (text: unknown) => {
      if (typeof text === 'string' && text !== '' && text !== last) {
        last = text;
        onPartial(text, { taskId });
      }
    };
    const fromTask = withPartials(
      (b) => tasks.get(taskId, b),
      (text) => report(text),
    );
    return async (b: WaitBounds): Promise<Task> => {
      const task = await fromTask(b);
      if (streaming && task.status === TaskStatus.Running) {
        const answer = await checkStatus('chattyllm-check-message-generation-task', sessionId, taskId, b);
        // A 417 answer comes as the decoded error body: its JSON is in `data`.
        const data = isObject(answer.data) ? answer.data.data : undefined;
        if (answer.status === 417 && isObject(data) && isObject(data.task_output))
          report(data.task_output.output);
      }
      return task;
    };
  };

  const waitForReply = async (
    sessionId: number,
    taskId: number,
    options: ChatWaitOptions = {},
  ): Promise<ChatReply> =>
    waitForStored<ChatReply>(
      taskId,
      options,
      (b) => checkStatus('chattyllm-check-message-generation-task', sessionId, taskId, b),
      (data) => {
        const message = object(data, 'chattyllm-check-message-generation-task') as unknown as ChatMessage;
        checkSession('chattyllm-check-message-generation-task', sessionId, message);
        return {
          content: field(message, 'content', 'string', 'chattyllm-check-message-generation-task'),
          taskId,
          message,
          stored: true,
          pendingActions: parsePendingActions(
            (message as { sessionAgencyPendingActions?: unknown }).sessionAgencyPendingActions,
          ),
        };
      },
      (task) => {
        const output = task.output?.output;
        return typeof output === 'string'
          ? {
              content: output,
              taskId,
              message: null,
              stored: false,
              // The context agent's own output: the actions it asks approval for, as JSON text.
              pendingActions: parsePendingActions(task.output?.actions),
            }
          : undefined;
      },
      (await partialReader(sessionId, taskId, options)) ?? ((b) => tasks.get(taskId, b)),
    );

  /**
   * generate is a GET that starts work: after a lost answer, look for the task it may have scheduled for
   * this very message before asking again, so a message never gets two replies (nor an older one's).
   */
  async function startGeneration(
    sessionId: number,
    message: ChatMessage,
    start: () => Promise<unknown>,
  ): Promise<number> {
    const taskIdOf = (data: unknown) => field(data, 'taskId', 'number', 'chattyllm-generate-for-session');
    try {
      return taskIdOf(await start());
    } catch (error) {
      const ambiguous =
        AssistantError.isInstance(error) && ['network', 'timeout', 'server'].includes(error.code);
      if (!ambiguous) throw error;
      const candidates = await tasks.find({
        appId: CHAT_TASKS.appId,
        customId: CHAT_TASKS.messageCustomId(sessionId),
      });
      const scheduled = candidates
        .filter((t) => t.input?.input === message.content && (t.scheduledAt ?? 0) >= message.timestamp - 1)
        .sort((a, b) => b.id - a.id)[0];
      if (scheduled) return scheduled.id;
      return taskIdOf(await start());
    }
  }

  /** RESTful session routes where the server has them (assistant 3.3+); the legacy ones elsewhere. */
  const restful = () =>
    ctx.server().then(
      (s) => s.features.restfulSessions,
      () => false,
    );

  const checkSessionOf = async (sessionId: number): Promise<SessionCheck> => {
    const check = object(
      await ctx.call('chattyllm-check-session', { query: { sessionId } }),
      'chattyllm-check-session',
    ) as unknown as ChatSessionCheck;
    return { ...check, pendingActions: parsePendingActions(check.sessionAgencyPendingActions) };
  };

  return {
    async createSession(options: { title?: string } = {}): Promise<ChatSession> {
      const body = { timestamp: nowSeconds(), ...(options.title ? { title: options.title } : {}) };
      if (await restful()) {
        const op = 'chattyllm-new-session-restful';
        return objectAt(await ctx.call(op, { body }), 'session', op) as unknown as ChatSession;
      }
      const data = await ctx.call('chattyllm-new-session', { body });
      return objectAt(data, 'session', 'chattyllm-new-session') as unknown as ChatSession;
    },
    /** The user's sessions, newest first. */
    async sessions(): Promise<ChatSession[]> {
      return listOf(
        await ctx.call('chattyllm-get-sessions'),
        undefined,
        'chattyllm-get-sessions',
      ) as unknown as ChatSession[];
    },
    async renameSession(sessionId: number, title: string): Promise<void> {
      if (typeof title !== 'string' || !title.trim())
        throw bad('The new session title is empty.', 'Pass the new title.');
      if (await restful()) {
        await ctx.call('chattyllm-update-chat-session-restful', { path: { sessionId }, body: { title } });
        return;
      }
      await ctx.call('chattyllm-update-session-title', { body: { sessionId, title } });
    },
    async deleteSession(sessionId: number): Promise<void> {
      if (await restful()) {
        await ctx.call('chattyllm-delete-session-restful', { path: { sessionId } });
        return;
      }
      await ctx.call('chattyllm-delete-session', { query: { sessionId } });
    },
    /** Sends a message as the user and (by default) waits for the assistant's reply. */
    async send(
      sessionId: number,
      content: string,
      options: ChatWaitOptions & { attachments?: Attachment[]; firstHumanMessage?: boolean } = {},
    ): Promise<SendResult> {
      checkContent(content);
      const attachments = options.attachments?.map((a) => {
        if (!a || !(Number.isSafeInteger(a.fileId) && a.fileId > 0))
          throw bad(
            'Each attachment needs a positive numeric fileId.',
            'Give the file id of each attachment.',
          );
        return { type: a.type || 'File', file_id: a.fileId };
      });
      const message = object(
        await ctx.call('chattyllm-new-message', {
          body: {
            sessionId,
            role: 'human',
            content,
            timestamp: nowSeconds(),
            ...(attachments?.length ? { attachments } : {}),
            ...(options.firstHumanMessage ? { firstHumanMessage: true } : {}),
          },
        }),
        'chattyllm-new-message',
      ) as unknown as ChatMessage;
      const taskId = await startGeneration(sessionId, message, () =>
        ctx.call('chattyllm-generate-for-session', { query: { sessionId } }),
      );
      if (options.wait === false) return { message, taskId };
      return { message, taskId, reply: await waitForReply(sessionId, taskId, options) };
    },
    /** Waits for a reply already being generated (e.g. after `send` with wait: false, or `checkSession`). */
    waitForReply,
    /**
     * Messages oldest first. One page (`limit`, default 20; `cursor` skips that many newest messages),
     * or `{ all: true }` for the whole conversation.
     */
    async messages(
      sessionId: number,
      options: { limit?: number; cursor?: number } | { all: true } = {},
    ): Promise<ChatMessage[]> {
      if (!('all' in options && options.all)) {
        const page = options as { limit?: number; cursor?: number };
        const data = await ctx.call('chattyllm-get-messages', {
          query: { sessionId, limit: page.limit ?? 20, cursor: page.cursor ?? 0 },
        });
        const list = listOf(data, undefined, 'chattyllm-get-messages') as unknown as ChatMessage[];
        for (const m of list) checkSession('chattyllm-get-messages', sessionId, m);
        return list;
      }
      const pages: ChatMessage[][] = [];
      for (let cursor = 0; ; cursor += PAGE) {
        let page: ChatMessage[];
        try {
          const data = await ctx.call('chattyllm-get-messages', {
            query: { sessionId, limit: PAGE, cursor },
            ...(cursor > 0 ? { retry: false } : {}),
          } as never);
          page = listOf(data, undefined, 'chattyllm-get-messages') as unknown as ChatMessage[];
          for (const m of page) checkSession('chattyllm-get-messages', sessionId, m);
        } catch (error) {
          // Servers answer 500 for a cursor past the end: after a full page that means "no more".
          if (cursor > 0 && AssistantError.isInstance(error) && error.status === 500) break;
          throw error;
        }
        // A server that ignores the cursor would repeat the newest page forever.
        if (cursor > 0 && page.length > 0 && page[0]!.id === pages[0]?.[0]?.id) {
          throw new AssistantError({
            code: 'server',
            operationId: 'chattyllm-get-messages',
            sent: true,
            summary:
              'The server answered the same page of messages for every cursor, so the whole conversation cannot be read.',
            hint: 'Read it with a limit instead.',
          });
        }
        pages.unshift(page);
        if (page.length < PAGE) break;
      }
      return pages.flat();
    },
    async message(sessionId: number, messageId: number): Promise<ChatMessage> {
      const op = 'chattyllm-get-message';
      const message = object(await ctx.call(op, { path: { sessionId, messageId } }), op);
      checkAnswerId(op, 'message', messageId, message.id);
      checkSession(op, sessionId, message);
      return message as unknown as ChatMessage;
    },
    async deleteMessage(sessionId: number, messageId: number): Promise<void> {
      await ctx.call('chattyllm-delete-message', { query: { sessionId, messageId } });
    },
    /** Deletes an assistant message and generates a new one in its place. */
    async regenerate(
      sessionId: number,
      messageId: number,
      options: ChatWaitOptions = {},
    ): Promise<{ taskId: number; reply?: ChatReply }> {
      const taskId = field(
        await ctx.call('chattyllm-regenerate-for-session', { query: { sessionId, messageId } }),
        'taskId',
        'number',
        'chattyllm-regenerate-for-session',
      );
      if (options.wait === false) return { taskId };
      return { taskId, reply: await waitForReply(sessionId, taskId, options) };
    },
    /** Asks the assistant for a session title; with wait (default), returns it. */
    async generateTitle(
      sessionId: number,
      options: ChatWaitOptions = {},
    ): Promise<{ taskId: number; title?: string }> {
      const taskId = field(
        await ctx.call('chattyllm-generate-title', { query: { sessionId } }),
        'taskId',
        'number',
        'chattyllm-generate-title',
      );
      if (options.wait === false) return { taskId };
      const title = await waitForStored(
        taskId,
        options,
        (b) => checkStatus('chattyllm-check-title-generation-task', sessionId, taskId, b),
        (data) => field(data, 'result', 'string', 'chattyllm-check-title-generation-task'),
        (task) => (typeof task.output?.output === 'string' ? task.output.output : undefined),
      );
      return { taskId, title };
    },
    /**
     * Which generation tasks a session is waiting for (to resume after a restart), and the actions that
     * wait for approval (`pendingActions`, readable; `sessionAgencyPendingActions` as the server sent them).
     */
    checkSession: checkSessionOf,
    /**
     * Approves (`true`) or rejects (`false`) the actions the assistant asked approval for in this session
     * (`generate?agencyConfirm=1|0`) and, with `wait` (the default), returns its reply: that they were done,
     * or how it goes on without them. Refused when nothing waits for approval, so a decision never
     * re-runs an older message.
     */
    async confirmActions(
      sessionId: number,
      approve: boolean,
      options: ChatWaitOptions = {},
    ): Promise<{ taskId: number; approved: boolean; actions: PendingAction[]; reply?: ChatReply }> {
      if (typeof approve !== 'boolean') {
        throw bad(
          `The decision must be true (approve) or false (reject), got ${printable(approve)}.`,
          'Pass true to run the pending actions or false to drop them.',
        );
      }
      if (options.wait !== false) waitTimeout(options);
      const { pendingActions } = await checkSessionOf(sessionId);
      if (pendingActions.length === 0) {
        throw new AssistantError({
          code: 'conflict',
          operationId: 'chattyllm-generate-for-session',
          summary: `Chat session ${sessionId} has no actions waiting for approval, so the decision was not sent.`,
          hint: 'Send the decision after a reply whose pendingActions is not empty.',
        });
      }
      const op = 'chattyllm-generate-for-session';
      const taskId = field(
        await ctx.call(op, { query: { sessionId, agencyConfirm: approve ? 1 : 0 } }),
        'taskId',
        'number',
        op,
      );
      const result = { taskId, approved: approve, actions: pendingActions };
      if (options.wait === false) return result;
      return { ...result, reply: await waitForReply(sessionId, taskId, options) };
    },
  };
}

export type ChatService = ReturnType<typeof chatService>;
