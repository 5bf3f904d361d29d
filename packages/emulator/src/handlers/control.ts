import type { IncomingMessage } from 'node:http';
import type { FaultRule } from '../faults.js';
import type { FileNode } from '../files/file-store.js';
import { BadRequestBody, readBody } from '../http/body.js';
import type { ProviderTiming, RateLimit } from '../options.js';
import type { App } from '../app.js';
import type { Notification, NotifyRecord, WebhookDelivery } from '../state/store.js';

export type Latency = number | { min: number; max: number };

/** Run-time control and inspection of the emulator (programmatic; also served under /__emulator/). */
export interface EmulatorControl {
  setFaults(rules: FaultRule[]): void;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  faults(): FaultRule[];
  setLatency(latency: Latency): void;
  setProvider(type: string, timing: Partial<ProviderTiming>): void;
  providers(): Record<string, ProviderTiming>;
  setChat(chat: { storeDelayMs?: number; slowPickupMs?: number }): void;
  setRateLimit(name: 'schedule' | 'notify', limit: RateLimit): void;
  /** Back to the state right after start: no tasks, files, chats; start-up faults, latency and timings. */
  reset(): void;
  tasks(): Record<string, unknown>[];
  sessions(): Record<string, unknown>[];
  messages(): Record<string, unknown>[];
  files(): { id: number; owner: string; path: string | null; kind: string; size: number; mime: string }[];
  notifications(): Notification[];
  notifyRecords(): NotifyRecord[];
  webhooks(): WebhookDelivery[];
  requests(): {
    method: string;
    path: string;
    status: number;
    operationId: string | null;
    user: string | null;
    fault: string | null;
  }[];
  clearRequests(): void;
  /** Resolves when no webhook delivery is in flight. */
  idle(): Promise<void>;
}

export function fileView(app: App, n: FileNode): ReturnType<EmulatorControl['files']>[number] {
  return {
    id: n.id,
    owner: n.owner,
    path: n.appData ? null : app.files.pathOf(n),
    kind: n.kind,
    size: n.size,
    mime: n.mime,
  };
}

export class ControlError extends Error {}

const isLoopback = (addr: string | undefined): boolean =>
  !!addr && (addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.'));

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * Why a request must not reach the control API, or null. The API has no auth, so a web page must not drive
 * it: a cross-origin "simple" POST (text/plain, no preflight) carries a foreign Origin, and a DNS-rebinding
 * page talks to us under its own host name, which shows in Host.
 */
function browserRefusal(req: IncomingMessage): string | null {
  const port = req.socket.localPort;
  const scheme = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
  const defaultPort = scheme === 'https' ? 443 : 80;
  const hosts = LOOPBACK_NAMES.flatMap((h) => [`${h}:${port}`, ...(port === defaultPort ? [h] : [])]);
  const own = `${scheme}://127.0.0.1:${port}`;
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.includes(host)) {
    return `Host ${JSON.stringify(req.headers.host ?? '')} is not a loopback name of this emulator (127.0.0.1, localhost or [::1] with port ${port}); the control API refuses other names so a web page cannot reach it through DNS rebinding. Use ${own}/__emulator/…`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !hosts.map((h) => `${scheme}://${h}`).includes(origin.toLowerCase())) {
    return `Origin ${JSON.stringify(origin)} is not this emulator (${own}); the control API refuses requests from web pages. Send control requests from a local program (curl, Node's fetch), which sends no Origin header.`;
  }
  return null;
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const raw = (await readBody(req)).toString('utf8');
  if (!raw.trim()) return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new BadRequestBody('the body must be JSON');
  }
}

const ROUTES = [
  'GET /__emulator/state',
  'GET /__emulator/{tasks|sessions|messages|files|notifications|notify-records|webhooks|requests|faults|providers}',
  'PUT /__emulator/faults (array of rules)',
  'POST /__emulator/faults (one rule)',
  'DELETE /__emulator/faults',
  'PUT /__emulator/latency {"ms":100} or {"min":10,"max":50}',
  'PUT /__emulator/providers/<task type or default> {"pickupMs":50,"runMs":100,"fail":false,"paused":false}',
  'PUT /__emulator/chat {"storeDelayMs":25,"slowPickupMs":300000}',
  'PUT /__emulator/rate-limit/<schedule|notify> {"limit":20,"windowMs":120000}',
  'POST /__emulator/reset',
  'DELETE /__emulator/requests',
];

/** HTTP face of `control`; loopback clients only (no web pages), no auth. */
export async function handleControl(
  req: IncomingMessage,
  path: string,
  control: EmulatorControl,
): Promise<{ status: number; body: unknown }> {
  if (!isLoopback(req.socket.remoteAddress))
    return { status: 403, body: { error: 'The control API answers loopback clients only' } };
  const refused = browserRefusal(req);
  if (refused) return { status: 403, body: { error: refused } };
  const method = req.method ?? 'GET';
  const [, , what, arg] = path.split('/');
  try {
    if (method === 'GET') {
      const views: Record<string, () => unknown> = {
        tasks: () => control.tasks(),
        sessions: () => control.sessions(),
        messages: () => control.messages(),
        files: () => control.files(),
        notifications: () => control.notifications(),
        'notify-records': () => control.notifyRecords(),
        webhooks: () => control.webhooks(),
        requests: () => control.requests(),
        faults: () => control.faults(),
        providers: () => control.providers(),
      };
      if (what === 'state') {
        return {
          status: 200,
          body: Object.fromEntries(
            Object.entries(views)
              .filter(([k]) => k !== 'requests')
              .map(([k, f]) => [k, f()]),
          ),
        };
      }
      const view = what ? views[what] : undefined;
      if (view) return { status: 200, body: view() };
    }
    if (what === 'faults' && method === 'PUT') {
      control.setFaults((await jsonBody(req)) as FaultRule[]);
      return { status: 200, body: control.faults() };
    }
    if (what === 'faults' && method === 'POST') {
      control.addFault((await jsonBody(req)) as FaultRule);
      return { status: 200, body: control.faults() };
    }
    if (what === 'faults' && method === 'DELETE') {
      control.clearFaults();
      return { status: 200, body: [] };
    }
    if (what === 'latency' && method === 'PUT') {
      const b = (await jsonBody(req)) as { ms?: number; min?: number; max?: number };
      control.setLatency(b.ms !== undefined ? b.ms : { min: Number(b.min), max: Number(b.max) });
      return { status: 200, body: b };
    }
    if (what === 'providers' && method === 'PUT' && arg) {
      control.setProvider(decodeURIComponent(arg), (await jsonBody(req)) as Partial<ProviderTiming>);
      return { status: 200, body: control.providers() };
    }
    if (what === 'chat' && method === 'PUT') {
      control.setChat((await jsonBody(req)) as { storeDelayMs?: number; slowPickupMs?: number });
      return { status: 200, body: {} };
    }
    if (what === 'rate-limit' && method === 'PUT' && (arg === 'schedule' || arg === 'notify')) {
      control.setRateLimit(arg, (await jsonBody(req)) as RateLimit);
      return { status: 200, body: {} };
    }
    if (what === 'reset' && method === 'POST') {
      control.reset();
      return { status: 200, body: {} };
    }
    if (what === 'requests' && method === 'DELETE') {
      control.clearRequests();
      return { status: 200, body: [] };
    }
  } catch (err) {
    if (err instanceof TypeError || err instanceof ControlError || err instanceof BadRequestBody) {
      return { status: 400, body: { error: err.message } };
    }
    throw err;
  }
  return { status: 404, body: { error: `Unknown control route ${method} ${path}`, routes: ROUTES } };
}
