import { phpInt, type Handler } from '../app.js';
import { ScheduleError, taskJson } from '../engine/engine.js';
import { TASK_TYPES } from '../engine/task-types.js';
import { readParams } from '../http/body.js';
import { ocs } from '../http/reply.js';
import { features } from '../profile.js';
import type { Task } from '../state/store.js';
import { rateLimited, taskFileIds } from './assistant-api.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const taskProcessing: Record<string, Handler> = {
  'task_processing_api-task-types': (_ctx, app) => {
    const types: Record<string, unknown> = {};
    for (const [id, t] of Object.entries(TASK_TYPES)) {
      if (!app.engine.offers(id)) continue;
      const { assistantName: _n, assistantDescription: _d, priority: _p, ...core } = t;
      types[id] = core;
    }
    return ocs(200, { types });
  },

  'task_processing_api-schedule': async (ctx, app) => {
    const user = ctx.user as string;
    const key = `schedule:${user}`;
    if (!app.state.allow(key, app.limits.schedule)) return rateLimited();
    const p = await readParams(ctx.req, ctx.query);
    const type = str(p.type);
    const appId = str(p.appId);
    if (!type)
      return ocs(400, { message: 'Missing parameter "type": the task type id, e.g. core:text2text' });
    if (!appId)
      return ocs(400, { message: 'Missing parameter "appId": the id of the app scheduling the task' });
    // Nextcloud 33+ takes includeWatermark (default true); older servers ignore unknown parameters
    if (
      features.watermark(app.profile) &&
      p.includeWatermark !== undefined &&
      typeof p.includeWatermark !== 'boolean'
    ) {
      return ocs(400, { message: 'Parameter "includeWatermark" must be true or false' });
    }
    const input =
      p.input && typeof p.input === 'object' && !Array.isArray(p.input)
        ? (p.input as Record<string, unknown>)
        : {};
    try {
      const task = app.engine.schedule(user, {
        type,
        input,
        appId,
        customId: str(p.customId) ?? '',
        webhookUri: str(p.webhookUri) ?? null,
        webhookMethod: str(p.webhookMethod) ?? null,
        preferStreaming: p.preferStreaming === true || p.preferStreaming === 'true',
      });
      // the answer is built before any worker touched the task: no progress yet
      return ocs(200, { task: taskJson(task, { progress: null }) });
    } catch (err) {
      if (err instanceof ScheduleError) return ocs(err.status, { message: err.message });
      throw err;
    }
  },

  'task_processing_api-get-task': (ctx, app) => {
    const task = own(ctx.user, app.state.tasks.get(phpInt(ctx.pathParams.id)));
    return task ? ocs(200, { task: taskJson(task) }) : ocs(404, { message: 'Task not found' });
  },

  'task_processing_api-delete-task': (ctx, app) => {
    const task = own(ctx.user, app.state.tasks.get(phpInt(ctx.pathParams.id)));
    if (task) app.engine.delete(task);
    return ocs(200, null);
  },

  'task_processing_api-cancel-task': (ctx, app) => {
    const task = own(ctx.user, app.state.tasks.get(phpInt(ctx.pathParams.id)));
    if (!task) return ocs(404, { message: 'Task not found' });
    app.engine.cancel(task);
    return ocs(200, { task: taskJson(task) });
  },

  'task_processing_api-list-tasks': (ctx, app) => {
    const type = ctx.query.get('taskType');
    const customId = ctx.query.get('customId');
    return ocs(200, {
      tasks: list(
        ctx.user,
        app.state.tasks.values(),
        (t) => (!type || t.type === type) && (customId === null || t.customId === customId),
      ),
    });
  },

  'task_processing_api-list-tasks-by-app': (ctx, app) => {
    const appId = decodeURIComponent(ctx.pathParams.appId ?? '');
    const customId = ctx.query.get('customId');
    return ocs(200, {
      tasks: list(
        ctx.user,
        app.state.tasks.values(),
        (t) => t.appId === appId && (customId === null || t.customId === customId),
      ),
    });
  },

  'task_processing_api-get-file-contents': (ctx, app) => {
    const task = own(ctx.user, app.state.tasks.get(phpInt(ctx.pathParams.taskId)));
    const fileId = phpInt(ctx.pathParams.fileId);
    const file = task && taskFileIds(task).includes(fileId) ? app.files.get(fileId) : undefined;
    if (!file || file.kind !== 'file') return ocs(404, { message: 'Not found' });
    return {
      kind: 'stream',
      status: 200,
      contentType: 'application/octet-stream',
      size: file.size,
      open: () => app.files.open(file),
      headers: { 'Content-Disposition': `attachment; filename="${file.name.replace(/"/g, '')}"` },
    };
  },
};

function own(user: string | null, task: Task | undefined): Task | undefined {
  return task && task.userId === user ? task : undefined;
}

function list(user: string | null, tasks: Iterable<Task>, keep: (t: Task) => boolean): unknown[] {
  return [...tasks].filter((t) => t.userId === user && keep(t)).map((t) => taskJson(t));
}
