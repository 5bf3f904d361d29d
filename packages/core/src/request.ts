// Builds requests from the generated operation table: URL with checked parameters, headers, encoded body.
import { badInput } from './errors.js';
import { exchange, type HttpContext } from './exchange.js';
import type { RawAnswer } from './decode.js';
import { printable } from './shape.js';
import { operations } from './generated/operations.js';
import type { ByteStream } from './transport.js';
import { encodeMultipart, type UploadData } from './multipart.js';

export type OperationId = keyof typeof operations;
type Operation = (typeof operations)[OperationId];

// GETs that start work on the server: repeating one after a lost answer would start it twice.
const SCHEDULES_WORK: ReadonlySet<string> = new Set([
  'chattyllm-generate-for-session',
  'chattyllm-regenerate-for-session',
  'chattyllm-generate-title',
]);

export interface RequestParams {
  path?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  signal?: AbortSignal;
  /** For binary downloads: hand back the body as a stream instead of reading it. */
  stream?: boolean;
  /** false: do not repeat this read on a server error (the caller treats the error itself). */
  retry?: boolean;
  /** The caller's deadline on the client's clock: no wait and no request in flight outlives it. */
  deadline?: number;
}

/** What every OCS request carries: without these, servers answer XML or 412 (see docs/api-behaviour.md). */
export const OCS_REQUEST = {
  headers: { 'OCS-APIRequest': 'true', Accept: 'application/json' },
  query: { format: 'json' },
} as const;

/** Id parameters, and what they name for a user ("task 7 was not found"), innermost first. */
const ID_PARAMS: Readonly<Record<string, string>> = {
  messageId: 'message',
  fileId: 'file',
  id: 'task',
  ocpTaskId: 'task',
  taskId: 'task',
  sessionId: 'chat session',
};
const NOUNS = [...new Set(Object.values(ID_PARAMS))];

function integerParam(operationId: string, name: string, value: unknown): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  const min = Object.hasOwn(ID_PARAMS, name) ? 1 : 0;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
    const shown = typeof value === 'string' ? `"${value.slice(0, 40)}"` : printable(value, 40);
    throw badInput(
      `${name} must be a ${min ? 'positive' : 'non-negative'} whole number, got ${shown}.`,
      `Check the ${name} you passed (an expression may have produced an empty or non-numeric value).`,
      { operationId },
    );
  }
  return n;
}

function stringParam(operationId: string, name: string, value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value.trim() === '') {
    throw badInput(`${name} is required and must be a non-empty text.`, `Pass a value for ${name}.`, {
      operationId,
    });
  }
  // Encoding keeps "/" inside one segment, but "." and ".." would still be resolved away by URL parsing.
  if (value === '.' || value === '..' || /[\u0000-\u001f]/.test(value)) {
    throw badInput(`${name} "${value.slice(0, 40)}" is not a valid value.`, undefined, { operationId });
  }
  return value;
}

export function buildUrl(ctx: HttpContext, operationId: OperationId, params: RequestParams): string {
  return build(ctx, operationId, params).url;
}

function build(
  ctx: HttpContext,
  operationId: OperationId,
  params: RequestParams,
): { url: string; subject: string | undefined } {
  const op: Operation = operations[operationId];
  const ints = new Set<string>(op.integerParams);
  const named: [number, string][] = [];
  const name = (param: string, value: string) => {
    const noun = Object.hasOwn(ID_PARAMS, param) ? ID_PARAMS[param]! : undefined;
    if (noun) named.push([NOUNS.indexOf(noun), `${noun} ${value}`]);
  };
  const path = op.path.replace(/\{(\w+)\}/g, (_, param: string) => {
    const given = typeof params.path === 'object' && params.path !== null ? params.path : {};
    let value = given[param];
    if (value === undefined && param === 'apiVersion') value = 'v1';
    if (value === undefined || value === null) {
      throw badInput(`${param} is required for "${op.summary}".`, `Pass the ${param}.`, { operationId });
    }
    const text = ints.has(param)
      ? String(integerParam(operationId, param, value))
      : stringParam(operationId, param, value);
    name(param, text);
    return encodeURIComponent(text);
  });
  const search = new URLSearchParams();
  for (const param of op.queryParams as readonly string[]) {
    const value = typeof params.query === 'object' && params.query !== null ? params.query[param] : undefined;
    if (value === undefined || value === null) continue;
    const text = ints.has(param)
      ? String(integerParam(operationId, param, value))
      : stringParam(operationId, param, value);
    name(param, text);
    search.set(param, text);
  }
  for (const [key, value] of Object.entries(OCS_REQUEST.query)) search.set(key, value);
  return {
    url: `${ctx.baseUrl}${path}?${search.toString()}`,
    subject: named.length
      ? named
          .sort((a, b) => a[0] - b[0])
          .map(([, text]) => text)
          .join(' of ')
      : undefined,
  };
}

/** Sends one API operation and returns the decoded answer, whatever its status. Throws only for transport failures. */
export async function send(
  ctx: HttpContext,
  operationId: OperationId,
  given?: RequestParams | null,
): Promise<RawAnswer> {
  const params: RequestParams = given && typeof given === 'object' ? given : {};
  const op: Operation | undefined =
    typeof operationId === 'string' && Object.hasOwn(operations, operationId)
      ? operations[operationId]
      : undefined;
  if (!op) {
    throw badInput(
      `Unknown operation "${printable(operationId)}".`,
      'Use one of the operationIds in `operations`.',
      { operationId: printable(operationId) },
    );
  }
  const { url, subject } = build(ctx, operationId, params);
  const headers: Record<string, string> = { ...ctx.headers };
  let body: string | Uint8Array | ByteStream | undefined;
  const streamBody = op.body === 'multipart';
  if (op.body === 'json' && params.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(params.body);
  }
  const binary = op.response === 'binary';
  return exchange(ctx, {
    operationId,
    summary: op.summary,
    method: op.method,
    url,
    headers,
    makeBody: streamBody
      ? () => {
          const encoded = encodeMultipart(params.body as UploadData);
          Object.assign(headers, encoded.headers);
          return encoded.body;
        }
      : () => body,
    responseType: binary && params.stream ? 'stream' : 'bytes',
    safe: op.method === 'GET' && !SCHEDULES_WORK.has(operationId) && params.retry !== false,
    binary,
    ...(params.signal ? { signal: params.signal } : {}),
    ...(typeof params.deadline === 'number' ? { deadline: params.deadline } : {}),
    ...(subject ? { subject } : {}),
  });
}
