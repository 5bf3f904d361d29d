import { normalizeBaseUrl } from './base-url.js';
import { makeCall, type Call } from './call.js';
import type { ServiceContext } from './context.js';
import { AssistantError } from './errors.js';
import { DEFAULT_RETRY, OCS_REQUEST, type HttpContext, type RetryPolicy } from './http.js';
import { chatService } from './services/chat.js';
import { filesService } from './services/files.js';
import { taskTypes, tasksService } from './services/tasks.js';
import type { Sleep, Transport } from './transport.js';
import type { TaskType } from './types.js';

/** HTTP Basic with the login name and an app password (recommended), or a Bearer token. */
export type Auth = { user: string; appPassword: string } | { token: string };

export interface ClientOptions {
  /** The server's address; deep links (…/index.php/apps/…, …/remote.php/…) are trimmed to the root. */
  baseUrl: string;
  /** Omit (or null) when the host adds authentication to every request itself (n8n credentials). */
  auth?: Auth | null;
  /** The user id for WebDAV paths, when `auth` does not give it (Bearer tokens, host-managed auth). */
  user?: string;
  transport: Transport;
  sleep: Sleep;
  /** Clock in milliseconds; defaults to Date.now. */
  now?: () => number;
  userAgent?: string;
  retry?: Partial<RetryPolicy>;
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function authHeader(auth: Auth): { header: string; secrets: string[] } {
  if ('token' in auth) {
    if (typeof auth.token !== 'string' || !auth.token.trim()) {
      throw new AssistantError({
        code: 'invalid_input',
        message: 'The token is empty. Enter the Bearer token or use a user and app password.',
      });
    }
    return { header: `Bearer ${auth.token}`, secrets: [auth.token] };
  }
  const { user, appPassword } = auth as { user?: unknown; appPassword?: unknown };
  if (typeof user !== 'string' || !user.trim()) {
    throw new AssistantError({
      code: 'invalid_input',
      message: 'The user is empty. Enter the login name of the account.',
    });
  }
  if (user.includes(':')) {
    throw new AssistantError({
      code: 'invalid_input',
      message: `The user "${user}" contains ":", which HTTP Basic login cannot carry. Use the account's login name.`,
    });
  }
  if (typeof appPassword !== 'string' || !appPassword) {
    throw new AssistantError({
      code: 'invalid_input',
      message:
        'The app password is empty. Create one under Settings → Security → Devices & sessions on your server.',
    });
  }
  const encoded = base64(`${user}:${appPassword}`);
  return { header: `Basic ${encoded}`, secrets: [appPassword, encoded] };
}

export function createClient(options: ClientOptions) {
  if (!options || typeof options.transport !== 'function' || typeof options.sleep !== 'function') {
    throw new AssistantError({
      code: 'invalid_input',
      message: 'createClient needs { baseUrl, auth, transport, sleep }.',
    });
  }
  const baseUrl = normalizeBaseUrl(options.baseUrl);
  const headers: Record<string, string> = { ...OCS_REQUEST.headers };
  if (options.userAgent) headers['User-Agent'] = options.userAgent;
  let secrets: string[] = [];
  if (options.auth) {
    const auth = authHeader(options.auth);
    headers.Authorization = auth.header;
    secrets = auth.secrets;
  }
  const http: HttpContext = {
    baseUrl,
    transport: options.transport,
    sleep: options.sleep,
    headers,
    secrets,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    now: options.now ?? (() => Date.now()),
    rateLimitedUntil: new Map(),
  };
  const call: Call = makeCall(http);
  const ctx: ServiceContext = {
    http,
    call,
    sleep: options.sleep,
    now: http.now,
    davUser: options.user ?? (options.auth && 'user' in options.auth ? options.auth.user : undefined),
  };
  const tasks = tasksService(ctx);
  return {
    /** The normalised server root. */
    baseUrl,
    /** Typed access to every operation by its operationId. */
    call,
    /** The task types the user can run, lowest priority first (as the web UI lists them). */
    taskTypes: (opts: { signal?: AbortSignal } = {}): Promise<TaskType[]> => taskTypes(ctx, opts),
    tasks,
    files: filesService(ctx, tasks),
    chat: chatService(ctx, tasks),
  };
}

export type AssistantClient = ReturnType<typeof createClient>;
