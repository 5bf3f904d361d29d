import { inflateRawSync, inflateSync } from 'node:zlib';
import type { FileNode } from './file-store.js';

export class ExtractError extends Error {}

const MAX_EXTRACT = 32 * 1024 * 1024;

/**
 * Text of a document the way the server's parse-file answers it: plain text as is; Markdown, RTF, docx,
 * odt and simple PDFs reduced to their text. Anything else answers the server's 400.
 */
export function extractText(node: FileNode, bytes: Buffer): string {
  if (node.size > MAX_EXTRACT) throw new ExtractError(`File too large to parse: ${node.size} bytes`);
  const text = bytes.toString('utf8');
  switch (node.mime) {
    case 'text/plain':
    case 'text/csv':
      return text;
    case 'text/markdown':
      return markdownToText(text);
    case 'text/rtf':
      return rtfToText(text);
    case 'application/vnd.openxmlformats-officedocument.wordprocessingml.document':
      return xmlParagraphs(zipEntry(bytes, 'word/document.xml'), 'w:p');
    case 'application/vnd.oasis.opendocument.text':
      return xmlParagraphs(zipEntry(bytes, 'content.xml'), 'text:p');
    case 'application/pdf':
      return pdfToText(bytes);
    default:
      throw new ExtractError(`Unsupported file type for text extraction: ${node.mime}`);
  }
}

export function markdownToText(md: string): string {
  return md
    .replace(/^#{1,6}[ \t]+(.*)\n(\n)?/gm, '$1\n')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(\*|_)(.+?)\1/g, '$2')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/^[ \t]*(?:[-*+]|\d+\.)[ \t]+/gm, '')
    .replace(/^>[ \t]?/gm, '');
}

export function rtfToText(rtf: string): string {
  return rtf
    .replace(/\{\\(?:fonttbl|colortbl|stylesheet|info)[^{}]*(?:\{[^{}]*\}[^{}]*)*\}/g, '')
    .replace(/\\par[d]?\b ?/g, (m) => (m.startsWith('\\pard') ? '' : '\n'))
    .replace(/\\'([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\\[a-z]+-?\d* ?/gi, '')
    .replace(/[{}]/g, '')
    .replace(/^\s+/, '')
    .concat('\n');
}

/** One entry of a zip archive (stored or deflated), found through the central directory. */
export function zipEntry(zip: Buffer, name: string): string {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd === -1) throw new ExtractError('Not a valid document: no zip directory');
  let pos = zip.readUInt32LE(eocd + 16);
  const count = zip.readUInt16LE(eocd + 10);
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(pos) !== 0x02014b50) break;
    const method = zip.readUInt16LE(pos + 10);
    const size = zip.readUInt32LE(pos + 20);
    const nameLen = zip.readUInt16LE(pos + 28);
    const extraLen = zip.readUInt16LE(pos + 30);
    const commentLen = zip.readUInt16LE(pos + 32);
    const local = zip.readUInt32LE(pos + 42);
    if (zip.toString('utf8', pos + 46, pos + 46 + nameLen) === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      return (method === 8 ? inflateRawSync(data) : data).toString('utf8');
    }
    pos += 46 + nameLen + extraLen + commentLen;
  }
  throw new ExtractError(`Not a valid document: ${name} is missing`);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function xmlParagraphs(xml: string, paragraph: string): string {
  return xml
    .replace(new RegExp(`</${paragraph}>`, 'g'), '\n')
    .replace(/<w:tab\/>|<text:tab\/>/g, '\t')
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e] ?? '');
}

/** Text shown by Tj / TJ operators of a PDF's content streams (plain or Flate-compressed). */
export function pdfToText(pdf: Buffer): string {
  const blocks: string[] = [];
  const raw = pdf.toString('latin1');
  const streamRe = /<<([^]*?)>>\s*stream\r?\n/g;
  for (let m = streamRe.exec(raw); m; m = streamRe.exec(raw)) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    if (end === -1) break;
    let content = pdf.subarray(start, end);
    if (/FlateDecode/.test(m[1] ?? '')) {
      try {
        content = inflateSync(content);
      } catch {
        continue;
      }
    }
    const text = content.toString('latin1');
    for (const bt of text.match(/BT[^]*?ET/g) ?? []) {
      const parts: string[] = [];
      for (const op of bt.matchAll(/\((?:\\.|[^\\)])*\)\s*Tj|\[((?:\((?:\\.|[^\\)])*\)|[^\]])*)\]\s*TJ/g)) {
        for (const s of op[0].matchAll(/\(((?:\\.|[^\\)])*)\)/g))
          parts.push((s[1] ?? '').replace(/\\(.)/g, '$1'));
      }
      if (parts.length) blocks.push(parts.join(''));
    }
  }
  if (!blocks.length) throw new ExtractError('Could not find any text in this PDF');
  return blocks.join('\n');
}
