import { AssistantError, badInput } from '../errors.js';
import type { ErrorBody } from '../decode.js';
import { safeFileName } from '../file-name.js';
import { parsePropfind } from '../propfind.js';
import { errorFor, exchange, scrub, type BinaryResult, type RawAnswer } from '../http.js';
import { checkUploadBody, checkUploadOptions, isByteStream, type UploadBody } from '../multipart.js';
import type { ServiceContext } from '../context.js';
import { field, isObject, object, printable } from '../shape.js';
import type { Task } from '../types.js';
import { waitForTask, waitTimeout, type WaitOptions } from '../wait.js';
import type { TasksService } from './tasks.js';
import type { ListedFile } from '../folder-watch.js';
import {
  DEFAULT_CHUNKED_UPLOAD_THRESHOLD,
  checkChunkOptions,
  chunkedUpload,
  statFrom,
} from '../chunked-upload.js';

/**
 * The task types the assistant offers as file actions: the words a user sees for each, and the file each
 * one writes beside the source.
 */
export const FILE_ACTIONS = {
  'core:text2text:summary': {
    suffix: ' - summarized.md',
    label: 'Summarize',
    description: 'Writes a summary as Markdown next to the file',
  },
  'core:audio2text': {
    suffix: ' - transcribed.md',
    label: 'Transcribe',
    description: 'Writes a transcript as Markdown next to an audio file',
  },
  'core:text2speech': {
    suffix: ' - text to speech.',
    label: 'Text to Speech',
    description: 'Writes a spoken version as audio next to the file',
  },
} as const;
export type FileActionType = keyof typeof FILE_ACTIONS;

export interface FileInfo {
  name: string;
  /** Path inside the user's files, e.g. `/Documents/report.md`. */
  path: string;
  owner: string;
  size: number;
}

export interface FileActionResult {
  tooltip: string;
  /** The task the action started (found by its custom id `file-action:<fileId>`). */
  task: Task | undefined;
  /** With `wait`: the file the action wrote next to the source. */
  file?: { fileId: number; path: string };
}

/** `/alice/files/Docs/a.md` (as file info reports it) → `/Docs/a.md`. */
function userPath(serverPath: string, owner: string): string {
  const prefix = `/${owner}/files`;
  return serverPath.startsWith(prefix) ? serverPath.slice(prefix.length) || '/' : serverPath;
}

function cleanPath(path: unknown): string[] {
  if (typeof path !== 'string' || !path.trim()) {
    throw badInput('The file path is empty.', 'Give a path inside your files, e.g. Documents/notes.md.');
  }
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.some((s) => s === '..' || /[\u0000-\u001f]/.test(s))) {
    throw badInput(
      `The file path "${path.slice(0, 80)}" is not valid.`,
      'Use a path inside your files without ".." parts, e.g. Documents/notes.md.',
    );
  }
  return segments;
}

const PATH_HINT = 'Check the path: it is relative to your files, e.g. Documents/report.md.';

function missingFolder(
  folder: string[],
  extra: Partial<ConstructorParameters<typeof AssistantError>[0]> = {},
) {
  return new AssistantError({
    code: 'not_found',
    sent: true,
    ...extra,
    summary: `Folder "${folder.join('/')}" does not exist.`,
    hint: PATH_HINT,
  });
}

function missingFile(path: string[], extra: Partial<ConstructorParameters<typeof AssistantError>[0]> = {}) {
  return new AssistantError({
    code: 'not_found',
    sent: true,
    ...extra,
    summary: `File "${path.join('/')}" not found.`,
    hint: PATH_HINT,
  });
}

/** The server's answers of parse-file and file actions (plain texts in a 400), as the user can act on them. */
function fileRefused(
  error: unknown,
  file: { fileId: number } | { path: string[] },
  operationId: string,
): unknown {
  if (!(AssistantError.isInstance(error) && error.status === 400)) return error;
  const said = error.serverMessage ?? '';
  const base = { sent: true, status: 400, operationId, ...(said ? { serverMessage: said } : {}) };
  if (/unsupported|not supported|cannot (be )?pars|mime ?type/i.test(said)) {
    const name = 'path' in file ? `"${file.path.join('/')}"` : `File ${file.fileId}`;
    return new AssistantError({
      ...base,
      code: 'unsupported_type',
      summary: `${name} is of a type the server cannot read text from (the server says: "${said.slice(0, 200)}").`,
      hint: 'Text can be extracted from txt, md, rtf, docx, odt and pdf files.',
    });
  }
  const notAFile = /does not point to a file/i.test(said);
  if ('fileId' in file) {
    if (!notAFile && !/not found/i.test(said)) return error;
    // By id the server answers the same for an unknown id, a folder and another user's file.
    return new AssistantError({
      ...base,
      code: 'not_found',
      summary: `File ${file.fileId} not found in your files (no file has this id, it is a folder, or it belongs to another user).`,
      hint: 'Check the file id.',
    });
  }
  if (notAFile) {
    return new AssistantError({
      ...base,
      code: 'not_a_file',
      summary: `"${file.path.join('/')}" is a folder, not a file.`,
      hint: 'Give the path of a file inside it.',
    });
  }
  // A missing path is answered with the path itself ("/alice/files/Documents/x.md") or "File not found."
  if (/\/files\//.test(said) || /not found/i.test(said)) return missingFile(file.path, base);
  return error;
}

function fileIdFrom(value: string | undefined): number | undefined {
  const match = value ? /^0*(\d+)/.exec(value) : null;
  return match ? Number(match[1]) : undefined;
}

export function filesService(ctx: ServiceContext, tasks: TasksService) {
  const davUrl = (segments: string[]) => {
    if (!ctx.davUser) {
      throw badInput(
        'Files by path need the user name, and this client has none.',
        'Create the client with auth { user, appPassword } or the `user` option.',
      );
    }
    return `${ctx.http.baseUrl}/remote.php/dav/files/${encodeURIComponent(ctx.davUser)}/${segments.map(encodeURIComponent).join('/')}`;
  };

  const dav = async (
    method: string,
    segments: string[],
    init: {
      body?: UploadBody;
      headers?: Record<string, string>;
      safe?: boolean;
      signal?: AbortSignal;
      /** Error statuses answered as such (with their Sabre exception) instead of thrown. */
      answers?: readonly number[];
    } = {},
  ): Promise<RawAnswer> => {
    const summary = `${method} ${segments.join('/')}`;
    const url = davUrl(segments);
    const answer = await exchange(ctx.http, {
      operationId: `dav-${method.toLowerCase()}`,
      summary,
      method,
      url,
      headers: { ...ctx.http.headers, ...init.headers },
      makeBody: () => init.body,
      responseType: 'bytes',
      safe: init.safe ?? false,
      binary: false,
      raw: true,
      ...(init.signal ? { signal: init.signal } : {}),
      ...(init.answers ? { answers: init.answers } : {}),
    });
    return answer;
  };

  /** A WebDAV error answer (XML, not OCS) from the server's file system, not a web page from something else. */
  const fromDav = (answer: RawAnswer) => {
    const body = answer.data as ErrorBody | undefined;
    return body?.kind === 'xml' && body.ocsStatus === undefined;
  };

  /** The error for an answer `dav` handed back, when nothing more specific applies. */
  const davFailure = (method: string, segments: string[], answer: RawAnswer) =>
    scrub(
      ctx.http,
      errorFor(
        {
          operationId: `dav-${method.toLowerCase()}`,
          summary: `${method} ${segments.join('/')}`,
          url: davUrl(segments),
        },
        answer,
        ctx.now(),
      ),
    );

  const resolve = async (path: string, options: { signal?: AbortSignal } = {}): Promise<number> => {
    const segments = cleanPath(path);
    const answer = await dav('PROPFIND', segments, {
      headers: { Depth: '0', 'Content-Type': 'application/xml' },
      body: PROPFIND_ID,
      safe: true,
      answers: [404],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (answer.status === 404) {
      if (!fromDav(answer)) throw davFailure('PROPFIND', segments, answer);
      throw missingFile(segments, { status: 404, operationId: 'dav-propfind' });
    }
    const text = new TextDecoder().decode((answer.data as BinaryResult).data);
    const id = parsePropfind(text)[0]?.fileId;
    if (id === undefined)
      throw new AssistantError({
        code: 'not_assistant_server',
        sent: true,
        summary: `The server's WebDAV answer for "${segments.join('/')}" has no file id.`,
        hint: 'Check that the server URL points at your f7cloud / Nextcloud server.',
      });
    return id;
  };

  const list = async (
    folder: string[],
    signal?: AbortSignal,
  ): Promise<{ name: string; fileId: number }[]> => {
    const answer = await dav('PROPFIND', folder, {
      headers: { Depth: '1', 'Content-Type': 'application/xml' },
      body: PROPFIND_ID,
      safe: true,
      answers: [404],
      ...(signal ? { signal } : {}),
    });
    if (answer.status === 404) {
      if (!fromDav(answer)) throw davFailure('PROPFIND', folder, answer);
      throw missingFolder(folder, { status: 404, operationId: 'dav-propfind' });
    }
    const text = new TextDecoder().decode((answer.data as BinaryResult).data);
    const out: { name: string; fileId: number }[] = [];
    for (const entry of parsePropfind(text)) {
      if (entry.fileId === undefined) continue;
      const name = entry.href.replace(/\/$/, '').split('/').pop() ?? '';
      out.push({ name: safeFileName(name), fileId: entry.fileId });
    }
    return out;
  };

  /** The files (not folders) in a folder and, with `depth` > 1, its subfolders that many levels down. */
  const listFiles = async (
    path: string,
    options: { depth?: number; signal?: AbortSignal } = {},
  ): Promise<ListedFile[]> => {
    const depth = options.depth ?? 1;
    if (!Number.isInteger(depth) || depth < 1 || depth > MAX_LIST_DEPTH) {
      throw badInput(
        `The listing depth ${String(depth)} is not valid; nothing was sent.`,
        `Use 1 for the folder itself, up to ${MAX_LIST_DEPTH} to include subfolders that many levels down.`,
      );
    }
    const top = typeof path === 'string' && path.trim() === '/' ? [] : cleanPath(path);
    davUrl([]); // a clear error when the client has no user
    // hrefs come percent-decoded, so the prefix is matched decoded too
    const prefix = `/remote.php/dav/files/${ctx.davUser}/`;
    const files: ListedFile[] = [];
    let level: string[][] = [top];
    let folders = 0;
    for (let d = 1; d <= depth && level.length > 0; d++) {
      const next: string[][] = [];
      for (const folder of level) {
        if (++folders > MAX_LIST_FOLDERS) {
          throw badInput(
            `The folder "/${top.join('/')}" has more than ${MAX_LIST_FOLDERS} subfolders to list.`,
            'List a smaller folder, or fewer levels of subfolders.',
          );
        }
        const answer = await dav('PROPFIND', folder, {
          headers: { Depth: '1', 'Content-Type': 'application/xml' },
          body: PROPFIND_LISTING,
          safe: true,
          answers: [404],
          ...(options.signal ? { signal: options.signal } : {}),
        });
        if (answer.status === 404) {
          if (!fromDav(answer)) throw davFailure('PROPFIND', folder, answer);
          throw missingFolder(folder.length ? folder : ['/'], { status: 404, operationId: 'dav-propfind' });
        }
        const text = new TextDecoder().decode((answer.data as BinaryResult).data);
        const [self, ...children] = parsePropfind(text);
        if (self && !self.collection && folder === top) {
          throw badInput(
            `"/${top.join('/')}" is a file, not a folder.`,
            'Give the folder that holds the files, e.g. /Inbox.',
          );
        }
        for (const entry of children) {
          const at = entry.href.indexOf(prefix);
          if (at < 0 || entry.fileId === undefined) continue;
          const segments = entry.href
            .slice(at + prefix.length)
            .split('/')
            .filter((s) => s !== '');
          if (entry.collection) {
            next.push(segments);
            continue;
          }
          files.push({
            fileId: entry.fileId,
            path: `/${segments.join('/')}`,
            name: segments[segments.length - 1] ?? '',
            etag: entry.etag ?? '',
            size: entry.size ?? 0,
            mimeType: entry.contentType ?? '',
            lastModified: entry.lastModified ?? 0,
          });
        }
      }
      level = next;
    }
    return files;
  };

  const info = async (fileId: number, options: { signal?: AbortSignal } = {}): Promise<FileInfo> => {
    const op = 'assistant_api-get-user-file-info';
    const data = await ctx.call(op, { path: { fileId }, ...options });
    const owner = field(data, 'owner', 'string', op);
    return {
      name: safeFileName(field(data, 'name', 'string', op)),
      path: userPath(field(data, 'path', 'string', op), owner),
      owner,
      size: field(data, 'size', 'number', op),
    };
  };

  return {
    /** Uploads a file to the user's "Assistant" folder for use as a task input. */
    async uploadInput(
      data: UploadBody,
      options: { filename?: string; size?: number; contentType?: string; signal?: AbortSignal } = {},
    ): Promise<{ fileId: number; filePath: string }> {
      const { signal, ...upload } = options ?? {};
      const op = 'assistant_api-upload-input-file';
      const answer = await ctx.call(op, {
        body: { data: checkUploadBody(data, 'The file to upload'), ...upload },
        ...(signal ? { signal } : {}),
      });
      return {
        fileId: field(answer, 'fileId', 'number', op),
        filePath: field(answer, 'filePath', 'string', op),
      };
    },
    /** Extracts the text of a document (txt, md, rtf, docx, odt, pdf) in the user's files. */
    async extractText(
      file: { fileId: number } | { path: string },
      options: { signal?: AbortSignal } = {},
    ): Promise<string> {
      const given = isObject(file) ? (file as { fileId?: number; path?: string }) : undefined;
      const body =
        given && 'fileId' in given && given.fileId !== undefined
          ? { fileId: given.fileId }
          : given && 'path' in given
            ? { filePath: `/${cleanPath(given.path).join('/')}` }
            : undefined;
      if (!body) {
        throw badInput(
          'extractText needs the file: neither fileId nor path was given.',
          'Pass { fileId } or { path } of a file in your files.',
        );
      }
      if ('fileId' in body && !(Number.isSafeInteger(body.fileId) && (body.fileId as number) > 0)) {
        throw badInput(
          `fileId must be a positive whole number, got ${printable(body.fileId)}.`,
          'Check the file id you passed.',
        );
      }
      const op = 'assistant_api-parse-text-from-file';
      let data: unknown;
      try {
        data = await ctx.call(op, { body, ...options });
      } catch (error) {
        const file = 'fileId' in body ? { fileId: body.fileId as number } : { path: cleanPath(given!.path) };
        throw scrub(ctx.http, fileRefused(error, file, op));
      }
      return field(data, 'parsedText', 'string', op);
    },
    info,
    /** Downloads a file the user owns. */
    async download(
      fileId: number,
      options: { stream?: boolean; signal?: AbortSignal } = {},
    ): Promise<BinaryResult> {
      return ctx.call('assistant_api-display-user-file', { path: { fileId }, ...options });
    },
    /**
     * Runs a file action (summary, transcription, text to speech). The server answers no task id, so the
     * task is found by its custom id; with `wait`, returns the finished task and the file written beside the source.
     */
    async runAction(
      fileId: number,
      taskTypeId: FileActionType,
      options: WaitOptions & { wait?: boolean } = {},
    ): Promise<FileActionResult> {
      const action =
        typeof taskTypeId === 'string' && Object.hasOwn(FILE_ACTIONS, taskTypeId)
          ? FILE_ACTIONS[taskTypeId]
          : undefined;
      if (!action) {
        throw badInput(
          `"${printable(taskTypeId)}" is not a file action.`,
          `Use one of: ${Object.keys(FILE_ACTIONS).join(', ')}.`,
        );
      }
      if (options.wait) waitTimeout(options);
      const signal = options.signal ? { signal: options.signal } : {};
      const customId = `file-action:${fileId}`;
      const before = new Set(
        (await tasks.find({ appId: 'assistant', customId, ...signal })).map((t) => t.id),
      );
      const op = 'assistant_api-run-file-action';
      let data: unknown;
      try {
        data = await ctx.call(op, { path: { fileId, taskTypeId }, ...signal });
      } catch (error) {
        throw scrub(ctx.http, fileRefused(error, { fileId }, op));
      }
      const started = (await tasks.find({ appId: 'assistant', customId, ...signal }))
        .filter((t) => !before.has(t.id) && t.type === taskTypeId)
        .sort((a, b) => b.id - a.id)[0];
      const result: FileActionResult = {
        tooltip: printable(object(data, 'assistant_api-run-file-action').tooltip ?? '', 500),
        task: started,
      };
      if (!options.wait || !started) return result;
      result.task = await waitForTask(ctx, started, (b) => tasks.get(started.id, b), options);
      const source = await info(fileId, signal);
      const folder = source.path.split('/').filter(Boolean).slice(0, -1);
      const prefix = `${source.name}${action.suffix}`;
      const written = (await list(folder, options.signal))
        .filter((f) => (action.suffix.endsWith('.') ? f.name.startsWith(prefix) : f.name === prefix))
        .sort((a, b) => b.fileId - a.fileId)[0];
      if (written) result.file = { fileId: written.fileId, path: `/${[...folder, written.name].join('/')}` };
      return result;
    },
    /**
     * Uploads (or replaces) a file at a path in the user's files via WebDAV; creates missing folders. Files
     * of `chunkedUploadThreshold` bytes or more (default 50 MiB; a stream counts when its `size` is given)
     * go through Nextcloud's chunked upload in `chunkSize` chunks (default 10 MiB), one chunk in memory.
     */
    async upload(
      path: string,
      data: UploadBody,
      options: {
        size?: number;
        contentType?: string;
        signal?: AbortSignal;
        chunkedUploadThreshold?: number;
        chunkSize?: number;
      } = {},
    ): Promise<{ fileId: number; path: string }> {
      const segments = cleanPath(path);
      const body = checkUploadBody(data, 'The file to upload');
      checkUploadOptions(options ?? {});
      checkChunkOptions(options ?? {});
      options = options ?? {};
      const known =
        typeof body === 'string'
          ? new TextEncoder().encode(body).byteLength
          : body instanceof Uint8Array
            ? body.byteLength
            : options.size;
      if (
        known !== undefined &&
        known >= (options.chunkedUploadThreshold ?? DEFAULT_CHUNKED_UPLOAD_THRESHOLD)
      ) {
        if (segments.length > 1) await mkdirs(segments.slice(0, -1), options.signal);
        const fileId = await chunkedUpload(
          ctx,
          {
            fileUrl: davUrl,
            stat: async (target, signal) =>
              statFrom(
                await dav('PROPFIND', target, {
                  headers: { Depth: '0', 'Content-Type': 'application/xml' },
                  body: PROPFIND_ID_SIZE,
                  safe: true,
                  answers: [404],
                  ...(signal ? { signal } : {}),
                }),
              ),
          },
          segments,
          body,
          known,
          {
            ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
          },
        );
        return { fileId, path: `/${segments.join('/')}` };
      }
      const headers: Record<string, string> = {
        'Content-Type': options.contentType ?? 'application/octet-stream',
      };
      if (options.size !== undefined) headers['Content-Length'] = String(options.size);
      const signal = options.signal ? { signal: options.signal } : {};
      const folder = segments.slice(0, -1);
      const put = () => dav('PUT', segments, { body, headers, answers: [404, 409], ...signal });
      // A PUT into a missing folder: real servers answer 404 (recorded), others 409; either wrote nothing.
      const missingParent = (a: RawAnswer) => (a.status === 404 || a.status === 409) && fromDav(a);
      let answer: RawAnswer;
      if (isByteStream(body)) {
        // A stream can be sent once only: make sure its folder exists first (one MKCOL when it does).
        if (folder.length > 0) await mkdirs(folder, options.signal);
        answer = await put();
      } else {
        answer = await put();
        if (missingParent(answer) && folder.length > 0) {
          await mkdirs(folder, options.signal);
          answer = await put();
        }
      }
      if (answer.status === 404 || answer.status === 409) {
        throw missingParent(answer) && folder.length > 0
          ? missingFolder(folder, { status: answer.status, operationId: 'dav-put' })
          : davFailure('PUT', segments, answer);
      }
      const fileId = fileIdFrom(answer.headers['oc-fileid']) ?? (await resolve(path, signal));
      return { fileId, path: `/${segments.join('/')}` };
    },
    /** The file id of a path in the user's files. */
    resolve,
    /** The files in a folder of the user's files (`depth` 2 or more: and in its subfolders). */
    list: listFiles,
  };

  /**
   * Makes sure a folder exists, creating missing ancestors: MKCOL the folder itself first (405: it exists,
   * so one request in the common case); 409 means its parent is missing too.
   */
  async function mkdirs(folder: string[], signal?: AbortSignal): Promise<void> {
    const mkcol = () => dav('MKCOL', folder, { answers: [405, 409], ...(signal ? { signal } : {}) });
    let answer = await mkcol();
    if (answer.status === 409 && fromDav(answer) && folder.length > 1) {
      await mkdirs(folder.slice(0, -1), signal);
      answer = await mkcol();
    }
    if (answer.status === 405 || answer.status < 300) return;
    throw fromDav(answer)
      ? missingFolder(folder.slice(0, -1).length ? folder.slice(0, -1) : folder, {
          status: answer.status,
          operationId: 'dav-mkcol',
        })
      : davFailure('MKCOL', folder, answer);
  }
}

const PROPFIND_ID_SIZE =
  '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:fileid/><d:getcontentlength/></d:prop></d:propfind>';
const PROPFIND_LISTING =
  '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:fileid/><d:getetag/><d:getcontentlength/><d:getcontenttype/><d:getlastmodified/><d:resourcetype/></d:prop></d:propfind>';
/** Levels of subfolders a listing goes down at most, and folders it looks into: an inbox, not a drive. */
export const MAX_LIST_DEPTH = 10;
export const MAX_LIST_FOLDERS = 100;
const PROPFIND_ID =
  '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:fileid/></d:prop></d:propfind>';

export type FilesService = ReturnType<typeof filesService>;
