import { describe, expect, it } from 'vitest';
import { nextDelay, waitForTask, type WaitProgress } from '../src/index.js';
import { fakeClock, task } from './helpers.js';

const NOW = 1_800_000_010_000;

describe('adaptive waiting', () => {
  it('estimates the end from progress while running', () => {
    // started 10 s ago, 25 % done just now: about 30 s to go
    const t = task({
      status: 'STATUS_RUNNING',
      startedAt: 1_800_000_000,
      lastUpdated: 1_800_000_010,
      progress: 0.25,
    }) as never;
    expect(nextDelay(t, NOW, 0)).toBeGreaterThan(29_000);
    expect(nextDelay(t, NOW, 0)).toBeLessThan(31_000);
  });

  it('two readings of one stale step: the end comes from the step, not from the readings', () => {
    // 0 % read 30.4 s after the start, 50 % (reported at 31 s) read at 45 s and again now, at 60.9 s
    const t = task({
      status: 'STATUS_RUNNING',
      startedAt: 1_800_000_000,
      lastUpdated: 1_800_000_031,
      progress: 0.5,
    }) as never;
    const earlier = { at: 1_800_000_030_400, progress: 0 };
    // the provider is half-way after ~31 s: done at ~62 s, not 30 s from now
    expect(nextDelay(t, 1_800_000_060_900, 2, earlier)).toBeLessThan(2_500);
  });

  it('counts a progress step from when it was reported, not from when it was read', () => {
    // a provider that reports half-way only: 50 % reached 10 s after the start, read 18 s after it
    const t = task({
      status: 'STATUS_RUNNING',
      startedAt: 1_800_000_000,
      lastUpdated: 1_800_000_010,
      progress: 0.5,
    }) as never;
    const at = 1_800_000_018_000;
    // the end is due about 20 s after the start: ~2 s from now (counting from the read: 18 s)
    expect(nextDelay(t, at, 0)).toBeGreaterThan(1_500);
    expect(nextDelay(t, at, 0)).toBeLessThan(3_000);
  });

  it('sleeps until completionExpectedAt, then checks soon', () => {
    const t = task({ completionExpectedAt: 1_800_000_020 }) as never;
    expect(nextDelay(t, NOW, 0)).toBe(10_150);
    expect(nextDelay(t, NOW + 11_000, 0)).toBe(400);
  });

  it('backs off when nothing is known, more slowly while running', () => {
    const scheduled = task() as never;
    const running = task({ status: 'STATUS_RUNNING' }) as never;
    const delays = [0, 1, 2, 3, 10].map((misses) => nextDelay(scheduled, NOW, misses));
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(delays[0]).toBe(400);
    expect(nextDelay(scheduled, NOW, 20)).toBe(15_000);
    expect(nextDelay(running, NOW, 20)).toBe(5_000);
  });

  it('does not report the same state twice', async () => {
    const clock = fakeClock();
    const reads = [
      task(),
      task(),
      task({ status: 'STATUS_RUNNING', progress: 0.1, startedAt: 1_800_000_001 }),
      task({ status: 'STATUS_SUCCESSFUL', progress: 1 }),
    ];
    const seen: WaitProgress[] = [];
    await waitForTask(
      { sleep: clock.sleep, now: () => clock.now },
      task() as never,
      async () => reads.shift() as never,
      { onProgress: (p) => seen.push(p) },
    );
    expect(seen.map((p) => p.phase)).toEqual(['scheduled', 'running', 'done']);
  });

  it('refuses a timeout that is not a positive number', async () => {
    const clock = fakeClock();
    await expect(
      waitForTask(
        { sleep: clock.sleep, now: () => clock.now },
        task() as never,
        async () => task() as never,
        { timeoutMs: -1 },
      ),
    ).rejects.toThrow(/positive number of milliseconds/);
  });
});

import { slotType } from '../src/index.js';

describe('slot types', () => {
  it.each([
    ['Text', { kind: 'text', list: false }],
    ['Number', { kind: 'number', list: false }],
    ['Enum', { kind: 'enum', list: false }],
    ['Image', { kind: 'file', list: false, media: 'Image' }],
    ['ListOfImages', { kind: 'file', list: true, media: 'Image' }],
    ['ListOf<Audio>', { kind: 'file', list: true, media: 'Audio' }],
    ['ListOfTexts', { kind: 'text', list: true }],
    ['ListOfNumbers', { kind: 'number', list: true }],
    ['File', { kind: 'file', list: false, media: 'File' }],
  ])('%s', (type, expected) => {
    expect(slotType(type)).toEqual(expected);
  });
});

describe('progress speed on our own clock', () => {
  it('estimates the end from two progress readings, finer than the server timestamps', () => {
    // 20 % → 40 % in 1.2 s: 3.6 s to go, whatever startedAt (whole seconds) says
    const t = task({ status: 'STATUS_RUNNING', startedAt: 1_800_000_009, progress: 0.4 }) as never;
    const delay = nextDelay(t, NOW, 0, { at: NOW - 1_200, progress: 0.2 });
    expect(delay).toBeGreaterThan(3_600);
    expect(delay).toBeLessThan(3_900);
  });
});
