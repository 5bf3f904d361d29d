// WebDAV PROPFIND answers, read one <response> at a time whatever the namespace prefixes are (servers and
// proxies write d:, D: or a default namespace), so a response without a file id never borrows the next one's.

export interface DavEntry {
  /** The entry's href, percent-decoded (e.g. `/remote.php/dav/files/alice/Docs/a.md`). */
  href: string;
  /** oc:fileid, when the entry has one. */
  fileId?: number;
  /** d:getetag without its quotes, when asked for and answered. */
  etag?: string;
  /** d:getcontentlength, when asked for and answered (folders have none). */
  size?: number;
  /** d:getcontenttype, when asked for and answered. */
  contentType?: string;
  /** d:getlastmodified as Unix seconds, when asked for and answered. */
  lastModified?: number;
  /** Present (true) when d:resourcetype says collection: a folder. */
  collection?: true;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function text(value: string): string {
  return value
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, name: string) =>
      name[0] === '#'
        ? String.fromCodePoint(
            name[1]?.toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : Number(name.slice(1)),
          )
        : ENTITIES[name.toLowerCase()]!,
    )
    .trim();
}

/** The elements named `local` (any prefix or none) directly or deeper inside `xml`, as inner texts. */
function elements(xml: string, local: string): string[] {
  const out: string[] = [];
  const pattern = new RegExp(`<((?:[\\w.-]+:)?${local})(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</\\1\\s*>)`, 'g');
  for (const match of xml.matchAll(pattern)) out.push(match[2] ?? '');
  return out;
}

export function parsePropfind(xml: string): DavEntry[] {
  const entries: DavEntry[] = [];
  for (const response of elements(xml, 'response')) {
    const href = elements(response, 'href')[0];
    if (href === undefined) continue;
    let decoded = text(href);
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      // a malformed escape: keep it as sent
    }
    const id = text(elements(response, 'fileid')[0] ?? '');
    const etag = elements(response, 'getetag')[0];
    const size = text(elements(response, 'getcontentlength')[0] ?? '');
    const type = elements(response, 'getcontenttype')[0];
    const modified = Date.parse(text(elements(response, 'getlastmodified')[0] ?? ''));
    entries.push({
      href: decoded,
      ...(/^\d+$/.test(id) ? { fileId: Number(id) } : {}),
      ...(etag !== undefined && text(etag) ? { etag: text(etag).replace(/^"|"$/g, '') } : {}),
      ...(/^\d+$/.test(size) ? { size: Number(size) } : {}),
      ...(type !== undefined && text(type) ? { contentType: text(type) } : {}),
      ...(Number.isFinite(modified) ? { lastModified: Math.floor(modified / 1000) } : {}),
      ...(/<(?:[\w.-]+:)?collection\s*\/?>/.test(elements(response, 'resourcetype')[0] ?? '')
        ? { collection: true as const }
        : {}),
    });
  }
  return entries;
}
