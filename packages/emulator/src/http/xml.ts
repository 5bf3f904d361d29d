// OCS XML as Nextcloud writes it (one-space indentation, `element` for list items, `<tag/>` for empties).

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]};`,
  );
}

function scalar(value: unknown): string {
  if (value === true) return '1';
  if (value === false || value === null || value === undefined) return '';
  return escapeXml(String(value));
}

function write(key: string, value: unknown, depth: number, out: string[]): void {
  const pad = ' '.repeat(depth);
  const tag = NAME.test(key) ? key : 'element';
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v) => ['element', v] as const) : Object.entries(value);
    if (entries.length === 0) {
      out.push(`${pad}<${tag}/>`);
      return;
    }
    out.push(`${pad}<${tag}>`);
    for (const [k, v] of entries) write(k, v, depth + 1, out);
    out.push(`${pad}</${tag}>`);
    return;
  }
  const text = scalar(value);
  out.push(text === '' ? `${pad}<${tag}/>` : `${pad}<${tag}>${text}</${tag}>`);
}

export function ocsXml(meta: Record<string, unknown>, data: unknown): string {
  const out = ['<?xml version="1.0"?>', '<ocs>'];
  write('meta', meta, 1, out);
  write('data', data, 1, out);
  out.push('</ocs>', '');
  return out.join('\n');
}
