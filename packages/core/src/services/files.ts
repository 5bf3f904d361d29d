import { AssistantError } from '../errors.js';
import { exchange, type BinaryResult, type RawAnswer } from '../http.js';
import { checkUploadBody, checkUploadOptions, isByteStream, type UploadBody } from '../multipart.js';
import type { ServiceContext } from '../context.js';
import { field, isObject, object, printable } from '../shape.js';
import type { Task } from '../types.js';
import { waitForTask, type WaitOptions } from '../wait.js';
import type { TasksService } from './tasks.js';

/** The task types the assistant offers as file actions, and the file each one writes beside the source. */
export const FILE_ACTIONS = {
  'core:text2text:summary': { suffix: ' - summarized.md' },
  'core:audio2text': { suffix: ' - transcribed.md' },
  'core:text2speech': { suffix: ' - text to speech.' },
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
    throw new AssistantError({
      code: 'invalid_input',
      message: 'The file path is empty. Give a path inside your files, e.g. /Documents/notes.md',
    });
  }
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.some((s) => s === '..' || /[\u0000-\u001f]/.test(s))) {
    throw new AssistantError({
      code: 'invalid_input',
      message: `The file path "${path.slice(0, 80)}" is not valid: use a path inside your files without ".." parts, e.g. /Documents/notes.md`,
    });
  }
  return segments;
}

function fileIdFrom(value: string | undefined): number | undefined {
  const match = value ? /^0*(\d+)/.exec(value) : null;
  return match ? Number(match[1]) : undefined;
}

export function filesService(ctx: ServiceContext, tasks: TasksService) {
  const davUrl = (segments: string[]) => {
    if (!ctx.davUser) {
      throw new AssistantError({
        code: 'invalid_input',
        message:
          'Uploading to a path needs the user name: create the client with auth { user, appPassword } or the `user` option.',
      });
    }
    return `${ctx.http.baseUrl}/remote.php/dav/files/${encodeURIComponent(ctx.davUser)}/${segments.map(encodeURIComponent).join('/')}`;
  };

  const dav = async (
    method: string,
    segments: string[],
    init: { body?: UploadBody; headers?: Record<string, string>; safe?: boolean; signal?: AbortSignal } = {},
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
    });
    return answer;
  };

  const resolve = async (path: string, options: { signal?: AbortSignal } = {}): Promise<number> => {
    const segments = cleanPath(path);
    let answer: RawAnswer;
    try {
      answer = await dav('PROPFIND', segments, {
        headers: { Depth: '0', 'Content-Type': 'application/xml' },
        body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:fileid/></d:prop></d:propfind>',
        safe: true,
        ...options,
      });
    } catch (error) {
      if (AssistantError.isInstance(error) && error.status === 404) {
        throw new AssistantError({
          code: 'not_found',
          status: 404,
          message: `There is no file at "/${segments.join('/')}". Check the path.`,
        });
      }
      throw error;
    }
    const text = new TextDecoder().decode((answer.data as BinaryResult).data);
    const id = /<oc:fileid>(\d+)<\/oc:fileid>/.exec(text)?.[1];
    if (!id)
      throw new AssistantError({
        code: 'not_assistant_server',
        message: `The server's WebDAV answer for "/${segments.join('/')}" has no file id.`,
      });
    return Number(id);
  };

  const list = async (
    folder: string[],
    signal?: AbortSignal,
  ): Promise<{ name: string; fileId: number }[]> => {
    const answer = await dav('PROPFIND', folder, {
      headers: { Depth: '1', 'Content-Type': 'application/xml' },
      body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:fileid/></d:prop></d:propfind>',
      safe: true,
      ...(signal ? { signal } : {}),
    });
    const text = new TextDecoder().decode((answer.data as BinaryResult).data);
    const out: { name: string; fileId: number }[] = [];
    for (const [, href, id] of text.matchAll(
      /<d:href>([^<]*)<\/d:href>[\s\S]*?<oc:fileid>(\d+)<\/oc:fileid>/g,
    )) {
      const name = decodeURIComponent(href!.replace(/\/$/, '').split('/').pop() ?? '');
      out.push({ name, fileId: Number(id) });
    }
    return out;
  };

  const info = async (fileId: number, options: { signal?: AbortSignal } = {}): Promise<FileInfo> => {
    const op = 'assistant_api-get-user-file-info';
    const data = await ctx.call(op, { path: { fileId }, ...options });
    const owner = field(data, 'owner', 'string', op);
    return {
      name: field(data, 'name', 'string', op),
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
        throw new AssistantError({
          code: 'invalid_input',
          message: 'extractText needs { fileId } or { path } of a file in your files.',
        });
      }
      if ('fileId' in body && !(Number.isSafeInteger(body.fileId) && (body.fileId as number) > 0)) {
        throw new AssistantError({
          code: 'invalid_input',
          message: `fileId must be a positive whole number, got ${printable(body.fileId)}.`,
        });
      }
      const data = await ctx.call('assistant_api-parse-text-from-file', { body, ...options });
      return field(data, 'parsedText', 'string', 'assistant_api-parse-text-from-file');
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
        throw new AssistantError({
          code: 'invalid_input',
          message: `"${printable(taskTypeId)}" is not a file action. Use one of: ${Object.keys(FILE_ACTIONS).join(', ')}.`,
        });
      }
      const signal = options.signal ? { signal: options.signal } : {};
      const customId = `file-action:${fileId}`;
      const before = new Set(
        (await tasks.find({ appId: 'assistant', customId, ...signal })).map((t) => t.id),
      );
      const data = await ctx.call('assistant_api-run-file-action', {
        path: { fileId, taskTypeId },
        ...signal,
      });
      const started = (await tasks.find({ appId: 'assistant', customId, ...signal }))
        .filter((t) => !before.has(t.id) && t.type === taskTypeId)
        .sort((a, b) => b.id - a.id)[0];
      const result: FileActionResult = {
        tooltip: printable(object(data, 'assistant_api-run-file-action').tooltip ?? '', 500),
        task: started,
      };
      if (!options.wait || !started) return result;
      result.task = await waitForTask(ctx, started, () => tasks.get(started.id, signal), options);
      const source = await info(fileId, signal);
      const folder = source.path.split('/').filter(Boolean).slice(0, -1);
      const prefix = `${source.name}${action.suffix}`;
      const written = (await list(folder, options.signal))
        .filter((f) => (action.suffix.endsWith('.') ? f.name.startsWith(prefix) : f.name === prefix))
        .sort((a, b) => b.fileId - a.fileId)[0];
      if (written) result.file = { fileId: written.fileId, path: `/${[...folder, written.name].join('/')}` };
      return result;
    },
    /** Uploads (or replaces) a file at a path in the user's files via WebDAV; creates missing folders. */
    async upload(
      path: string,
      data: UploadBody,
      options: { size?: number; contentType?: string; signal?: AbortSignal } = {},
    ): Promise<{ fileId: number; path: string }> {
      const segments = cleanPath(path);
      const body = checkUploadBody(data, 'The file to upload');
      checkUploadOptions(options ?? {});
      options = options ?? {};
      const headers: Record<string, string> = {
        'Content-Type': options.contentType ?? 'application/octet-stream',
      };
      if (options.size !== undefined) headers['Content-Length'] = String(options.size);
      const signal = options.signal ? { signal: options.signal } : {};
      const put = () => dav('PUT', segments, { body, headers, ...signal });
      let answer: RawAnswer;
      if (isByteStream(body)) {
        // A stream can be sent once only: make sure its folder exists first.
        await mkdirs(segments.slice(0, -1), options.signal);
        answer = await put();
      } else {
        try {
          answer = await put();
        } catch (error) {
          if (!(AssistantError.isInstance(error) && error.status === 409)) throw error;
          await mkdirs(segments.slice(0, -1), options.signal);
          answer = await put();
        }
      }
      const fileId = fileIdFrom(answer.headers['oc-fileid']) ?? (await resolve(path, signal));
      return { fileId, path: `/${segments.join('/')}` };
    },
    /** The file id of a path in the user's files. */
    resolve,
  };

  async function mkdirs(folders: string[], signal?: AbortSignal): Promise<void> {
    for (let i = 1; i <= folders.length; i++) {
      try {
        await dav('MKCOL', folders.slice(0, i), signal ? { signal } : {});
      } catch (error) {
        // 405: the folder exists already.
        if (!(AssistantError.isInstance(error) && error.status === 405)) throw error;
      }
    }
  }
}

export type FilesService = ReturnType<typeof filesService>;
