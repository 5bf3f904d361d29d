import type { IncomingMessage } from 'node:http';

export interface PartInfo {
  name: string;
  filename?: string;
  contentType?: string;
}

export interface PartSink {
  write(chunk: Buffer): Promise<void> | void;
  end(): Promise<void> | void;
}

export interface MultipartResult {
  fields: Record<string, string>;
  files: string[];
}

const FIELD_LIMIT = 1024 * 1024;

/** The boundary of a multipart/form-data Content-Type, or null. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return null;
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? '').trim() : null;
}

/**
 * Streaming multipart/form-data parser: file parts go to the sink `openFile` returns chunk by chunk (so a
 * GiB upload never sits in memory); text parts are collected as fields.
 */
export async function readMultipart(
  req: IncomingMessage,
  boundary: string,
  openFile: (part: PartInfo) => PartSink | null,
): Promise<MultipartResult> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const result: MultipartResult = { fields: {}, files: [] };
  let buf: Buffer = Buffer.from('\r\n');
  type Phase = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done';
  let state = 'preamble' as Phase;
  const isDone = (): boolean => state === 'done';
  let part: PartInfo | null = null;
  let sink: PartSink | null = null;
  let field: Buffer[] = [];
  let fieldSize = 0;

  const emit = async (data: Buffer): Promise<void> => {
    if (!part || data.length === 0) return;
    if (part.filename !== undefined) {
      if (sink) await sink.write(data);
    } else {
      fieldSize += data.length;
      if (fieldSize > FIELD_LIMIT)
        throw new Error(`multipart field "${part.name}" is larger than ${FIELD_LIMIT} bytes`);
      field.push(data);
    }
  };
  const finishPart = async (): Promise<void> => {
    if (!part) return;
    if (part.filename !== undefined) {
      if (sink) await sink.end();
      result.files.push(part.name);
    } else {
      result.fields[part.name] = Buffer.concat(field).toString('utf8');
    }
    part = null;
    sink = null;
    field = [];
    fieldSize = 0;
  };

  const process = async (final: boolean): Promise<void> => {
    for (;;) {
      if (state === 'preamble' || state === 'body') {
        const idx = buf.indexOf(delimiter);
        if (idx === -1) {
          const keep = final ? 0 : delimiter.length - 1;
          if (state === 'body' && buf.length > keep) await emit(buf.subarray(0, buf.length - keep));
          buf = buf.subarray(Math.max(0, buf.length - keep));
          return;
        }
        if (state === 'body') {
          await emit(buf.subarray(0, idx));
          await finishPart();
        }
        buf = buf.subarray(idx + delimiter.length);
        state = 'after-delimiter';
      } else if (state === 'after-delimiter') {
        if (buf.length < 2) return;
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          state = 'done';
          return;
        }
        const eol = buf.indexOf('\r\n');
        if (eol === -1) return;
        buf = buf.subarray(eol + 2);
        state = 'headers';
      } else if (state === 'headers') {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) {
          if (buf.length > 16 * 1024) throw new Error('multipart part headers too long');
          return;
        }
        part = parsePartHeaders(buf.subarray(0, end).toString('utf8'));
        if (part.filename !== undefined) sink = openFile(part);
        buf = buf.subarray(end + 4);
        state = 'body';
      } else {
        return;
      }
    }
  };

  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (isDone()) continue;
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    await process(false);
  }
  if (!isDone()) {
    await process(true);
    if (!isDone()) throw new Error('multipart body ended before its closing boundary');
  }
  return result;
}

function parsePartHeaders(text: string): PartInfo {
  const info: PartInfo = { name: '' };
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') {
      const name = /\bname="([^"]*)"/i.exec(value);
      const filename = /\bfilename="([^"]*)"/i.exec(value);
      if (name) info.name = name[1] ?? '';
      if (filename) info.filename = filename[1] ?? '';
    } else if (key === 'content-type') {
      info.contentType = value;
    }
  }
  return info;
}
