import type { AssistantClient } from './client-api.js';
import { authHeader, credentialSecrets, type Auth } from './auth.js';
import { normalizeBaseUrl } from './base-url.js';
import { makeCall, type Call } from './call.js';
import type { ServiceContext } from './context.js';
import { AssistantError, scrubError } from './errors.js';
import {
  DEFAULT_LIMITS,
  DEFAULT_RETRY,
  OCS_REQUEST,
  type HttpContext,
  type ResponseLimits,
  type RetryPolicy,
} from './http.js';
import { chatService } from './services/chat.js';
import { assignmentsService, assistantFolder, skillsService } from './assignments.js';
import { filesService } from './services/files.js';
import { taskTypes, tasksService } from './services/tasks.js';
import type { Sleep, Transport } from './transport.js';
import type { TaskType } from './types.js';
import { insecureHttpWarning, type AssistantWarning } from './warnings.js';
import { createRateGate, RATE_LIMITS, type RateLimits } from './rate-gate.js';
import { createTaskChecks } from './task-checks.js';
import { createTiming, type TimingState } from './timing.js';
import { describeServer, serverCache, unsupported, type ServerInfo } from './server.js';

export type { Auth, AssistantClient };

export interface ClientOptions {
  /** The server's address; deep links (…/index.php/apps/…, …/remote.php/…) are trimmed to the root. */
  baseUrl: string;
  /** Omit (or null) when the host adds authentication to every request itself (n8n credentials). */
  auth?: Auth | null;
  /**
   * Extra strings scrubbed from every error and warning, for hosts that add authentication themselves
   * (pass `credentialSecrets(theirCredential)`).
   */
  secrets?: string[];
  /**
   * Called at most once per client and warning code: `insecure_http` when credentials would go over plain
   * http:// to another host, `ignored_option` when a task option the server does not take was left out.
   */
  onWarning?: (warning: AssistantWarning) => void;
  /** The user id for WebDAV paths, when `auth` does not give it (Bearer tokens, host-managed auth). */
  user?: string;
  transport: Transport;
  sleep: Sleep;
  /**
   * What an earlier client learned about this server's task timing (`client.timing.export()`), so waits
   * plan well from the first task. A state of another server, or in an unknown form, is ignored.
   */
  timing?: unknown;
  /** Clock in milliseconds; defaults to Date.now. */
  now?: () => number;
  userAgent?: string;
  retry?: Partial<RetryPolicy>;
  /**
   * The server's rate limits by operationId, where they differ from a real server's (`RATE_LIMITS`), e.g.
   * a proxy that limits more, or a test server with shortened windows.
   */
  rateLimits?: RateLimits;
  /**
   * How many tasks the server lets one user schedule per window (Nextcloud: 20 per 2 minutes), where it
   * allows more, e.g. with rate limiting switched off (`ratelimit.protection.enabled`); a shorthand for
   * `rateLimits` on the schedule call.
   */
  scheduleLimit?: number;
  /** Largest answer read into memory, in bytes (defaults: 64 MiB for JSON/text, 512 MiB for a binary download). */
  maxResponseBytes?: Partial<ResponseLimits>;
}

function checkLimits(limits: Partial<ResponseLimits> | undefined): ResponseLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const key of ['text', 'binary'] as const) {
    const value = limits?.[key];
    if (value === undefined) continue;
    if (!(typeof value === 'number' && Number.isSafeInteger(value) && value > 0)) {
      throw new AssistantError({
        code: 'invalid_input',
        summary: `maxResponseBytes.${key} must be a positive whole number of bytes, got ${String(value).slice(0, 40)}.`,
        sent: false,
      });
    }
    out[key] = value;
  }
  return out;
}

/** The operation whose limit `scheduleLimit` sets. */
const SCHEDULE = 'task_processing_api-schedule';

function checkRateLimits(given: RateLimits | undefined, scheduleLimit: number | undefined): RateLimits {
  if (scheduleLimit !== undefined) {
    if (!(Number.isSafeInteger(scheduleLimit) && scheduleLimit > 0)) {
      throw new AssistantError({
        code: 'invalid_input',
        summary: `scheduleLimit must be a positive whole number of tasks, got ${String(scheduleLimit).slice(0, 40)}.`,
        hint: "Leave it out for the server's usual 20 per 2 minutes.",
        sent: false,
      });
    }
    given = {
      ...given,
      [SCHEDULE]: { ...RATE_LIMITS[SCHEDULE]!, ...given?.[SCHEDULE], limit: scheduleLimit },
    };
  }
  if (given === undefined) return RATE_LIMITS;
  for (const [op, l] of Object.entries(given ?? {})) {
    if (!(
      l &&
      Number.isSafeInteger(l.limit) &&
      l.limit > 0 &&
      Number.isFinite(l.windowMs) &&
      l.windowMs > 0
    )) {
      throw new AssistantError({
        code: 'invalid_input',
        summary: `rateLimits["${op.slice(0, 60)}"] needs a positive whole limit and windowMs.`,
        hint: 'Pass it like { limit: 20, windowMs: 120000 }.',
        sent: false,
      });
    }
  }
  return { ...RATE_LIMITS, ...given };
}

export function createClient(options: ClientOptions): AssistantClient {
  if (!options || typeof options.transport !== 'function' || typeof options.sleep !== 'function') {
    throw new AssistantError({
      code: 'invalid_input',
      summary: 'createClient needs { baseUrl, auth, transport, sleep }.',
      sent: false,
    });
  }
  const baseUrl = normalizeBaseUrl(options.baseUrl);
  const headers: Record<string, string> = { ...OCS_REQUEST.headers };
  if (options.userAgent) headers['User-Agent'] = options.userAgent;
  const secrets: string[] = (options.secrets ?? []).filter((s) => typeof s === 'string' && s !== '');
  if (options.auth) {
    headers.Authorization = authHeader(options.auth);
    secrets.push(...credentialSecrets(options.auth));
  }
  let transport = options.transport;
  const warned = new Set<string>();
  const warn = (w: AssistantWarning) => {
    if (!options.onWarning || warned.has(w.code)) return;
    warned.add(w.code);
    options.onWarning({ code: w.code, message: scrubText(w.message, secrets) });
  };
  const warning = insecureHttpWarning(baseUrl);
  if (warning && options.onWarning && (options.auth || secrets.length > 0)) {
    const inner = options.transport;
    transport = (request) => {
      warn({ code: 'insecure_http', message: warning });
      return inner(request);
    };
  }
  const http: HttpContext = {
    baseUrl,
    transport,
    sleep: options.sleep,
    headers,
    secrets,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    limits: checkLimits(options.maxResponseBytes),
    now: options.now ?? (() => Date.now()),
    gate: createRateGate(checkRateLimits(options.rateLimits, options.scheduleLimit)),
  };
  const server = serverCache(async (signal) => {
    const capabilities = await plainCall('core-capabilities', signal ? { signal } : {});
    const assistant = describeServer(capabilities, []);
    if (assistant.assistantVersion === null) return assistant;
    return describeServer(capabilities, await taskTypes(ctx, signal ? { signal } : {}));
  });
  const plainCall: Call = makeCall(http);
  const call: Call = makeCall(http, async (operationId) => {
    const info = await server();
    if (!info.supports(operationId)) throw unsupported(operationId, info);
  });
  const timing = createTiming(baseUrl);
  const ctx: ServiceContext = {
    http,
    call,
    sleep: options.sleep,
    now: http.now,
    secrets,
    davUser: options.user ?? (options.auth && 'user' in options.auth ? options.auth.user : undefined),
    server,
    warn,
    timing,
    checks: createTaskChecks({
      now: http.now,
      list: (query, bounds) => tasks.find({ ...query, ...bounds }),
      learn: (task) => timing.learn(task),
      observe: (task, sentAt, gotAt) => timing.observe(task, sentAt, gotAt),
    }),
  };
  if (options.timing !== undefined) ctx.timing.import(options.timing);
  const tasks = tasksService(ctx);
  return {
    /** The normalised server root. */
    baseUrl,
    /** Typed access to every operation by its operationId. */
    call,
    /**
     * What the server is: assistant and Nextcloud versions, features, task types. Read once (capabilities
     * and task types) and kept; `{ refresh: true }` reads again.
     */
    server: (opts: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<ServerInfo> => server(opts),
    /** The task types the user can run, lowest priority first (as the web UI lists them). */
    taskTypes: (opts: { signal?: AbortSignal } = {}): Promise<TaskType[]> => taskTypes(ctx, opts),
    tasks,
    /**
     * What this client learned about the server's task timing (pickup and run time per task type): store
     * `export()` where the host keeps state and pass it back as the `timing` option (or to `import`).
     */
    timing: {
      export: (): TimingState => ctx.timing.export(),
      import: (state: unknown): void => ctx.timing.import(state),
    },
    files: filesService(ctx, tasks),
    chat: chatService(ctx, tasks),
    /** Assistant 4.0: scheduled recurring prompts. */
    assignments: assignmentsService(ctx),
    /** Assistant 4.0: the agent's skills. */
    skills: skillsService(ctx),
    /** Assistant 4.0: the user's assistant folder as a path in their files (`/Assistant`). */
    assistantFolder: (opts: { signal?: AbortSignal } = {}): Promise<string> => assistantFolder(ctx, opts),
  };
}

function scrubText(text: string, secrets: readonly string[]): string {
  return scrubError(new AssistantError({ code: 'server', summary: text }), secrets).summary;
}
