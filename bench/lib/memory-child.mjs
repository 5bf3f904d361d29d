// One 1 GiB transfer in a fresh process, measuring its peak RSS growth. Prints one JSON line.
// Usage: node bench/lib/memory-child.mjs <mode> '<json args>'
//   core-upload    files.uploadInput(stream)                       core's node entry, streamed
//   core-chunked-upload  files.upload(path, stream, {size})      WebDAV chunked upload v2 (above 50 MiB)
//   core-download  tasks.downloadOutputFile(…, {stream: true})     core's node entry, streamed
//   naive-upload   files.uploadInput(Buffer of the whole file)     read it all into memory first
//   naive-download tasks.downloadOutputFile(…) into one Buffer     the whole file in memory
//   raw-upload / raw-download   node:http alone, the same route and bytes (the floor: what Node itself keeps)
//   nodered-upload / nodered-download   the Node-RED file node (uploadInput / download), Buffer msg.payload
//   nodered-upload-stream / nodered-download-stream   the same with a Readable payload / "Output as stream"
import { readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { emulatorFromEnv, requireFrom } from './common.mjs';

const [mode, argsJson = '{}'] = process.argv.slice(2);
const args = JSON.parse(argsJson);
const size = Number(args.size);
const emu = emulatorFromEnv();
const [alice] = emu.users;
const CHUNK = 64 * 1024;
const MiB = 1024 * 1024;

/** 1 GiB generated on the fly, 64 KiB at a time (nothing read from disk, nothing kept). */
function generated(bytes) {
  const pattern = Buffer.alloc(CHUNK);
  for (let i = 0; i < CHUNK; i++) pattern[i] = (i * 31 + 7) & 0xff;
  let left = bytes;
  return Readable.from(
    (function* () {
      while (left > 0) {
        const n = Math.min(CHUNK, left);
        left -= n;
        yield n === CHUNK ? pattern : pattern.subarray(0, n);
      }
    })(),
    { objectMode: false },
  );
}
function wholeBuffer(bytes) {
  const buffer = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i += CHUNK) buffer.fill((i / CHUNK) & 0xff, i, Math.min(bytes, i + CHUNK));
  return buffer;
}

const kib = (field) =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;

async function measure(transfer) {
  // settle what loading the modules allocated, then reset the kernel's peak-RSS mark to "now"
  globalThis.gc?.();
  let hwmReset = true;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    hwmReset = false;
  }
  const before = process.memoryUsage.rss();
  let sampledPeak = before;
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
  }, 10);
  const started = Date.now();
  const moved = await transfer();
  const ms = Date.now() - started;
  clearInterval(sampler);
  sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
  const hwm = kib('VmHWM');
  const peak = hwmReset ? Math.max(hwm, sampledPeak) : sampledPeak;
  return {
    mode,
    bytes: moved,
    ms,
    rssBeforeMiB: before / MiB,
    peakRssMiB: peak / MiB,
    growthMiB: (peak - before) / MiB,
    sampledGrowthMiB: (sampledPeak - before) / MiB,
    hwmReset,
  };
}

async function coreClient(options = {}) {
  const { createNodeClient } = await import('../../packages/core/dist/node.js');
  const client = createNodeClient({
    baseUrl: emu.url,
    auth: { user: alice.user, appPassword: alice.appPassword },
    ...options,
  });
  await client.taskTypes(); // open the keep-alive connection before measuring
  return client;
}

async function nodeRed(node) {
  const require = requireFrom('node-red-nodes');
  const { nodeRedPackage } = require('./scripts/runtime.js');
  const helper = require('node-red-node-test-helper');
  helper.init(require.resolve(nodeRedPackage()));
  // where the package says its nodes are (built to dist/)
  const files = require('./package.json')['node-red'].nodes;
  const nodes = ['f7cloud-server', 'f7cloud-file'].map((n) => require(`./${files[n]}`));
  await helper.load(
    nodes,
    [
      { id: 'tab', type: 'tab', label: 'bench' },
      { id: 'srv', type: 'f7cloud-server', url: emu.url, rejectUnauthorized: true, ca: '' },
      { id: 'n1', z: 'tab', type: 'f7cloud-file', server: 'srv', wires: [['out']], ...node },
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper' },
    ],
    { srv: { user: alice.user, appPassword: alice.appPassword } },
  );
  const send = (msg) =>
    new Promise((resolve, reject) => {
      helper.getNode('out').once('input', resolve);
      helper.getNode('caught').once('input', (m) => reject(new Error(m.error?.message ?? 'flow error')));
      helper.getNode('n1').receive(msg);
    });
  return { helper, send };
}

const modes = {
  async 'core-upload'() {
    const client = await coreClient();
    let fileId;
    const out = await measure(async () => {
      ({ fileId } = await client.files.uploadInput(generated(size), { filename: 'big.bin', size }));
      return size;
    });
    client.close();
    return { ...out, fileId };
  },
  async 'core-chunked-upload'() {
    const client = await coreClient();
    let fileId;
    const out = await measure(async () => {
      ({ fileId } = await client.files.upload(`/bench/chunked-${process.pid}.bin`, generated(size), {
        size,
      }));
      return size;
    });
    client.close();
    return { ...out, fileId };
  },
  async 'naive-upload'() {
    const client = await coreClient();
    let fileId;
    const out = await measure(async () => {
      const data = wholeBuffer(size);
      ({ fileId } = await client.files.uploadInput(data, { filename: 'big.bin' }));
      return data.byteLength;
    });
    client.close();
    return { ...out, fileId };
  },
  async 'core-download'() {
    const client = await coreClient();
    const out = await measure(async () => {
      const file = await client.tasks.downloadOutputFile(args.taskId, args.fileId, { stream: true });
      let bytes = 0;
      for await (const chunk of file.stream) bytes += chunk.byteLength;
      return bytes;
    });
    client.close();
    return out;
  },
  async 'raw-upload'() {
    // the floor: node:http posting the same multipart body to the same route, no client library
    const http = await import('node:http');
    const agent = new http.Agent({ keepAlive: true });
    const boundary = '----floor';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="data"; filename="big.bin"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const headers = {
      Authorization: `Basic ${Buffer.from(`${alice.user}:${alice.appPassword}`).toString('base64')}`,
      'OCS-APIRequest': 'true',
      Accept: 'application/json',
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
      'Content-Length': String(head.byteLength + size + tail.byteLength),
    };
    let fileId;
    const post = () =>
      new Promise((resolve, reject) => {
        const req = http.request(
          `${emu.url}/ocs/v2.php/apps/assistant/api/v1/input-file`,
          { method: 'POST', agent, headers },
          async (res) => {
            let text = '';
            for await (const chunk of res) text += chunk;
            if (res.statusCode !== 200) return reject(new Error(`the upload answered ${res.statusCode}`));
            fileId = JSON.parse(text).ocs.data.fileId;
            resolve(size);
          },
        );
        req.on('error', reject);
        const source = Readable.from(
          (async function* () {
            yield head;
            yield* generated(size);
            yield tail;
          })(),
        );
        source.pipe(req);
      });
    const out = await measure(post);
    agent.destroy();
    return { ...out, fileId };
  },
  async 'raw-download'() {
    // the floor: node:http streaming the same route into nothing, no client library
    const http = await import('node:http');
    const agent = new http.Agent({ keepAlive: true });
    const url = `${emu.url}/ocs/v2.php/apps/assistant/api/v1/task/${args.taskId}/output-file/${args.fileId}/download`;
    const headers = {
      Authorization: `Basic ${Buffer.from(`${alice.user}:${alice.appPassword}`).toString('base64')}`,
      'OCS-APIRequest': 'true',
    };
    const get = () =>
      new Promise((resolve, reject) => {
        http
          .get(url, { agent, headers }, async (res) => {
            let bytes = 0;
            for await (const chunk of res) bytes += chunk.byteLength;
            resolve(res.statusCode === 200 ? bytes : -res.statusCode);
          })
          .on('error', reject);
      });
    const out = await measure(get);
    agent.destroy();
    return out;
  },
  async 'naive-download'() {
    // the baseline reads the whole file into memory, past core's default cap for buffered answers (512 MiB)
    const client = await coreClient({ maxResponseBytes: { binary: size + 1024 * 1024 } });
    const out = await measure(async () => {
      const file = await client.tasks.downloadOutputFile(args.taskId, args.fileId);
      return file.data.byteLength;
    });
    client.close();
    return out;
  },
  async 'nodered-upload'() {
    const { helper, send } = await nodeRed({ operation: 'uploadInput', filename: 'big.bin' });
    let fileId;
    const out = await measure(async () => {
      // a flow's msg.payload is a Buffer: the node takes no stream
      const msg = await send({ payload: wholeBuffer(size) });
      fileId = msg.fileId;
      return size;
    });
    await helper.unload();
    return { ...out, fileId };
  },
  async 'nodered-upload-stream'() {
    const { helper, send } = await nodeRed({ operation: 'uploadInput', filename: 'big.bin' });
    let fileId;
    const out = await measure(async () => {
      const msg = await send({ payload: generated(size), size });
      fileId = msg.fileId;
      return size;
    });
    await helper.unload();
    return { ...out, fileId };
  },
  async 'nodered-download-stream'() {
    const { helper, send } = await nodeRed({ operation: 'download', stream: true });
    const out = await measure(async () => {
      const msg = await send({ fileId: args.fileId });
      if (
        !msg.payload ||
        typeof msg.payload[Symbol.asyncIterator] !== 'function' ||
        Buffer.isBuffer(msg.payload)
      )
        throw new Error('the file node handed on no stream: it does not support "Output as stream"');
      let bytes = 0;
      for await (const chunk of msg.payload) bytes += chunk.length;
      return bytes;
    });
    await helper.unload();
    return out;
  },
  async 'nodered-download'() {
    const { helper, send } = await nodeRed({ operation: 'download' });
    const out = await measure(async () => {
      const msg = await send({ fileId: args.fileId });
      return msg.payload.length;
    });
    await helper.unload();
    return out;
  },
};

if (!modes[mode]) throw new Error(`unknown mode "${mode}"; use one of ${Object.keys(modes).join(', ')}`);
try {
  const out = await modes[mode]();
  process.stdout.write(`${JSON.stringify(out)}\n`);
} catch (error) {
  // e.g. a Node-RED file node without stream support: reported as a missed figure, not a crash
  process.stdout.write(`${JSON.stringify({ mode, failed: error.message })}\n`);
}
process.exit(0);
