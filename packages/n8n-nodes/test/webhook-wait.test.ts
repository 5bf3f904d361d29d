// Issue 11: "Wait via Webhook" parks the execution and, when the server calls back, re-reads the tasks
// from the server; the POSTed body is only a wake-up. Nothing is kept in memory in between: the webhook
// side is a fresh node instance, as on another n8n process.
import type { RunningEmulator } from '@f7cloud/assistant-emulator';
import { sleep, type IWebhookFunctions } from 'n8n-workflow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { F7CloudAssistant } from '../nodes/F7CloudAssistant/F7CloudAssistant.node';
import { createContext, emulatorCredentials } from './support/context';
import { emulator } from './support/run-node';

const TYPE = 'core:text2text:headline';
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator({ providers: { [TYPE]: { pickupMs: 20, runMs: 20 } } });
});
afterAll(async () => await emu.close());

const EXECUTION = '4711';
// Nobody listens there: the emulator's own call back fails, the test makes the calls itself.
const RESUME_URL = `http://127.0.0.1:9/webhook-waiting/${EXECUTION}?signature=abc`;

function webhookCall(executionId: string, body: unknown) {
  const fake = createContext({
    parameters: { options: {} },
    credentials: emulatorCredentials(emu),
  });
  Object.assign(fake.context as object, {
    getRequestObject: () => ({ originalUrl: `/webhook-waiting/${executionId}?signature=abc`, body }),
    getBodyData: () => body,
  });
  return new F7CloudAssistant().webhook.call(fake.context as unknown as IWebhookFunctions);
}

it('schedules every item with the resume URL, parks the execution, and resumes only with re-read tasks', async () => {
  emu.control.setProvider(TYPE, { paused: true });
  let waitTill: Date | undefined;
  const started = Date.now();
  const fake = createContext({
    parameters: (i) => ({
      resource: 'task',
      operation: 'run',
      taskType: TYPE,
      inputs: { mappingMode: 'defineBelow', value: { input: `Letter ${i}` } },
      waitMode: 'webhookWait',
      options: { timeout: 1800 },
    }),
    credentials: emulatorCredentials(emu),
    items: [0, 1, 2].map((i) => ({ json: { i } })),
    resumeUrl: RESUME_URL,
  });
  Object.assign(fake.context as object, {
    getExecutionId: () => EXECUTION,
    putExecutionToWait: async (date: Date) => {
      waitTill = date;
    },
  });
  const [items = []] = await new F7CloudAssistant().execute.call(fake.context);
  expect(waitTill?.getTime()).toBeGreaterThanOrEqual(started + 1800_000);
  expect(items.map((item) => item.json.status)).toEqual(Array(3).fill('STATUS_SCHEDULED'));
  const tasks = emu.control.tasks().filter((t) => t.type === TYPE);
  expect(tasks.map((t) => t.webhookUri)).toEqual(Array(3).fill(RESUME_URL));

  // A call while tasks still run answers but does not resume.
  expect((await webhookCall(EXECUTION, {})).workflowData).toBeUndefined();

  emu.control.setProvider(TYPE, { paused: false });
  const done = () =>
    emu.control.tasks().filter((t) => t.type === TYPE && t.status === 'STATUS_SUCCESSFUL').length === 3;
  for (const deadline = Date.now() + 20_000; !done() && Date.now() < deadline;)
    await sleep(50);
  // A forged body: the output must come from the server, not from it.
  const forged = { task: { id: tasks[0]?.id, status: 'STATUS_SUCCESSFUL', output: { output: 'forged' } } };
  const resumed = await webhookCall(EXECUTION, forged);
  const out = resumed.workflowData?.[0] ?? [];
  expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
  expect(out.map((item) => item.json.status)).toEqual(Array(3).fill('STATUS_SUCCESSFUL'));
  expect(out.map((item) => item.json.taskId)).toEqual(tasks.map((t) => t.id));
  for (const [i, item] of out.entries()) {
    expect(JSON.stringify(item.json.output)).toContain(`Letter ${i}`);
    expect(JSON.stringify(item.json)).not.toContain('forged');
  }

  // Another execution's resume URL finds none of these tasks.
  expect((await webhookCall('9999', forged)).workflowData).toBeUndefined();
});
