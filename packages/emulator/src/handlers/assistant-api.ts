import { fileStamp, phpInt, type App, type Handler } from '../app.js';
import { FILE_ACTION_PREFIX, FILE_ACTION_SUFFIX, ScheduleError, taskJson } from '../engine/engine.js';
import { CHAT_WITH_TOOLS_TASK_TYPE } from '../engine/chat-with-tools.js';
import { CONTEXT_AGENT_TASK_TYPE } from '../engine/context-agent.js';
import { CHAT_TASK_TYPE, TASK_TYPES, type TaskTypeDefinition } from '../engine/task-types.js';
import { features } from '../profile.js';
import { ExtractError, extractText } from '../files/extract.js';
import type { FileNode } from '../files/file-store.js';
import { readParams } from '../http/body.js';
import type { Ctx } from '../http/context.js';
import { multipartBoundary, readMultipart } from '../http/multipart.js';
import { crash, ocs, type Reply } from '../http/reply.js';
import { makePng } from '../media/png.js';
import { isTerminal, type Task } from '../state/store.js';

const user = (ctx: Ctx): string => ctx.user as string;
const emptyAsList = (map: object): object | [] => (Object.keys(map).length ? map : []);

/** One entry of the assistant's task-types list (empty maps are PHP arrays: `[]`). */
function assistantType(id: string, t: TaskTypeDefinition): Record<string, unknown> {
  return {
    name: t.assistantName,
    description: t.assistantDescription,
    optionalInputShape: emptyAsList(t.optionalInputShape),
    inputShapeEnumValues: emptyAsList(t.inputShapeEnumValues),
    inputShapeDefaults: emptyAsList(t.inputShapeDefaults),
    inputShape: emptyAsList(t.inputShape),
    optionalInputShapeEnumValues: emptyAsList(t.optionalInputShapeEnumValues),
    optionalInputShapeDefaults: emptyAsList(t.optionalInputShapeDefaults),
    outputShape: emptyAsList(t.outputShape),
    outputShapeEnumValues: emptyAsList(t.outputShapeEnumValues),
    optionalOutputShape: emptyAsList(t.optionalOutputShape),
    optionalOutputShapeEnumValues: emptyAsList(t.optionalOutputShapeEnumValues),
    id,
    priority: t.priority,
  };
}

const CHATTY_LLM = {
  id: 'chatty-llm',
  name: 'Chat with AI',
  description: 'Chat with an AI model.',
  inputShape: [],
  inputShapeEnumValues: [],
  inputShapeDefaults: [],
  outputShape: [],
  optionalInputShape: [],
  optionalInputShapeEnumValues: [],
  optionalInputShapeDefaults: [],
  optionalOutputShape: [],
  priority: 1,
};

/**
 * assistant 3.x+ files each type under a category (the spec gives only the shape `{id, name}`; these
 * groupings are the emulator's) and names the admin's preferred provider (none set here: null).
 */
function category(id: string): { id: string; name: string } {
  if (id === 'chatty-llm' || id === CONTEXT_AGENT_TASK_TYPE) return { id: 'chat', name: 'Chat' };
  if (id.includes('image')) return { id: 'image', name: 'Image' };
  if (id.includes('audio') || id.includes('speech')) return { id: 'audio', name: 'Audio' };
  return { id: 'text', name: 'Text' };
}

const withCategory = (app: App, type: Record<string, unknown>): Record<string, unknown> =>
  features.memories(app.profile)
    ? { ...type, category: category(String(type.id)), preferredProviderName: null }
    : type;

const FILE_TYPES = new Set(['Audio', 'Image', 'Video', 'File']);

/** Ids of the input and output files of a task, from its type's shapes. */
export function taskFileIds(task: Task): number[] {
  const def = TASK_TYPES[task.type];
  if (!def) return [];
  const ids: number[] = [];
  const collect = (shape: Record<string, { type: string }>, values: Record<string, unknown> | null): void => {
    for (const [key, slot] of Object.entries(shape)) {
      const isList = slot.type.startsWith('ListOf') && slot.type !== 'ListOfTexts';
      if (!FILE_TYPES.has(slot.type) && !isList) continue;
      const v = values?.[key];
      for (const id of Array.isArray(v) ? v : [v])
        if (Number.isInteger(Number(id)) && v != null) ids.push(Number(id));
    }
  };
  collect({ ...def.inputShape, ...def.optionalInputShape }, task.input);
  collect({ ...def.outputShape, ...def.optionalOutputShape }, task.output);
  return ids;
}

function ownTask(ctx: Ctx, app: App, raw: string | undefined): Task | undefined {
  const task = app.state.tasks.get(phpInt(raw));
  return task && task.userId === user(ctx) ? task : undefined;
}

function taskFile(ctx: Ctx, app: App): { task: Task; file: FileNode } | 'no-task' | 'no-file' {
  const task = ownTask(ctx, app, ctx.pathParams.ocpTaskId);
  if (!task) return 'no-task';
  const fileId = phpInt(ctx.pathParams.fileId);
  const file = taskFileIds(task).includes(fileId) ? app.files.get(fileId) : undefined;
  return file && file.kind === 'file' ? { task, file } : 'no-file';
}

function fileBody(
  app: App,
  file: FileNode,
  name: string,
  contentType: string,
  extra: Record<string, string> = {},
): Reply {
  return {
    kind: 'stream',
    status: 200,
    contentType,
    size: file.size,
    open: () => app.files.open(file),
    headers: { 'Content-Disposition': `attachment; filename="${name.replace(/"/g, '')}"`, ...extra },
  };
}

/** The server's own limit answer, as recorded (real-server-2 *__rate_limited): 429, empty body, no Retry-After. */
export function rateLimited(): Reply {
  return { kind: 'body', status: 429, contentType: 'text/html; charset=UTF-8', body: '' };
}

/** The notify routes are limited per client IP, also for logged-in users (docs/api-behaviour.md). */
function notifyLimit(ctx: Ctx, app: App): Reply | null {
  const key = `notify:${ctx.req.socket.remoteAddress ?? ''}:${ctx.method}`;
  return app.state.allow(key, app.limits.notify) ? null : rateLimited();
}

const IMMUTABLE = { 'Cache-Control': 'private, max-age=86400, immutable' };

export const assistantApi: Record<string, Handler> = {
  'assistant_api-get-available-task-types': (_ctx, app) => {
    const types: unknown[] = [];
    for (const [id, t] of Object.entries(TASK_TYPES)) {
      // The assistant app hides chat with tools (not useful to run by hand), as upstream does.
      if (id === CHAT_WITH_TOOLS_TASK_TYPE || !app.engine.offers(id)) continue;
      types.push(withCategory(app, id === CHAT_TASK_TYPE ? CHATTY_LLM : assistantType(id, t)));
    }
    return ocs(200, { types });
  },

  'assistant_api-get-user-tasks': (ctx, app) => {
    const type = ctx.query.get('taskTypeId');
    const tasks = [...app.state.tasks.values()]
      .filter((t) => t.userId === user(ctx) && (!type || t.type === type))
      .map((t) => taskJson(t));
    return ocs(200, { tasks });
  },

  'assistant_api-get-notify-when-ready': (ctx, app) => {
    const limited = notifyLimit(ctx, app);
    if (limited) return limited;
    const id = phpInt(ctx.pathParams.ocpTaskId);
    const task = app.state.tasks.get(id);
    // real servers crash on another user's task here; they never reveal it
    if (task && task.userId !== user(ctx)) return crash();
    const rec = [...app.state.notifyRecords.values()].find(
      (r) => r.ocp_task_id === id && r.userId === user(ctx),
    );
    return ocs(
      200,
      rec
        ? { id: rec.id, ocp_task_id: rec.ocp_task_id, timestamp: rec.timestamp }
        : { id: null, ocp_task_id: null, timestamp: null },
    );
  },

  'assistant_api-notify-when-ready': (ctx, app) => {
    const limited = notifyLimit(ctx, app);
    if (limited) return limited;
    const task = ownTask(ctx, app, ctx.pathParams.ocpTaskId);
    if (task) {
      if (isTerminal(task.status)) {
        app.engine.addNotification(task);
      } else if (![...app.state.notifyRecords.values()].some((r) => r.ocp_task_id === task.id)) {
        const id = app.state.next('notify');
        app.state.notifyRecords.set(id, {
          id,
          userId: task.userId,
          ocp_task_id: task.id,
          timestamp: Math.floor(Date.now() / 1000),
        });
      }
    }
    return ocs(200, '');
  },

  'assistant_api-cancel-notify-when-ready': (ctx, app) => {
    const limited = notifyLimit(ctx, app);
    if (limited) return limited;
    const id = phpInt(ctx.pathParams.ocpTaskId);
    for (const [key, r] of app.state.notifyRecords) {
      if (r.ocp_task_id === id && r.userId === user(ctx)) app.state.notifyRecords.delete(key);
    }
    return ocs(200, '');
  },

  'assistant_api-upload-input-file': async (ctx, app) => {
    const failed = ocs(400, 'Error in input file upload: ');
    const boundary = multipartBoundary(ctx.req.headers['content-type']);
    if (!boundary) return failed;
    const sink = app.files.sink();
    let gotData = false;
    const parsed = await readMultipart(ctx.req, boundary, (part) => {
      if (part.name !== 'data' || gotData) return null;
      gotData = true;
      return sink;
    }).catch(async (err: Error) => {
      await sink.discard();
      throw err;
    });
    if (!gotData) {
      await sink.discard();
      return failed;
    }
    const filename = parsed.fields.filename ?? ctx.query.get('filename') ?? '';
    const folder = app.files.ensureFolder(user(ctx), 'Assistant');
    const name = app.files.uniqueName(folder, filename ? `${fileStamp()} ${filename}` : fileStamp());
    const { node } = app.files.put(user(ctx), `Assistant/${name}`, await sink.result());
    return ocs(200, { fileId: node.id, filePath: app.files.internalPath(node) });
  },

  'assistant_api-parse-text-from-file': async (ctx, app) => {
    const params = await readParams(ctx.req, ctx.query);
    const notAFile = ocs(400, 'Provided path does not point to a file.');
    let node: FileNode | undefined;
    if (params.fileId !== undefined && params.fileId !== null && params.fileId !== '') {
      node = app.files.owned(user(ctx), phpInt(params.fileId));
      if (!node) return notAFile;
    } else if (typeof params.filePath === 'string' && params.filePath !== '') {
      node = app.files.resolve(user(ctx), params.filePath);
      if (!node) return ocs(400, `/${user(ctx)}/files/${params.filePath.replace(/^\/+/, '')}`);
    } else {
      return ocs(400, 'Invalid parameters');
    }
    if (node.kind !== 'file') return notAFile;
    try {
      return ocs(200, { parsedText: extractText(node, await app.files.read(node)) });
    } catch (err) {
      if (err instanceof ExtractError) return ocs(400, err.message);
      throw err;
    }
  },

  'assistant_api-display-user-file': (ctx, app) => {
    const node = app.files.owned(user(ctx), phpInt(ctx.pathParams.fileId));
    if (!node || node.kind !== 'file') return ocs(404, { message: 'Not found' });
    const type = node.mime.startsWith('text/') ? `${node.mime};charset=UTF-8` : node.mime;
    return fileBody(app, node, node.name, type);
  },

  'assistant_api-get-user-file-info': (ctx, app) => {
    const node = app.files.owned(user(ctx), phpInt(ctx.pathParams.fileId));
    if (!node || node.kind !== 'file') return ocs(404, { message: 'Not found' });
    return ocs(200, {
      name: node.name,
      path: app.files.internalPath(node),
      owner: node.owner,
      size: node.size,
    });
  },

  'assistant_api-get-output-file': (ctx, app) => {
    const found = taskFile(ctx, app);
    if (typeof found === 'string') return ocs(404, '');
    return fileBody(app, found.file, `${found.task.id}-${found.file.id}`, found.file.mime, IMMUTABLE);
  },

  'assistant_api-get-output-file-preview': (ctx, app) => {
    const found = taskFile(ctx, app);
    if (typeof found === 'string') return ocs(404, '');
    if (!found.file.mime.startsWith('image/')) {
      const icon = found.file.mime.split('/')[0] ?? 'file';
      return {
        kind: 'body',
        status: 303,
        contentType: 'text/html; charset=UTF-8',
        body: '',
        headers: { Location: `/index.php/apps/theming/img/core/filetypes/${icon}.svg?v=1` },
      };
    }
    const size = (v: string | null): number => Math.min(1024, Math.max(1, phpInt(v ?? '100') || 100));
    const png = makePng(size(ctx.query.get('x')), size(ctx.query.get('y')), `preview-${found.file.id}`);
    return {
      kind: 'body',
      status: 200,
      contentType: 'image/png',
      body: png,
      headers: {
        ...IMMUTABLE,
        'Content-Disposition': `attachment; filename="${found.task.id}-${found.file.id}-preview"`,
      },
    };
  },

  'assistant_api-save-output-file': async (ctx, app) => {
    const task = app.state.tasks.get(phpInt(ctx.pathParams.ocpTaskId));
    if (task && task.userId !== user(ctx)) return ocs(404, { error: 'Unauthorized' });
    const found = taskFile(ctx, app);
    if (typeof found === 'string') return ocs(404, { error: 'Not found' });
    const ext = { 'image/png': '.png', 'audio/x-wav': '.wav' }[found.file.mime] ?? '';
    const folder = app.files.ensureFolder(user(ctx), 'Assistant');
    const name = `${Math.floor(Date.now() / 1000)}-${10000 + app.prng.int(90000)}${ext}`;
    const copy = await app.files.copy(found.file, folder, name);
    return ocs(200, { fileId: copy.id, path: app.files.pathOf(copy) });
  },

  'assistant_api-share-output-file': (ctx, app) => {
    const task = app.state.tasks.get(phpInt(ctx.pathParams.ocpTaskId));
    if (task && task.userId !== user(ctx)) return ocs(404, { error: 'Unauthorized' });
    const found = taskFile(ctx, app);
    if (typeof found === 'string') return ocs(404, { error: 'Not found' });
    const token = app.prng.chars(15);
    app.state.shareTokens.set(token, { fileId: found.file.id, taskId: found.task.id, user: user(ctx) });
    return ocs(200, { shareToken: token });
  },

  'assistant_api-run-file-action': async (ctx, app) => {
    const type = decodeURIComponent(ctx.pathParams.taskTypeId ?? '');
    if (!FILE_ACTION_SUFFIX[type]) return ocs(400, { error: 'Invalid task type for file action' });
    const fileId = /^\d+$/.test(ctx.pathParams.fileId ?? '') ? Number(ctx.pathParams.fileId) : -1;
    const node = app.files.owned(user(ctx), fileId);
    if (!node || node.kind !== 'file') return ocs(400, { error: 'Provided path does not point to a file.' });
    let input: Record<string, unknown>;
    try {
      input =
        type === 'core:audio2text'
          ? { input: node.id }
          : { input: extractText(node, await app.files.read(node)) };
    } catch (err) {
      if (err instanceof ExtractError) return ocs(400, { error: err.message });
      throw err;
    }
    try {
      app.engine.schedule(user(ctx), {
        type,
        input,
        appId: 'assistant',
        customId: `${FILE_ACTION_PREFIX}${node.id}`,
      });
    } catch (err) {
      if (err instanceof ScheduleError) return ocs(400, { error: err.message });
      throw err;
    }
    const tooltip = {
      'core:text2text:summary': 'Summarization task submitted successfully',
      'core:audio2text': 'Transcription task submitted successfully',
      'core:text2speech': 'Text-to-speech task submitted successfully',
    }[type];
    return ocs(200, { version: 0.1, tooltip });
  },
};
