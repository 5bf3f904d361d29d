// Memory: a 1 GiB input upload and a 1 GiB task-file download through core's node entry with streams,
// each in a fresh child process whose peak RSS growth is measured (VmHWM after resetting it, plus 10 ms
// samples). Baseline: the same transfers buffered (the whole file in one Buffer), and the Node-RED file node.
// The emulator keeps file bodies on disk (dataDir), so its own memory stays out of the picture.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createNodeClient } from '../packages/core/dist/node.js';
import { ROOT, control, emulatorFromEnv, log, report, result } from './lib/common.mjs';

const SIZE = Number(process.env.BENCH_MEMORY_BYTES ?? 1024 ** 3);
/** The big-file row (issue 15): 2 GiB through WebDAV chunked upload v2. */
const CHUNKED_SIZE = Number(process.env.BENCH_CHUNKED_BYTES ?? 2 * 1024 ** 3);
const LIMIT_MIB = 64;
const MiB = 1024 * 1024;
const emu = emulatorFromEnv();
const ctl = control(emu.url);
const [alice] = emu.users;
await ctl.reset();
await ctl.put('providers/core:audio2text', { pickupMs: 10, runMs: 10 });

function child(mode, args = {}) {
  const size = args.size ?? SIZE;
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', path.join(ROOT, 'bench/lib/memory-child.mjs'), mode, JSON.stringify({ size, ...args })],
    { env: process.env, encoding: 'utf8', maxBuffer: 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const parsed = JSON.parse(out.trim().split('\n').at(-1));
  if (parsed.failed) {
    log(`  ${mode.padEnd(16)} failed: ${parsed.failed}`);
    return parsed;
  }
  if (parsed.bytes !== size) throw new Error(`${mode} moved ${parsed.bytes} bytes, expected ${size}`);
  log(
    `  ${mode.padEnd(16)} ${(size / MiB).toFixed(0)} MiB in ${(parsed.ms / 1000).toFixed(1)} s, peak RSS +${parsed.growthMiB.toFixed(1)} MiB (sampled +${parsed.sampledGrowthMiB.toFixed(1)})`,
  );
  return parsed;
}

/** A finished task that has the uploaded file among its files, so its file route serves it. */
async function taskWith(fileId) {
  const client = createNodeClient({
    baseUrl: emu.url,
    auth: { user: alice.user, appPassword: alice.appPassword },
  });
  const task = await client.tasks.run({ type: 'core:audio2text', input: { input: fileId }, appId: 'bench' });
  client.close();
  return task.id;
}

/** Deletes an uploaded file (WebDAV), so repeated 1 GiB uploads do not pile up in the emulator's dataDir. */
async function discard(fileId) {
  if (fileId === undefined) return;
  const file = (await ctl.get('files')).find((f) => f.id === fileId);
  if (!file?.path) return;
  const url = `${emu.url}/remote.php/dav/files/${alice.user}${file.path.split('/').map(encodeURIComponent).join('/')}`;
  const auth = Buffer.from(`${alice.user}:${alice.appPassword}`).toString('base64');
  const res = await fetch(url, { method: 'DELETE', headers: { Authorization: `Basic ${auth}` } });
  if (res.status !== 204) throw new Error(`deleting ${file.path} answered ${res.status}`);
}

log(`memory: ${(SIZE / MiB).toFixed(0)} MiB transfers, each in its own process`);
// Streams leave up to a few tens of MiB of not-yet-collected 64 KiB chunks behind, varying from run to run:
// every streamed transfer runs three times (median), next to raw node:http streaming the same route (the floor).
const median3 = (runs) => [...runs].sort((a, b) => a.growthMiB - b.growthMiB)[1];
const ups = [];
for (let i = 0; i < 3; i++) {
  ups.push(child('core-upload'));
  if (i > 0) await discard(ups[i].fileId);
}
// the first upload stays: the downloads read it
const up = { ...median3(ups), fileId: ups[0].fileId, runsMiB: ups.map((r) => r.growthMiB) };
const upNaive = child('naive-upload');
await discard(upNaive.fileId);
const taskId = await taskWith(up.fileId);
const downs = [];
const floors = [];
for (let i = 0; i < 3; i++) {
  downs.push(child('core-download', { taskId, fileId: up.fileId }));
  floors.push(child('raw-download', { taskId, fileId: up.fileId }));
}
const down = { ...median3(downs), runsMiB: downs.map((r) => r.growthMiB) };
const floor = { ...median3(floors), runsMiB: floors.map((r) => r.growthMiB) };
const downNaive = child('naive-download', { taskId, fileId: up.fileId });
const files = await ctl.get('files');
const stored = files.find((f) => f.id === up.fileId);
if (!stored || stored.size !== SIZE)
  throw new Error(`the emulator holds ${stored?.size} bytes for the upload, expected ${SIZE}`);
const redUp = child('nodered-upload');
await discard(redUp.fileId);
const redDown = child('nodered-download', { fileId: up.fileId });
const streamed = async (mode, args) => {
  const runs = [];
  for (let i = 0; i < 3; i++) {
    runs.push(child(mode, args));
    await discard(runs[i].fileId);
  }
  return runs.some((r) => r.failed)
    ? runs.find((r) => r.failed)
    : { ...median3(runs), runsMiB: runs.map((r) => r.growthMiB) };
};
const redUpStream = await streamed('nodered-upload-stream');
// 2 GiB through chunked upload: once (it takes a while), checked against what the emulator assembled
const chunked = child('core-chunked-upload', { size: CHUNKED_SIZE });
if (!chunked.failed) {
  const assembled = (await ctl.get('files')).find((f) => f.id === chunked.fileId);
  if (assembled?.size !== CHUNKED_SIZE)
    throw new Error(`the emulator assembled ${assembled?.size} bytes, expected ${CHUNKED_SIZE}`);
  await discard(chunked.fileId);
}
const redDownStream = await streamed('nodered-download-stream', { fileId: up.fileId });
await ctl.reset();

const sizeMiB = SIZE / MiB;
const row = (name, m, base, baselineName, { informational = false } = {}) =>
  m.failed
    ? {
        ...result({ name, value: 0, unit: 'MiB', baseline: null, met: false, target: `≤ ${LIMIT_MIB} MiB` }),
        value: null,
        raw: m,
      }
    : result({
        name,
        value: m.growthMiB,
        unit: 'MiB',
        baseline: base,
        baselineName,
        ...(informational
          ? { target: '(informational)' }
          : { limit: LIMIT_MIB, target: `≤ ${LIMIT_MIB} MiB` }),
        raw: { bytes: SIZE, seconds: m.ms / 1000, MiBps: sizeMiB / (m.ms / 1000), ...m },
      });
report([
  row(`memory: ${sizeMiB} MiB upload, core stream`, up, upNaive.growthMiB, 'buffered upload'),
  row(`memory: ${sizeMiB} MiB download, core stream`, down, downNaive.growthMiB, 'buffered download'),
  {
    ...row(
      `memory: ${CHUNKED_SIZE / MiB} MiB upload through chunked upload v2, core files.upload(stream)`,
      chunked,
      CHUNKED_SIZE / MiB,
      'bytes moved',
    ),
    // its own size: the raw numbers say so
    ...(chunked.failed ? {} : { raw: { bytes: CHUNKED_SIZE, seconds: chunked.ms / 1000, ...chunked } }),
  },
  row(
    `memory: ${sizeMiB} MiB download, raw node:http stream (the floor)`,
    floor,
    downNaive.growthMiB,
    'buffered download',
    {
      informational: true,
    },
  ),
  row(
    `memory: ${sizeMiB} MiB upload, Node-RED file node, stream payload`,
    redUpStream,
    redUp.growthMiB,
    'Buffer payload',
  ),
  row(
    `memory: ${sizeMiB} MiB download, Node-RED file node, output as stream`,
    redDownStream,
    redDown.failed ? downNaive.growthMiB : redDown.growthMiB,
    redDown.failed ? 'buffered download' : 'Buffer output',
  ),
  row(`memory: ${sizeMiB} MiB upload, Node-RED file node, Buffer payload`, redUp, sizeMiB, 'bytes moved', {
    informational: true,
  }),
  redDown.failed
    ? {
        // the node refuses to hold an answer this big in a Buffer (core's 512 MiB cap) and says to stream it
        ...result({
          name: `memory: ${sizeMiB} MiB download, Node-RED file node, Buffer output`,
          value: 0,
          unit: 'MiB',
          baseline: null,
          target: '(informational: refused above 512 MiB, "Output as stream" instead)',
        }),
        value: null,
        raw: redDown,
      }
    : row(
        `memory: ${sizeMiB} MiB download, Node-RED file node, Buffer output`,
        redDown,
        sizeMiB,
        'bytes moved',
        {
          informational: true,
        },
      ),
]);
