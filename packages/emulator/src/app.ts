import type { Engine } from './engine/engine.js';
import type { Faults } from './faults.js';
import type { FileStore } from './files/file-store.js';
import type { Uploads } from './files/uploads.js';
import type { Assignments } from './handlers/assistant-4.js';
import type { Ctx } from './http/context.js';
import type { Reply } from './http/reply.js';
import type { EmulatorUser, RateLimit } from './options.js';
import type { Prng } from './prng.js';
import type { Profile } from './profile.js';
import type { State } from './state/store.js';

/** Everything a handler may touch. */
export interface App {
  state: State;
  files: FileStore;
  uploads: Uploads;
  assignments: Assignments;
  engine: Engine;
  faults: Faults;
  prng: Prng;
  users: Map<string, Required<EmulatorUser>>;
  limits: { schedule: RateLimit; notify: RateLimit };
  slowPickupMs: number;
  profile: Profile;
}

export type Handler = (ctx: Ctx, app: App) => Reply | Promise<Reply>;

/** PHP's (int) cast as the server applies it to ids: "1.5" → 1, "abc" → 0; ids too large never exist (-1). */
export function phpInt(value: unknown): number {
  if (typeof value === 'number') return Number.isSafeInteger(Math.trunc(value)) ? Math.trunc(value) : -1;
  const m = /^\s*([+-]?\d+)/.exec(String(value ?? ''));
  if (!m) return 0;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : -1;
}

/** Server-local timestamp for input-file names: `2026-11-28_20.53.47`. */
export function fileStamp(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}_${p(d.getUTCHours())}.${p(d.getUTCMinutes())}.${p(d.getUTCSeconds())}`;
}
