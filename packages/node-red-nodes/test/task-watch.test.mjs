// f7cloud-task-watch in the real Node-RED runtime against the emulator: one message per finished task,
// none repeated and none missed across redeploys and stops of the flow.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { helper, loadNode, startTestEmulator, require, USER, APP_PASSWORD } from './support/harness.mjs';

const { createNodeClient } = require('@f7cloud/assistant-client/node');

let emulator;
let client;
let received;
beforeEach(async () => {
  emulator = await startTestEmulator();
  client = createNodeClient({ baseUrl: emulator.url, auth: { user: USER, appPassword: APP_PASSWORD } });
  received = [];
});
afterEach(async () => {
  await helper.unload();
  client.close();
  await emulator.close();
});

const watch = (props) => ({
  type: 'f7cloud-task-watch',
  interval: 1,
  successful: true,
  failed: true,
  cancelled: false,
  ...props,
});
const runTask = (text, type = 'core:text2text:summary') => client.tasks.run({ type, input: { input: text } });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function start(props) {
  const node = await loadNode(emulator.url, watch(props));
  helper.getNode('out').on('input', (msg) => received.push(msg));
  return node;
}

/** A full deploy of the same flow, as the editor's Deploy button does (the helper's own setFlows races). */
async function redeploy(props) {
  await helper._redNodes.setFlows(flowOf(props), { srv: { user: USER, appPassword: APP_PASSWORD } }, 'full');
  // after a stop the runtime keeps flows stopped until started again, as after a Node-RED restart
  if (!helper.getNode('out')) await helper._redNodes.startFlows();
  await expect.poll(() => helper.getNode('out'), { timeout: 5000 }).toBeTruthy();
  helper.getNode('out').on('input', (msg) => received.push(msg));
}

function flowOf(props) {
  return [
    { id: 'tab', type: 'tab', label: 'test' },
    { id: 'srv', type: 'f7cloud-server', url: emulator.url, rejectUnauthorized: true, ca: '' },
    { id: 'n1', z: 'tab', server: 'srv', wires: [['out']], ...watch(props) },
    { id: 'out', z: 'tab', type: 'helper' },
  ];
}

describe('f7cloud-task-watch', () => {
  it('reports only tasks that finish after its first start, each once', async () => {
    const before = await runTask('finished before the watch started');
    await start({});
    await sleep(1300);
    const after = await runTask('finished while watching');
    await expect.poll(() => received.length, { timeout: 5000 }).toBe(1);
    await sleep(2200); // two more polls: nothing new
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      taskId: after.id,
      topic: 'successful',
      taskType: 'core:text2text:summary',
    });
    expect(received[0].payload).toBe('This is a fake summary: finished while watching');
    expect(received.map((m) => m.taskId)).not.toContain(before.id);
  });

  it('neither repeats nor misses a task across a redeploy and a stop of the flow', async () => {
    await start({});
    await sleep(1300);
    const first = await runTask('one');
    await expect.poll(() => received.length, { timeout: 5000 }).toBe(1);

    await redeploy({});
    await sleep(2200);
    expect(received.map((m) => m.taskId)).toEqual([first.id]);

    await helper.clearFlows();
    const whileStopped = await runTask('finished while the flow was stopped');
    await redeploy({});
    await expect.poll(() => received.length, { timeout: 5000 }).toBe(2);
    await sleep(2200);
    expect(received.map((m) => m.taskId)).toEqual([first.id, whileStopped.id]);
  });

  it('takes over the list of seen ids an earlier version stored, repeating and missing nothing', async () => {
    const done = [await runTask('done before'), await runTask('also done before')];
    await start({});
    await sleep(1300);
    const global = helper.getNode('n1').context().global;
    await helper.clearFlows();
    // the form earlier versions kept: every finished task listed so far
    global.set('f7cloudTaskWatch_n1', { seen: done.map((task) => task.id) });
    const later = await runTask('finished after the update');
    await redeploy({});
    await expect.poll(() => received.length, { timeout: 5000 }).toBe(1);
    await sleep(2200);
    expect(received.map((m) => m.taskId)).toEqual([later.id]);
  });

  it('filters by task type and by how the task ended', async () => {
    emulator.control.setProvider('core:text2text:headline', { fail: 'no model' });
    await start({ taskType: 'core:text2text:headline', successful: false, failed: true });
    await sleep(1300);
    await runTask('a summary, not watched');
    await runTask('a failing headline', 'core:text2text:headline').catch((err) => err);
    await expect.poll(() => received.length, { timeout: 5000 }).toBe(1);
    await sleep(1200);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ topic: 'failed', taskType: 'core:text2text:headline' });
  });

  it('can emit tasks that finished before its first start', async () => {
    const before = await runTask('already done');
    await start({ emitExisting: true });
    await expect.poll(() => received.length, { timeout: 5000 }).toBe(1);
    expect(received[0].taskId).toBe(before.id);
  });

  it('shows the error on its badge and reports it to Catch nodes when the server refuses', async () => {
    const flow = flowOf({});
    flow.push({ id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] });
    flow.push({ id: 'caught', z: 'tab', type: 'helper' });
    await helper.load((await import('./support/harness.mjs')).ALL_NODES, flow, {
      srv: { user: USER, appPassword: 'not-the-password' },
    });
    const caught = await new Promise((resolve) => helper.getNode('caught').once('input', resolve));
    expect(caught.assistantError.code).toBe('auth');
    expect(caught.error.message).toContain('the server rejected the login (user name or app password)');
    expect(caught.assistantError).toMatchObject({ sent: true, status: 401 });
    expect(JSON.stringify(caught)).not.toContain('not-the-password');
  });
});
