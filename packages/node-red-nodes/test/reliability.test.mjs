// Reliability of a real Node-RED flow under injected faults: 300 chat messages, 300 task runs and 100
// file actions (upload → run the summary action) go through our nodes in the real runtime while the
// emulator answers 503s, resets connections (before and after doing the work), sends broken JSON, rate
// limits with Retry-After, adds latency and sometimes never stores a chat reply. Every message must leave
// exactly once, on the output or at the Catch node with msg.assistantError a user can act on, and the
// emulator's state must show nothing done twice and nothing reported done lost.
// Fault decisions come from the emulator's seeded PRNG (F7CLOUD_RELIABILITY_SEED); concurrency still varies
// which request meets which fault.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { helper, ALL_NODES, USER, APP_PASSWORD as HARNESS_PASSWORD } from './support/harness.mjs';

const SEED = Number(process.env.F7CLOUD_RELIABILITY_SEED ?? 20_262);
const APP_PASSWORD = process.env.F7CLOUD_CANARY || HARNESS_PASSWORD;
const CONCURRENCY = 24;
const ACTIONABLE = new Set([
  'rate_limited',
  'server',
  'maintenance',
  'network',
  'timeout',
  'task_failed',
  'conflict',
]);
const FAULTS = [
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

let emulator;
const rows = [];
/** exchange id → ending(s): each message must come out exactly once */
const endings = new Map();
const waiting = new Map();

function ended(kind, msg) {
  const id = msg.exchange;
  const list = endings.get(id) ?? [];
  list.push({ kind, msg });
  endings.set(id, list);
  const resolve = waiting.get(id);
  if (resolve) {
    waiting.delete(id);
    resolve();
  }
}

beforeAll(async () => {
  const { startEmulator } = await import('@f7cloud/assistant-emulator');
  emulator = await startEmulator({
    port: 0,
    seed: SEED,
    users: [{ user: USER, appPassword: APP_PASSWORD }],
    providers: {
      default: { pickupMs: 5, runMs: 10 },
      'core:text2text:headline': { pickupMs: 5, runMs: 10, fail: 'The provider is down' },
    },
    chat: { storeDelayMs: 5 },
    latency: { min: 0, max: 15 },
    rateLimit: { schedule: { limit: 100_000, windowMs: 1_000 }, notify: { limit: 100_000, windowMs: 1_000 } },
  });
  const flow = [
    // (ids never equal an operation name: the runtime would read that value as a config-node reference)
    { id: 'tab', type: 'tab', label: 'reliability' },
    // the emulator's limits are raised far past a real server's: the config node says so (core paces otherwise)
    {
      id: 'srv',
      type: 'f7cloud-server',
      url: emulator.url,
      rejectUnauthorized: true,
      ca: '',
      scheduleLimit: '100000',
    },
    {
      id: 'n-chat',
      z: 'tab',
      type: 'f7cloud-chat',
      server: 'srv',
      operation: 'sendMessage',
      timeout: 30,
      wires: [['out']],
    },
    {
      id: 'n-task',
      z: 'tab',
      type: 'f7cloud-task',
      server: 'srv',
      operation: 'run',
      timeout: 30,
      wires: [['out']],
    },
    {
      id: 'n-upload',
      z: 'tab',
      type: 'f7cloud-file',
      server: 'srv',
      operation: 'upload',
      wires: [['n-action']],
    },
    {
      id: 'n-action',
      z: 'tab',
      type: 'f7cloud-file',
      server: 'srv',
      operation: 'runAction',
      action: 'core:text2text:summary',
      timeout: 30,
      wires: [['out']],
    },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
  await helper.load(ALL_NODES, flow, { srv: { user: USER, appPassword: APP_PASSWORD } });
  helper.getNode('out').on('input', (msg) => ended('done', msg));
  helper.getNode('caught').on('input', (msg) => ended('error', msg));
  // the faults start once the flow is deployed
  emulator.control.setFaults(FAULTS);
}, 60_000);

afterAll(async () => {
  await helper.unload();
  await emulator?.close();
  if (rows.length) {
    console.log(`\nReliability through a Node-RED flow (seed ${SEED}, ${CONCURRENCY} messages at a time)`);
    console.table(rows);
  }
});

/** Sends `count` messages into a node, `limit` in flight, each waiting for its own ending (60 s cap). */
async function drive(nodeId, prefix, count, makeMsg) {
  let next = 0;
  const node = helper.getNode(nodeId);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        const id = `${prefix}${i}`;
        await new Promise((resolve) => {
          const timer = setTimeout(() => {
            waiting.delete(id);
            resolve();
          }, 60_000);
          waiting.set(id, () => {
            clearTimeout(timer);
            resolve();
          });
          node.receive({ ...makeMsg(i), exchange: id });
        });
      }
    }),
  );
  // lets the emulator finish (and store) work whose answers were lost, and late duplicate outputs show
  await new Promise((resolve) => setTimeout(resolve, 400));
}

/** Endings of one batch: exactly-once check, counts by code, unusable errors. */
function tally(prefix, count) {
  const counts = {};
  const endedTwice = [];
  const neverEnded = [];
  const unusable = [];
  for (let i = 0; i < count; i++) {
    const list = endings.get(`${prefix}${i}`) ?? [];
    if (list.length === 0) neverEnded.push(i);
    if (list.length > 1) endedTwice.push(i);
    const first = list[0];
    if (!first) continue;
    const code = first.kind === 'done' ? 'done' : (first.msg.assistantError?.code ?? 'untyped');
    counts[code] = (counts[code] ?? 0) + 1;
    if (first.kind === 'error') {
      const message = String(first.msg.error?.message ?? '');
      if (!ACTIONABLE.has(code) || message.length < 20 || JSON.stringify(first.msg).includes(APP_PASSWORD)) {
        unusable.push(`${prefix}${i}: ${code}: ${message}`);
      }
    }
  }
  return { counts, endedTwice, neverEnded, unusable };
}

const outcome = (prefix, i) => endings.get(`${prefix}${i}`)?.[0];

function faultCounts() {
  const counts = {};
  for (const r of emulator.control.requests()) if (r.fault) counts[r.fault] = (counts[r.fault] ?? 0) + 1;
  return Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

function record(suite, count, t, duplicated, lost, started) {
  const { done = 0, ...errors } = t.counts;
  rows.push({
    suite,
    exchanges: count,
    ended: count - t.neverEnded.length,
    done,
    errors: Object.entries(errors)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
    duplicated,
    lost,
    faults: faultCounts(),
    seconds: ((Date.now() - started) / 1000).toFixed(1),
  });
}

function expectClean(t, problems) {
  expect(t.neverEnded).toEqual([]);
  expect(t.endedTwice).toEqual([]);
  expect(t.unusable).toEqual([]);
  expect(problems).toEqual([]);
}

describe(`reliability through a Node-RED flow with injected faults (seed ${SEED})`, () => {
  it('300 chat messages (each starting its session): one human message, one generation, its own reply', async () => {
    const started = Date.now();
    emulator.control.clearRequests();
    const text = (i) => `node-red chat ${i} (seed ${SEED})`;
    await drive('n-chat', 'chat-', 300, (i) => ({ payload: text(i) }));
    const t = tally('chat-', 300);
    const messages = emulator.control.messages();
    const tasks = emulator.control.tasks();
    const problems = [];
    let duplicated = 0;
    let lost = 0;
    for (let i = 0; i < 300; i++) {
      const humans = messages.filter((m) => m.role === 'human' && m.content === text(i));
      const sessionIds = new Set(humans.map((m) => m.session_id));
      const generations = tasks.filter(
        (task) =>
          [...sessionIds].some((s) => task.customId === `chatty-llm:${s}`) && task.input.input === text(i),
      );
      if (humans.length > 1 || generations.length > 1) {
        duplicated++;
        problems.push(`chat ${i}: ${humans.length} human messages, ${generations.length} generations`);
      }
      const end = outcome('chat-', i);
      if (end?.kind !== 'done') continue;
      const ok =
        humans.length === 1 &&
        generations.length === 1 &&
        end.msg.taskId === generations[0].id &&
        end.msg.sessionId === humans[0].session_id &&
        String(end.msg.payload).includes(text(i));
      if (!ok) {
        lost++;
        problems.push(
          `chat ${i}: done with task ${end.msg.taskId}, but ${humans.length} human messages, ${generations.length} generations`,
        );
      }
    }
    record('chat (Node-RED)', 300, t, duplicated, lost, started);
    expectClean(t, problems);
    expect(t.counts.done).toBeGreaterThan(200);
  }, 240_000);

  it('300 task runs: every run that came out done exists once; nothing that failed exists twice', async () => {
    const started = Date.now();
    emulator.control.clearRequests();
    const failing = (i) => i % 10 === 9;
    await drive('n-task', 'task-', 300, (i) => ({
      taskType: failing(i) ? 'core:text2text:headline' : 'core:text2text',
      payload: `node-red task ${i} (seed ${SEED})`,
      customId: `nr-reliability-${i}`,
      appId: 'reliability',
    }));
    const t = tally('task-', 300);
    const tasks = emulator.control.tasks();
    const problems = [];
    let duplicated = 0;
    let lost = 0;
    for (let i = 0; i < 300; i++) {
      const mine = tasks.filter((task) => task.customId === `nr-reliability-${i}`);
      if (mine.length > 1) {
        duplicated++;
        problems.push(`task ${i}: ${mine.length} tasks`);
      }
      const end = outcome('task-', i);
      if (end?.kind === 'done') {
        if (
          failing(i) ||
          mine.length !== 1 ||
          mine[0].id !== end.msg.taskId ||
          mine[0].status !== 'STATUS_SUCCESSFUL'
        ) {
          lost++;
          problems.push(
            `task ${i}: came out done as ${end.msg.taskId}, emulator has ${JSON.stringify(mine.map((x) => [x.id, x.status]))}`,
          );
        }
        if (!String(end.msg.payload).includes(`node-red task ${i} `))
          problems.push(`task ${i}: output of another task`);
      } else if (
        end?.msg.assistantError?.code === 'task_failed' &&
        !(failing(i) && mine[0]?.status === 'STATUS_FAILED')
      ) {
        problems.push(
          `task ${i}: task_failed but the emulator has ${JSON.stringify(mine.map((x) => [x.id, x.status]))}`,
        );
      }
    }
    record('tasks (Node-RED)', 300, t, duplicated, lost, started);
    expectClean(t, problems);
    expect(t.counts.task_failed).toBeGreaterThan(20);
    expect(t.counts.done).toBeGreaterThan(200);
  }, 240_000);

  it('100 file actions (upload → summary): at most one summary task and file per upload, every done one real', async () => {
    const started = Date.now();
    emulator.control.clearRequests();
    await drive('n-upload', 'file-', 100, (i) => ({
      path: `/NodeRedReliability/${i}/doc-${i}.md`,
      payload: `# Doc ${i}\nFacts about ${i}.\n`,
    }));
    const t = tally('file-', 100);
    const tasks = emulator.control.tasks();
    const files = emulator.control.files();
    const problems = [];
    let duplicated = 0;
    let lost = 0;
    for (let i = 0; i < 100; i++) {
      const sources = files.filter((f) => f.path?.endsWith(`/NodeRedReliability/${i}/doc-${i}.md`));
      const summaries = files.filter((f) =>
        f.path?.endsWith(`/NodeRedReliability/${i}/doc-${i}.md - summarized.md`),
      );
      const actionTasks = sources.length
        ? tasks.filter((task) => task.customId === `file-action:${sources[0].id}`)
        : [];
      if (sources.length > 1 || summaries.length > 1 || actionTasks.length > 1) {
        duplicated++;
        problems.push(
          `file ${i}: ${sources.length} sources, ${summaries.length} summaries, ${actionTasks.length} tasks`,
        );
      }
      const end = outcome('file-', i);
      if (end?.kind !== 'done') continue;
      const ok =
        sources.length === 1 &&
        summaries.length === 1 &&
        actionTasks.length === 1 &&
        end.msg.sourceFileId === sources[0].id &&
        end.msg.fileId === summaries[0].id &&
        end.msg.taskId === actionTasks[0].id;
      if (!ok) {
        lost++;
        problems.push(
          `file ${i}: came out done (file ${end.msg.fileId}, task ${end.msg.taskId}) but ${summaries.length} summaries, ${actionTasks.length} tasks`,
        );
      }
    }
    record('file actions (Node-RED)', 100, t, duplicated, lost, started);
    expectClean(t, problems);
    expect(t.counts.done).toBeGreaterThan(60);
  }, 240_000);
});
