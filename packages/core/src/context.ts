import type { Call } from './call.js';
import type { HttpContext } from './http.js';
import type { ServerInfo } from './server.js';
import type { TaskChecks } from './task-checks.js';
import type { Timing } from './timing.js';
import type { Sleep } from './transport.js';
import type { AssistantWarning } from './warnings.js';

/** What every service needs: the typed call, the raw HTTP layer, and the host's clock. */
export interface ServiceContext {
  http: HttpContext;
  call: Call;
  sleep: Sleep;
  now: () => number;
  /** Strings scrubbed from every error (credential parts, host-given secrets). */
  secrets: readonly string[];
  /** The user id WebDAV paths are built with. */
  davUser: string | undefined;
  /** What the server is (versions, features, task types), read once per client. */
  server: (options?: { refresh?: boolean; signal?: AbortSignal }) => Promise<ServerInfo>;
  /** Reports a warning to the host once per warning code (a no-op without onWarning). */
  warn: (warning: AssistantWarning) => void;
  /** What the client learned about the server's task timing (waits plan their checks from it). */
  timing: Timing;
  /** The client's waits, checked together. */
  checks: TaskChecks;
}
