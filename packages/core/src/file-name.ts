// File names come from servers (Content-Disposition, file info, WebDAV listings): a hostile one can send
// "../../etc/x" or control characters. Hosts write them to disks and messages, so they are reduced first.

const MAX_NAME = 200;

/**
 * A server-supplied file name reduced to a safe base name: the last path segment only (`/` and `\`), no
 * `.`/`..`, no control characters, no leading dots, trimmed, at most 200 characters (extension kept when
 * cutting). Returns `fallback` when nothing usable is left.
 */
export function safeFileName(name: unknown, fallback = 'file'): string {
  if (typeof name !== 'string') return fallback;
  const last = name.split(/[/\\]/).pop() ?? '';
  let clean = last
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .replace(/^\.+/, '')
    .trim();
  const chars = Array.from(clean); // code points: a cut never splits an emoji
  if (chars.length > MAX_NAME) {
    const dot = chars.lastIndexOf('.');
    const ext = dot > 0 && chars.length - dot <= 16 ? chars.slice(dot) : [];
    clean = `${chars
      .slice(0, MAX_NAME - ext.length)
      .join('')
      .trimEnd()}${ext.join('')}`;
  }
  return clean === '' ? fallback : clean;
}
