// Turns a transport's raw answer into data (OCS `data`, plain JSON, bytes or a stream) or an error body,
// reading at most what the limits allow.
import { AssistantError } from './errors.js';
import { safeFileName } from './file-name.js';
import { operations } from './generated/operations.js';
import { readAll, readText, type ByteStream, type TransportResponse } from './transport.js';

export interface BinaryResult {
  /** The bytes, unless a stream was asked for. */
  data?: Uint8Array;
  stream?: ByteStream;
  contentType: string;
  /** The server's file name reduced to a safe base name (see safeFileName). */
  fileName: string | undefined;
  size: number | undefined;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  data: unknown;
}

/** How many bytes of an answer may be read into memory. */
export interface ResponseLimits {
  /** JSON, text and WebDAV answers (default 64 MiB). */
  text: number;
  /** A binary download read into memory, i.e. without `stream: true` (default 512 MiB). */
  binary: number;
}

export const DEFAULT_LIMITS: ResponseLimits = { text: 64 * 1024 * 1024, binary: 512 * 1024 * 1024 };
/** Error bodies are only read for their message: the rest is dropped. */
const ERROR_BODY_BYTES = 64 * 1024;

export interface DecodeTarget {
  operationId: string;
  summary: string;
  url: string;
  responseType: 'bytes' | 'stream';
  safe: boolean;
  binary: boolean;
  raw?: boolean;
}

export function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the server';
  }
}

function contentTypeOf(headers: Record<string, string>): string {
  return (headers['content-type'] ?? '').toLowerCase();
}

function looksLikeHtml(contentType: string, text: string): boolean {
  return contentType.includes('html') || /^\s*<(!doctype html|html)/i.test(text);
}

function looksLikeXml(contentType: string, text: string): boolean {
  return contentType.includes('xml') || /^\s*<\?xml/.test(text);
}

/** The limit for what this request reads into memory (undefined: handed back as a stream). */
export function limitFor(ex: DecodeTarget, limits: ResponseLimits): number | undefined {
  if (ex.responseType === 'stream') return undefined;
  return ex.binary ? limits.binary : limits.text;
}

export async function decode(
  ex: DecodeTarget,
  res: TransportResponse,
  limits: ResponseLimits,
): Promise<RawAnswer> {
  const headers = res.headers;
  const ok = res.status >= 200 && res.status < 300;
  const limit = ex.binary ? limits.binary : limits.text;
  const declared = headers['content-length'] !== undefined ? Number(headers['content-length']) : undefined;
  if (ok && (ex.binary || ex.raw)) {
    const contentType = contentTypeOf(headers) || 'application/octet-stream';
    const name = fileNameOf(headers['content-disposition']);
    const result: BinaryResult = {
      contentType,
      fileName: name === undefined ? undefined : safeFileName(name),
      size: Number.isFinite(declared) ? declared : undefined,
    };
    if (
      ex.responseType === 'stream' &&
      res.body &&
      typeof res.body === 'object' &&
      !(res.body instanceof Uint8Array)
    ) {
      result.stream = res.body as ByteStream;
    } else {
      if (declared !== undefined && declared > limit) throw tooLargeError(ex, limit);
      result.data = await readLimited(ex, res.body, limit);
      result.size = result.data.byteLength;
    }
    return { status: res.status, headers, data: result };
  }
  if (!ok) {
    const text = await readText(res.body, ERROR_BODY_BYTES, true);
    return { status: res.status, headers, data: parseErrorBody(contentTypeOf(headers), text) };
  }
  if (declared !== undefined && declared > limits.text) throw tooLargeError(ex, limits.text);
  const text = new TextDecoder().decode(await readLimited(ex, res.body, limits.text));
  const contentType = contentTypeOf(headers);
  const host = safeHost(ex.url);
  if (looksLikeHtml(contentType, text)) {
    throw new AssistantError({
      code: 'not_assistant_server',
      status: res.status,
      sent: true,
      operationId: ex.operationId,
      summary: `"${ex.summary}" got a web page instead of an API answer from ${host}.`,
      hint: 'Check the server URL (the address of your f7cloud server, e.g. https://cloud.example.com), and that no login page, proxy or captive portal is in front of it.',
    });
  }
  if (looksLikeXml(contentType, text)) {
    throw new AssistantError({
      code: 'not_assistant_server',
      status: res.status,
      sent: true,
      operationId: ex.operationId,
      summary: `"${ex.summary}" got XML instead of JSON from ${host}.`,
      hint: 'A proxy in front of the server probably changes the Accept header; make it pass "Accept: application/json" through unchanged.',
    });
  }
  let parsed: unknown;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    throw new AssistantError({
      code: 'server',
      status: res.status,
      sent: true,
      operationId: ex.operationId,
      retryable: true,
      summary: `"${ex.summary}" got a broken answer from ${host} (invalid or cut-off JSON).`,
      hint: ex.safe ? 'Try again.' : 'The request may have been carried out: check before repeating it.',
    });
  }
  if (operations[ex.operationId as keyof typeof operations]?.response === 'ocs') {
    const ocs = (parsed as { ocs?: { meta?: unknown; data?: unknown } } | null)?.ocs;
    if (!ocs || typeof ocs !== 'object' || !('meta' in ocs)) {
      throw new AssistantError({
        code: 'not_assistant_server',
        status: res.status,
        sent: true,
        operationId: ex.operationId,
        summary: `"${ex.summary}" got JSON without the OCS envelope from ${host}.`,
        hint: 'The server URL does not seem to point at an f7cloud / Nextcloud server: check it.',
      });
    }
    return { status: res.status, headers, data: ocs.data };
  }
  return { status: res.status, headers, data: parsed };
}

async function readLimited(
  ex: DecodeTarget,
  body: TransportResponse['body'],
  limit: number,
): Promise<Uint8Array> {
  try {
    return await readAll(body, limit);
  } catch (error) {
    if (isTooLarge(error)) throw tooLargeError(ex, limit);
    throw error;
  }
}

export function isTooLarge(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_RESPONSE_TOO_LARGE';
}

function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB` : `${bytes} bytes`;
}

export function tooLargeError(ex: Pick<DecodeTarget, 'operationId' | 'summary' | 'binary'>, limit: number) {
  return new AssistantError({
    code: 'too_large',
    sent: true,
    retryable: false,
    operationId: ex.operationId,
    details: { limit },
    summary: `"${ex.summary}" got an answer larger than ${formatBytes(limit)}, more than this client reads into memory; the rest was not read.`,
    hint: ex.binary
      ? 'Download it with { stream: true } to get it as a stream, or raise maxResponseBytes.binary.'
      : 'Use { stream: true } for large downloads, or raise maxResponseBytes.text if this answer is expected to be this large.',
  });
}

export interface ErrorBody {
  ocsStatus?: number;
  message?: string;
  data?: unknown;
  kind: 'json' | 'xml' | 'html' | 'text' | 'empty';
  /** WebDAV errors (Sabre): the exception class, e.g. Sabre\DAV\Exception\NotFound. */
  exception?: string;
}

function parseErrorBody(contentType: string, text: string): ErrorBody {
  if (!text.trim()) return { kind: 'empty' };
  if (looksLikeHtml(contentType, text)) return { kind: 'html' };
  if (looksLikeXml(contentType, text)) {
    const status = /<statuscode>(\d+)<\/statuscode>/.exec(text)?.[1];
    const message = /<(?:s:)?message>([\s\S]*?)<\/(?:s:)?message>/.exec(text)?.[1]?.trim();
    const exception = /<s:exception>([\s\S]*?)<\/s:exception>/.exec(text)?.[1]?.trim();
    return {
      kind: 'xml',
      ...(status ? { ocsStatus: Number(status) } : {}),
      ...(message ? { message: message.slice(0, 500) } : {}),
      ...(exception ? { exception } : {}),
    };
  }
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const ocs = body?.ocs as { meta?: { statuscode?: number; message?: string }; data?: unknown } | undefined;
    if (ocs?.meta) {
      const data = ocs.data as Record<string, unknown> | string | undefined;
      const dataMessage =
        typeof data === 'string'
          ? data
          : typeof data?.message === 'string'
            ? data.message
            : typeof data?.error === 'string'
              ? data.error
              : undefined;
      const message = dataMessage || ocs.meta.message;
      return {
        kind: 'json',
        ...(typeof ocs.meta.statuscode === 'number' ? { ocsStatus: ocs.meta.statuscode } : {}),
        ...(typeof message === 'string' && message ? { message: message.slice(0, 500) } : {}),
        data: ocs.data,
      };
    }
    const message =
      typeof body?.error === 'string'
        ? body.error
        : typeof body?.message === 'string'
          ? body.message
          : undefined;
    return { kind: 'json', ...(message ? { message: message.slice(0, 500) } : {}), data: body };
  } catch {
    return { kind: 'text', message: text.slice(0, 200) };
  }
}

function fileNameOf(disposition: string | undefined): string | undefined {
  if (!disposition) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition)?.[1];
  if (star) {
    try {
      return decodeURIComponent(star.trim().replace(/^"|"$/g, ''));
    } catch {
      // fall through to the plain form
    }
  }
  return /filename\s*=\s*"?([^";]+)"?/i.exec(disposition)?.[1]?.trim();
}
