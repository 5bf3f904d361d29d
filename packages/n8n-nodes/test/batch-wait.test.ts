// Issue 11: "Wait for Result" over many items schedules them all ahead and waits for them together.
import type { RunningEmulator } from '@f7cloud/assistant-emulator';
import type { IDataObject } from 'n8n-workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TIMING_SERVERS } from '../nodes/F7CloudAssistant/helpers/timing-state';
import { emulator, runNode } from './support/run-node';

const PICKUP_MS = 400;
const RUN_MS = 600;

const headline = (i: number, extra: Record<string, unknown> = {}) => ({
  resource: 'task',
  operation: 'run',
  taskType: 'core:text2text:headline',
  inputs: { mappingMode: 'defineBelow', value: { input: `Document ${i}` } },
  waitMode: 'wait',
  simplify: true,
  options: { timeout: 60 },
  ...extra,
});
const itemsOf = (count: number) => Array.from({ length: count }, (_, i) => ({ json: { i } }));

describe('Task → Run, Wait for Result, many items', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({
      providers: {
        'core:text2text:headline': { pickupMs: PICKUP_MS, runMs: RUN_MS },
        'core:text2text:summary': { pickupMs: 50, runMs: 50, fail: 'The model is overloaded' },
      },
    });
  });
  afterAll(async () => await emu.close());

  it('schedules all items ahead, waits for them together and keeps item order and pairing', async () => {
    const count = 12;
    const before = emu.control.requests().length;
    const started = Date.now();
    const { items } = await runNode(emu, (i) => headline(i), { items: itemsOf(count) });
    const elapsed = Date.now() - started;
    const requests = emu.control.requests().slice(before);

    expect(items.map((item) => item.pairedItem)).toEqual(itemsOf(count).map((_, i) => ({ item: i })));
    expect(items.map((item) => item.json.status)).toEqual(Array(count).fill('STATUS_SUCCESSFUL'));
    expect(items.map((item) => String(item.json.output))).toEqual(
      itemsOf(count).map((_, i) => expect.stringContaining(`Document ${i}`) as unknown as string),
    );
    // One after the other this takes count × (pickup + run) = 12 s; together about one task's time.
    expect(elapsed).toBeLessThan(4 * (PICKUP_MS + RUN_MS) + 2_000);
    const schedules = requests.filter((r) => r.operationId === 'task_processing_api-schedule');
    expect(schedules).toHaveLength(count);
    // Reads of task state: one list request per round covers every task waited for.
    const reads = requests.filter(
      (r) =>
        r.method === 'GET' &&
        r.operationId?.startsWith('task_processing_api-') &&
        r.operationId !== 'task_processing_api-task-types',
    );
    expect(reads.length).toBeLessThan(count);
  });

  it('reports each failing item on its own (Continue On Fail) while the others succeed', async () => {
    const { items } = await runNode(
      emu,
      (i) =>
        i === 1
          ? headline(i, { inputs: { mappingMode: 'defineBelow', value: {} } })
          : i === 2
            ? headline(i, {
                taskType: 'core:text2text:summary',
                inputs: { mappingMode: 'defineBelow', value: { input: 'x' } },
              })
            : headline(i),
      { items: itemsOf(4), continueOnFail: true },
    );
    expect(items.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
    expect(items[0]?.json.status).toBe('STATUS_SUCCESSFUL');
    expect(String(items[1]?.json.error)).toMatch(/needs a value for: input/);
    expect(String(items[2]?.json.error)).toMatch(/overloaded|failed/);
    expect(items[3]?.json.status).toBe('STATUS_SUCCESSFUL');
  });

  it('without Continue On Fail a failing item fails the node, after the other items were not lost', async () => {
    await expect(
      runNode(
        emu,
        (i) => (i === 0 ? headline(i, { inputs: { mappingMode: 'defineBelow', value: {} } }) : headline(i)),
        { items: itemsOf(3) },
      ),
    ).rejects.toThrow(/needs a value for: input/);
  });

  it('keeps what it learned about the server in the workflow static data, bounded per server', async () => {
    const staticData: IDataObject = {
      f7cloudTiming: Object.fromEntries(
        Array.from({ length: MAX_TIMING_SERVERS }, (_, k) => [
          `https://old-${k}.example.com`,
          { at: k, state: { version: 1, server: `https://old-${k}.example.com`, types: {} } },
        ]),
      ),
    };
    await runNode(emu, (i) => headline(i), { items: itemsOf(3), staticData });
    const stored = staticData.f7cloudTiming as Record<string, { state: { types: Record<string, unknown> } }>;
    expect(Object.keys(stored)).toHaveLength(MAX_TIMING_SERVERS);
    expect(Object.keys(stored)).not.toContain('https://old-0.example.com');
    expect(Object.keys(stored[emu.url]?.state.types ?? {})).toContain('core:text2text:headline');
  });
});

describe('Task → Run, Wait for Result, under the schedule rate limit', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({
      rateLimit: { schedule: { limit: 4, windowMs: 1_500 } },
      providers: { 'core:text2text:headline': { pickupMs: 100, runMs: 100 } },
    });
  });
  afterAll(async () => await emu.close());

  it('gets every item through once, with few refused schedule calls', async () => {
    const count = 10;
    const { items } = await runNode(emu, (i) => headline(i), { items: itemsOf(count) });
    expect(items.map((item) => item.json.status)).toEqual(Array(count).fill('STATUS_SUCCESSFUL'));
    const tasks = emu.control.tasks().filter((t) => t.type === 'core:text2text:headline');
    expect(tasks.map((t) => (t.input as Record<string, unknown>).input).sort()).toEqual(
      itemsOf(count)
        .map((_, i) => `Document ${i}`)
        .sort(),
    );
    const schedules = emu.control.requests().filter((r) => r.operationId === 'task_processing_api-schedule');
    // Three windows; when one reopens core lets a probe through before the rest (a loaded machine may
    // see a second refusal per window). Releasing every waiting request would refuse far more.
    expect(schedules.length).toBeLessThan(2 * count);
  }, 60_000);
});

describe('Task → Run, Wait for Result, on a server whose administrator raised the schedule limit', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    // The emulator allows 1000 schedule calls a minute; the node assumes Nextcloud's 20 per 2 minutes.
    emu = await emulator({ providers: { 'core:text2text:headline': { pickupMs: 100, runMs: 100 } } });
  });
  afterAll(async () => await emu.close());

  it('schedules past 20 items at once with Schedule Limit set, instead of waiting 2 minutes', async () => {
    const count = 30;
    const started = Date.now();
    const { items } = await runNode(
      emu,
      (i) => headline(i, { options: { timeout: 60, scheduleLimit: 100 } }),
      { items: itemsOf(count) },
    );
    expect(items.map((item) => item.json.status)).toEqual(Array(count).fill('STATUS_SUCCESSFUL'));
    expect(Date.now() - started).toBeLessThan(30_000);
    const schedules = emu.control.requests().filter((r) => r.operationId === 'task_processing_api-schedule');
    expect(schedules.filter((r) => r.status === 200)).toHaveLength(count);
  }, 60_000);
});
