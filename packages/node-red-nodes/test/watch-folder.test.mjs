// f7cloud-watch-folder in the real Node-RED runtime against the emulator: each new or changed file once,
// our own file-action outputs skipped, and across a restart with a file-backed context store nothing
// repeated and nothing missed.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { helper, ALL_NODES, startTestEmulator, require, USER, APP_PASSWORD } from './support/harness.mjs';

const { createNodeClient } = require('@f7cloud/assistant-client/node');

let emulator;
let client;
let received;
let errors;
let dir;
beforeEach(async () => {
  emulator = await startTestEmulator();
  client = createNodeClient({ baseUrl: emulator.url, auth: { user: USER, appPassword: APP_PASSWORD } });
  received = [];
  errors = [];
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'watch-folder-'));
  await client.files.upload('/Inbox/readme.txt', 'the folder exists before the watch starts');
});
afterEach(async () => {
  await helper._redNodes.stopFlows();
  await helper._context.close(); // flushes the file store before its folder goes
  // back to memory-only stores, so the helper's cleanup does not read the folder while it is removed
  helper._context.init(helper.settings({ contextStorage: undefined }));
  await helper.unload();
  client.close();
  await emulator.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const flowOf = (props, url = emulator.url) => [
  { id: 'tab', type: 'tab', label: 'test' },
  { id: 'srv', type: 'f7cloud-server', url, rejectUnauthorized: true, ca: '' },
  {
    id: 'n1',
    z: 'tab',
    type: 'f7cloud-watch-folder',
    server: 'srv',
    folder: '/Inbox',
    interval: 1,
    wires: [['out']],
    ...props,
  },
  { id: 'out', z: 'tab', type: 'helper' },
  { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
  { id: 'caught', z: 'tab', type: 'helper' },
];

/** Starts Node-RED with a `file` (localfilesystem) context store in `dir`, then deploys the watch. */
async function startRuntime(props = {}, url = undefined) {
  helper.settings({
    contextStorage: {
      default: { module: 'memory' },
      file: { module: 'localfilesystem', config: { dir, flushInterval: 0 } },
    },
  });
  // (a Catch node in the first flow makes the helper register its type)
  await helper.load(ALL_NODES, [
    { id: 'tab', type: 'tab', label: 'test' },
    { id: 'c0', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [[]] },
  ]);
  // the helper does not load the configured stores itself, as Node-RED's start does
  await helper._context.load();
  await helper._redNodes.setFlows(
    flowOf(props, url),
    { srv: { user: USER, appPassword: APP_PASSWORD } },
    'full',
  );
  await expect.poll(() => helper.getNode('out'), { timeout: 5000 }).toBeTruthy();
  helper.getNode('out').on('input', (msg) => received.push(msg));
  helper.getNode('caught').on('input', (msg) => errors.push(msg.error.message));
}

/** Stops the runtime as a Node-RED shutdown does: flows stopped, context stores flushed and closed. */
async function stopRuntime() {
  await helper._redNodes.stopFlows();
  await helper._context.close();
  await helper.unload();
}

/** Waits until a few polls found nothing more to send. */
async function settle(count) {
  await expect.poll(() => received.length, { timeout: 15_000 }).toBe(count);
  await sleep(3500);
  expect(received).toHaveLength(count);
  expect(errors).toEqual([]);
}

const put = (name, text) => client.files.upload(`/Inbox/${name}`, text);

describe('f7cloud-watch-folder', () => {
  it('sends each of many files once, a changed file again once, and skips our own outputs', async () => {
    await put('before.pdf', 'there before the watch');
    await startRuntime();
    await sleep(1500); // the first look notes what is there
    const names = Array.from({ length: 12 }, (_, i) => `doc ${i}.pdf`);
    for (const name of names) await put(name, `content of ${name}`);
    await put('doc 0 - summarized.md', 'a summary the file action wrote');
    await settle(12);
    expect(received.map((m) => m.payload.name).sort()).toEqual([...names].sort());
    const first = received.find((m) => m.payload.name === 'doc 0.pdf');
    expect(first.payload).toMatchObject({ path: '/Inbox/doc 0.pdf', size: 'content of doc 0.pdf'.length });
    expect(first.payload.fileId).toBeGreaterThan(0);
    expect(first.payload.etag).toBeTruthy();
    expect(first.filename).toBe('doc 0.pdf');
    expect(first.topic).toBe('added');

    await put('doc 3.pdf', 'a longer, changed content of doc 3');
    await settle(13);
    expect(received[12].payload).toMatchObject({
      name: 'doc 3.pdf',
      fileId: received.find((m) => m.payload.name === 'doc 3.pdf').payload.fileId,
    });
    expect(received[12].topic).toBe('changed');
    expect(received[12].payload.size).toBe('a longer, changed content of doc 3'.length);
  }, 60_000);

  it('waits while a file is still growing and sends it once, with its final size', async () => {
    // looks 2 s apart, writes about 0.3 s apart: a stall of the machine would have to last 2 s to fool it
    await startRuntime({ interval: 2 });
    await sleep(2500);
    // the file changes faster than the watch looks, so no two looks in a row see the same size
    let content = 'x';
    for (let i = 0; i < 6; i++) {
      content += 'more bytes '.repeat(i + 1);
      await put('recording.mp3', content);
      await sleep(300);
    }
    await settle(1);
    expect(received[0].payload.size).toBe(content.length);
  }, 60_000);

  it('neither repeats nor misses a file across a Node-RED restart with a file-backed context store', async () => {
    await startRuntime({ contextStore: 'file' });
    await sleep(1500);
    await put('one.pdf', 'first');
    await settle(1);
    await stopRuntime();

    await put('two.pdf', 'arrived while Node-RED was down');
    received = [];
    await startRuntime({ contextStore: 'file' });
    await settle(1);
    expect(received[0].payload.name).toBe('two.pdf');
  }, 60_000);

  it('a folder gone for a while (a 404 from the file server) replays nothing when it is back', async () => {
    await put('kept.pdf', 'there all along');
    // in front of the emulator: while `gone`, listing /Inbox answers what the server answers for a
    // folder that does not exist (the emulator's own 404 for another path)
    let gone = false;
    const target = new URL(emulator.url);
    const proxy = http.createServer((req, res) => {
      const missing = gone && req.method === 'PROPFIND' && req.url.includes('/Inbox');
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: missing ? req.url.replace('/Inbox', '/Not-there') : req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      await startRuntime({}, `http://127.0.0.1:${proxy.address().port}`);
      const watch = helper.getNode('n1');
      const shown = [];
      const status = watch.status.bind(watch);
      watch.status = (s) => (shown.push(s.text), status(s));
      await sleep(1500); // the first look notes what is there
      await put('new.pdf', 'arrives before the folder goes');
      await settle(1);
      gone = true;
      await expect.poll(() => shown.at(-1), { timeout: 5000 }).toBe('waiting for the folder /Inbox to exist');
      await sleep(2500); // a few looks at the missing folder
      gone = false;
      await put('later.pdf', 'arrives once it is back');
      await settle(2);
      expect(received.map((m) => m.payload.name)).toEqual(['new.pdf', 'later.pdf']);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  }, 60_000);
});
