import type { RunningEmulator } from '@f7cloud/assistant-emulator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emulator, runNode } from './support/run-node';

let emu: RunningEmulator;
beforeAll(async () => {
  // A short window keeps the test quick; real servers allow 20 schedules per 120 s.
  emu = await emulator({ rateLimit: { schedule: { limit: 3, windowMs: 1_000 } } });
});
afterAll(async () => await emu.close());

it('pushes many items through the schedule rate limit without losing, repeating or reordering any', async () => {
  const count = 8;
  const started = Date.now();
  const { items } = await runNode(
    emu,
    (i) => ({
      resource: 'task',
      operation: 'run',
      taskType: 'core:text2text:headline',
      inputs: { mappingMode: 'defineBelow', value: { input: `Document ${i}` } },
      waitMode: 'noWait',
      options: {},
    }),
    { items: Array.from({ length: count }, (_, i) => ({ json: { i } })) },
  );
  const elapsed = Date.now() - started;

  expect(items.map((item) => item.pairedItem)).toEqual(
    Array.from({ length: count }, (_, i) => ({ item: i })),
  );
  expect(items.every((item) => item.json.error === undefined)).toBe(true);

  const tasks = emu.control.tasks().filter((t) => t.type === 'core:text2text:headline');
  expect(tasks.map((t) => (t.input as Record<string, unknown>).input)).toEqual(
    Array.from({ length: count }, (_, i) => `Document ${i}`),
  );
  expect(items.map((item) => item.json.taskId)).toEqual(tasks.map((t) => t.id));

  // The server did refuse some calls, and we waited for its window instead of failing items.
  const refused = emu.control
    .requests()
    .filter((r) => r.operationId === 'task_processing_api-schedule' && r.status === 429);
  expect(refused.length).toBeGreaterThan(0);
  expect(elapsed).toBeGreaterThanOrEqual(2 * 1_000 - 200);
}, 60_000);
