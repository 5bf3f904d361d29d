// f7cloud-task with many messages at once (queue, concurrency limit, learned waiting) and "wake on webhook"
// waits, in the real Node-RED runtime against the emulator. The callback route is served by Node-RED's own
// HTTP node app (RED.httpNode) behind a real HTTP server on 127.0.0.1.
import http from 'node:http';
import { describe, it, expect, afterEach } from 'vitest';
import { helper, ALL_NODES, USER, APP_PASSWORD, startTestEmulator, statuses } from './support/harness.mjs';

let emulator;
let callbackServer;
let httpNode;
afterEach(async () => {
  await helper.unload();
  await emulator?.close();
  emulator = undefined;
  if (callbackServer) await new Promise((resolve) => callbackServer.close(resolve));
  callbackServer = undefined;
  httpNode = undefined;
});

/** A server on 127.0.0.1 answering with Node-RED's HTTP node app, as Node-RED's own server does. */
async function startCallbackServer() {
  const server = http.createServer((req, res) => {
    if (!httpNode) {
      res.statusCode = 503;
      return res.end();
    }
    httpNode(req, res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  callbackServer = server;
  return `http://127.0.0.1:${server.address().port}`;
}

/** A port nothing listens on: callbacks to it are lost. */
async function closedPort() {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const captureHttpNode = (RED) => {
  httpNode = RED.httpNode;
};

async function load(task, server = {}) {
  const flow = [
    { id: 'tab', type: 'tab', label: 'test' },
    { id: 'srv', type: 'f7cloud-server', url: emulator.url, ...server },
    { id: 'n1', z: 'tab', type: 'f7cloud-task', server: 'srv', wires: [['out']], ...task },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
  await helper.load([...ALL_NODES, captureHttpNode], flow, {
    srv: { user: USER, appPassword: APP_PASSWORD },
  });
  return helper.getNode('n1');
}

/** Sends every message into n1 at once and collects what comes out (outputs and caught errors). */
function sendAll(messages, timeoutMs) {
  const out = helper.getNode('out');
  const caught = helper.getNode('caught');
  const got = [];
  const errors = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${got.length} outputs and ${errors.length} errors in time`)),
      timeoutMs,
    );
    const check = () => {
      if (got.length + errors.length === messages.length) {
        clearTimeout(timer);
        resolve({ got, errors });
      }
    };
    out.on('input', (m) => {
      got.push(m);
      check();
    });
    caught.on('input', (m) => {
      errors.push(m);
      check();
    });
    for (const msg of messages) helper.getNode('n1').receive(msg);
  });
}

const scheduleRequests = () =>
  emulator.control.requests().filter((r) => r.operationId === 'task_processing_api-schedule');
const taskReads = (id) =>
  emulator.control
    .requests()
    .filter((r) => r.method === 'GET' && r.path.endsWith(`/taskprocessing/task/${id}`));

const globalGet = (key) => helper.getNode('n1').context().global.get(key);

describe('f7cloud-task: many messages at once', () => {
  it('runs a batch with waiting through a queue, at most the node limit at once, none lost or repeated', async () => {
    // one serial worker per type, whole-second timestamps, the real rate limits
    emulator = await startTestEmulator({
      profile: 'realistic',
      pickup: { mode: 'worker', pollMs: 200 },
      providers: { 'core:text2text:summary': { runMs: 400 } },
    });
    await load({ operation: 'run', taskType: 'core:text2text:summary', concurrency: 3, timeout: 120 });
    const count = 10;
    const messages = Array.from({ length: count }, (_, i) => ({ payload: `Document ${i}.`, index: i }));
    const { got, errors } = await sendAll(messages, 90_000);

    expect(errors.map((m) => m.error.message)).toEqual([]);
    expect(got).toHaveLength(count);
    // each message got its own task's result, none twice
    expect(new Set(got.map((m) => m.index)).size).toBe(count);
    for (const m of got) expect(m.payload).toBe(`This is a fake summary: Document ${m.index}.`);
    const ids = got.map((m) => m.taskId);
    expect(new Set(ids).size).toBe(count);
    // on the server: exactly one task per message, and (about) one schedule request per task
    const tasks = emulator.control.tasks().filter((t) => t.type === 'core:text2text:summary');
    expect(tasks).toHaveLength(count);
    expect(scheduleRequests().length / count).toBeLessThanOrEqual(1.05);

    const shown = statuses().map((s) => s.text);
    expect(shown).toContain('3 running, 7 queued, 0 done');
    expect(shown.some((text) => /^4 running/.test(text ?? ''))).toBe(false);
    expect(shown.at(-1)).toBe(`0 running, 0 queued, ${count} done`);

    // what the client learned is kept in context, per config node, for the next deploy
    const timing = globalGet('f7cloudTiming_srv');
    expect(timing.server).toBe(emulator.url);
    expect(timing.types['core:text2text:summary'].run.length).toBeGreaterThan(0);
    const reads = emulator.control
      .requests()
      .filter((r) => r.method === 'GET' && /taskprocessing\/task/.test(r.path));
    console.log(
      `batch of ${count}: ${scheduleRequests().length} schedule requests, ${reads.length} single reads`,
    );
  }, 120_000);

  it('a failing message is reported on its own while the others go on', async () => {
    emulator = await startTestEmulator();
    await load({ operation: 'run', taskType: 'core:text2text:translate', concurrency: 2 });
    const messages = [
      { payload: 'one', input: { origin_language: 'en', target_language: 'de' } },
      { payload: 'two' }, // misses the languages: refused before anything is sent
      { payload: 'three', input: { origin_language: 'en', target_language: 'de' } },
    ];
    const { got, errors } = await sendAll(messages, 30_000);
    expect(got.map((m) => (/: (one|three)\b/.exec(m.payload) ?? [])[1]).sort()).toEqual(['one', 'three']);
    expect(errors).toHaveLength(1);
    expect(errors[0].payload).toBe('two');
    expect(errors[0].error.message).toMatch(/needs input/);
    expect(statuses().at(-1)).toEqual({
      fill: 'yellow',
      shape: 'dot',
      text: '0 running, 0 queued, 2 done, 1 failed',
    });
  });
});

describe('f7cloud-task: wake on webhook', () => {
  it('reads the task once, after the callback: no poll before it, and warns once about a loopback callback URL', async () => {
    emulator = await startTestEmulator({
      providers: { 'core:text2text:summary': { pickupMs: 300, runMs: 700 } },
    });
    const callbackUrl = await startCallbackServer();
    await load(
      { operation: 'run', taskType: 'core:text2text:summary', waitMode: 'webhook', fallbackPoll: 60 },
      { callbackUrl },
    );
    const started = Date.now();
    const { got, errors } = await sendAll([{ payload: 'First.' }, { payload: 'Second.' }], 30_000);
    expect(errors.map((m) => m.error.message)).toEqual([]);
    // long before the 60 s fallback poll
    expect(Date.now() - started).toBeLessThan(20_000);
    for (const m of got) {
      expect(m.payload).toMatch(/^This is a fake summary: (First|Second)\.$/);
      expect(m.assistant.status).toBe('STATUS_SUCCESSFUL');
      // the callback only woke the wait: the result is the one read from the server, once
      expect(taskReads(m.taskId)).toHaveLength(1);
    }
    const deliveries = emulator.control.webhooks();
    expect(deliveries).toHaveLength(2);
    for (const d of deliveries) {
      expect(d.uri.startsWith(`${callbackUrl}/f7cloud-assistant/wake/srv/`)).toBe(true);
      expect(d.status).toBe(204);
    }
    // the per-task tokens differ, and each dies with its wait
    expect(new Set(deliveries.map((d) => d.uri)).size).toBe(2);
    const again = await fetch(deliveries[0].uri, { method: 'POST', body: '{}' });
    expect(again.status).toBe(404);
    const warnings = helper
      .getNode('srv')
      .warn.getCalls()
      .filter((c) => c.thisValue === helper.getNode('srv'))
      .map((c) => String(c.args[0]));
    expect(warnings.filter((w) => w.includes('allow_local_remote_servers'))).toHaveLength(1);
  });

  it('a callback with a wrong token wakes nothing', async () => {
    emulator = await startTestEmulator({ providers: { 'core:text2text:summary': { paused: true } } });
    const callbackUrl = await startCallbackServer();
    await load(
      { operation: 'run', taskType: 'core:text2text:summary', waitMode: 'webhook', fallbackPoll: 60 },
      { callbackUrl },
    );
    helper.getNode('n1').receive({ payload: 'Held.' });
    let task;
    for (let i = 0; i < 100 && !task; i++) {
      await new Promise((r) => setTimeout(r, 50));
      task = emulator.control.tasks()[0];
    }
    const uri = task.webhookUri;
    expect(uri).toMatch(/\/wake\/srv\/[0-9a-f]{16}\/[\w-]{43}$/);
    const forged = uri.replace(/[\w-]{43}$/, 'A'.repeat(43));
    expect((await fetch(forged, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${uri}x`, { method: 'POST', body: '{}' })).status).toBe(404);
    await new Promise((r) => setTimeout(r, 300));
    expect(taskReads(task.id)).toHaveLength(0);
  });

  it('a lost callback still ends in a result, through the slow fallback poll', async () => {
    emulator = await startTestEmulator({
      providers: { 'core:text2text:summary': { pickupMs: 100, runMs: 200 } },
    });
    await load(
      { operation: 'run', taskType: 'core:text2text:summary', waitMode: 'webhook', fallbackPoll: 2 },
      { callbackUrl: `http://127.0.0.1:${await closedPort()}` },
    );
    const { got, errors } = await sendAll([{ payload: 'Lost.' }], 30_000);
    expect(errors).toEqual([]);
    expect(got[0].payload).toBe('This is a fake summary: Lost.');
    await emulator.control.idle();
    const [delivery] = emulator.control.webhooks();
    expect(delivery.status).toBeNull();
    expect(delivery.error).toBeTruthy();
    // no fast polling either: one read per fallback period
    expect(taskReads(got[0].taskId).length).toBeLessThanOrEqual(2);
  });

  it('says what is missing when the config node has no callback URL, before sending anything', async () => {
    emulator = await startTestEmulator();
    await load({ operation: 'run', taskType: 'core:text2text:summary', waitMode: 'webhook' });
    const { errors } = await sendAll([{ payload: 'x' }], 10_000);
    expect(errors[0].error.message).toContain('Callback URL');
    expect(errors[0].error.message).toMatch(/nothing was sent/i);
    expect(scheduleRequests()).toHaveLength(0);
  });
});
