import { createHash } from 'node:crypto';
import { phpInt, type App, type Handler } from '../app.js';
import { FileError } from '../files/file-store.js';
import { readParams } from '../http/body.js';
import type { Ctx } from '../http/context.js';
import { ocs, type Reply } from '../http/reply.js';

// Assistant 4.0 (Nextcloud 35): assignments (scheduled recurring prompts), agent skills and the assistant
// folder path, shaped as upstream AssignmentsApiController / AgentSkillsApiController / AgentSkillsService.

export interface Assignment {
  id: number;
  user_id: string;
  prompt: string;
  recurrence: string;
  created_at: number;
  updated_at: number;
  starts_at: number;
  last_run_at: number;
  timezone: string;
  /** the create call's title (the API never returns it: Assignment::jsonSerialize has no title) */
  title: string;
}

const FREQS = new Set(['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);
const PARTS = new Set([
  'FREQ',
  'INTERVAL',
  'COUNT',
  'UNTIL',
  'BYSECOND',
  'BYMINUTE',
  'BYHOUR',
  'BYDAY',
  'BYMONTHDAY',
  'BYYEARDAY',
  'BYWEEKNO',
  'BYMONTH',
  'BYSETPOS',
  'WKST',
  'DTSTART',
]);

/** Parses an RRULE as the server's Recurr\Rule accepts it; null when it would throw InvalidRRule. */
export function parseRrule(rule: string): Record<string, string> | null {
  const parts: Record<string, string> = {};
  for (const piece of rule
    .replace(/^RRULE:/i, '')
    .split(';')
    .filter(Boolean)) {
    const [key, value, ...rest] = piece.split('=');
    if (!key || value === undefined || value === '' || rest.length) return null;
    const k = key.toUpperCase();
    if (!PARTS.has(k)) return null;
    parts[k] = value.toUpperCase();
  }
  if (!parts.FREQ || !FREQS.has(parts.FREQ)) return null;
  for (const k of ['INTERVAL', 'COUNT'])
    if (parts[k] !== undefined && !/^[1-9]\d*$/.test(parts[k])) return null;
  return parts;
}

const STEP: Record<string, number> = {
  SECONDLY: 1,
  MINUTELY: 60,
  HOURLY: 3600,
  DAILY: 86400,
  WEEKLY: 604800,
};

/** Seconds of the first run after `after` (fixed steps only; monthly/yearly rules are never due here). */
function nextRun(a: Assignment, after: number): number | null {
  const rule = parseRrule(a.recurrence);
  const step = rule && STEP[rule.FREQ as string];
  if (!rule || !step) return a.last_run_at === 0 && a.starts_at > after ? a.starts_at : null;
  const every = step * Number(rule.INTERVAL ?? 1);
  const n = Math.max(0, Math.floor((after - a.starts_at) / every) + 1);
  const at = after < a.starts_at ? a.starts_at : a.starts_at + n * every;
  if (rule.COUNT !== undefined && Math.round((at - a.starts_at) / every) >= Number(rule.COUNT)) return null;
  return at;
}

function validTimezone(tz: string): boolean {
  if (/^[+-]\d{2}:?\d{2}$/.test(tz)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const view = ({ title: _t, ...a }: Assignment): Omit<Assignment, 'title'> => a;
const now = (): number => Math.floor(Date.now() / 1000);

/** The assignments of all users and the timers that run them when they are due (like RunAssignmentsJob). */
export class Assignments {
  items = new Map<number, Assignment>();
  private seq = 0;
  private timers = new Map<number, NodeJS.Timeout>();

  constructor(private readonly run: (a: Assignment) => void) {}

  add(a: Omit<Assignment, 'id'>): Assignment {
    const item = { ...a, id: ++this.seq };
    this.items.set(item.id, item);
    this.arm(item);
    return item;
  }

  arm(a: Assignment): void {
    clearTimeout(this.timers.get(a.id));
    const at = nextRun(a, Math.max(a.last_run_at, now() - 1));
    if (at === null) return;
    const ms = Math.max(0, at * 1000 - Date.now());
    if (ms > 2 ** 31 - 1) return; // beyond what a timer holds; real servers check on each cron run
    const t = setTimeout(() => {
      if (!this.items.has(a.id)) return;
      a.last_run_at = Math.max(at, now());
      this.run(a);
      this.arm(a);
    }, ms);
    t.unref();
    this.timers.set(a.id, t);
  }

  remove(id: number): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.items.delete(id);
  }

  clear(): void {
    for (const id of [...this.items.keys()]) this.remove(id);
    this.seq = 0;
  }
}

const own = (ctx: Ctx, app: App, id: unknown): Assignment | undefined => {
  const a = app.assignments.items.get(phpInt(id));
  return a && a.user_id === ctx.user ? a : undefined;
};

const SKILLS = 'Assistant/Context Agent/Skills';
const yaml = (v: string): string =>
  /^[\w .,/-]*$/.test(v) && !/^\s|\s$/.test(v) ? v : `'${v.replaceAll("'", "''")}'`;
const unyaml = (v: string): string => (v.startsWith("'") ? v.slice(1, -1).replaceAll("''", "'") : v.trim());

function frontmatter(content: string): { name?: string; description?: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---/.exec(content);
  if (!m) return {};
  const out: Record<string, string> = {};
  for (const line of (m[1] as string).split(/\r?\n/)) {
    const kv = /^(name|description):\s*(.*)$/.exec(line);
    if (kv) out[kv[1] as string] = unyaml(kv[2] as string);
  }
  return out;
}

export const assistant4: Record<string, Handler> = {
  'assignments_api-create-user-assignment': async (ctx, app) => {
    const p = await readParams(ctx.req, ctx.query);
    const prompt = p.prompt;
    const startsAt = p.startsAt;
    const recurrence = p.recurrence;
    if (typeof prompt !== 'string' || typeof recurrence !== 'string' || startsAt === undefined) {
      return ocs(400, '');
    }
    const tz = typeof p.timezone === 'string' && p.timezone ? p.timezone : 'UTC';
    if (!parseRrule(recurrence) || !validTimezone(tz)) return ocs(400, '');
    const t = now();
    const a = app.assignments.add({
      user_id: ctx.user as string,
      prompt,
      recurrence,
      created_at: t,
      updated_at: t,
      starts_at: phpInt(startsAt),
      last_run_at: 0,
      timezone: tz,
      title: typeof p.title === 'string' ? p.title : '',
    });
    return ocs(200, { assignment: view(a) });
  },

  'assignments_api-get-user-assignments': (ctx, app) =>
    ocs(200, {
      assignments: [...app.assignments.items.values()].filter((a) => a.user_id === ctx.user).map(view),
    }),

  'assignments_api-get-user-assignment': (ctx, app) => {
    const a = own(ctx, app, ctx.pathParams.id);
    return a ? ocs(200, { assignment: view(a) }) : ocs(404, '');
  },

  'assignments_api-update-user-assignment': async (ctx, app) => {
    const a = own(ctx, app, ctx.pathParams.id);
    if (!a) return ocs(404, '');
    const p = await readParams(ctx.req, ctx.query);
    if (typeof p.recurrence === 'string' && !parseRrule(p.recurrence)) return ocs(400, '');
    if (typeof p.timezone === 'string' && !validTimezone(p.timezone)) return ocs(400, '');
    if (typeof p.prompt === 'string') a.prompt = p.prompt;
    if (typeof p.recurrence === 'string') a.recurrence = p.recurrence;
    if (p.startsAt !== undefined && p.startsAt !== null) a.starts_at = phpInt(p.startsAt);
    if (typeof p.timezone === 'string') a.timezone = p.timezone;
    a.updated_at = now();
    app.assignments.arm(a);
    return ocs(200, { assignment: view(a) });
  },

  // 200 also for an unknown id: DELETE is idempotent upstream
  'assignments_api-delete-user-assignment': (ctx, app) => {
    const a = own(ctx, app, ctx.pathParams.id);
    if (a) app.assignments.remove(a.id);
    return ocs(200, '');
  },

  'agent_skills_api-list-skills': (ctx, app) => {
    const folder = app.files.ensureFolder(ctx.user as string, SKILLS);
    const skills: { name: string; description: string }[] = [];
    for (const dir of app.files.children(folder)) {
      const file =
        dir.kind === 'folder' ? app.files.children(dir).find((c) => c.name === 'SKILL.md') : undefined;
      const meta = file?.blob ? frontmatter(file.blob.toString('utf8')) : {};
      if (meta.name && meta.description) skills.push({ name: meta.name, description: meta.description });
    }
    return ocs(200, { skills });
  },

  'agent_skills_api-load-skill': async (ctx, app) => {
    const name = decodeURIComponent(ctx.pathParams.skillName ?? '');
    const file = app.files.resolve(ctx.user as string, `${SKILLS}/${name}/SKILL.md`);
    if (!file || file.kind !== 'file' || name.includes('/')) return ocs(404, { error: 'Skill not found' });
    return ocs(200, { content: (await app.files.read(file)).toString('utf8') });
  },

  'agent_skills_api-store-skill': async (ctx, app): Promise<Reply> => {
    const p = await readParams(ctx.req, ctx.query);
    const name = typeof p.skillName === 'string' ? p.skillName : '';
    const description = typeof p.description === 'string' ? p.description : '';
    const content = typeof p.content === 'string' ? p.content : '';
    if (name === '' || name.includes('/')) {
      return ocs(400, { error: `Invalid skill name: ${name || '(empty string)'}` });
    }
    if (description === '') return ocs(400, { error: 'Skill description must not be empty' });
    const user = ctx.user as string;
    try {
      app.files.ensureFolder(user, `${SKILLS}/${name}`);
    } catch (err) {
      if (err instanceof FileError) return ocs(500, { error: 'Failed to store the skill' });
      throw err;
    }
    const body = Buffer.from(
      `---\nname: ${yaml(name)}\ndescription: ${yaml(description)}\n---\n\n${content}`,
    );
    const { created } = app.files.put(user, `${SKILLS}/${name}/SKILL.md`, {
      size: body.length,
      etag: createHash('md5').update(body).digest('hex'),
      blob: body,
    });
    return ocs(created ? 201 : 200, { action: created ? 'created' : 'overwritten' });
  },

  'assistant_api-get-assistant-folder-path': (ctx, app) => {
    app.files.ensureFolder(ctx.user as string, 'Assistant');
    return ocs(200, { path: `/${ctx.user as string}/files/Assistant` });
  },
};
