// Reliability under injected faults, through core's Node client against the emulator: 300 chat exchanges,
// 300 task runs and 100 file actions while the server answers 503s, resets connections (before and after
// doing the work), sends broken JSON, rate limits with Retry-After, adds random latency and sometimes never
// stores a chat reply. Every exchange must end exactly once, as done or as a typed AssistantError, and the
// emulator's state must show that nothing was done twice and nothing reported done was lost.
// Fault decisions come from the emulator's seeded PRNG (F7CLOUD_RELIABILITY_SEED to replay another seed;
// concurrency still varies which request meets which fault).
import {
  AssistantError,
  createClient,
  createNodeClient,
  nodeSleep,
  nodeTransport,
  type AssistantErrorCode,
  type Transport,
} from '@f7cloud/assistant-client/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../src/faults.js';
import { startEmulator, type RunningEmulator } from '../src/index.js';

const SEED = Number(process.env.F7CLOUD_RELIABILITY_SEED ?? 20_261);
const APP_PASSWORD = process.env.F7CLOUD_CANARY ?? 'reliability-canary-Hv8-app-password';
const CONCURRENCY = 24;
const NOT_SENT = 'not sent (no session)';
const WAIT = { timeoutMs: 30_000 };
const WIDE = { limit: 100_000, windowMs: 1_000 };
const EMULATOR_LIMITS = {
  'task_processing_api-schedule': WIDE,
  'assistant_api-get-notify-when-ready': WIDE,
  'assistant_api-notify-when-ready': WIDE,
  'assistant_api-cancel-notify-when-ready': WIDE,
};

/** Codes a user can act on. Anything else (or a non-AssistantError) fails the suite. */
const ACTIONABLE: ReadonlySet<AssistantErrorCode> = new Set([
  'rate_limited',
  'server',
  'maintenance',
  'network',
  'timeout',
  'task_failed',
  'conflict',
]);

const FAULTS: FaultRule[] = [
  { kind: 'latency', rate: 0.02, ms: 250 },
  { kind: 'rate-limit', rate: 0.02, retryAfter: 1 },
  { kind: 'status', status: 503, rate: 0.02 },
  { kind: 'status', status: 503, rate: 0.01, after: true },
  { kind: 'status', status: 500, rate: 0.01 },
  { kind: 'reset', rate: 0.015 },
  { kind: 'reset', rate: 0.01, after: true },
  { kind: 'malformed', rate: 0.015 },
  { kind: 'truncate', rate: 0.005 },
  { kind: 'never-store-reply', rate: 0.05 },
];

type Outcome = { kind: 'done' } | { kind: 'error'; code: string; message: string; typed: boolean };

/** Records how each exchange ended; a second ending of the same exchange is itself a failure. */
class Ledger {
  readonly outcomes = new Map<string, Outcome>();
  readonly endedTwice: string[] = [];
  end(id: string, outcome: Outcome): void {
    if (this.outcomes.has(id)) this.endedTwice.push(id);
    else this.outcomes.set(id, outcome);
  }
  async run(id: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      this.end(id, { kind: 'done' });
    } catch (error) {
      const typed = AssistantError.isInstance(error);
      this.end(id, {
        kind: 'error',
        typed,
        code: typed ? error.code : `untyped ${(error as Error)?.name}`,
        message: String((error as Error)?.message ?? error),
      });
    }
  }
  done(id: string): boolean {
    return this.outcomes.get(id)?.kind === 'done';
  }
  byCode(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const o of this.outcomes.values()) {
      const key = o.kind === 'done' ? 'done' : o.code;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }
  /** Errors a user could not act on: untyped, unexpected codes, empty messages, or the password shown. */
  unusable(): Outcome[] {
    return [...this.outcomes.values()].filter(
      (o) =>
        o.kind === 'error' &&
        o.code !== NOT_SENT &&
        (!o.typed ||
          !ACTIONABLE.has(o.code as AssistantErrorCode) ||
          o.message.length < 20 ||
          o.message.includes(APP_PASSWORD)),
    );
  }
}

async function pool(count: number, limit: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

interface Row {
  suite: string;
  exchanges: number;
  ended: number;
  done: number;
  errors: string;
  duplicated: number;
  lost: number;
  faults: string;
  seconds: string;
}
const rows: Row[] = [];

function faultCounts(emu: RunningEmulator): string {
  const counts: Record<string, number> = {};
  for (const r of emu.control.requests()) if (r.fault) counts[r.fault] = (counts[r.fault] ?? 0) + 1;
  return Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

function record(
  suite: string,
  ledger: Ledger,
  total: number,
  duplicated: number,
  lost: number,
  emu: RunningEmulator,
  started: number,
) {
  const { done = 0, ...errors } = ledger.byCode();
  rows.push({
    suite,
    exchanges: total,
    ended: ledger.outcomes.size,
    done,
    errors: Object.entries(errors)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
    duplicated,
    lost,
    faults: faultCounts(emu),
    seconds: ((Date.now() - started) / 1000).toFixed(1),
  });
}

/** Task runs against the emulator's state: reported done → exactly that one successful task; never two. */
function checkTaskRuns(
  server: RunningEmulator,
  ledger: Ledger,
  results: Map<number, number>,
  count: number,
  failing: (i: number) => boolean,
) {
  const tasks = server.control.tasks();
  let duplicated = 0;
  let lost = 0;
  const problems: string[] = [];
  for (let i = 0; i < count; i++) {
    const mine = tasks.filter((t) => t.customId === `reliability-${i}`);
    const seen = JSON.stringify(mine.map((t) => [t.id, t.status]));
    if (mine.length > 1) {
      duplicated++;
      problems.push(`run ${i}: ${mine.length} tasks ${seen}`);
    }
    const outcome = ledger.outcomes.get(String(i))!;
    if (outcome.kind === 'done') {
      const task = mine[0];
      if (
        failing(i) ||
        mine.length !== 1 ||
        task!.id !== results.get(i) ||
        task!.status !== 'STATUS_SUCCESSFUL'
      ) {
        lost++;
        problems.push(`run ${i}: reported done as task ${results.get(i)}, emulator has ${seen}`);
      }
    } else if (
      outcome.code === 'task_failed' &&
      !(failing(i) && mine.length === 1 && mine[0]!.status === 'STATUS_FAILED')
    ) {
      problems.push(`run ${i}: reported task_failed but the emulator has ${seen}`);
    }
  }
  return { duplicated, lost, problems };
}

let emu: RunningEmulator;
let client: ReturnType<typeof createNodeClient>;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  emu = await startEmulator({
    port: 0,
    seed: SEED,
    users: [{ user: 'alice', appPassword: APP_PASSWORD }],
    providers: {
      default: { pickupMs: 5, runMs: 10 },
      'core:text2text:headline': { pickupMs: 5, runMs: 10, fail: 'The provider is down' },
    },
    chat: { storeDelayMs: 5 },
    latency: { min: 0, max: 15 },
    rateLimit: { schedule: WIDE, notify: WIDE },
    faults: FAULTS,
  });
  client = createNodeClient({
    baseUrl: emu.url,
    auth: { user: 'alice', appPassword: APP_PASSWORD },
    timeoutMs: 10_000,
    retry: { retries: 4, baseDelayMs: 100, maxRateLimitWaitMs: 30_000 },
    // the emulator's limits above, not a real server's: an injected 429 must not make core pace to 20 / 120 s
    rateLimits: EMULATOR_LIMITS,
  });
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  client?.close();
  await emu?.close();
  if (rows.length) {
    console.log(`\nReliability through core (seed ${SEED}, ${CONCURRENCY} at a time)`);
    console.table(rows);
  }
});

/** Lets the emulator finish (and store) work whose answers were lost: every task ended, every reply stored. */
async function settle(): Promise<void> {
  const end = Date.now() + 60_000;
  while (
    emu.control
      .tasks()
      .some((t) => !['STATUS_SUCCESSFUL', 'STATUS_FAILED', 'STATUS_CANCELLED'].includes(String(t.status)))
  ) {
    if (Date.now() > end) throw new Error('tasks still running 60 s after the last exchange ended');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await emu.control.idle();
}

describe(`reliability through core with injected faults (seed ${SEED})`, () => {
  it('300 chat exchanges in 60 sessions: one human message each, at most one generation, replies never mixed up', async () => {
    const started = Date.now();
    emu.control.clearRequests();
    const ledger = new Ledger();
    const sessions = new Map<number, number>(); // session index → session id
    const replies = new Map<string, { taskId: number; content: string; stored: boolean }>();
    const content = (s: number, k: number) => `chat ${s}.${k} (seed ${SEED})`;
    await pool(60, CONCURRENCY, async (s) => {
      await ledger.run(`session ${s}`, async () => {
        sessions.set(s, (await client.chat.createSession({ title: `reliability ${s}` })).id);
      });
      const sessionId = sessions.get(s);
      for (let k = 0; k < 5; k++) {
        const id = `${s}.${k}`;
        if (sessionId === undefined) {
          // never sent: its session's creation already ended with a typed error (counted as its own row)
          ledger.end(id, { kind: 'error', typed: true, code: NOT_SENT, message: 'not sent: no session' });
          continue;
        }
        await ledger.run(id, async () => {
          const { reply } = await client.chat.send(sessionId, content(s, k), WAIT);
          replies.set(id, { taskId: reply!.taskId, content: reply!.content, stored: reply!.stored });
        });
      }
    });
    await settle();

    const messages = emu.control.messages();
    const tasks = emu.control.tasks();
    let duplicated = 0;
    let lost = 0;
    const problems: string[] = [];
    for (let s = 0; s < 60; s++) {
      const sessionId = sessions.get(s);
      if (sessionId === undefined) continue;
      for (let k = 0; k < 5; k++) {
        const id = `${s}.${k}`;
        const text = content(s, k);
        const humans = messages.filter(
          (m) => m.session_id === sessionId && m.role === 'human' && m.content === text,
        );
        const generations = tasks.filter(
          (t) => t.customId === `chatty-llm:${sessionId}` && (t.input as { input?: string }).input === text,
        );
        if (humans.length > 1 || generations.length > 1) {
          duplicated++;
          problems.push(`${id}: ${humans.length} human messages, ${generations.length} generation tasks`);
        }
        if (!ledger.done(id)) continue;
        const reply = replies.get(id)!;
        const stored = messages.filter((m) => m.role === 'assistant' && m.ocp_task_id === reply.taskId);
        const ok =
          humans.length === 1 &&
          generations.length === 1 &&
          generations[0]!.id === reply.taskId &&
          reply.content.includes(text) &&
          (!reply.stored || stored.length === 1);
        if (!ok) {
          lost++;
          problems.push(
            `${id}: reported done, but ${humans.length} human messages, tasks ${generations.map((t) => t.id)}, reply from task ${reply.taskId} "${reply.content.slice(0, 60)}"`,
          );
        }
      }
    }
    // No stored reply belongs to two messages, no session holds more replies than generations.
    const replyTasks = messages.filter((m) => m.role === 'assistant').map((m) => m.ocp_task_id);
    duplicated += replyTasks.length - new Set(replyTasks).size;

    record('chat (core)', ledger, 300 + 60, duplicated, lost, emu, started);
    const neverStored = [...replies.values()].filter((r) => !r.stored).length;
    console.log(`chat replies the server never stored, read from their task instead: ${neverStored}`);
    expect(ledger.endedTwice).toEqual([]);
    expect(ledger.outcomes.size).toBe(360);
    expect(ledger.unusable()).toEqual([]);
    expect(problems).toEqual([]);
    expect(duplicated).toBe(0);
    expect(lost).toBe(0);
    // The faults were real: most work still got done, and some of it failed visibly.
    expect(ledger.byCode().done).toBeGreaterThan(200);
    expect(faultCounts(emu)).toMatch(/reset/);
  }, 180_000);

  it('300 task runs: every run reported done exists once; nothing reported failed exists twice', async () => {
    const started = Date.now();
    emu.control.clearRequests();
    const ledger = new Ledger();
    const results = new Map<number, number>();
    const failing = (i: number) => i % 10 === 9; // the headline provider is down
    await pool(300, CONCURRENCY, async (i) => {
      await ledger.run(String(i), async () => {
        const task = await client.tasks.run(
          {
            type: failing(i) ? 'core:text2text:headline' : 'core:text2text',
            input: { input: `task ${i} (seed ${SEED})` },
            appId: 'reliability',
            customId: `reliability-${i}`,
          },
          WAIT,
        );
        results.set(i, task.id);
      });
    });
    await settle();

    const { duplicated, lost, problems } = checkTaskRuns(emu, ledger, results, 300, failing);

    record('tasks (core)', ledger, 300, duplicated, lost, emu, started);
    expect(ledger.endedTwice).toEqual([]);
    expect(ledger.outcomes.size).toBe(300);
    expect(ledger.unusable()).toEqual([]);
    expect(problems).toEqual([]);
    // 30 runs go to the broken provider; a fault on the way ends some of them with that fault's code instead
    // (10 of 30 seen in CI beside the other suites), so "some failed visibly" is a third, not a tight count.
    expect(ledger.byCode().task_failed).toBeGreaterThanOrEqual(10);
    expect(ledger.byCode().done).toBeGreaterThan(200);
  }, 180_000);

  it('100 file actions: each uploaded file gets at most one summary task and one summary file', async () => {
    const started = Date.now();
    emu.control.clearRequests();
    const ledger = new Ledger();
    const results = new Map<
      number,
      { fileId: number; taskId: number | undefined; written?: { fileId: number; path: string } }
    >();
    const uploaded = new Map<number, number>();
    await pool(100, CONCURRENCY, async (i) => {
      await ledger.run(String(i), async () => {
        const { fileId } = await client.files.upload(
          `/Reliability/${i}/doc-${i}.md`,
          `# Doc ${i}\nFacts about ${i}.\n`,
        );
        uploaded.set(i, fileId);
        const action = await client.files.runAction(fileId, 'core:text2text:summary', {
          wait: true,
          ...WAIT,
        });
        results.set(i, { fileId, taskId: action.task?.id, ...(action.file ? { written: action.file } : {}) });
      });
    });
    await settle();

    const tasks = emu.control.tasks();
    const files = emu.control.files();
    let duplicated = 0;
    let lost = 0;
    const problems: string[] = [];
    for (let i = 0; i < 100; i++) {
      const sources = files.filter((f) => f.path?.endsWith(`/Reliability/${i}/doc-${i}.md`));
      const summaries = files.filter((f) =>
        f.path?.endsWith(`/Reliability/${i}/doc-${i}.md - summarized.md`),
      );
      const fileId = uploaded.get(i) ?? sources[0]?.id;
      const actionTasks =
        fileId === undefined ? [] : tasks.filter((t) => t.customId === `file-action:${fileId}`);
      if (sources.length > 1 || summaries.length > 1 || actionTasks.length > 1) {
        duplicated++;
        problems.push(
          `action ${i}: ${sources.length} sources, ${summaries.length} summaries, ${actionTasks.length} tasks`,
        );
      }
      if (!ledger.done(String(i))) continue;
      const result = results.get(i)!;
      const ok =
        sources.length === 1 &&
        summaries.length === 1 &&
        actionTasks.length === 1 &&
        actionTasks[0]!.id === result.taskId &&
        result.written?.fileId === summaries[0]!.id;
      if (!ok) {
        lost++;
        problems.push(
          `action ${i}: reported done (task ${result.taskId}, file ${JSON.stringify(result.written)}) but ${summaries.length} summaries, ${actionTasks.length} tasks`,
        );
      }
    }

    record('file actions (core)', ledger, 100, duplicated, lost, emu, started);
    expect(ledger.endedTwice).toEqual([]);
    expect(ledger.outcomes.size).toBe(100);
    expect(ledger.unusable()).toEqual([]);
    expect(problems).toEqual([]);
    expect(ledger.byCode().done).toBeGreaterThan(60);
  }, 180_000);

  it('left no unhandled promise rejection behind', () => {
    expect(unhandled).toEqual([]);
  });
});

describe('reliability: targeted replays of fault combinations', () => {
  let quiet: RunningEmulator;
  let alice: ReturnType<typeof createNodeClient>;
  beforeAll(async () => {
    quiet = await startEmulator({
      port: 0,
      seed: SEED,
      users: [{ user: 'alice', appPassword: APP_PASSWORD }],
      providers: { default: { pickupMs: 5, runMs: 10 } },
      chat: { storeDelayMs: 5 },
      rateLimit: { schedule: { limit: 100_000, windowMs: 1_000 } },
    });
    alice = createNodeClient({
      baseUrl: quiet.url,
      auth: { user: 'alice', appPassword: APP_PASSWORD },
      retry: { retries: 2, baseDelayMs: 50 },
    });
  });
  afterAll(async () => {
    alice?.close();
    await quiet?.close();
  });

  it('the duplicate check catches a client that blindly repeats a schedule whose answer was lost', async () => {
    quiet.control.setFaults([
      { kind: 'reset', after: true, route: 'task_processing_api-schedule', rate: 0.5 },
    ]);
    const inner = nodeTransport();
    // What a naive client does: repeat any request that failed, also one that may have been carried out.
    const naive: Transport = async (request) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await inner(request);
        } catch (error) {
          if (attempt >= 3) throw error;
        }
      }
    };
    const careless = createClient({
      baseUrl: quiet.url,
      auth: { user: 'alice', appPassword: APP_PASSWORD },
      transport: naive,
      sleep: nodeSleep,
    });
    const ledger = new Ledger();
    const results = new Map<number, number>();
    try {
      await pool(20, 5, (i) =>
        ledger.run(String(i), async () => {
          const task = await careless.tasks.schedule({
            type: 'core:text2text',
            input: { input: `naive ${i}` },
            customId: `reliability-${i}`,
          });
          results.set(i, task.id);
        }),
      );
    } finally {
      inner.close();
      quiet.control.clearFaults();
    }
    const { duplicated } = checkTaskRuns(quiet, ledger, results, 20, () => false);
    expect(duplicated).toBeGreaterThan(0);
  });

  // Regression (found by the 300-exchange run above, fixed in core's chat.send): when the answer of
  // `generate` was lost after the server scheduled the reply and the reply was generated and stored by the
  // time core asked check_session, core called `generate` again: two generations, two replies, one message.
  it('a lost generate answer for a reply that is already stored does not generate a second reply', async () => {
    quiet.control.setFaults([
      { kind: 'reset', after: true, route: 'chattyllm-generate-for-session', times: 1 },
      { kind: 'latency', ms: 300, route: 'chattyllm-check-session', times: 1 },
    ]);
    const session = await alice.chat.createSession();
    const sent = await alice.chat.send(session.id, 'only once please', { timeoutMs: 10_000 });
    const generations = quiet.control.tasks().filter((t) => t.customId === `chatty-llm:${session.id}`);
    const replies = quiet.control
      .messages()
      .filter((m) => m.session_id === session.id && m.role === 'assistant');
    expect(generations.map((t) => t.id)).toEqual([sent.taskId]);
    expect(replies).toHaveLength(1);
  });

  // Regression (found by the 300-exchange run above, fixed in core's chat.send): after a lost `generate`
  // answer core trusted check_session's messageTaskId, which after a never-stored reply still named the
  // PREVIOUS, finished task: the new message got the previous reply and no generation of its own.
  it('a lost generate answer after a never-stored reply does not hand back the previous reply', async () => {
    quiet.control.setFaults([{ kind: 'never-store-reply', times: 1 }]);
    const session = await alice.chat.createSession();
    const first = await alice.chat.send(session.id, 'first question', { wait: false });
    await alice.tasks.wait(first.taskId, { timeoutMs: 5_000 });
    quiet.control.setFaults([
      { kind: 'status', status: 500, route: 'chattyllm-generate-for-session', times: 1 },
    ]);
    const second = await alice.chat.send(session.id, 'second question', { wait: false });
    expect(second.taskId).not.toBe(first.taskId);
    const generation = quiet.control.tasks().find((t) => t.id === second.taskId);
    expect((generation?.input as { input?: string } | undefined)?.input).toBe('second question');
  });
});
