import type { App, Handler } from '../app.js';
import { FileError, type FileNode, type FileStore, type StoredContent } from '../files/file-store.js';
import { chunkOrder, type Upload } from '../files/uploads.js';
import { readBody } from '../http/body.js';
import type { Ctx } from '../http/context.js';
import { escapeXml } from '../http/xml.js';
import type { Reply } from '../http/reply.js';

// The WebDAV subset clients use: PUT (OC-FileId header), GET, MKCOL, PROPFIND with oc:fileid, DELETE, and
// Nextcloud's chunked upload v2 under /remote.php/dav/uploads/<user>/<id>/ (recorded: dav-chunked-v2__*).

const INSTANCE = 'oczey9cnej33';
const XML = 'application/xml; charset=utf-8';
const HTML = 'text/html; charset=UTF-8';
const NS =
  'xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns"';

const ocFileId = (id: number): string => `${String(id).padStart(8, '0')}${INSTANCE}`;

// What Sabre sends with a 405 on a file URL (recorded: dav-mkcol__already_exists)
const ALLOW = 'OPTIONS, GET, HEAD, DELETE, PROPFIND, PUT, PROPPATCH, COPY, MOVE, REPORT';

function davError(status: number, exception: string, message: string): Reply {
  return {
    kind: 'body',
    status,
    contentType: XML,
    body: `<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns">\n  <s:exception>Sabre\\DAV\\Exception\\${exception}</s:exception>\n  <s:message>${escapeXml(message)}</s:message>\n</d:error>\n`,
    ...(status === 405 ? { headers: { Allow: ALLOW } } : {}),
  };
}

const EXCEPTION: Record<number, string> = {
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  403: 'Forbidden',
  400: 'BadRequest',
};

function fromFileError(err: unknown): Reply {
  if (err instanceof FileError)
    return davError(err.status, EXCEPTION[err.status] ?? 'BadRequest', err.message);
  throw err;
}

/** The path inside the user's files, or a reply when the URL names another user. */
function target(ctx: Ctx): string | Reply {
  if (decodeURIComponent(ctx.pathParams.user ?? '') !== ctx.user) {
    return davError(404, 'NotFound', 'Principal not found');
  }
  return (ctx.pathParams.path ?? '')
    .split('/')
    .map((s) => decodeURIComponent(s))
    .join('/');
}

function href(app: App, node: FileNode): string {
  const path = app.files.pathOf(node);
  const encoded = path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
  return `/remote.php/dav/files/${encodeURIComponent(node.owner)}${encoded === '/' ? '' : encoded}${node.kind === 'folder' ? '/' : ''}`;
}

const KNOWN_PROPS = [
  'oc:fileid',
  'd:getcontenttype',
  'd:getcontentlength',
  'd:getetag',
  'd:getlastmodified',
  'd:resourcetype',
  'oc:size',
  'd:displayname',
];

function requestedProps(body: string): string[] {
  const prop = /<(?:\w+:)?prop>([\s\S]*?)<\/(?:\w+:)?prop>/.exec(body)?.[1];
  if (!prop)
    return [
      'oc:fileid',
      'd:getcontenttype',
      'd:getcontentlength',
      'd:getetag',
      'd:getlastmodified',
      'd:resourcetype',
    ];
  const names: string[] = [];
  for (const m of prop.matchAll(/<(\w+):(\w+)[^>]*?\/?>/g)) {
    const local = m[2] as string;
    const ns = /fileid|size|permissions/.test(local) ? 'oc' : 'd';
    names.push(`${ns}:${local}`);
  }
  return names;
}

function propValue(files: FileStore, node: FileNode, name: string): string | null {
  switch (name) {
    case 'oc:fileid':
      return String(node.id);
    case 'oc:size':
      return String(files.sizeOf(node));
    case 'd:getcontenttype':
      return node.kind === 'file' ? node.mime : null;
    case 'd:getcontentlength':
      return node.kind === 'file' ? String(node.size) : null;
    case 'd:getetag':
      return `&quot;${node.etag}&quot;`;
    case 'd:getlastmodified':
      return new Date(node.mtime * 1000).toUTCString();
    case 'd:displayname':
      return escapeXml(node.name);
    case 'd:resourcetype':
      return node.kind === 'folder' ? '<d:collection/>' : '';
    default:
      return null;
  }
}

function propResponse(app: App, node: FileNode, props: string[]): string {
  const found: string[] = [];
  const missing: string[] = [];
  for (const p of props) {
    const v = KNOWN_PROPS.includes(p) ? propValue(app.files, node, p) : null;
    if (v === null) missing.push(`<${p}/>`);
    else found.push(v === '' ? `<${p}/>` : `<${p}>${v}</${p}>`);
  }
  let out = `<d:response><d:href>${href(app, node)}</d:href>`;
  if (found.length)
    out += `<d:propstat><d:prop>${found.join('')}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>`;
  if (missing.length) {
    out += `<d:propstat><d:prop>${missing.join('')}</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>`;
  }
  return `${out}</d:response>`;
}

/**
 * The request body into a sink, chunk by chunk (to disk with a dataDir). A `cut-upload` fault closes the
 * connection once half the body (or `bytes`) has arrived, keeping nothing: null then.
 */
async function receive(ctx: Ctx, app: App): Promise<StoredContent | null> {
  const cut = app.faults.take(['cut-upload'], ctx.method, ctx.path, ctx.operationId);
  const length = Number(ctx.req.headers['content-length'] ?? NaN);
  const cutAt = cut ? (cut.bytes ?? (Number.isFinite(length) ? Math.floor(length / 2) : 0)) : Infinity;
  const sink = app.files.sink();
  let received = 0;
  try {
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      if (received + chunk.length >= cutAt) {
        await sink.discard();
        ctx.cut = true;
        ctx.req.socket.destroy();
        return null;
      }
      received += chunk.length;
      await sink.write(chunk);
    }
    await sink.end();
  } catch (err) {
    await sink.discard();
    throw err;
  }
  if (cut) {
    // a body no larger than the cut point: the connection goes after it arrived, the chunk is lost all the same
    await sink.discard();
    ctx.cut = true;
    ctx.req.socket.destroy();
    return null;
  }
  return sink.result();
}

const CUT: Reply = { kind: 'body', status: 500, contentType: '', body: '' };

/** The upload folder a chunked-upload URL names, or the reply for one that is not there. */
function uploadOf(ctx: Ctx, app: App): Upload | Reply {
  if (decodeURIComponent(ctx.pathParams.user ?? '') !== ctx.user) {
    return davError(404, 'NotFound', 'Principal not found');
  }
  const id = decodeURIComponent(ctx.pathParams.upload ?? '');
  return (
    app.uploads.get(ctx.user as string, id) ??
    davError(404, 'NotFound', `File with name ${id} could not be located`)
  );
}

/** The path inside the user's files a `Destination` header names, or a reply saying why it cannot be used. */
function destinationOf(ctx: Ctx): string | Reply {
  const raw = ctx.req.headers.destination;
  if (typeof raw !== 'string' || !raw)
    return davError(400, 'BadRequest', 'The destination header was not supplied');
  let path: string;
  try {
    path = new URL(raw, 'http://emulator.local').pathname;
  } catch {
    return davError(400, 'BadRequest', `The destination header is not a URL: ${raw}`);
  }
  const prefix = `/remote.php/dav/files/${encodeURIComponent(ctx.user as string)}/`;
  if (!path.startsWith(prefix)) {
    return davError(403, 'Forbidden', `The destination must be in your files (${prefix}…)`);
  }
  return path
    .slice(prefix.length)
    .split('/')
    .map((s) => decodeURIComponent(s))
    .join('/');
}

function chunkResponse(upload: Upload, name: string, size: number): string {
  return `<d:response><d:href>/remote.php/dav/uploads/${encodeURIComponent(upload.user)}/${encodeURIComponent(upload.id)}/${name ? `${encodeURIComponent(name)}` : ''}</d:href><d:propstat><d:prop>${
    name
      ? `<d:getcontentlength>${size}</d:getcontentlength><d:resourcetype/>`
      : '<d:resourcetype><d:collection/></d:resourcetype>'
  }</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`;
}

export const dav: Record<string, Handler> = {
  'dav-upload-mkcol': (ctx, app) => {
    if (decodeURIComponent(ctx.pathParams.user ?? '') !== ctx.user) {
      return davError(404, 'NotFound', 'Principal not found');
    }
    const raw = ctx.req.headers.destination;
    let destination: string | null = null;
    if (raw !== undefined) {
      const d = destinationOf(ctx);
      if (typeof d !== 'string') return d;
      destination = d;
    }
    try {
      app.uploads.create(ctx.user as string, decodeURIComponent(ctx.pathParams.upload ?? ''), destination);
    } catch (err) {
      return fromFileError(err);
    }
    return { kind: 'body', status: 201, contentType: HTML, body: '' };
  },

  'dav-upload-put': async (ctx, app) => {
    const upload = uploadOf(ctx, app);
    if (!('chunks' in upload)) return upload;
    const name = decodeURIComponent(ctx.pathParams.chunk ?? '');
    if (name === '.file') return davError(403, 'Forbidden', '.file is assembled by MOVE, not uploaded');
    const content = await receive(ctx, app);
    if (!content) return CUT;
    const created = app.uploads.putChunk(upload, name, content);
    // recorded: 201 with an empty text/html body, no file id (a chunk is not a file yet)
    return { kind: 'body', status: created ? 201 : 204, contentType: created ? HTML : '', body: '' };
  },

  'dav-upload-move': async (ctx, app) => {
    const upload = uploadOf(ctx, app);
    if (!('chunks' in upload)) return upload;
    if (decodeURIComponent(ctx.pathParams.chunk ?? '') !== '.file') {
      return davError(403, 'Forbidden', 'Only .file can be moved out of an upload folder');
    }
    const path = destinationOf(ctx);
    if (typeof path !== 'string') return path;
    const totalHeader = ctx.req.headers['oc-total-length'];
    const total = typeof totalHeader === 'string' && /^\d+$/.test(totalHeader) ? Number(totalHeader) : null;
    try {
      const content = await app.uploads.assemble(upload, total);
      const { node, created } = app.files.put(ctx.user as string, path, content);
      await app.uploads.remove(upload);
      return {
        kind: 'body',
        status: created ? 201 : 204,
        contentType: created ? HTML : '',
        body: '',
        headers: { 'OC-ETag': `"${node.etag}"`, ETag: `"${node.etag}"`, 'OC-FileId': ocFileId(node.id) },
      };
    } catch (err) {
      return fromFileError(err);
    }
  },

  'dav-upload-propfind': async (ctx, app) => {
    const upload = uploadOf(ctx, app);
    if (!('chunks' in upload)) return upload;
    await readBody(ctx.req);
    const depth = String(ctx.req.headers.depth ?? '1');
    const names = depth === '0' ? [] : [...upload.chunks.keys()].sort(chunkOrder);
    const body = `<?xml version="1.0"?>\n<d:multistatus ${NS}>${chunkResponse(upload, '', 0)}${names
      .map((n) => chunkResponse(upload, n, (upload.chunks.get(n) as StoredContent).size))
      .join('')}</d:multistatus>\n`;
    return {
      kind: 'body',
      status: 207,
      contentType: XML,
      body,
      headers: { Vary: 'Brief,Prefer', DAV: '1, 3, extended-mkcol' },
    };
  },

  'dav-upload-delete': async (ctx, app) => {
    const upload = uploadOf(ctx, app);
    if (!('chunks' in upload)) return upload;
    await app.uploads.remove(upload);
    return { kind: 'body', status: 204, contentType: '', body: '' };
  },

  'dav-put': async (ctx, app) => {
    const path = target(ctx);
    if (typeof path !== 'string') return path;
    const content = await receive(ctx, app);
    if (!content) return CUT;
    try {
      const { node, created } = app.files.put(ctx.user as string, path, content);
      return {
        kind: 'body',
        status: created ? 201 : 204,
        // recorded: 201 says text/html, 204 sends no content type at all
        contentType: created ? HTML : '',
        body: '',
        headers: { 'OC-FileId': ocFileId(node.id), ETag: `"${node.etag}"`, 'OC-ETag': `"${node.etag}"` },
      };
    } catch (err) {
      return fromFileError(err);
    }
  },

  'dav-get': (ctx, app) => {
    const path = target(ctx);
    if (typeof path !== 'string') return path;
    const node = app.files.resolve(ctx.user as string, path);
    if (!node) return fromFileError(app.files.notFound(ctx.user as string, path));
    if (node.kind === 'folder')
      return davError(405, 'MethodNotAllowed', 'This is a folder; use PROPFIND to list it');
    return {
      kind: 'stream',
      status: 200,
      contentType: node.mime,
      size: node.size,
      open: () => app.files.open(node),
      headers: { ETag: `"${node.etag}"`, 'OC-FileId': ocFileId(node.id) },
    };
  },

  'dav-mkcol': (ctx, app) => {
    const path = target(ctx);
    if (typeof path !== 'string') return path;
    try {
      const node = app.files.mkdir(ctx.user as string, path);
      return {
        kind: 'body',
        status: 201,
        contentType: HTML,
        body: '',
        headers: { 'OC-FileId': ocFileId(node.id) },
      };
    } catch (err) {
      return fromFileError(err);
    }
  },

  'dav-propfind': async (ctx, app) => {
    const path = target(ctx);
    if (typeof path !== 'string') return path;
    const node = app.files.resolve(ctx.user as string, path);
    if (!node) return fromFileError(app.files.notFound(ctx.user as string, path));
    const props = requestedProps((await readBody(ctx.req)).toString('utf8'));
    const depth = String(ctx.req.headers.depth ?? '1');
    const nodes = [node, ...(depth !== '0' && node.kind === 'folder' ? app.files.children(node) : [])];
    const body = `<?xml version="1.0"?>\n<d:multistatus ${NS}>${nodes.map((n) => propResponse(app, n, props)).join('')}</d:multistatus>\n`;
    return {
      kind: 'body',
      status: 207,
      contentType: XML,
      body,
      headers: { Vary: 'Brief,Prefer', DAV: '1, 3, extended-mkcol' },
    };
  },

  'dav-delete': (ctx, app) => {
    const path = target(ctx);
    if (typeof path !== 'string') return path;
    const node = app.files.resolve(ctx.user as string, path);
    if (!node || node.parentId === null) return fromFileError(app.files.notFound(ctx.user as string, path));
    app.files.remove(node);
    return { kind: 'body', status: 204, contentType: '', body: '' };
  },
};
