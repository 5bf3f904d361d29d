import { describe, expect, it } from 'vitest';
import {
  decide,
  emptyState,
  LOOK_BACK_SECONDS,
  readState,
} from '../nodes/F7CloudAssistantTrigger/poll-state';

const t = (id: number, endedAt: number) => ({ id, endedAt });

describe('trigger poll state', () => {
  it('does not replay history on the first poll but remembers it', () => {
    const { emit, next } = decide(emptyState(), [t(1, 100), t(2, 105)]);
    expect(emit).toEqual([]);
    expect(next.watermark).toBe(105);
    expect(decide(next, [t(1, 100), t(2, 105)]).emit).toEqual([]);
  });

  it('emits each newly finished task once, oldest first, across polls', () => {
    let state = decide(emptyState(), [t(1, 100)]).next;
    const poll1 = decide(state, [t(1, 100), t(3, 110), t(2, 108)]);
    expect(poll1.emit.map((x) => x.id)).toEqual([2, 3]);
    state = poll1.next;
    const poll2 = decide(state, [t(1, 100), t(2, 108), t(3, 110), t(4, 110)]);
    expect(poll2.emit.map((x) => x.id)).toEqual([4]);
    expect(decide(poll2.next, [t(1, 100), t(2, 108), t(3, 110), t(4, 110)]).emit).toEqual([]);
  });

  it('does not miss a task that ended in the watermark second or shows up late', () => {
    let state = decide(emptyState(), []).next;
    state = decide(state, [t(10, 200)]).next;
    // Task 11 ended in the same second, task 12 ended earlier but became visible only now.
    const late = decide(state, [t(10, 200), t(11, 200), t(12, 190)]);
    expect(late.emit.map((x) => x.id)).toEqual([12, 11]);
  });

  it('emits many tasks finishing between two polls, all of them', () => {
    const state = decide(emptyState(), []).next;
    const many = Array.from({ length: 500 }, (_, i) => t(i + 1, 1_000 + (i % 7)));
    const { emit, next } = decide(state, many);
    expect(new Set(emit.map((x) => x.id)).size).toBe(500);
    expect(decide(next, many).emit).toEqual([]);
  });

  it('keeps its memory bounded to the look-back window', () => {
    let state = decide(emptyState(), []).next;
    state = decide(state, [t(1, 1_000)]).next;
    state = decide(state, [t(1, 1_000), t(2, 1_000 + LOOK_BACK_SECONDS + 5)]).next;
    expect(Object.keys(state.seen)).toEqual(['2']);
    // Task 1 fell out of memory, but also out of the window: it is not emitted again.
    expect(decide(state, [t(1, 1_000), t(2, 1_000 + LOOK_BACK_SECONDS + 5)]).emit).toEqual([]);
  });

  it('reads whatever is stored, falling back to a fresh start', () => {
    expect(readState(undefined)).toEqual(emptyState());
    expect(readState({ watermark: 'x', seen: { 1: 5, 2: 'bad' } })).toEqual({
      watermark: null,
      seen: { 1: 5 },
    });
  });
});
