// Client overhead: N sequential taskTypes() through core's node client, vs raw fetch doing the same work
// (auth and OCS headers, JSON, envelope unwrap, web-UI order), vs openapi-fetch typed with core's `paths`.
// The three run interleaved in rotating order after a warm-up; each figure is the median of the rounds, and
// each ratio the median of the rounds' own ratios (a round's contenders run back to back, so a change in
// the machine's load between rounds, other suites starting or ending, cancels out).
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createClient, createNodeClient, fetchTransport, nodeSleep } from '../packages/core/dist/node.js';
import { emulatorFromEnv, log, median, report, requireFrom, result } from './lib/common.mjs';

const CALLS = Number(process.env.BENCH_OVERHEAD_CALLS ?? 5000);
const ROUNDS = Number(process.env.BENCH_OVERHEAD_ROUNDS ?? 5);
const WARMUP = Math.min(1000, CALLS);

const emu = emulatorFromEnv();
const [alice] = emu.users;
const authorization = `Basic ${Buffer.from(`${alice.user}:${alice.appPassword}`).toString('base64')}`;
const byPriority = (a, b) => a.priority - b.priority || a.name.localeCompare(b.name);

// openapi-fetch is a devDependency of the emulator package (bench/ is no workspace package); its ESM build.
const openapiFetchDir = path.dirname(requireFrom('emulator').resolve('openapi-fetch/package.json'));
/** @type {typeof import('openapi-fetch').default} */
const createOpenApiClient = (await import(pathToFileURL(path.join(openapiFetchDir, 'dist/index.mjs')).href))
  .default;

// What a user would write with plain fetch.
const rawUrl = `${emu.url}/ocs/v2.php/apps/assistant/api/v1/task-types?format=json`;
const rawHeaders = { Authorization: authorization, 'OCS-APIRequest': 'true', Accept: 'application/json' };
async function rawTaskTypes() {
  const res = await fetch(rawUrl, { headers: rawHeaders });
  if (res.status !== 200) throw new Error(`raw fetch: HTTP ${res.status}`);
  const body = await res.json();
  const types = body?.ocs?.data?.types;
  if (!Array.isArray(types)) throw new Error('raw fetch: no types in the answer');
  return types.sort(byPriority);
}

// openapi-fetch over the same (corrected) spec core is generated from.
/** @type {import('openapi-fetch').Client<import('@f7cloud/assistant-client').paths>} */
const openapi = createOpenApiClient({
  baseUrl: emu.url,
  headers: { Authorization: authorization, Accept: 'application/json' },
});
async function openapiTaskTypes() {
  const { data, error, response } = await openapi.GET(
    '/ocs/v2.php/apps/assistant/api/{apiVersion}/task-types',
    {
      // the spec has no `format` query parameter (typed as never): the Accept header asks for JSON
      params: { path: { apiVersion: 'v1' }, header: { 'OCS-APIRequest': true } },
    },
  );
  if (error || response.status !== 200) throw new Error(`openapi-fetch: HTTP ${response.status}`);
  const types = data?.ocs?.data?.types;
  if (!Array.isArray(types)) throw new Error('openapi-fetch: no types in the answer');
  return types.sort(byPriority);
}

const core = createNodeClient({
  baseUrl: emu.url,
  auth: { user: alice.user, appPassword: alice.appPassword },
});
const coreTaskTypes = () => core.taskTypes();
// The same pure client over fetch: core's own cost on the HTTP stack the baselines use.
const coreOverFetch = createClient({
  baseUrl: emu.url,
  auth: { user: alice.user, appPassword: alice.appPassword },
  transport: fetchTransport(),
  sleep: nodeSleep,
});
const coreOverFetchTaskTypes = () => coreOverFetch.taskTypes();

const contenders = {
  core: coreTaskTypes,
  fetch: rawTaskTypes,
  'openapi-fetch': openapiTaskTypes,
  'core over fetch': coreOverFetchTaskTypes,
};

// All three must give the same list, or the comparison is meaningless.
const lists = await Promise.all(Object.values(contenders).map((f) => f()));
const ids = lists.map((l) => l.map((t) => t.id).join(','));
if (new Set(ids).size !== 1) throw new Error(`the clients disagree on the task types: ${ids.join(' | ')}`);
log(`overhead: ${lists[0].length} task types, ${CALLS} calls x ${ROUNDS} rounds per client`);

async function timeCalls(fn, n) {
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return performance.now() - start;
}

for (const fn of Object.values(contenders)) await timeCalls(fn, WARMUP);

const names = Object.keys(contenders);
const times = Object.fromEntries(names.map((n) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  // rotate the order so no contender always runs first (or right after a GC-heavy one)
  const order = names.map((_, i) => names[(i + round) % names.length]);
  for (const name of order) {
    times[name].push(await timeCalls(contenders[name], CALLS));
  }
  log(`  round ${round + 1}: ${order.map((n) => `${n} ${times[n].at(-1).toFixed(0)} ms`).join(', ')}`);
}
core.close();

const med = Object.fromEntries(names.map((n) => [n, median(times[n])]));
const perCallUs = (ms) => (ms * 1000) / CALLS;
const paired = (a, b) => median(times[a].map((t, i) => t / times[b][i]));
const raw = {
  calls: CALLS,
  rounds: ROUNDS,
  msPerRound: times,
  medianMs: med,
  perCallUs: Object.fromEntries(names.map((n) => [n, perCallUs(med[n])])),
};
report([
  result({
    name: `overhead: ${CALLS} taskTypes() core vs raw fetch`,
    value: perCallUs(med.core),
    unit: 'µs/call',
    baseline: perCallUs(med.fetch),
    baselineName: 'raw fetch',
    ratio: paired('core', 'fetch'),
    maxRatio: 1.1,
    target: 'ratio ≤ 1.10',
    raw,
  }),
  result({
    name: `overhead: ${CALLS} taskTypes() core vs openapi-fetch`,
    value: perCallUs(med.core),
    unit: 'µs/call',
    baseline: perCallUs(med['openapi-fetch']),
    baselineName: 'openapi-fetch',
    ratio: paired('core', 'openapi-fetch'),
    maxRatio: 1.0,
    target: 'ratio ≤ 1.00',
    raw,
  }),
  result({
    name: `overhead: ${CALLS} taskTypes() core over fetch transport vs raw fetch`,
    value: perCallUs(med['core over fetch']),
    unit: 'µs/call',
    baseline: perCallUs(med.fetch),
    baselineName: 'raw fetch',
    ratio: paired('core over fetch', 'fetch'),
    target: '(informational: client code alone)',
    raw: { note: 'same HTTP stack (undici fetch) as the baseline: isolates the client code itself' },
  }),
]);
