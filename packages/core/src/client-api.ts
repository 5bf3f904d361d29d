// The client's public shape, written out: a change to a service's signature is a change here, reviewed,
// not something inferred that slips through (test/client-api.test-d.ts checks the services match it).
import type { PendingAction } from './agency.js';
import type { Assignment, AssignmentChanges, AssignmentInput, Skill } from './assignments.js';
import type { Call } from './call.js';
import type { BinaryResult } from './decode.js';
import type { UploadBody } from './multipart.js';
import type { RunManyOptions } from './run-many.js';
import type { ServerInfo } from './server.js';
import type { Attachment, ChatReply, ChatWaitOptions, SendResult, SessionCheck } from './services/chat.js';
import type { ListedFile } from './folder-watch.js';
import type { FileActionResult, FileActionType, FileInfo } from './services/files.js';
import type { NotificationRecord, RunOptions } from './services/tasks.js';
import type { TimingState } from './timing.js';
import type { ChatMessage, ChatSession, ScheduleRequest, Task, TaskType } from './types.js';
import type { WaitOptions } from './wait.js';

type Signal = { signal?: AbortSignal };
type Bounds = { signal?: AbortSignal; deadline?: number };

export interface TasksApi {
  /** The user's tasks (any app), optionally of one task type. */
  list(filter?: { taskTypeId?: string; signal?: AbortSignal }): Promise<Task[]>;
  /** Tasks through TaskProcessing, by app and custom id (how file actions and chats are found). */
  find(filter: { appId?: string; customId?: string; taskType?: string } & Bounds): Promise<Task[]>;
  get(id: number, options?: Bounds): Promise<Task>;
  schedule(request: ScheduleRequest, options?: Signal): Promise<Task>;
  wait(id: number, options?: RunOptions): Promise<Task>;
  /** Schedules a task and waits for its result. */
  run(request: ScheduleRequest, options?: RunOptions): Promise<Task>;
  /** Schedules many tasks as fast as the rate limit allows and waits for all; results in request order. */
  runMany(
    requests: readonly ScheduleRequest[],
    options?: RunManyOptions,
  ): Promise<PromiseSettledResult<Task>[]>;
  cancel(id: number): Promise<Task>;
  delete(id: number): Promise<void>;
  /** The notify-when-ready record, or null when none is registered. */
  getNotification(id: number): Promise<NotificationRecord | null>;
  notifyWhenReady(id: number): Promise<void>;
  cancelNotification(id: number): Promise<void>;
  downloadOutputFile(
    taskId: number,
    fileId: number,
    options?: { stream?: boolean } & Signal,
  ): Promise<BinaryResult>;
  previewOutputFile(
    taskId: number,
    fileId: number,
    options?: { x?: number; y?: number } & Signal,
  ): Promise<BinaryResult>;
  /** Copies an output file into the user's files; returns the copy. */
  saveOutputFile(taskId: number, fileId: number): Promise<{ fileId: number; path: string }>;
  /** Shares an output file by public link. */
  shareOutputFile(taskId: number, fileId: number): Promise<{ shareToken: string; url: string }>;
}

export interface TimingApi {
  /** What was learned (pickup and run time per task type), for the host to store. */
  export(): TimingState;
  /** Takes back a stored state; one of another server, or in an unknown form, is ignored. */
  import(state: unknown): void;
}

export interface FilesApi {
  uploadInput(
    data: UploadBody,
    options?: { filename?: string; size?: number; contentType?: string } & Signal,
  ): Promise<{ fileId: number; filePath: string }>;
  extractText(file: { fileId: number } | { path: string }, options?: Signal): Promise<string>;
  info(fileId: number, options?: Signal): Promise<FileInfo>;
  download(fileId: number, options?: { stream?: boolean } & Signal): Promise<BinaryResult>;
  runAction(
    fileId: number,
    taskTypeId: FileActionType,
    options?: WaitOptions & { wait?: boolean },
  ): Promise<FileActionResult>;
  /** Uploads into the user's files, creating missing folders. */
  upload(
    path: string,
    data: UploadBody,
    options?: {
      size?: number;
      contentType?: string;
      chunkedUploadThreshold?: number;
      chunkSize?: number;
    } & Signal,
  ): Promise<{ fileId: number; path: string }>;
  /** The file id of a path in the user's files. */
  resolve(path: string, options?: Signal): Promise<number>;
  /** The files in a folder (PROPFIND depth 1); `depth` 2 or more also lists subfolders that many levels down. */
  list(folder: string, options?: { depth?: number } & Signal): Promise<ListedFile[]>;
}

export interface ChatApi {
  createSession(options?: { title?: string }): Promise<ChatSession>;
  sessions(): Promise<ChatSession[]>;
  renameSession(sessionId: number, title: string): Promise<void>;
  deleteSession(sessionId: number): Promise<void>;
  send(
    sessionId: number,
    content: string,
    options?: ChatWaitOptions & { attachments?: Attachment[]; firstHumanMessage?: boolean },
  ): Promise<SendResult>;
  waitForReply(sessionId: number, taskId: number, options?: ChatWaitOptions): Promise<ChatReply>;
  messages(
    sessionId: number,
    options?: { limit?: number; cursor?: number } | { all: true },
  ): Promise<ChatMessage[]>;
  message(sessionId: number, messageId: number): Promise<ChatMessage>;
  deleteMessage(sessionId: number, messageId: number): Promise<void>;
  regenerate(
    sessionId: number,
    messageId: number,
    options?: ChatWaitOptions,
  ): Promise<{ taskId: number; reply?: ChatReply }>;
  generateTitle(sessionId: number, options?: ChatWaitOptions): Promise<{ taskId: number; title?: string }>;
  checkSession(sessionId: number): Promise<SessionCheck>;
  confirmActions(
    sessionId: number,
    approve: boolean,
    options?: ChatWaitOptions,
  ): Promise<{ taskId: number; approved: boolean; actions: PendingAction[]; reply?: ChatReply }>;
}

export interface AssignmentsApi {
  create(input: AssignmentInput, options?: Signal): Promise<Assignment>;
  list(options?: Signal): Promise<Assignment[]>;
  get(id: number, options?: Signal): Promise<Assignment>;
  update(id: number, changes: AssignmentChanges, options?: Signal): Promise<Assignment>;
  delete(id: number, options?: Signal): Promise<void>;
}

export interface SkillsApi {
  list(options?: Signal): Promise<Skill[]>;
  load(name: string, options?: Signal): Promise<string>;
  store(
    skill: { name: string; description: string; content: string },
    options?: Signal,
  ): Promise<{ action: string }>;
}

export interface AssistantClient {
  /** The normalised server root. */
  readonly baseUrl: string;
  /** Typed access to every operation by its operationId. */
  readonly call: Call;
  /**
   * What the server is: assistant and Nextcloud versions, features, task types. Read once (capabilities
   * and task types) and kept; `{ refresh: true }` reads again.
   */
  server(options?: { refresh?: boolean } & Signal): Promise<ServerInfo>;
  /** The task types the user can run, lowest priority first (as the web UI lists them). */
  taskTypes(options?: Signal): Promise<TaskType[]>;
  readonly tasks: TasksApi;
  /** What this client learned about the server's task timing; store `export()` and pass it back. */
  readonly timing: TimingApi;
  readonly files: FilesApi;
  readonly chat: ChatApi;
  /** Assistant 4.0: scheduled recurring prompts. */
  readonly assignments: AssignmentsApi;
  /** Assistant 4.0: the agent's skills. */
  readonly skills: SkillsApi;
  /** Assistant 4.0: the user's assistant folder as a path in their files (`/Assistant`). */
  assistantFolder(options?: Signal): Promise<string>;
}
