import { afterAll, beforeAll, expect, it } from 'vitest';
import { API, CHAT, TP, startTestEmulator, type TestEnv } from './helpers.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEmulator();
});
afterAll(() => env.emu.close());

it('answers 1 000 concurrent requests without an error', async () => {
  const paths = [`${API}/task-types`, `${CHAT}/sessions`, `${TP}/tasks`, `${API}/tasks`];
  const results = await Promise.all(
    Array.from({ length: 1000 }, (_, i) => (i % 2 ? env.alice : env.bob).get(paths[i % paths.length]!)),
  );
  expect(results.filter((r) => r.status !== 200)).toEqual([]);
  const served = env.emu.control.requests().filter((r) => r.status === 200).length;
  expect(served).toBe(1000);
});
