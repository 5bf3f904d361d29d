import { phpInt, type App, type Handler } from '../app.js';
import { CHAT_APP_ID, CHAT_PREFIX, TITLE_PREFIX } from '../engine/engine.js';
import { CONTEXT_AGENT_TASK_TYPE, pendingActionsJson } from '../engine/context-agent.js';
import { CHAT_TASK_TYPE } from '../engine/task-types.js';
import { features } from '../profile.js';
import { readParams } from '../http/body.js';
import type { Ctx } from '../http/context.js';
import { crash, json, type Reply } from '../http/reply.js';
import { isTerminal, TASK_STATUSES, type Message, type Session, type Task } from '../state/store.js';

const MAX_MESSAGE_BYTES = 64_000;
const SYSTEM_PROMPT =
  'This is a conversation in a specific language between the user and you, Nextcloud Assistant. You are a kind, polite and helpful AI that helps the user to the best of its abilities. If you do not understand something, you will ask for clarification. Detect the language that the user is using. Make sure to use the same language in your response. Do not mention the language explicitly.';
const TITLE_PROMPT =
  'Above is a chat session in a specific language between the user and you, Nextcloud Assistant. Generate a suitable title summarizing the conversation in the same language. Output only the title in plain text, nothing else.';

const sessionNotFound = (): Reply => json(404, { error: 'Session not found' });

/** Thrown for a missing required parameter: real servers answer with their generic 500. */
class MissingParam extends Error {}

function need(params: Record<string, unknown>, name: string): unknown {
  const v = params[name];
  if (v === undefined || v === null) throw new MissingParam(name);
  return v;
}

/** A session as the profile's assistant version serializes it (3.1+ memories, 4.0 assignments). */
function sessionJson(app: App, s: Session): Record<string, unknown> {
  return {
    id: s.id,
    user_id: s.user_id,
    title: s.title,
    timestamp: s.timestamp,
    agency_conversation_token: s.agency_conversation_token,
    agency_pending_actions: s.agency_pending_actions,
    ...(features.memories(app.profile)
      ? { summary: null, is_remembered: s.is_remembered ?? false, is_summary_up_to_date: false }
      : {}),
    ...(features.assignments(app.profile) ? { assignment_id: s.assignment_id ?? null } : {}),
  };
}

/** A new session (legacy PUT new_session and the RESTful POST sessions of 3.3+), with its hidden system message. */
export function createSession(app: App, user: string, title: string | null, timestamp: number): Session {
  const id = app.state.next('session');
  const session: Session = {
    id,
    user_id: user,
    title,
    timestamp,
    agency_conversation_token: null,
    agency_pending_actions: null,
    messageTaskId: null,
    titleTaskId: null,
  };
  app.state.sessions.set(id, session);
  const mid = app.state.next('message');
  app.state.messages.set(mid, {
    id: mid,
    session_id: id,
    role: 'system',
    content: SYSTEM_PROMPT,
    timestamp: session.timestamp,
    ocp_task_id: 0,
    sources: '[]',
    attachments: [],
  });
  app.state.systemMessages.add(mid);
  return session;
}

/** An assignment that came due: a session of its own with the prompt as the user's message, then the reply. */
export function runAssignment(
  app: App,
  a: { id: number; user_id: string; prompt: string; title: string },
): void {
  const session = createSession(
    app,
    a.user_id,
    a.title || a.prompt.slice(0, 140),
    Math.floor(Date.now() / 1000),
  );
  session.assignment_id = a.id;
  const id = app.state.next('message');
  app.state.messages.set(id, {
    id,
    session_id: session.id,
    role: 'human',
    content: a.prompt,
    timestamp: session.timestamp,
    ocp_task_id: 0,
    sources: '[]',
    attachments: [],
  });
  scheduleReply(a.user_id, app, session);
}

function deleteSession(app: App, session: Session): void {
  app.state.sessions.delete(session.id);
  for (const [id, m] of app.state.messages) if (m.session_id === session.id) app.state.messages.delete(id);
}

function messageJson(m: Message): Record<string, unknown> {
  return { ...m };
}

function ownSession(ctx: Ctx, app: App, raw: unknown): Session | undefined {
  const s = app.state.sessions.get(phpInt(raw));
  return s && s.user_id === ctx.user ? s : undefined;
}

const statusInt = (t: Task): number => TASK_STATUSES.indexOf(t.status);

function isPending(app: App, id: number | null): boolean {
  const t = id === null ? undefined : app.state.tasks.get(id);
  return !!t && !isTerminal(t.status);
}

function scheduleReply(user: string, app: App, session: Session, agencyConfirm = 0): number | Reply {
  const msgs = app.state.sessionMessages(session.id);
  let last = -1;
  for (let i = msgs.length - 1; i >= 0; i--) {
    if (msgs[i]?.role === 'human') {
      last = i;
      break;
    }
  }
  // the real server looks for role `human` only and crashes without one
  if (last === -1) return crash();
  const human = msgs[last] as Message;
  if (app.profile.contextAgent) {
    // the assistant hands the conversation to the context agent (ChattyLLMController::scheduleAgencyTask)
    const task = app.engine.schedule(user, {
      type: CONTEXT_AGENT_TASK_TYPE,
      input: {
        input: human.content,
        confirmation: agencyConfirm,
        conversation_token: session.agency_conversation_token ?? '{}',
      },
      appId: CHAT_APP_ID,
      customId: `${CHAT_PREFIX}${session.id}`,
    });
    session.messageTaskId = task.id;
    return task.id;
  }
  const history = msgs.slice(0, last).map((m) => JSON.stringify({ role: m.role, content: m.content }));
  const task = app.engine.schedule(user, {
    type: CHAT_TASK_TYPE,
    input: { input: human.content, system_prompt: SYSTEM_PROMPT, history },
    appId: CHAT_APP_ID,
    customId: `${CHAT_PREFIX}${session.id}`,
    preferStreaming: features.streaming(app.profile),
  });
  session.messageTaskId = task.id;
  return task.id;
}

/** Shared by check_generation and check_title_generation. */
function checkTask(ctx: Ctx, app: App, title: boolean): Reply {
  const params = Object.fromEntries(ctx.query);
  need(params, 'taskId');
  need(params, 'sessionId');
  const session = ownSession(ctx, app, params.sessionId);
  if (!session) return sessionNotFound();
  const task = app.state.tasks.get(phpInt(params.taskId));
  const prefix = title ? TITLE_PREFIX : CHAT_PREFIX;
  if (!task || task.userId !== ctx.user || task.customId !== `${prefix}${session.id}`) {
    return json(404, { error: 'task_not_found' });
  }
  if (
    task.status === 'STATUS_FAILED' ||
    task.status === 'STATUS_CANCELLED' ||
    task.status === 'STATUS_UNKNOWN'
  ) {
    return json(400, {
      error: task.errorMessage ?? 'task_failed',
      task_status: statusInt(task),
      ...(!title && task.userFacingErrorMessage !== undefined
        ? { userFacingErrorMessage: task.userFacingErrorMessage }
        : {}),
    });
  }
  if (task.status !== 'STATUS_SUCCESSFUL') {
    if (title) return json(417, { task_status: statusInt(task) });
    const slow = task.status === 'STATUS_SCHEDULED' && Date.now() - task.scheduledAtMs > app.slowPickupMs;
    // Nextcloud 35: a streaming provider's text so far
    const partial = task.streamed ? { task_output: { output: task.streamed } } : {};
    return json(417, { task_status: statusInt(task), slow_pickup: slow, ...partial });
  }
  if (title) {
    return session.titleTaskId === task.id || session.title === null
      ? json(417, { task_status: statusInt(task) })
      : json(200, { result: session.title });
  }
  const reply = app.state.sessionMessages(session.id).find((m) => m.ocp_task_id === task.id);
  if (!reply) return json(417, { task_status: statusInt(task) });
  return json(200, {
    ...messageJson(reply),
    sessionAgencyPendingActions: pendingActionsJson(session.agency_pending_actions),
  });
}

function wrap(fn: Handler): Handler {
  return async (ctx, app) => {
    try {
      return await fn(ctx, app);
    } catch (err) {
      if (err instanceof MissingParam) return crash();
      throw err;
    }
  };
}

const handlers: Record<string, Handler> = {
  'chattyllm-new-session': async (ctx, app) => {
    const p = await readParams(ctx.req, ctx.query);
    const timestamp = phpInt(need(p, 'timestamp'));
    const title = typeof p.title === 'string' ? p.title : null;
    const session = createSession(app, ctx.user as string, title, timestamp < 0 ? 0 : timestamp);
    return json(200, { session: sessionJson(app, session) });
  },

  // assistant 3.3+: RESTful sessions; the timestamp is optional (now)
  'chattyllm-new-session-restful': async (ctx, app) => {
    const p = await readParams(ctx.req, ctx.query);
    const ts =
      p.timestamp === undefined || p.timestamp === null ? Math.floor(Date.now() / 1000) : phpInt(p.timestamp);
    const title = typeof p.title === 'string' ? p.title : null;
    const session = createSession(app, ctx.user as string, title, ts < 0 ? 0 : ts);
    return json(200, { session: sessionJson(app, session) });
  },

  'chattyllm-update-chat-session-restful': async (ctx, app) => {
    const p = await readParams(ctx.req, ctx.query);
    const session = ownSession(ctx, app, ctx.pathParams.sessionId);
    if (!session) return sessionNotFound();
    if (typeof p.title === 'string') session.title = p.title;
    if (typeof p.is_remembered === 'boolean') session.is_remembered = p.is_remembered;
    return json(200, {});
  },

  'chattyllm-delete-session-restful': (ctx, app) => {
    const session = ownSession(ctx, app, ctx.pathParams.sessionId);
    if (session) deleteSession(app, session);
    return json(200, {});
  },

  'chattyllm-update-session-title': async (ctx, app) => {
    const p = await readParams(ctx.req, ctx.query);
    const session = ownSession(ctx, app, need(p, 'sessionId'));
    if (session) session.title = String(need(p, 'title'));
    return json(200, []);
  },

  'chattyllm-delete-session': async (ctx, app) => {
    const p = await readParams(ctx.req, ctx.query);
    const session = ownSession(ctx, app, need(p, 'sessionId'));
    if (session) deleteSession(app, session);
    return json(200, []);
  },

  'chattyllm-get-sessions': (ctx, app) => {
    // assistant 4.0: assignment runs are sessions too, listed only with isAssignment=true
    const q = ctx.query.get('isAssignment');
    const assignments = features.assignments(app.profile) && (q === 'true' || q === '1');
    const sessions = [...app.state.sessions.values()]
      .filter((s) => s.user_id === ctx.user && (s.assignment_id != null) === assignments)
      .sort((a, b) => b.timestamp - a.timestamp || a.id - b.id)
      .map((s) => sessionJson(app, s));
    return json(200, sessions);
  },

  'chattyllm-new-message': async (ctx, app) => {
    const p = await readParams(ctx.req, ctx.query);
    const sessionId = need(p, 'sessionId');
    const role = String(need(p, 'role'));
    const content = String(need(p, 'content'));
    // assistant 4.0 makes the timestamp optional (now)
    const timestamp = features.assignments(app.profile)
      ? (p.timestamp ?? Math.floor(Date.now() / 1000))
      : need(p, 'timestamp');
    const session = ownSession(ctx, app, sessionId);
    if (!session) return sessionNotFound();
    if (content.trim() === '') return json(400, { error: 'Message content is empty' });
    if (Buffer.byteLength(content) > MAX_MESSAGE_BYTES)
      return json(400, { error: 'The new message is too long' });
    const id = app.state.next('message');
    const message: Message = {
      id,
      session_id: session.id,
      role,
      content,
      timestamp: Math.max(0, phpInt(timestamp)),
      ocp_task_id: 0,
      sources: '[]',
      attachments: Array.isArray(p.attachments) ? p.attachments : [],
    };
    app.state.messages.set(id, message);
    if (p.firstHumanMessage === true || p.firstHumanMessage === 'true' || p.firstHumanMessage === '1') {
      session.title = content.slice(0, 255);
    }
    return json(200, { ...messageJson(message), ocp_task_id: null });
  },

  'chattyllm-delete-message': (ctx, app) => {
    const params = Object.fromEntries(ctx.query);
    const messageId = phpInt(need(params, 'messageId'));
    const session = ownSession(ctx, app, need(params, 'sessionId'));
    if (!session) return sessionNotFound();
    const m = app.state.messages.get(messageId);
    if (!m || m.session_id !== session.id || app.state.systemMessages.has(m.id)) return crash();
    app.state.messages.delete(messageId);
    return json(200, []);
  },

  'chattyllm-get-messages': (ctx, app) => {
    const params = Object.fromEntries(ctx.query);
    const session = ownSession(ctx, app, need(params, 'sessionId'));
    if (!session) return sessionNotFound();
    const limit = Math.max(0, phpInt(params.limit ?? '20'));
    const cursor = Math.max(0, phpInt(params.cursor ?? '0'));
    const role = features.assignments(app.profile) ? (params.filterByRole ?? '') : '';
    // assistant 4.0: filterByRole keeps one role only (before paging)
    const all = app.state.sessionMessages(session.id).filter((m) => !role || m.role === role);
    // the cursor counts from the newest message; a cursor past the end makes the server crash
    if (cursor > 0 && cursor >= all.length) return crash();
    const newestFirst = all.reverse().slice(cursor);
    const page = limit === 0 ? newestFirst : newestFirst.slice(0, limit);
    return json(200, page.reverse().map(messageJson));
  },

  'chattyllm-get-message': (ctx, app) => {
    const session = ownSession(
      ctx,
      app,
      /^\d+$/.test(ctx.pathParams.sessionId ?? '') ? ctx.pathParams.sessionId : '0',
    );
    if (!session) return sessionNotFound();
    const m = app.state.messages.get(phpInt(ctx.pathParams.messageId));
    if (!m || m.session_id !== session.id || app.state.systemMessages.has(m.id)) return crash();
    return json(200, messageJson(m));
  },

  'chattyllm-generate-for-session': (ctx, app) => {
    const params = Object.fromEntries(ctx.query);
    const session = ownSession(ctx, app, need(params, 'sessionId'));
    if (!session) return sessionNotFound();
    if (isPending(app, session.messageTaskId)) return json(400, { error: 'session_already_thinking' });
    const taskId = scheduleReply(
      ctx.user as string,
      app,
      session,
      phpInt(params.agencyConfirm ?? '0') === 1 ? 1 : 0,
    );
    return typeof taskId === 'number' ? json(200, { taskId }) : taskId;
  },

  'chattyllm-regenerate-for-session': (ctx, app) => {
    const params = Object.fromEntries(ctx.query);
    const messageId = phpInt(need(params, 'messageId'));
    const session = ownSession(ctx, app, need(params, 'sessionId'));
    if (!session) return sessionNotFound();
    const m = app.state.messages.get(messageId);
    if (!m || m.session_id !== session.id || app.state.systemMessages.has(m.id)) return crash();
    if (isPending(app, session.messageTaskId)) return json(400, { error: 'session_already_thinking' });
    app.state.messages.delete(messageId);
    const taskId = scheduleReply(ctx.user as string, app, session);
    return typeof taskId === 'number' ? json(200, { taskId }) : taskId;
  },

  'chattyllm-check-session': (ctx, app) => {
    const params = Object.fromEntries(ctx.query);
    const session = ownSession(ctx, app, need(params, 'sessionId'));
    if (!session) return sessionNotFound();
    // Like the assistant app: only generations still scheduled or running are reported.
    return json(200, {
      messageTaskId: isPending(app, session.messageTaskId) ? session.messageTaskId : null,
      titleTaskId: isPending(app, session.titleTaskId) ? session.titleTaskId : null,
      sessionTitle: session.title,
      sessionAgencyPendingActions: pendingActionsJson(session.agency_pending_actions),
      ...(features.memories(app.profile) ? { is_remembered: session.is_remembered ?? false } : {}),
    });
  },

  'chattyllm-check-message-generation-task': (ctx, app) => checkTask(ctx, app, false),

  'chattyllm-generate-title': (ctx, app) => {
    const params = Object.fromEntries(ctx.query);
    const session = ownSession(ctx, app, need(params, 'sessionId'));
    if (!session) return sessionNotFound();
    const msgs = app.state.sessionMessages(session.id);
    const task = app.engine.schedule(ctx.user as string, {
      type: CHAT_TASK_TYPE,
      input: {
        input: TITLE_PROMPT,
        system_prompt: SYSTEM_PROMPT,
        history: msgs.map((m) => JSON.stringify({ role: m.role, content: m.content })),
      },
      appId: CHAT_APP_ID,
      customId: `${TITLE_PREFIX}${session.id}`,
    });
    session.titleTaskId = task.id;
    return json(200, { taskId: task.id });
  },

  'chattyllm-check-title-generation-task': (ctx, app) => checkTask(ctx, app, true),
};

export const chat: Record<string, Handler> = Object.fromEntries(
  Object.entries(handlers).map(([id, fn]) => [id, wrap(fn)]),
);
