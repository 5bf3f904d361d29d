// Assistant 4.0: assignments (scheduled recurring prompts), agent skills and the assistant folder's path.
// Each is refused with `unsupported` on older servers by the typed call, before anything is sent.
import { badInput } from './errors.js';
import type { ServiceContext } from './context.js';
import type { components } from './generated/schema.js';
import { checkRecurrence, checkTimeZone } from './rrule.js';
import { field, isObject, listOf, objectAt, printable } from './shape.js';
import { checkAnswerId } from './services/tasks.js';

export type Assignment = components['schemas']['Assignment'];

export interface AssignmentInput {
  /** A name for the assignment. */
  title: string;
  /** What the assistant is asked each time. */
  prompt: string;
  /** RFC 5545 recurrence rule, e.g. `FREQ=WEEKLY;BYDAY=MO;BYHOUR=8`. */
  recurrence: string;
  /** When it starts: a Date, or unix time in seconds. */
  startsAt: Date | number;
  /** IANA time zone (`Europe/Berlin`) or offset (`+0100`); the server defaults to the user's own. */
  timezone?: string;
}

export type AssignmentChanges = Partial<Omit<AssignmentInput, 'title'>>;

function checkText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw badInput(`The assignment's ${what} is empty.`, `Give the ${what}.`);
  }
  return value;
}

/** Unix seconds from a Date or a number; milliseconds are refused rather than read as the year 50 000. */
export function unixSeconds(value: unknown, what = 'startsAt'): number {
  const seconds =
    value instanceof Date ? Math.floor(value.getTime() / 1000) : typeof value === 'number' ? value : NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw badInput(
      `${what} must be a date or a unix time in whole seconds, got ${printable(value, 40)}.`,
      'Pass a Date, or Math.floor(Date.now() / 1000) style seconds.',
    );
  }
  if (seconds > 100_000_000_000) {
    throw badInput(
      `${what} ${seconds} looks like milliseconds; it must be unix time in seconds.`,
      'Divide it by 1000, or pass a Date.',
    );
  }
  return seconds;
}

function checkId(id: unknown): number {
  if (!(typeof id === 'number' && Number.isSafeInteger(id) && id > 0)) {
    throw badInput(`The assignment id must be a positive whole number, got ${printable(id, 40)}.`);
  }
  return id;
}

export function assignmentsService(ctx: ServiceContext) {
  const one = (data: unknown, op: Parameters<typeof objectAt>[2]) =>
    objectAt(data, 'assignment', op) as unknown as Assignment;
  return {
    /** Creates an assignment; the recurrence, start and time zone are checked before anything is sent. */
    async create(input: AssignmentInput, options: { signal?: AbortSignal } = {}): Promise<Assignment> {
      if (!isObject(input))
        throw badInput('The assignment is missing.', 'Pass { title, prompt, recurrence, startsAt }.');
      const body = {
        title: checkText(input.title, 'title'),
        prompt: checkText(input.prompt, 'prompt'),
        recurrence: checkRecurrence(input.recurrence),
        startsAt: unixSeconds(input.startsAt),
        ...(input.timezone !== undefined ? { timezone: checkTimeZone(input.timezone) } : {}),
      };
      const op = 'assignments_api-create-user-assignment';
      return one(await ctx.call(op, { body, ...options }), op);
    },
    async list(options: { signal?: AbortSignal } = {}): Promise<Assignment[]> {
      const op = 'assignments_api-get-user-assignments';
      return listOf(await ctx.call(op, options), 'assignments', op) as unknown as Assignment[];
    },
    async get(id: number, options: { signal?: AbortSignal } = {}): Promise<Assignment> {
      const op = 'assignments_api-get-user-assignment';
      const assignment = one(await ctx.call(op, { path: { id: checkId(id) }, ...options }), op);
      checkAnswerId(op, 'assignment', id, assignment.id);
      return assignment;
    },
    /** Changes the given fields only. */
    async update(
      id: number,
      changes: AssignmentChanges,
      options: { signal?: AbortSignal } = {},
    ): Promise<Assignment> {
      checkId(id);
      if (!isObject(changes) || Object.keys(changes).length === 0) {
        throw badInput(
          'Nothing to change in the assignment.',
          'Pass at least one of prompt, recurrence, startsAt, timezone.',
        );
      }
      const body = {
        ...(changes.prompt !== undefined ? { prompt: checkText(changes.prompt, 'prompt') } : {}),
        ...(changes.recurrence !== undefined ? { recurrence: checkRecurrence(changes.recurrence) } : {}),
        ...(changes.startsAt !== undefined ? { startsAt: unixSeconds(changes.startsAt) } : {}),
        ...(changes.timezone !== undefined ? { timezone: checkTimeZone(changes.timezone) } : {}),
      };
      const op = 'assignments_api-update-user-assignment';
      const assignment = one(await ctx.call(op, { path: { id }, body, ...options }), op);
      checkAnswerId(op, 'assignment', id, assignment.id);
      return assignment;
    },
    /** Deletes an assignment (also fine when it is already gone: the server answers the same). */
    async delete(id: number, options: { signal?: AbortSignal } = {}): Promise<void> {
      await ctx.call('assignments_api-delete-user-assignment', { path: { id: checkId(id) }, ...options });
    },
  };
}

export interface Skill {
  name: string;
  description: string;
}

function checkSkillName(name: unknown): string {
  if (
    typeof name !== 'string' ||
    !/^[^/\\\u0000-\u001f]{1,200}$/.test(name) ||
    name === '.' ||
    name === '..'
  ) {
    throw badInput(
      `The skill name ${printable(name, 60)} is not valid.`,
      'Give the skill\'s folder name: up to 200 characters, without "/" or "\\".',
    );
  }
  return name;
}

export function skillsService(ctx: ServiceContext) {
  return {
    /** The agent skills the user has (name and when to use each). */
    async list(options: { signal?: AbortSignal } = {}): Promise<Skill[]> {
      const op = 'agent_skills_api-list-skills';
      return listOf(await ctx.call(op, options), 'skills', op).map((s) => ({
        name: field(s, 'name', 'string', op),
        description: field(s, 'description', 'string', op),
      }));
    },
    /** A skill's full text (Markdown with its front matter). */
    async load(name: string, options: { signal?: AbortSignal } = {}): Promise<string> {
      const op = 'agent_skills_api-load-skill';
      return field(
        await ctx.call(op, { path: { skillName: checkSkillName(name) }, ...options }),
        'content',
        'string',
        op,
      );
    },
    /** Creates or overwrites a skill; `action` is what the server did (e.g. "created" or "updated"). */
    async store(
      skill: { name: string; description: string; content: string },
      options: { signal?: AbortSignal } = {},
    ): Promise<{ action: string }> {
      if (!isObject(skill)) throw badInput('The skill is missing.', 'Pass { name, description, content }.');
      for (const key of ['description', 'content'] as const) {
        if (typeof skill[key] !== 'string' || skill[key].trim() === '') {
          throw badInput(`The skill's ${key} is empty.`, `Give the ${key}.`);
        }
      }
      const op = 'agent_skills_api-store-skill';
      const data = await ctx.call(op, {
        body: {
          skillName: checkSkillName(skill.name),
          description: skill.description,
          content: skill.content,
        },
        ...options,
      });
      return { action: field(data, 'action', 'string', op) };
    },
  };
}

/** The user's assistant folder (where inputs and generated files go), as a path in their files: `/Assistant`. */
export async function assistantFolder(
  ctx: ServiceContext,
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  const op = 'assistant_api-get-assistant-folder-path';
  const serverPath = field(await ctx.call(op, options), 'path', 'string', op);
  // The server answers "/<userId>/files/Assistant".
  const m = /^\/[^/]+\/files(\/.*)?$/.exec(serverPath);
  return m ? m[1] || '/' : serverPath;
}
