// A clock for many concurrent waits: sleep registers a timer, and `run` advances time to the next timer
// only once everything else has settled, so concurrent waits interleave deterministically without real time.
export function virtualClock(start = 1_800_000_000_000) {
  const timers: { at: number; seq: number; resolve: () => void }[] = [];
  let seq = 0;
  const clock = {
    now: start,
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const timer = { at: clock.now + Math.max(0, ms), seq: seq++, resolve };
        timers.push(timer);
        signal?.addEventListener(
          'abort',
          () => {
            const i = timers.indexOf(timer);
            if (i >= 0) timers.splice(i, 1);
            resolve();
          },
          { once: true },
        );
      });
    },
    /** Runs until `promise` settles, advancing time from timer to timer. */
    async run<T>(promise: Promise<T>, maxMs = 7 * 24 * 3600_000): Promise<T> {
      let done = false;
      promise.then(
        () => (done = true),
        () => (done = true),
      );
      for (;;) {
        for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
        if (done) return promise;
        if (timers.length === 0) throw new Error('nothing left to wait for, but the promise is not settled');
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = timers.shift()!;
        if (next.at - start > maxMs) throw new Error('virtual time ran out');
        clock.now = Math.max(clock.now, next.at);
        next.resolve();
      }
    },
  };
  return clock;
}
