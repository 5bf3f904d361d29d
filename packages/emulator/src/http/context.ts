import type { IncomingMessage, ServerResponse } from 'node:http';

export type Format = 'json' | 'xml';

/** One request as the handlers see it. */
export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Path as requested, without the query string. */
  path: string;
  query: URLSearchParams;
  /** OCS API version from /ocs/v1.php or /ocs/v2.php; null for other routes. */
  ocsVersion: 1 | 2 | null;
  /** Response format of OCS answers: JSON only if asked for by `format=json` or `Accept: application/json`. */
  format: Format;
  /** The `format` query parameter, the only thing crashes and unknown routes honour. */
  formatQuery: string | null;
  user: string | null;
  authKind: 'basic' | 'bearer' | null;
  /** Basic auth with the login password rather than an app password. */
  usedLoginPassword: boolean;
  operationId?: string;
  pathParams: Record<string, string>;
  /** Set when a `cut-upload` fault closed the connection in the middle of the request body. */
  cut?: boolean;
}

/** OCS answers JSON only for `format=json`, or an Accept header listing exactly `application/json`. */
export function negotiateFormat(query: URLSearchParams, accept: string | undefined): Format {
  const q = query.get('format');
  if (q === 'json') return 'json';
  if (q === 'xml') return 'xml';
  const types = (accept ?? '').split(',').map((t) => t.trim());
  return types.includes('application/json') ? 'json' : 'xml';
}
