import type { RunningEmulator } from '@f7cloud/assistant-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryItem, emulatorCredentials, httpHandler, type Handler } from './support/context';
import { CANARY, emulator, runNode } from './support/run-node';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => await emu.close());

const translate = {
  resource: 'task',
  operation: 'run',
  taskType: 'core:text2text:translate',
  inputs: {
    mappingMode: 'defineBelow',
    value: { input: 'Good morning', origin_language: 'en', target_language: 'de' },
  },
  waitMode: 'wait',
  simplify: true,
  options: { timeout: 30 },
};

async function finishedTask(type: string, input: Record<string, unknown>) {
  const { items } = await runNode(emu, {
    ...translate,
    taskType: type,
    inputs: { mappingMode: 'defineBelow', value: input },
  });
  return items[0]?.json as { taskId: number } & Record<string, unknown>;
}

describe('task: run', () => {
  it('schedules the task with typed inputs, waits, and returns the simplified output', async () => {
    const { items, requests } = await runNode(emu, translate);
    expect(items).toHaveLength(1);
    expect(items[0]?.pairedItem).toEqual({ item: 0 });
    expect(items[0]?.json).toMatchObject({ status: 'STATUS_SUCCESSFUL', taskId: expect.any(Number) });
    expect(String(items[0]?.json.output)).toContain('from English (US) to Deutsch');
    const scheduled = emu.control.tasks().find((t) => t.id === items[0]?.json.taskId);
    expect(scheduled?.input).toMatchObject({
      input: 'Good morning',
      origin_language: 'en',
      target_language: 'de',
    });
    // n8n adds the credential; core never sees or sends the password itself.
    for (const request of requests) {
      expect(JSON.stringify(request.headers)).not.toMatch(/authorization/i);
      expect(JSON.stringify(request)).not.toContain(CANARY);
    }
  });

  it('converts number inputs and turns list-of-image outputs into binary fields', async () => {
    const { items } = await runNode(emu, {
      ...translate,
      taskType: 'core:text2image',
      inputs: { mappingMode: 'defineBelow', value: { input: 'A lighthouse', numberOfImages: '2' } },
    });
    const task = emu.control.tasks().find((t) => t.id === items[0]?.json.taskId);
    expect((task?.input as Record<string, unknown>).numberOfImages).toBe(2);
    expect(Object.keys(items[0]?.binary ?? {}).sort()).toEqual(['images_0', 'images_1']);
    expect(items[0]?.binary?.images_0?.mimeType).toBe('image/png');
    expect(
      Buffer.from(items[0]?.binary?.images_0?.data ?? '', 'base64')
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });

  it('uploads a binary field given for a file input and passes its file id', async () => {
    const { items } = await runNode(
      emu,
      {
        ...translate,
        taskType: 'core:audio2text',
        inputs: { mappingMode: 'defineBelow', value: { input: 'data' } },
      },
      { items: [binaryItem('memo.wav', 'audio/wav', new Uint8Array([82, 73, 70, 70, 1, 2, 3]))] },
    );
    const task = emu.control.tasks().find((t) => t.id === items[0]?.json.taskId);
    expect(typeof (task?.input as Record<string, unknown>).input).toBe('number');
    expect(items[0]?.json.output).toBe('Fake transcription result');
  });

  it('returns the full task object when Simplify is off', async () => {
    const { items } = await runNode(emu, { ...translate, simplify: false });
    expect(items[0]?.json).toMatchObject({
      id: expect.any(Number),
      type: 'core:text2text:translate',
      appId: 'assistant',
    });
    expect(items[0]?.json.output).toEqual({ output: expect.stringContaining('Good morning') });
  });

  it("with Don't Wait returns the scheduled task right away", async () => {
    emu.control.setProvider('core:text2text', { pickupMs: 5_000, runMs: 100 });
    const { items } = await runNode(emu, {
      ...translate,
      taskType: 'core:text2text',
      inputs: { mappingMode: 'defineBelow', value: { input: 'Hi' } },
      waitMode: 'noWait',
    });
    expect(items[0]?.json).toMatchObject({ taskId: expect.any(Number), status: 'STATUS_SCHEDULED' });
    emu.control.setProvider('core:text2text', { pickupMs: 50, runMs: 100 });
  });

  it("with Resume via Webhook registers the execution's resume URL", async () => {
    const { items, hints } = await runNode(emu, { ...translate, waitMode: 'webhook' });
    expect(items[0]?.json.resumeUrl).toBe('https://n8n.example.com/webhook-waiting/4711');
    const task = emu.control.tasks().find((t) => t.id === items[0]?.json.taskId);
    expect(task).toMatchObject({
      webhookUri: 'https://n8n.example.com/webhook-waiting/4711',
      webhookMethod: 'HTTP:POST',
    });
    // a public address: nothing to warn about
    expect(hints).toEqual([]);
  });

  it("warns once when the resume URL is n8n's default localhost:5678 (WEBHOOK_URL not set)", async () => {
    const { items, hints } = await runNode(
      emu,
      { ...translate, waitMode: 'webhook' },
      {
        resumeUrl: 'http://localhost:5678/webhook-waiting/77',
        items: [{ json: { text: 'one' } }, { json: { text: 'two' } }],
      },
    );
    expect(items).toHaveLength(2);
    expect(hints).toHaveLength(1);
    expect(hints[0]?.message).toContain('http://localhost:5678');
    expect(hints[0]?.message).toContain('WEBHOOK_URL is not set');
    expect(hints[0]?.message).toContain('allow_local_remote_servers');
    expect(hints[0]?.message).toContain('time limit');
  });

  it.each([
    'http://192.168.1.20:5678/webhook-waiting/1',
    'http://10.0.0.5/webhook-waiting/1',
    'http://n8n:5678/webhook-waiting/1',
    'http://[fd00::5]:5678/webhook-waiting/1',
  ])('warns when the resume URL %s is on a local or private address', async (resumeUrl) => {
    const { hints } = await runNode(emu, { ...translate, waitMode: 'webhook' }, { resumeUrl });
    expect(hints[0]?.message).toContain(new URL(resumeUrl).origin);
    expect(hints[0]?.message).toContain('a local or private address');
  });

  it('shows an execution hint when the task waits long for a worker to pick it up', async () => {
    // A server whose background jobs lag: every task it reports was scheduled six minutes ago.
    const server = httpHandler(emulatorCredentials(emu));
    const lagging: Handler = async (request) => {
      const response = await server(request);
      if (!/\/taskprocessing\/(schedule|task\/\d+)/.test(request.url) || response.statusCode !== 200)
        return response;
      const body = JSON.parse(response.body.toString()) as {
        ocs: { data: { task: Record<string, number | null> } };
      };
      const task = body.ocs.data.task;
      for (const key of ['scheduledAt', 'completionExpectedAt'] as const) {
        if (typeof task[key] === 'number') task[key] = (task[key] as number) - 360;
      }
      return { ...response, body: Buffer.from(JSON.stringify(body)) };
    };
    emu.control.setProvider('core:text2text:headline', { pickupMs: 800, runMs: 50 });
    try {
      const { items, hints } = await runNode(
        emu,
        {
          ...translate,
          taskType: 'core:text2text:headline',
          inputs: { mappingMode: 'defineBelow', value: { input: 'Slow server' } },
        },
        { handler: lagging },
      );
      expect(items[0]?.json.status).toBe('STATUS_SUCCESSFUL');
      expect(hints).toEqual([
        expect.objectContaining({
          location: 'outputPane',
          message: expect.stringMatching(/waited more than 5 minutes to be picked up/),
        }),
      ]);
    } finally {
      emu.control.setProvider('core:text2text:headline', { pickupMs: 50, runMs: 100 });
    }
  });

  it('names missing required inputs and ties the error to the item', async () => {
    const run = runNode(emu, { ...translate, inputs: { mappingMode: 'defineBelow', value: { input: 'x' } } });
    await expect(run).rejects.toMatchObject({
      message: expect.stringContaining('origin_language, target_language'),
      context: { itemIndex: 0 },
    });
  });

  it('with Continue On Fail turns a failing item into an error item and goes on', async () => {
    const { items } = await runNode(
      emu,
      (i) => ({ ...translate, taskType: i === 0 ? 'core:nope' : translate.taskType }),
      { items: [{ json: {} }, { json: {} }], continueOnFail: true },
    );
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({
      pairedItem: { item: 0 },
      json: { error: expect.stringContaining('core:nope') },
    });
    expect(items[1]).toMatchObject({ pairedItem: { item: 1 }, json: { status: 'STATUS_SUCCESSFUL' } });
  });

  it('reports a failed task with what to do about it', async () => {
    emu.control.setProvider('core:text2speech', { fail: 'provider is down' });
    try {
      const run = runNode(emu, {
        ...translate,
        taskType: 'core:text2speech',
        inputs: { mappingMode: 'defineBelow', value: { input: 'x' } },
      });
      await expect(run).rejects.toMatchObject({
        message: expect.stringMatching(/^Task \d+ \(core:text2speech\) failed/),
        description: expect.stringContaining('Check the input'),
        context: { itemIndex: 0 },
      });
    } finally {
      emu.control.setProvider('core:text2speech', { fail: false });
    }
  });
});

describe('task: other operations', () => {
  it('gets one task by id', async () => {
    const { taskId } = await finishedTask('core:text2text:headline', { input: 'Polling is fun' });
    const { items } = await runNode(emu, {
      resource: 'task',
      operation: 'get',
      taskId: String(taskId),
      simplify: true,
    });
    expect(items[0]?.json).toMatchObject({
      taskId,
      type: 'core:text2text:headline',
      status: 'STATUS_SUCCESSFUL',
    });
  });

  it('rejects an id that is not a number with a clear message', async () => {
    await expect(
      runNode(emu, { resource: 'task', operation: 'get', taskId: 'abc', simplify: true }),
    ).rejects.toThrow('Task ID must be a positive whole number, got "abc"');
  });

  it('lists tasks filtered by type and status, newest first, up to the limit', async () => {
    await finishedTask('core:text2text:summary', { input: 'one' });
    await finishedTask('core:text2text:summary', { input: 'two' });
    const { items } = await runNode(emu, {
      resource: 'task',
      operation: 'getMany',
      returnAll: false,
      limit: 1,
      filters: { taskType: 'core:text2text:summary', status: 'STATUS_SUCCESSFUL' },
      simplify: true,
    });
    expect(items).toHaveLength(1);
    expect(items[0]?.json.type).toBe('core:text2text:summary');
    const all = emu.control.tasks().filter((t) => t.type === 'core:text2text:summary');
    expect(items[0]?.json.taskId).toBe(Math.max(...all.map((t) => Number(t.id))));
  });

  it('cancels and deletes tasks', async () => {
    emu.control.setProvider('core:text2text', { pickupMs: 60_000, runMs: 100 });
    const { items } = await runNode(emu, {
      ...translate,
      taskType: 'core:text2text',
      inputs: { mappingMode: 'defineBelow', value: { input: 'Hi' } },
      waitMode: 'noWait',
    });
    const taskId = items[0]?.json.taskId as number;
    await runNode(emu, { resource: 'task', operation: 'cancel', taskId: String(taskId) });
    expect(emu.control.tasks().find((t) => t.id === taskId)?.status).toBe('STATUS_CANCELLED');
    const deleted = await runNode(emu, { resource: 'task', operation: 'delete', taskId: String(taskId) });
    expect(deleted.items[0]?.json).toEqual({ taskId, deleted: true });
    expect(emu.control.tasks().find((t) => t.id === taskId)).toBeUndefined();
    emu.control.setProvider('core:text2text', { pickupMs: 50, runMs: 100 });
  });

  it('lists the task types with their inputs', async () => {
    const { items } = await runNode(emu, { resource: 'task', operation: 'getTypes', simplify: true });
    const translateType = items.find((item) => item.json.id === 'core:text2text:translate');
    expect(translateType?.json.inputs).toEqual(['input', 'origin_language', 'target_language']);
    expect(
      items.every((item, i) => item.pairedItem && (item.pairedItem as { item: number }).item === 0 && i >= 0),
    ).toBe(true);
  });

  it('sets, reads and cancels the notification for a task', async () => {
    // Notifications are for tasks still to finish.
    emu.control.setProvider('core:text2text:headline', { pickupMs: 60_000, runMs: 100 });
    const scheduled = await runNode(emu, {
      ...translate,
      taskType: 'core:text2text:headline',
      inputs: { mappingMode: 'defineBelow', value: { input: 'Notify me' } },
      waitMode: 'noWait',
    });
    emu.control.setProvider('core:text2text:headline', { pickupMs: 50, runMs: 100 });
    const taskId = scheduled.items[0]?.json.taskId as number;
    await runNode(emu, { resource: 'task', operation: 'setNotification', taskId: String(taskId) });
    const got = await runNode(emu, {
      resource: 'task',
      operation: 'getNotification',
      taskId: String(taskId),
    });
    expect(got.items[0]?.json).toMatchObject({ taskId, ocp_task_id: taskId });
    await runNode(emu, { resource: 'task', operation: 'cancelNotification', taskId: String(taskId) });
    const after = await runNode(emu, {
      resource: 'task',
      operation: 'getNotification',
      taskId: String(taskId),
    });
    expect(after.items[0]?.json).toEqual({ taskId });
  });

  it('downloads, previews, saves and shares an output file', async () => {
    const { items } = await runNode(emu, {
      ...translate,
      taskType: 'core:text2image',
      inputs: { mappingMode: 'defineBelow', value: { input: 'A boat', numberOfImages: 1 } },
      simplify: true,
    });
    const taskId = items[0]?.json.taskId as number;
    const fileId = (items[0]?.json.images as number[])[0] as number;
    const ids = { taskId: String(taskId), fileId: String(fileId) };

    const download = await runNode(emu, {
      resource: 'task',
      operation: 'downloadOutputFile',
      ...ids,
      binaryPropertyName: 'image',
    });
    expect(download.items[0]?.binary?.image?.mimeType).toBe('image/png');
    expect(download.items[0]?.json).toMatchObject({ taskId, fileId });

    const preview = await runNode(emu, {
      resource: 'task',
      operation: 'previewOutputFile',
      ...ids,
      width: 64,
      height: 64,
      binaryPropertyName: 'preview',
    });
    expect(preview.items[0]?.binary?.preview?.mimeType).toMatch(/^image\//);

    const saved = await runNode(emu, { resource: 'task', operation: 'saveOutputFile', ...ids });
    expect(saved.items[0]?.json).toMatchObject({
      taskId,
      fileId: expect.any(Number),
      path: expect.any(String),
    });

    const shared = await runNode(emu, { resource: 'task', operation: 'shareOutputFile', ...ids });
    expect(shared.items[0]?.json.url).toBe(`${emu.url}/s/${String(shared.items[0]?.json.shareToken)}`);
  });
});
