import {
  AssistantError,
  normalizeBaseUrl,
  type ListedFile,
  type Transport,
} from '@f7cloud/assistant-client';

// A folder's files through WebDAV PROPFIND (Depth 1, as Nextcloud allows; subfolders one request each).
// Through n8n's own transport (its proxy and TLS settings, the request helper n8n records).

const PROPS = `<?xml version="1.0"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop>
<oc:fileid/><d:getetag/><d:getcontentlength/><d:getcontenttype/><d:getlastmodified/><d:resourcetype/>
</d:prop></d:propfind>`;

/** Subfolders looked into per poll at most: a watch is for an inbox, not a whole drive. */
export const MAX_FOLDERS = 100;
/** About 20 000 files per folder listing. */
const MAX_LISTING_BYTES = 16 * 1024 * 1024;

function elements(xml: string, local: string): string[] {
  const pattern = new RegExp(`<((?:[\\w.-]+:)?${local})(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</\\1\\s*>)`, 'g');
  return [...xml.matchAll(pattern)].map((m) => m[2] ?? '');
}

const unescape = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();

interface Entry extends ListedFile {
  folder: boolean;
}

function parse(xml: string, root: string): Entry[] {
  const entries: Entry[] = [];
  for (const response of elements(xml, 'response')) {
    const rawHref = unescape(elements(response, 'href')[0] ?? '');
    let href = rawHref;
    try {
      href = decodeURIComponent(rawHref);
    } catch {
      // a malformed escape: keep it as sent
    }
    const at = href.indexOf(root);
    if (at < 0) continue;
    const path = `/${href.slice(at + root.length).replace(/^\/+|\/+$/g, '')}`;
    const folder = /<(?:[\w.-]+:)?collection\s*\/?>/.test(elements(response, 'resourcetype')[0] ?? '');
    const id = unescape(elements(response, 'fileid')[0] ?? '');
    const modified = Date.parse(unescape(elements(response, 'getlastmodified')[0] ?? ''));
    entries.push({
      folder,
      fileId: /^\d+$/.test(id) ? Number(id) : 0,
      path,
      name: path.split('/').pop() ?? '',
      etag: unescape(elements(response, 'getetag')[0] ?? '').replace(/^"|"$/g, ''),
      size: Number(unescape(elements(response, 'getcontentlength')[0] ?? '')) || 0,
      mimeType: unescape(elements(response, 'getcontenttype')[0] ?? ''),
      lastModified: Number.isFinite(modified) ? Math.floor(modified / 1000) : 0,
    });
  }
  return entries;
}

const encodePath = (path: string) =>
  path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => encodeURIComponent(s))
    .join('/');

/** The files in `folder` (a path in the user's files), and in its subfolders with `recursive`. */
export async function listFolder(
  transport: Transport,
  server: { baseUrl: string; user: string },
  folder: string,
  recursive: boolean,
): Promise<ListedFile[]> {
  const base = normalizeBaseUrl(server.baseUrl);
  const root = `/remote.php/dav/files/${server.user}`;
  const files: ListedFile[] = [];
  const queue = [`/${encodePath(folder)}`.replace(/\/$/, '') || '/'];
  const visited = new Set<string>();
  while (queue.length > 0) {
    const current = queue.shift() as string;
    if (visited.has(current)) continue;
    visited.add(current);
    if (visited.size > MAX_FOLDERS) {
      throw new AssistantError({
        code: 'invalid_input',
        sent: true,
        summary: `The watched folder "${folder}" has more than ${MAX_FOLDERS} subfolders.`,
        hint: 'Watch a smaller folder, or turn off "Include Subfolders".',
      });
    }
    const url = `${base}${root.split('/').map(encodeURIComponent).join('/')}/${encodePath(current)}`;
    const response = await transport({
      method: 'PROPFIND',
      url: url.endsWith('/') ? url : `${url}/`,
      headers: { Depth: '1', 'Content-Type': 'application/xml; charset=utf-8' },
      body: PROPS,
      responseType: 'bytes',
      timeoutMs: 60_000,
      maxBytes: MAX_LISTING_BYTES,
    });
    const text = await readText(response.body);
    if (response.status === 404) {
      throw new AssistantError({
        code: 'not_found',
        status: 404,
        sent: true,
        summary: `The folder "${folder}" does not exist in your files.`,
        hint: 'Create the folder, or enter the path of an existing one (e.g. /Inbox).',
      });
    }
    if (response.status !== 207) {
      throw new AssistantError({
        code: response.status === 401 ? 'auth' : response.status === 403 ? 'forbidden' : 'server',
        status: response.status,
        sent: true,
        summary: `Listing the folder "${folder}" failed: the server answered ${response.status}.`,
        hint:
          response.status === 401
            ? 'Check the user and app password of the credential.'
            : 'Check that the path is a folder you can read, then try again.',
      });
    }
    const [self, ...children] = parse(text, root);
    if (self && !self.folder) {
      throw new AssistantError({
        code: 'invalid_input',
        sent: true,
        summary: `"${folder}" is a file, not a folder.`,
        hint: 'Enter the folder that holds the files to watch.',
      });
    }
    for (const entry of children) {
      if (entry.folder) {
        if (recursive) queue.push(entry.path);
        continue;
      }
      files.push({
        fileId: entry.fileId,
        path: entry.path,
        name: entry.name,
        etag: entry.etag,
        size: entry.size,
        mimeType: entry.mimeType,
        lastModified: entry.lastModified,
      });
    }
  }
  return files;
}

async function readText(body: unknown): Promise<string> {
  if (body === null || body === undefined) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
