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
/** Issue 15's bound for the chunked upload: absolute, as each chunk is freed once sent. */
const CHUNKED_LIMIT_MIB = 64;
const MiB = 1024 * 1024;
const emu = emulatorFromEnv();
const ctl = control(emu.url);
const [alice] = emu.users;
await ctl.reset();
await ctl.put('providers/core:audio2text', { pickupMs: 10, runMs: 10 });

/** Node 20 (the machine's, when `NODE20_BIN` names it and it is another Node) for the rows measured on both. */
const NODE20 = process.env.NODE20_BIN ? path.join(process.env.NODE20_BIN, 'node') : undefined;
const otherNode =
  NODE20 && execFileSync(NODE20, ['-p', 'process.version'], { encoding: 'utf8' }).trim() !== process.version
    ? NODE20
    : undefined;

function child(mode, args = {}, node = process.execPath) {
  const size = args.size ?? SIZE;
  const out = execFileSync(
    node,
    ['--expose-gc', path.join(ROOT, 'bench/lib/memory-child.mjs'), mode, JSON.stringify({ size, ...args })],
    { env: process.env, encoding: 'utf8', maxBuffer: 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const parsed = JSON.parse(out.trim().split('\n').at(-1));
  const on = node === process.execPath ? '' : ' (Node 20)';
  if (parsed.failed) {
    log(`  ${mode.padEnd(16)}${on} failed: ${parsed.failed}`);
    return parsed;
  }
  if (parsed.bytes !== size) throw new Error(`${mode} moved ${parsed.bytes} bytes, expected ${size}`);
  log(
    `  ${mode.padEnd(16)}${on} ${(size / MiB).toFixed(0)} MiB in ${(parsed.ms / 1000).toFixed(1)} s, peak RSS +${parsed.growthMiB.toFixed(1)} MiB (sampled +${parsed.sampledGrowthMiB.toFixed(1)})`,
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
// Streams leave some tens of MiB of not-yet-collected chunks and young-generation pages behind, varying
// from run to run and with the Node version (V8 sizes its heap itself): every streamed transfer runs three
// times (median), next to node:http alone moving the same bytes over the same route (the floor), on the
// same Node. The target is relative to that floor: what the toolkit adds on top of Node.
const median3 = (runs) =>
  runs.some((r) => r.failed)
    ? runs.find((r) => r.failed)
    : { ...[...runs].sort((a, b) => a.growthMiB - b.growthMiB)[1], runsMiB: runs.map((r) => r.growthMiB) };
/** Three uploads of one mode; each file is deleted again except the first when `keep` (the downloads read it). */
const uploads = async (mode, node, keep = false) => {
  const runs = [];
  for (let i = 0; i < 3; i++) {
    runs.push(child(mode, {}, node));
    if (i > 0 || !keep) await discard(runs[i].fileId);
  }
  return { ...median3(runs), fileId: runs[0].fileId };
};
const downloads = async (mode, args, node) => {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(child(mode, args, node));
  return median3(runs);
};
const up = await uploads('core-upload', process.execPath, true);
const upFloor = await uploads('raw-upload');
const upNaive = child('naive-upload');
await discard(upNaive.fileId);
const taskId = await taskWith(up.fileId);
const fileArgs = { taskId, fileId: up.fileId };
const down = await downloads('core-download', fileArgs);
const floor = await downloads('raw-download', fileArgs);
const downNaive = child('naive-download', fileArgs);
const files = await ctl.get('files');
const stored = files.find((f) => f.id === up.fileId);
if (!stored || stored.size !== SIZE)
  throw new Error(`the emulator holds ${stored?.size} bytes for the upload, expected ${SIZE}`);
const redUp = child('nodered-upload');
await discard(redUp.fileId);
const redDown = child('nodered-download', { fileId: up.fileId });
const redUpStream = await uploads('nodered-upload-stream');
// 2 GiB through chunked upload: once (it takes a while), checked against what the emulator assembled
const chunked = child('core-chunked-upload', { size: CHUNKED_SIZE });
if (!chunked.failed) {
  const assembled = (await ctl.get('files')).find((f) => f.id === chunked.fileId);
  if (assembled?.size !== CHUNKED_SIZE)
    throw new Error(`the emulator assembled ${assembled?.size} bytes, expected ${CHUNKED_SIZE}`);
  await discard(chunked.fileId);
}
const redDownStream = await downloads('nodered-download-stream', { fileId: up.fileId });
// core's streamed rows and their floors again on Node 20, where the machine has it
const on20 = otherNode
  ? {
      up: await uploads('core-upload', otherNode),
      upFloor: await uploads('raw-upload', otherNode),
      down: await downloads('core-download', fileArgs, otherNode),
      floor: await downloads('raw-download', fileArgs, otherNode),
    }
  : undefined;
await ctl.reset();

const sizeMiB = SIZE / MiB;
/** How far above the floor (node:http alone, same run, same Node) a streamed transfer may peak. */
const MAX_OVER_FLOOR = 1.1;
const failedRow = (name, m) => ({
  ...result({ name, value: 0, unit: 'MiB', baseline: null, met: false, target: '(failed)' }),
  value: null,
  raw: m,
});
const raw = (m, extra = {}) => ({
  bytes: m.bytes,
  seconds: m.ms / 1000,
  MiBps: m.bytes / MiB / (m.ms / 1000),
  ...m,
  ...extra,
});
/** A streamed transfer against its floor. */
const streamRow = (name, m, base, extra) =>
  m.failed || base.failed
    ? failedRow(name, m.failed ? m : base)
    : result({
        name,
        value: m.growthMiB,
        unit: 'MiB',
        baseline: base.growthMiB,
        baselineName: 'node:http alone',
        maxRatio: MAX_OVER_FLOOR,
        target: `≤ ${MAX_OVER_FLOOR.toFixed(2)} × node:http`,
        raw: raw(m, { floor: base, ...extra }),
      });
/** A figure that says what a choice costs (a Buffer instead of a stream), against the bytes moved. */
const infoRow = (name, m, base, baselineName) =>
  m.failed
    ? failedRow(name, m)
    : result({
        name,
        value: m.growthMiB,
        unit: 'MiB',
        baseline: base,
        baselineName,
        target: '(informational)',
        raw: raw(m),
      });
report([
  streamRow(`memory: ${sizeMiB} MiB upload, core stream`, up, upFloor, { buffered: upNaive }),
  streamRow(`memory: ${sizeMiB} MiB download, core stream`, down, floor, { buffered: downNaive }),
  streamRow(`memory: ${sizeMiB} MiB upload, Node-RED file node, stream payload`, redUpStream, upFloor),
  streamRow(`memory: ${sizeMiB} MiB download, Node-RED file node, output as stream`, redDownStream, floor),
  ...(on20
    ? [
        streamRow(`memory: ${sizeMiB} MiB upload, core stream, on Node 20`, on20.up, on20.upFloor),
        streamRow(`memory: ${sizeMiB} MiB download, core stream, on Node 20`, on20.down, on20.floor),
      ]
    : []),
  {
    ...(chunked.failed
      ? failedRow(
          `memory: ${CHUNKED_SIZE / MiB} MiB upload through chunked upload v2, core files.upload(stream)`,
          chunked,
        )
      : result({
          name: `memory: ${CHUNKED_SIZE / MiB} MiB upload through chunked upload v2, core files.upload(stream)`,
          value: chunked.growthMiB,
          unit: 'MiB',
          baseline: CHUNKED_SIZE / MiB,
          baselineName: 'bytes moved',
          limit: CHUNKED_LIMIT_MIB,
          target: `≤ ${CHUNKED_LIMIT_MIB} MiB`,
          raw: raw(chunked),
        })),
  },
  infoRow(
    `memory: ${sizeMiB} MiB upload, core, buffered (the whole file in a Buffer)`,
    upNaive,
    sizeMiB,
    'bytes moved',
  ),
  infoRow(`memory: ${sizeMiB} MiB download, core, buffered`, downNaive, sizeMiB, 'bytes moved'),
  infoRow(`memory: ${sizeMiB} MiB upload, Node-RED file node, Buffer payload`, redUp, sizeMiB, 'bytes moved'),
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
    : infoRow(
        `memory: ${sizeMiB} MiB download, Node-RED file node, Buffer output`,
        redDown,
        sizeMiB,
        'bytes moved',
      ),
]);
