import { SPEC_ROUTES } from '../generated/spec-routes.js';
import type { AssistantVersion } from '../options.js';

/** How a route answers errors: OCS envelope, plain JSON (chat), or its own format (WebDAV, status). */
export type RouteStyle = 'ocs' | 'json' | 'raw';

export interface Route {
  operationId: string;
  method: string;
  /** the path as the spec writes it, e.g. `/ocs/v2.php/taskprocessing/task/{id}` */
  template: string;
  pattern: RegExp;
  keys: string[];
  style: RouteStyle;
  /** needs a logged-in user */
  auth: boolean;
  /** needs `OCS-APIRequest: true` unless a Bearer token is used */
  csrf: boolean;
}

export interface Match {
  route: Route;
  params: Record<string, string>;
}

// The assistant app's task-types route is the one OCS route that skips the CSRF check (see the recordings).
const NO_CSRF = new Set(['assistant_api-get-available-task-types']);

function compile(template: string): { pattern: RegExp; keys: string[] } {
  const keys: string[] = [];
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const m = /^\{([^}]+)\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const key = m[1] as string;
      if (key === 'apiVersion') return 'v1'; // the only API version servers answer
      if (key.endsWith('*')) {
        keys.push(key.slice(0, -1));
        return '(.*)';
      }
      keys.push(key);
      return '([^/]+)';
    })
    .join('');
  return { pattern: new RegExp(`^${source}/?$`), keys };
}

function route(
  operationId: string,
  method: string,
  path: string,
  style: RouteStyle,
  auth: boolean,
  csrf: boolean,
): Route {
  return { operationId, method, template: path, ...compile(path), style, auth, csrf };
}

/** The spec operations served by an assistant version: its assistant spec plus the server's TaskProcessing API. */
export function specRoutes(version: AssistantVersion = '2.13'): Route[] {
  return [...SPEC_ROUTES[version], ...SPEC_ROUTES.taskprocessing].map(([id, method, path, style]) =>
    route(id, method, path, style, true, !NO_CSRF.has(id)),
  );
}

/** Every operation of the spec files the emulator serves plus the server routes clients use besides them. */
export function buildRoutes(version: AssistantVersion = '2.13'): Route[] {
  const routes = specRoutes(version);
  const dav = '/remote.php/dav/files/{user}/{path*}';
  const davRoot = '/remote.php/dav/files/{user}';
  routes.push(
    route('core-capabilities', 'GET', '/ocs/v2.php/cloud/capabilities', 'ocs', false, false),
    route('core-getapppassword', 'GET', '/ocs/v2.php/core/getapppassword', 'ocs', true, true),
    route(
      'core-notifications-list',
      'GET',
      '/ocs/v2.php/apps/notifications/api/v2/notifications',
      'ocs',
      true,
      true,
    ),
    route('core-status', 'GET', '/status.php', 'raw', false, false),
    route('public-share', 'GET', '/s/{token}', 'raw', false, false),
    route('public-share', 'GET', '/s/{token}/download', 'raw', false, false),
    // Nextcloud chunked upload v2: the upload folder, its chunks, and MOVE .file to assemble them
    route('dav-upload-mkcol', 'MKCOL', '/remote.php/dav/uploads/{user}/{upload}', 'raw', true, false),
    route('dav-upload-propfind', 'PROPFIND', '/remote.php/dav/uploads/{user}/{upload}', 'raw', true, false),
    route('dav-upload-delete', 'DELETE', '/remote.php/dav/uploads/{user}/{upload}', 'raw', true, false),
    route('dav-upload-put', 'PUT', '/remote.php/dav/uploads/{user}/{upload}/{chunk}', 'raw', true, false),
    route('dav-upload-move', 'MOVE', '/remote.php/dav/uploads/{user}/{upload}/{chunk}', 'raw', true, false),
    ...(['PUT', 'GET', 'HEAD', 'MKCOL', 'PROPFIND', 'DELETE'] as const).flatMap((m) => {
      const id = `dav-${m === 'HEAD' ? 'get' : m.toLowerCase()}`;
      return [route(id, m, dav, 'raw', true, false), route(id, m, davRoot, 'raw', true, false)];
    }),
  );
  return routes;
}

/** The route for this method and path; `methodMismatch` when only another method exists. */
export function matchRoute(routes: Route[], method: string, path: string): Match | 'method-mismatch' | null {
  let other = false;
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    if (r.method !== method) {
      other = true;
      continue;
    }
    const params: Record<string, string> = {};
    r.keys.forEach((k, i) => (params[k] = m[i + 1] ?? ''));
    return { route: r, params };
  }
  return other ? 'method-mismatch' : null;
}
