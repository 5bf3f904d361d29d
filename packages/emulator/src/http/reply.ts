import type { Readable } from 'node:stream';
import type { Ctx } from './context.js';
import { ocsXml } from './xml.js';

export type Headers = Record<string, string>;

/** What a handler answers; rendering (format, envelope, OCS version) happens in one place. */
export type Reply =
  | { kind: 'ocs'; status: number; data: unknown; statuscode?: number; message?: string; headers?: Headers }
  | { kind: 'json'; status: number; body: unknown; headers?: Headers }
  | { kind: 'crash' }
  | { kind: 'unknown-route' }
  | { kind: 'body'; status: number; contentType: string; body: Buffer | string; headers?: Headers }
  | {
      kind: 'stream';
      status: number;
      contentType: string;
      size: number;
      open: () => Readable;
      headers?: Headers;
    };

export interface Rendered {
  status: number;
  headers: Headers;
  body?: Buffer;
  stream?: { size: number; open: () => Readable };
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const NO_CACHE = 'no-cache, no-store, must-revalidate';

export const ocs = (status: number, data: unknown): Reply => ({ kind: 'ocs', status, data });
export const json = (status: number, body: unknown): Reply => ({ kind: 'json', status, body });
export const crash = (): Reply => ({ kind: 'crash' });

/** An empty content type sends none (a WebDAV 204 has no body to describe). */
const base = (contentType: string): Headers =>
  contentType ? { 'Cache-Control': NO_CACHE, 'Content-Type': contentType } : { 'Cache-Control': NO_CACHE };

function ocsEnvelope(
  ctx: Ctx,
  status: number,
  data: unknown,
  statuscode?: number,
  message?: string,
): Rendered {
  const ok = status >= 200 && status < 300;
  const v1 = ctx.ocsVersion === 1;
  const meta: Record<string, unknown> = {
    status: ok ? 'ok' : 'failure',
    statuscode: statuscode ?? (ok ? (v1 ? 100 : 200) : status),
    message: message ?? (ok ? 'OK' : ''),
  };
  if (v1) Object.assign(meta, { totalitems: '', itemsperpage: '' });
  // OCS v1 reports failures in the envelope only; auth failures keep their HTTP status.
  const httpStatus = v1 && status !== 401 ? 200 : status;
  if (ctx.format === 'json') {
    return {
      status: httpStatus,
      headers: base(JSON_TYPE),
      body: Buffer.from(JSON.stringify({ ocs: { meta, data } })),
    };
  }
  return {
    status: httpStatus,
    headers: base('application/xml; charset=utf-8'),
    body: Buffer.from(ocsXml(meta, data)),
  };
}

/** Answers servers send outside any controller (crash, unknown route, bad credentials): XML unless ?format=json. */
export function frameworkError(
  ctx: Ctx,
  status: number,
  statuscode: number,
  message: string,
  headers: Headers = {},
): Rendered {
  const meta = { status: 'failure', statuscode, message };
  if (ctx.formatQuery === 'json') {
    return {
      status,
      headers: { ...base(JSON_TYPE), ...headers },
      body: Buffer.from(JSON.stringify({ ocs: { meta, data: [] } })),
    };
  }
  return {
    status,
    headers: { ...base('text/xml; charset=UTF-8'), ...headers },
    body: Buffer.from(ocsXml(meta, [])),
  };
}

export function render(ctx: Ctx, reply: Reply): Rendered {
  switch (reply.kind) {
    case 'ocs': {
      const r = ocsEnvelope(ctx, reply.status, reply.data, reply.statuscode, reply.message);
      Object.assign(r.headers, reply.headers);
      return r;
    }
    case 'json':
      return {
        status: reply.status,
        headers: { ...base(JSON_TYPE), ...reply.headers },
        body: Buffer.from(JSON.stringify(reply.body)),
      };
    case 'crash':
      return frameworkError(ctx, 500, 996, 'Internal Server Error\n');
    case 'unknown-route':
      return frameworkError(
        ctx,
        404,
        998,
        'Invalid query, please check the syntax. API specifications are here: http://www.freedesktop.org/wiki/Specifications/open-collaboration-services.\n',
      );
    case 'body':
      return {
        status: reply.status,
        headers: { ...base(reply.contentType), ...reply.headers },
        body: Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body),
      };
    case 'stream':
      return {
        status: reply.status,
        headers: { ...base(reply.contentType), ...reply.headers },
        stream: { size: reply.size, open: reply.open },
      };
  }
}

/** Writes a rendered answer; streams are piped so large files never sit in memory. */
export function send(ctx: Ctx, r: Rendered): Promise<void> {
  const { res } = ctx;
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    res.statusCode = r.status;
    for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
    if (r.stream) {
      res.setHeader('Content-Length', String(r.stream.size));
      if (ctx.method === 'HEAD') return res.end(() => resolve());
      const src = r.stream.open();
      src.on('error', () => res.destroy());
      res.on('close', resolve);
      src.pipe(res);
      return;
    }
    const body = r.body ?? Buffer.alloc(0);
    res.setHeader('Content-Length', String(body.length));
    res.end(ctx.method === 'HEAD' ? undefined : body, () => resolve());
  });
}
