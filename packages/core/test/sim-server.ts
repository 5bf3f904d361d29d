// A simulated server as the recordings show real ones (docs/api-behaviour.md): pickup by a worker or cron
// at fixed ticks, one task at a time per type, whole-second timestamps, a completionExpectedAt that leaves
// the pickup out, and the schedule limit of 20 per 120 s (sliding) answered 429 with an empty body.
import { createClient, type ClientOptions } from '../src/index.js';
import type { Answer, Seen } from './helpers.js';
import { APP_PASSWORD, BASE, fakeServer, ocs } from './helpers.js';
import { virtualClock } from './virtual-clock.js';

export interface SimOptions {
  now: () => number;
  /** Pickup ticks: every `pickupEveryMs`, starting at `phaseMs` on the clock. */
  pickupEveryMs: number;
  phaseMs?: number;
  runMs: Record<string, number> | number;
  limit?: { limit: number; windowMs: number } | null;
  /** Schedule calls whose answer is lost after the task was created (by call number, 1-based). */
  loseAnswerOf?: number[];
  /** Optional inputs the server fills in with its defaults, as real servers store them (recorded). */
  inputDefaults?: Record<string, unknown>;
  /** List requests (by app and custom id) that fail with a 500 (by call number, 1-based). */
  failListsOf?: number[];
}

interface SimTask {
  id: number;
  type: string;
  appId: string;
  customId: string;
  input: Record<string, unknown>;
  scheduledMs: number;
  startMs: number;
  endMs: number;
  /** The server's guess: this task's run and those of the tasks ahead of it, without the pickup. */
  expectedAt: number;
}

export function simServer(options: SimOptions) {
  const tasks: SimTask[] = [];
  const lastEnd = new Map<string, number>();
  const accepted: number[] = [];
  let listCalls = 0;
  let nextId = 100;
  let scheduleCalls = 0;
  const counts = { schedule: 0, refused: 0, get: 0, list: 0 };
  const runOf = (type: string) =>
    typeof options.runMs === 'number' ? options.runMs : (options.runMs[type] ?? 1000);
  const nextTick = (t: number) => {
    const phase = options.phaseMs ?? 0;
    const k = Math.ceil((t - phase) / options.pickupEveryMs);
    return phase + k * options.pickupEveryMs;
  };
  const sec = (ms: number) => Math.floor(ms / 1000);
  const view = (t: SimTask) => {
    const now = options.now();
    const status =
      now < t.startMs ? 'STATUS_SCHEDULED' : now < t.endMs ? 'STATUS_RUNNING' : 'STATUS_SUCCESSFUL';
    return {
      id: t.id,
      type: t.type,
      status,
      userId: 'alice',
      appId: t.appId,
      customId: t.customId,
      input: t.input,
      output: status === 'STATUS_SUCCESSFUL' ? { output: `done ${t.id}` } : null,
      lastUpdated: sec(Math.min(now, t.endMs)),
      scheduledAt: sec(t.scheduledMs),
      startedAt: now >= t.startMs ? sec(t.startMs) : null,
      endedAt: now >= t.endMs ? sec(t.endMs) : null,
      completionExpectedAt: t.expectedAt,
      progress: status === 'STATUS_SUCCESSFUL' ? 1 : 0,
    };
  };
  const handler = (req: Seen): Answer => {
    const now = options.now();
    if (req.path === '/ocs/v2.php/taskprocessing/schedule') {
      counts.schedule++;
      const limit = options.limit === undefined ? { limit: 20, windowMs: 120_000 } : options.limit;
      if (limit) {
        const recent = accepted.filter((t) => t > now - limit.windowMs);
        if (recent.length >= limit.limit) {
          counts.refused++;
          return { status: 429, headers: { 'content-type': 'text/html; charset=UTF-8' }, body: '' };
        }
      }
      accepted.push(now);
      const body = req.json as {
        type: string;
        appId: string;
        customId?: string;
        input: Record<string, unknown>;
      };
      const runMs = runOf(body.type);
      const startMs = Math.max(nextTick(now), lastEnd.get(body.type) ?? 0);
      const ahead = tasks.filter((x) => x.type === body.type && x.endMs > now).length;
      const t: SimTask = {
        id: nextId++,
        type: body.type,
        appId: body.appId,
        customId: body.customId ?? '',
        input: { ...options.inputDefaults, ...body.input },
        scheduledMs: now,
        startMs,
        endMs: startMs + runMs,
        expectedAt: sec(now) + Math.ceil((runMs * (ahead + 1)) / 1000),
      };
      lastEnd.set(body.type, t.endMs);
      tasks.push(t);
      if (options.loseAnswerOf?.includes(++scheduleCalls))
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return ocs({ task: view(t) });
    }
    const get = /^\/ocs\/v2\.php\/taskprocessing\/task\/(\d+)$/.exec(req.path);
    if (get) {
      counts.get++;
      const t = tasks.find((x) => x.id === Number(get[1]));
      return t ? ocs({ task: view(t) }) : ocs(null, 404);
    }
    const byApp = /^\/ocs\/v2\.php\/taskprocessing\/tasks\/app\/(.+)$/.exec(req.path);
    if (byApp) {
      counts.list++;
      if (options.failListsOf?.includes(++listCalls)) return ocs(null, 500);
      const list = tasks.filter(
        (t) =>
          t.appId === byApp[1] && (req.query.customId === undefined || t.customId === req.query.customId),
      );
      return ocs({ tasks: list.map(view) });
    }
    if (req.path === '/ocs/v2.php/taskprocessing/tasks') {
      counts.list++;
      const list = tasks.filter((t) => req.query.taskType === undefined || t.type === req.query.taskType);
      return ocs({ tasks: list.map(view) });
    }
    return { status: 404, body: '' };
  };
  return { handler, tasks, counts, view };
}

/** A simulated server on a virtual clock, and a client of it (alice): the set-up most wait tests share. */
export function simClient(options: Omit<SimOptions, 'now'>, client: Partial<ClientOptions> = {}) {
  const clock = virtualClock();
  const server = simServer({ ...options, now: () => clock.now });
  const fake = fakeServer(server.handler);
  return {
    clock,
    server,
    requests: fake.requests,
    client: createClient({
      baseUrl: BASE,
      auth: { user: 'alice', appPassword: APP_PASSWORD },
      transport: fake.transport,
      sleep: clock.sleep,
      now: () => clock.now,
      ...client,
    }),
  };
}

/**
 * `count` tasks run at once from now, started `spacingMs` apart: the reads they took (GETs and lists) and
 * each one's delay after its end on the server, smallest first.
 */
export async function runBatch(
  { clock, server, client }: ReturnType<typeof simClient>,
  count: number,
  spacingMs: number,
): Promise<{ reads: number; delays: number[] }> {
  const before = server.counts.get + server.counts.list;
  const runs = Array.from({ length: count }, (_, k) =>
    clock.sleep(k * spacingMs).then(async () => {
      const t = await client.tasks.run({ type: 'core:text2text', input: { input: `x${k}` } });
      return clock.now - server.tasks.find((x) => x.id === t.id)!.endMs;
    }),
  );
  const delays = await clock.run(Promise.all(runs));
  return { reads: server.counts.get + server.counts.list - before, delays: delays.sort((a, b) => a - b) };
}
