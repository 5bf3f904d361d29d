import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { App, Handler } from './app.js';
import { Engine, taskJson } from './engine/engine.js';
import { Faults, type FaultRule } from './faults.js';
import { FileStore } from './files/file-store.js';
import { Uploads } from './files/uploads.js';
import { assistantApi } from './handlers/assistant-api.js';
import { assistant4, Assignments } from './handlers/assistant-4.js';
import { chat, runAssignment } from './handlers/chat.js';
import { fileView, handleControl, type EmulatorControl, type Latency } from './handlers/control.js';
import { dav } from './handlers/dav.js';
import { serverCore } from './handlers/server-core.js';
import { taskProcessing } from './handlers/taskprocessing.js';
import { negotiateFormat, type Ctx } from './http/context.js';
import { frameworkError, JSON_TYPE, render, send, type Rendered, type Reply } from './http/reply.js';
import {
  DEFAULT_NOTIFY_LIMIT,
  DEFAULT_SCHEDULE_LIMIT,
  DEFAULT_SLOW_PICKUP_MS,
  DEFAULT_STORE_DELAY_MS,
  validateOptions,
  type EmulatorOptions,
  type EmulatorUser,
} from './options.js';
import { createPrng } from './prng.js';
import { makeProfile } from './profile.js';
import { buildRoutes, matchRoute, type Route } from './routing/router.js';
import { State } from './state/store.js';

export interface RunningEmulator {
  /** Base URL, e.g. http://127.0.0.1:43121 (no trailing slash). */
  url: string;
  port: number;
  users: EmulatorUser[];
  control: EmulatorControl;
  close(): Promise<void>;
}

/** Handlers by operationId (spec operations plus the server routes clients use besides them). */
export const HANDLERS: Record<string, Handler> = {
  ...assistantApi,
  ...taskProcessing,
  ...chat,
  ...serverCore,
  ...dav,
  ...assistant4,
};
const MAX_LOG = 10_000;

const LOGIN_PAGE = `<!DOCTYPE html>
<html class="ng-csp" data-placeholder-focus="false" lang="en">
<head><meta charset="utf-8"><title>Login – Nextcloud</title></head>
<body id="body-login"><form method="post" name="login"><input type="text" name="user" id="user"><input type="password" name="password" id="password"><input type="submit" value="Log in"></form></body>
</html>
`;
const BAD_GATEWAY =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** Starts an emulator on 127.0.0.1 (port 0 picks a free port). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  validateOptions(options);
  const seed = options.seed ?? 1;
  const prng = createPrng(seed);
  const users = new Map<string, Required<EmulatorUser>>();
  const passwordPrng = createPrng(seed ^ 0x5eed);
  for (const u of options.users ?? [{ user: 'alice' }, { user: 'bob' }]) {
    const appPassword = u.appPassword ?? Array.from({ length: 5 }, () => passwordPrng.chars(5)).join('-');
    users.set(u.user, { user: u.user, appPassword, password: u.password ?? `${u.user}-login` });
  }

  const profile = makeProfile(options.assistant, options.nextcloud, options.contextAgent);
  const state = new State();
  const files = new FileStore(() => state.next('file'), options.dataDir);
  const uploads = new Uploads(files);
  const faults = new Faults(prng);
  const initialFaults: FaultRule[] = options.faults ?? [];
  faults.set(initialFaults);
  // the realistic profile: 1 s tasks unless the caller times them, picked up by one serial worker
  const realistic = options.profile === 'realistic';
  const providerOptions = realistic
    ? { ...options.providers, default: { pickupMs: 0, runMs: 1_000, ...options.providers?.default } }
    : (options.providers ?? {});
  const pickup = options.pickup ?? (realistic ? { mode: 'worker' as const } : null);
  const engine = new Engine(
    state,
    files,
    faults,
    providerOptions,
    options.chat?.storeDelayMs ?? DEFAULT_STORE_DELAY_MS,
    profile,
  );
  engine.setPickup(pickup);
  const app: App = {
    state,
    files,
    uploads,
    assignments: new Assignments((a) => runAssignment(app, a)),
    engine,
    faults,
    prng,
    users,
    limits: {
      schedule: options.rateLimit?.schedule ?? DEFAULT_SCHEDULE_LIMIT,
      notify: options.rateLimit?.notify ?? DEFAULT_NOTIFY_LIMIT,
    },
    slowPickupMs: options.chat?.slowPickupMs ?? DEFAULT_SLOW_PICKUP_MS,
    profile,
  };
  const initRoots = (): void => {
    for (const name of users.keys()) files.root(name);
  };
  initRoots();
  let latency: Latency = options.latency ?? 0;
  const routes = buildRoutes(app.profile.assistant);

  const control: EmulatorControl = {
    setFaults: (rules) => faults.set(rules),
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.set([]),
    faults: () => faults.list(),
    setLatency: (l) => {
      const ok = typeof l === 'number' ? l >= 0 : l.min >= 0 && l.max >= l.min;
      if (!ok) throw new TypeError('latency must be ms >= 0 or {min, max} with 0 <= min <= max');
      latency = l;
    },
    setProvider: (type, timing) => {
      validateOptions({ providers: { [type]: timing } });
      engine.setTiming(type, timing);
    },
    providers: () => engine.allTimings(),
    setChat: (c) => {
      if (c.storeDelayMs !== undefined) engine.setStoreDelay(Math.max(0, Number(c.storeDelayMs)));
      if (c.slowPickupMs !== undefined) app.slowPickupMs = Math.max(0, Number(c.slowPickupMs));
    },
    setRateLimit: (name, limit) => {
      validateOptions({ rateLimit: { [name]: limit } });
      app.limits[name] = limit;
    },
    reset: () => {
      engine.stop();
      engine.resetTimings(providerOptions);
      engine.setPickup(pickup);
      engine.setStoreDelay(options.chat?.storeDelayMs ?? DEFAULT_STORE_DELAY_MS);
      app.slowPickupMs = options.chat?.slowPickupMs ?? DEFAULT_SLOW_PICKUP_MS;
      app.limits = {
        schedule: options.rateLimit?.schedule ?? DEFAULT_SCHEDULE_LIMIT,
        notify: options.rateLimit?.notify ?? DEFAULT_NOTIFY_LIMIT,
      };
      state.reset();
      app.assignments.clear();
      uploads.clear();
      files.clear();
      faults.set(initialFaults);
      latency = options.latency ?? 0;
      initRoots();
    },
    tasks: () =>
      [...state.tasks.values()].map((t) => ({
        ...taskJson(t),
        webhookUri: t.webhookUri,
        webhookMethod: t.webhookMethod,
        errorMessage: t.errorMessage,
        scheduledAtMs: t.scheduledAtMs,
        startedAtMs: t.startedAtMs ?? null,
        endedAtMs: t.endedAtMs,
      })),
    sessions: () => [...state.sessions.values()].map((s) => ({ ...s })),
    messages: () =>
      [...state.messages.values()].filter((m) => !state.systemMessages.has(m.id)).map((m) => ({ ...m })),
    files: () => files.all().map((n) => fileView(app, n)),
    notifications: () => state.notifications.map((n) => ({ ...n })),
    notifyRecords: () => [...state.notifyRecords.values()].map((r) => ({ ...r })),
    webhooks: () => state.webhooks.map((w) => ({ ...w })),
    requests: () => state.requests.map(({ at: _at, ...r }) => r),
    clearRequests: () => {
      state.requests = [];
    },
    idle: () => engine.idle(),
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    void dispatch(req, res).catch(() => {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else res.destroy();
    });
  };

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    const method = (req.method ?? 'GET').toUpperCase();
    let path = url.pathname;

    if (path.startsWith('/__emulator/')) {
      const { status, body } = await handleControl(req, path, control);
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }

    let ocsVersion: 1 | 2 | null = null;
    if (path.startsWith('/ocs/v1.php/')) {
      ocsVersion = 1;
      path = `/ocs/v2.php/${path.slice('/ocs/v1.php/'.length)}`;
    } else if (path.startsWith('/ocs/v2.php/')) ocsVersion = 2;

    const ctx: Ctx = {
      req,
      res,
      method,
      path: url.pathname,
      query: url.searchParams,
      ocsVersion,
      format: negotiateFormat(url.searchParams, req.headers.accept),
      formatQuery: url.searchParams.get('format'),
      user: null,
      authKind: null,
      usedLoginPassword: false,
      pathParams: {},
    };
    const matched = matchRoute(routes, method, path);
    const route = typeof matched === 'object' && matched ? matched.route : undefined;
    ctx.operationId = route?.operationId;
    if (route && typeof matched === 'object' && matched) ctx.pathParams = matched.params;

    await delay(pickLatency(latency, prng));
    const slow = faults.take(['latency'], method, path, ctx.operationId);
    if (slow) await delay(slow.ms ?? 0);

    let faultName: string | null = null;
    let rendered: Rendered | 'reset';
    const pre = faults.take(['status', 'reset', 'rate-limit', 'html-login'], method, path, ctx.operationId);
    if (pre && !pre.after) {
      faultName = pre.kind;
      rendered = faultReply(ctx, pre);
    } else {
      if (faults.take(['xml'], method, path, ctx.operationId)) {
        faultName = 'xml';
        ctx.format = 'xml';
      }
      rendered = await answer(ctx, matched === 'method-mismatch' ? 'method-mismatch' : route);
      if (ctx.cut) {
        faultName = 'cut-upload';
        rendered = 'reset';
      } else if (pre) {
        faultName = pre.kind;
        rendered = faultReply(ctx, pre);
      }
    }

    const status = rendered === 'reset' ? 0 : rendered.status;
    const broken =
      rendered !== 'reset' && rendered.body
        ? faults.take(['truncate', 'malformed'], method, path, ctx.operationId)
        : undefined;
    if (broken) faultName = broken.kind;
    // Logged before the answer leaves: a client holding its answer always finds the request in the log.
    state.requests.push({
      method,
      path: url.pathname,
      status,
      operationId: ctx.operationId ?? null,
      user: ctx.user,
      fault: faultName,
      at: Date.now(),
    });
    if (state.requests.length > MAX_LOG) state.requests.splice(0, state.requests.length - MAX_LOG);

    if (rendered === 'reset') {
      req.socket.destroy();
    } else if (broken?.kind === 'truncate' && rendered.body) {
      res.writeHead(rendered.status, {
        ...rendered.headers,
        'Content-Length': String(rendered.body.length),
      });
      res.write(rendered.body.subarray(0, Math.floor(rendered.body.length / 2)), () => res.destroy());
    } else {
      if (broken?.kind === 'malformed' && rendered.body) {
        rendered.body = Buffer.concat([
          Buffer.from(
            '<br />\n<b>Warning</b>:  Undefined array key "user" in <b>/var/www/html/lib/base.php</b> on line <b>1041</b><br />\n',
          ),
          rendered.body.subarray(0, Math.max(1, rendered.body.length - 2)),
        ]);
      }
      await send(ctx, rendered);
    }
  }

  /** Auth, CSRF check, the handler, and rendering: what the server itself would answer. */
  async function answer(ctx: Ctx, route: Route | 'method-mismatch' | undefined): Promise<Rendered> {
    if (route === 'method-mismatch')
      return { status: 405, headers: { 'Content-Type': 'text/xml; charset=UTF-8' }, body: Buffer.alloc(0) };
    if (!route) return render(ctx, { kind: 'unknown-route' });
    const auth = authenticate(ctx.req.headers.authorization, users);
    if (auth && typeof auth === 'object') {
      ctx.user = auth.user;
      ctx.authKind = auth.kind;
      ctx.usedLoginPassword = auth.login;
    }
    if (route.auth && !ctx.user) {
      if (route.style === 'raw') {
        return render(ctx, {
          kind: 'body',
          status: 401,
          contentType: 'application/xml; charset=utf-8',
          body: '<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns">\n  <s:exception>Sabre\\DAV\\Exception\\NotAuthenticated</s:exception>\n  <s:message>No public access to this resource., No \'Authorization: Basic\' header found</s:message>\n</d:error>\n',
          headers: { 'WWW-Authenticate': 'Basic realm="Nextcloud", charset="UTF-8"' },
        });
      }
      if (auth === 'bad-basic') {
        return frameworkError(ctx, 401, 997, 'Unauthorised', {
          'WWW-Authenticate': 'Basic realm="Authorisation Required"',
        });
      }
      return render(ctx, {
        kind: 'ocs',
        status: 401,
        data: [],
        statuscode: 997,
        message: 'Current user is not logged in',
      });
    }
    if (route.csrf && ctx.authKind !== 'bearer' && ctx.req.headers['ocs-apirequest'] !== 'true') {
      return render(ctx, { kind: 'json', status: 412, body: { message: 'CSRF check failed' } });
    }
    const handler = HANDLERS[route.operationId];
    let reply: Reply;
    try {
      reply = handler ? await handler(ctx, app) : { kind: 'unknown-route' };
    } catch {
      reply = { kind: 'crash' };
    }
    return render(ctx, reply);
  }

  function faultReply(ctx: Ctx, rule: FaultRule): Rendered | 'reset' {
    switch (rule.kind) {
      case 'reset':
        return 'reset';
      case 'rate-limit':
        return {
          status: 429,
          headers: {
            'Content-Type': 'text/html; charset=UTF-8',
            'Retry-After': String(rule.retryAfter ?? 1),
          },
          body: Buffer.alloc(0),
        };
      case 'html-login':
        return {
          status: 200,
          headers: { 'Content-Type': 'text/html; charset=UTF-8' },
          body: Buffer.from(LOGIN_PAGE),
        };
      default:
        if (rule.status === 502)
          return { status: 502, headers: { 'Content-Type': 'text/html' }, body: Buffer.from(BAD_GATEWAY) };
        if (rule.status === 503) {
          return frameworkError(ctx, 503, 503, 'Service unavailable', {
            'X-Nextcloud-Maintenance-Mode': '1',
          });
        }
        return render(ctx, { kind: 'crash' });
    }
  }

  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handle)
    : createHttpServer(handle);
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostPart = host.includes(':') ? `[${host}]` : host;

  return {
    url: `${options.tls ? 'https' : 'http'}://${hostPart}:${port}`,
    port,
    users: [...users.values()].map((u) => ({
      user: u.user,
      appPassword: u.appPassword,
      password: u.password,
    })),
    control,
    async close() {
      engine.stop();
      app.assignments.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      uploads.clear();
      files.clear();
    },
  };
}

type AuthResult =
  { user: string; kind: 'basic' | 'bearer'; login: boolean } | 'bad-basic' | 'bad-bearer' | null;

function authenticate(header: string | undefined, users: Map<string, Required<EmulatorUser>>): AuthResult {
  if (!header) return null;
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const u = users.get(decoded.slice(0, colon));
    const password = decoded.slice(colon + 1);
    if (colon > 0 && u && (password === u.appPassword || password === u.password)) {
      return { user: u.user, kind: 'basic', login: password === u.password };
    }
    return 'bad-basic';
  }
  if (scheme?.toLowerCase() === 'bearer') {
    for (const u of users.values())
      if (u.appPassword === value) return { user: u.user, kind: 'bearer', login: false };
    return 'bad-bearer';
  }
  return null;
}

function pickLatency(l: Latency, prng: { next(): number }): number {
  if (typeof l === 'number') return l;
  return l.min + prng.next() * (l.max - l.min);
}

// unref: an answer held back by latency never keeps the process alive after close()
function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms).unref()) : Promise.resolve();
}
