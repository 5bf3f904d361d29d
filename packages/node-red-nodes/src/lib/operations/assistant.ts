import type { AssignmentChanges } from '@f7cloud/assistant-client';
import { NodeInputError } from '../errors.js';
import type { Operation, OperationContext } from '../worker.js';

// Assistant 4.0's assignments (scheduled recurring prompts), agent skills and the assistant folder. Core
// checks the recurrence rule, start and time zone before sending, and answers `unsupported` (nothing sent)
// on servers whose assistant is older.

function assignmentId(ctx: OperationContext): number {
  return ctx.param('assignmentId', { required: true, type: 'id' });
}

function text(ctx: OperationContext, name: string, required: boolean): string | undefined {
  const value = ctx.param(name, required ? { required: true } : {});
  return value === undefined ? undefined : String(value);
}

/** A start as a Date: an ISO date-time, unix seconds, or a Date in msg. */
function startsAt(ctx: OperationContext, required: boolean): Date | number | undefined {
  const value = ctx.param('startsAt', required ? { required: true } : {});
  if (value === undefined) return undefined;
  if (value instanceof Date || typeof value === 'number') return value;
  const s = String(value);
  if (/^\d+$/.test(s)) return Number(s);
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) {
    throw new NodeInputError(ctx.t('f7cloud-assistant.errors.badStart', { value: s }));
  }
  return new Date(ms);
}

export const assistantOperations: Record<string, Operation> = {
  async listAssignments(ctx) {
    const list = await ctx.client.assignments.list({ signal: ctx.signal });
    return {
      payload: list,
      assistant: list,
      statusText: ctx.t('common.status.count', { count: list.length }),
    };
  },

  async getAssignment(ctx) {
    const item = await ctx.client.assignments.get(assignmentId(ctx), { signal: ctx.signal });
    return { payload: item, assistant: item, set: { assignmentId: item.id } };
  },

  async createAssignment(ctx) {
    const timezone = text(ctx, 'timezone', false);
    const item = await ctx.client.assignments.create(
      {
        title: text(ctx, 'title', true) as string,
        prompt: text(ctx, 'prompt', true) as string,
        recurrence: text(ctx, 'recurrence', true) as string,
        startsAt: startsAt(ctx, true) as Date | number,
        ...(timezone ? { timezone } : {}),
      },
      { signal: ctx.signal },
    );
    return { payload: item, assistant: item, set: { assignmentId: item.id } };
  },

  async updateAssignment(ctx) {
    const id = assignmentId(ctx);
    const changes: AssignmentChanges = {};
    const prompt = text(ctx, 'prompt', false);
    const recurrence = text(ctx, 'recurrence', false);
    const start = startsAt(ctx, false);
    const timezone = text(ctx, 'timezone', false);
    if (prompt !== undefined) changes.prompt = prompt;
    if (recurrence !== undefined) changes.recurrence = recurrence;
    if (start !== undefined) changes.startsAt = start;
    if (timezone !== undefined) changes.timezone = timezone;
    if (Object.keys(changes).length === 0) {
      throw new NodeInputError(ctx.t('f7cloud-assistant.errors.noChanges'));
    }
    const item = await ctx.client.assignments.update(id, changes, { signal: ctx.signal });
    return { payload: item, assistant: item, set: { assignmentId: id } };
  },

  async deleteAssignment(ctx) {
    const id = assignmentId(ctx);
    await ctx.client.assignments.delete(id, { signal: ctx.signal });
    return { payload: null, assistant: null, set: { assignmentId: id } };
  },

  async listSkills(ctx) {
    const skills = await ctx.client.skills.list({ signal: ctx.signal });
    return {
      payload: skills,
      assistant: skills,
      statusText: ctx.t('common.status.count', { count: skills.length }),
    };
  },

  async loadSkill(ctx) {
    const name = text(ctx, 'skillName', true) as string;
    const content = await ctx.client.skills.load(name, { signal: ctx.signal });
    return { payload: content, assistant: { name, content }, set: { skillName: name } };
  },

  async storeSkill(ctx) {
    const name = text(ctx, 'skillName', true) as string;
    const description = text(ctx, 'description', true) as string;
    const content = ctx.param('content', { required: true, msgName: 'payload' });
    const result = await ctx.client.skills.store(
      { name, description, content: String(content) },
      { signal: ctx.signal },
    );
    return { payload: result, assistant: result, set: { skillName: name } };
  },

  async assistantFolder(ctx) {
    const folder = await ctx.client.assistantFolder({ signal: ctx.signal });
    return { payload: folder, assistant: { path: folder } };
  },
};
