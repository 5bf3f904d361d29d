// f7cloud-task in the real Node-RED runtime against the emulator.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import {
  helper,
  loadNode,
  send,
  startTestEmulator,
  statuses,
  require,
  APP_PASSWORD,
} from './support/harness.mjs';

const { APP_PASSWORD_ADVICE } = require('@f7cloud/assistant-client');

let emulator;
beforeEach(async () => {
  emulator = await startTestEmulator();
});
afterEach(async () => {
  await helper.unload();
  await emulator.close();
});

const task = (props) => ({ type: 'f7cloud-task', ...props });

describe('f7cloud-task: run', () => {
  it('summarizes msg.payload and shows waiting for pickup, then done, on its badge', async () => {
    emulator.control.setProvider('core:text2text:summary', { pickupMs: 600, runMs: 300 });
    await loadNode(emulator.url, task({ operation: 'run', taskType: 'core:text2text:summary' }));
    const { msg, error } = await send({ payload: 'Node-RED wires flows.\nSecond line.', topic: 'keep me' });
    expect(error).toBeUndefined();
    expect(msg.payload).toBe('This is a fake summary: Node-RED wires flows.');
    expect(msg.topic).toBe('keep me');
    expect(msg.taskId).toBe(msg.assistant.id);
    expect(msg.assistant.status).toBe('STATUS_SUCCESSFUL');
    const shown = statuses();
    expect(shown).toContainEqual({ fill: 'yellow', shape: 'ring', text: 'waiting for pickup' });
    expect(shown.at(-1)).toEqual({ fill: 'green', shape: 'dot', text: 'done' });
  });

  it('takes the task type and typed inputs from msg and the editor fields', async () => {
    await loadNode(
      emulator.url,
      task({ operation: 'run', taskType: '', taskInputs: { origin_language: 'en', target_language: 'de' } }),
    );
    const { msg, error } = await send({
      taskType: 'core:text2text:translate',
      input: { input: 'Good morning' },
    });
    expect(error).toBeUndefined();
    expect(msg.payload).toMatch(/^Fake translation from English.* to Deutsch.*: Good morning/);
    expect(msg.assistant.input).toMatchObject({
      input: 'Good morning',
      origin_language: 'en',
      target_language: 'de',
    });
  });

  it('returns the task id at once when told not to wait', async () => {
    emulator.control.setProvider('core:text2text:summary', { pickupMs: 60_000 });
    await loadNode(emulator.url, task({ operation: 'run', taskType: 'core:text2text:summary', wait: false }));
    const { msg } = await send({ payload: 'later' });
    expect(typeof msg.payload).toBe('number');
    expect(msg.taskId).toBe(msg.payload);
    expect(emulator.control.tasks().map((t) => t.id)).toContain(msg.payload);
  });

  it('names the task types the server has when the type is unknown', async () => {
    await loadNode(emulator.url, task({ operation: 'run', taskType: 'core:nothing' }));
    const { error, msg } = await send({ payload: 'x', keep: 1 });
    expect(error.message).toContain('The server has no task type "core:nothing"');
    expect(error.message).toContain('core:text2text:summary');
    expect(msg.keep).toBe(1);
    expect(msg.assistantError.code).toBe('invalid_input');
  });

  it('says which input is missing and where to put it', async () => {
    await loadNode(emulator.url, task({ operation: 'run', taskType: 'core:text2text:translate' }));
    const { error } = await send({ payload: 'Hallo' });
    expect(error.message).toMatch(/needs input "(origin_language|target_language)"/);
    expect(error.message).toContain('msg.input.');
  });

  it('reaches the Catch node with task_failed when the provider fails', async () => {
    emulator.control.setProvider('core:text2text:summary', { fail: 'model overloaded' });
    await loadNode(emulator.url, task({ operation: 'run', taskType: 'core:text2text:summary' }));
    const { error, msg } = await send({ payload: 'x' });
    expect(error.message).toMatch(/Task \d+ \(core:text2text:summary\) failed/);
    expect(msg.assistantError).toMatchObject({ code: 'task_failed', retryable: false });
    expect(statuses().at(-1)).toMatchObject({ fill: 'red', shape: 'ring' });
  });

  it('uploads a Buffer payload for a file input and returns the output file id', async () => {
    await loadNode(emulator.url, task({ operation: 'run', taskType: 'core:audio2text' }));
    const { msg, error } = await send({ payload: Buffer.from('RIFF....WAVEfmt '), filename: 'memo.wav' });
    expect(error).toBeUndefined();
    expect(msg.payload).toBe('Fake transcription result');
    const uploaded = emulator.control.files().find((f) => f.path && f.path.endsWith('memo.wav'));
    expect(uploaded).toBeTruthy();
    expect(msg.assistant.input.input).toBe(uploaded.id);
  });

  it('rejects a wrong app password with a hint and without echoing any password', async () => {
    await loadNode(emulator.url, task({ operation: 'getTypes' }), { appPassword: 'wrong-password-123' });
    const { error, msg } = await send({ payload: 1 });
    // core's one wording: the cause, then where an app password comes from; nothing about the URL
    expect(error.message).toContain('the server rejected the login (user name or app password).');
    expect(error.message).toContain(APP_PASSWORD_ADVICE);
    expect(error.message).not.toContain('does not answer like');
    expect(msg.assistantError).toMatchObject({
      code: 'auth',
      status: 401,
      sent: true,
      summary: expect.stringContaining('the server rejected the login'),
      hint: APP_PASSWORD_ADVICE,
    });
    expect(JSON.stringify(msg)).not.toContain('wrong-password-123');
    expect(JSON.stringify(statuses())).not.toContain('wrong-password-123');
  });

  it('stops waiting as soon as the flow is stopped, and sends nothing afterwards', async () => {
    emulator.control.setProvider('core:text2text:summary', { pickupMs: 120_000 });
    await loadNode(emulator.url, task({ operation: 'run', taskType: 'core:text2text:summary' }));
    const out = helper.getNode('out');
    const caught = helper.getNode('caught');
    let delivered = 0;
    out.on('input', () => delivered++);
    caught.on('input', () => delivered++);
    helper.getNode('n1').receive({ payload: 'never picked up' });
    await expect
      .poll(() => statuses().some((s) => s.text === 'waiting for pickup'), { timeout: 5000 })
      .toBe(true);
    const started = Date.now();
    await helper.clearFlows();
    expect(Date.now() - started).toBeLessThan(2000);
    const requestsAfterStop = emulator.control.requests().length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(emulator.control.requests().length).toBe(requestsAfterStop);
    expect(delivered).toBe(0);
  });
});

describe('f7cloud-task: other operations', () => {
  async function finishedTask(type = 'core:text2text:summary', input = { input: 'Some text' }) {
    await loadNode(emulator.url, task({ operation: 'run', taskType: type }));
    const { msg } = await send({ input });
    await helper.unload();
    return msg;
  }

  it('gets one task by msg.taskId, and many tasks by type', async () => {
    const done = await finishedTask();
    await loadNode(emulator.url, task({ operation: 'get' }));
    const { msg } = await send({ taskId: done.taskId });
    expect(msg.payload).toMatchObject({ id: done.taskId, status: 'STATUS_SUCCESSFUL' });
    await helper.unload();
    await loadNode(emulator.url, task({ operation: 'getMany', taskType: 'core:text2text:summary' }));
    const many = await send({});
    expect(many.msg.payload.map((t) => t.id)).toContain(done.taskId);
    expect(many.msg.payload.every((t) => t.type === 'core:text2text:summary')).toBe(true);
  });

  it('reads ids where the TypedInput points: a msg property, a fixed number, flow context', async () => {
    const done = await finishedTask();
    await loadNode(emulator.url, task({ operation: 'get', taskId: 'job.task', taskIdType: 'msg' }));
    const fromMsg = await send({ job: { task: done.taskId } });
    expect(fromMsg.msg.payload).toMatchObject({ id: done.taskId });
    // (one node per outcome: the helper's listeners do not mix an output and a Catch on one node)
    await helper.unload();
    await loadNode(emulator.url, task({ operation: 'get', taskId: 'job.task', taskIdType: 'msg' }));
    const missing = await send({ taskId: done.taskId });
    expect(missing.error.message).toContain('send it as msg.job.task; nothing was sent');
    await helper.unload();
    await loadNode(emulator.url, task({ operation: 'get', taskId: String(done.taskId), taskIdType: 'num' }));
    expect((await send({ taskId: 999999 })).msg.payload).toMatchObject({ id: done.taskId });
    await helper.unload();
    await loadNode(emulator.url, task({ operation: 'get', taskId: 'lastTask', taskIdType: 'flow' }));
    helper.getNode('n1').context().flow.set('lastTask', done.taskId);
    expect((await send({})).msg.payload).toMatchObject({ id: done.taskId });
  });

  it('lists the task types', async () => {
    await loadNode(emulator.url, task({ operation: 'getTypes' }));
    const { msg } = await send({});
    const ids = msg.payload.map((t) => t.id);
    expect(ids).toContain('core:text2text:summary');
    expect(ids).toContain('core:text2image');
  });

  it('cancels a waiting task and deletes a task', async () => {
    emulator.control.setProvider('core:text2text:summary', { pickupMs: 120_000 });
    await loadNode(emulator.url, task({ operation: 'run', taskType: 'core:text2text:summary', wait: false }));
    const scheduled = await send({ payload: 'cancel me' });
    await helper.unload();
    await loadNode(emulator.url, task({ operation: 'cancel', taskId: String(scheduled.msg.taskId) }));
    await send({});
    const cancelled = emulator.control.tasks().find((t) => t.id === scheduled.msg.taskId);
    expect(cancelled.status).toBe('STATUS_CANCELLED');
    await helper.unload();
    await loadNode(emulator.url, task({ operation: 'delete' }));
    await send({ taskId: scheduled.msg.taskId });
    expect(emulator.control.tasks().find((t) => t.id === scheduled.msg.taskId)).toBeUndefined();
  });

  it('sets, reads and cancels a notification', async () => {
    emulator.control.setProvider('core:text2text:summary', { pickupMs: 120_000 });
    await loadNode(emulator.url, task({ operation: 'run', taskType: 'core:text2text:summary', wait: false }));
    const { msg: scheduled } = await send({ payload: 'notify me' });
    for (const [operation, check] of [
      ['setNotification', () => expect(emulator.control.notifyRecords()).toHaveLength(1)],
      ['getNotification', (m) => expect(m.payload.ocp_task_id).toBe(scheduled.taskId)],
      ['cancelNotification', () => expect(emulator.control.notifyRecords()).toHaveLength(0)],
    ]) {
      await helper.unload();
      await loadNode(emulator.url, task({ operation }));
      const { msg, error } = await send({ taskId: scheduled.taskId });
      expect(error).toBeUndefined();
      check(msg);
    }
  });

  it('downloads, previews, saves and shares an output image', async () => {
    const done = await finishedTask('core:text2image', { input: 'a red fox', numberOfImages: 1 });
    expect(typeof done.fileId).toBe('number');
    await loadNode(emulator.url, task({ operation: 'downloadOutputFile' }));
    const download = await send({ taskId: done.taskId, fileId: done.fileId });
    expect(Buffer.isBuffer(download.msg.payload)).toBe(true);
    expect(download.msg.payload.subarray(1, 4).toString()).toBe('PNG');
    expect(download.msg.contentType).toBe('image/png');
    expect(download.msg.filename).toBe(`${done.taskId}-${done.fileId}`);
    await helper.unload();

    await loadNode(emulator.url, task({ operation: 'previewOutputFile', width: '64', height: '64' }));
    const preview = await send({ taskId: done.taskId, fileId: done.fileId });
    expect(preview.msg.payload.subarray(1, 4).toString()).toBe('PNG');
    await helper.unload();

    await loadNode(emulator.url, task({ operation: 'saveOutputFile' }));
    const saved = await send({ taskId: done.taskId, fileId: done.fileId });
    expect(saved.msg.payload.path).toMatch(/^\//);
    expect(typeof saved.msg.fileId).toBe('number');
    await helper.unload();

    await loadNode(emulator.url, task({ operation: 'shareOutputFile' }));
    const shared = await send({ taskId: done.taskId, fileId: done.fileId });
    expect(shared.msg.payload).toMatch(new RegExp(`^${emulator.url}/s/\\w+`));
  });

  it('says where to put a missing task id, and that nothing was sent', async () => {
    await loadNode(emulator.url, task({ operation: 'get' }));
    const { error, msg } = await send({});
    expect(error.message).toContain(
      'Task ID is missing: set it in the node or send it as msg.taskId; nothing was sent',
    );
    expect(msg.assistantError).toMatchObject({ code: 'invalid_input', sent: false });
  });

  it('refuses an id that is not a positive whole number before sending anything', async () => {
    await loadNode(emulator.url, task({ operation: 'get' }));
    emulator.control.clearRequests();
    for (const taskId of [1.5, '0', -3, 'abc']) {
      const { error, msg } = await send({ taskId });
      expect(error.message).toContain(
        `Task ID must be a positive whole number, got "${taskId}"; nothing was sent`,
      );
      expect(msg.assistantError).toMatchObject({ code: 'invalid_input', sent: false });
    }
    expect(emulator.control.requests()).toEqual([]);
  });

  it('checks the timeout before any request, and says a missing input sent nothing', async () => {
    await loadNode(emulator.url, task({ operation: 'run', taskType: 'core:audio2text', timeout: -1 }));
    emulator.control.clearRequests();
    const early = await send({ payload: Buffer.from('RIFF....WAVEfmt '), filename: 'early.wav' });
    expect(early.error.message).toContain(
      'The timeout must be a positive number of seconds, got -1; nothing was sent',
    );
    expect(emulator.control.requests()).toEqual([]);
    await helper.unload();

    await loadNode(emulator.url, task({ operation: 'run', taskType: 'core:text2text:translate' }));
    const missing = await send({ input: { origin_language: 'de' }, payload: Buffer.from('Hallo') });
    expect(missing.error.message).toMatch(/needs input "target_language".*; nothing was sent/);
  });

  it('keeps the password out of everything it emits', async () => {
    await loadNode(emulator.url, task({ operation: 'getTypes' }));
    const { msg } = await send({});
    expect(JSON.stringify(msg)).not.toContain(APP_PASSWORD);
  });
});
