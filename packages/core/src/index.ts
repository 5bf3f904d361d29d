// Pure entry: nothing host-specific (network, clock, environment, file system). Hosts pass a transport and a sleep.
export { createClient, type AssistantClient, type Auth, type ClientOptions } from './client.js';
export type { TasksApi, TimingApi, FilesApi, ChatApi, AssignmentsApi, SkillsApi } from './client-api.js';
export { credentialSecrets } from './auth.js';
export {
  AssistantError,
  APP_PASSWORD_ADVICE,
  scrubError,
  type AssistantErrorCode,
  type AssistantErrorOptions,
} from './errors.js';
export { safeFileName } from './file-name.js';
export { PRODUCT_NAME, FIELD_LABELS, type FieldName } from './labels.js';
export { insecureHttpWarning, type AssistantWarning } from './warnings.js';
export {
  TaskStatus,
  TASK_STATUS_ORDER,
  TASK_STATUSES,
  TASK_STATUS_LABELS,
  taskStatusFromNumber,
  isFinished,
} from './task-status.js';
export {
  finishedTasksToEmit,
  readWatchState,
  finishedAt,
  LOOK_BACK_SECONDS,
  type FinishedTaskLike,
  type WatchState,
  type WatchFilter,
  type WatchDecision,
} from './finished-tasks.js';
export { parsePropfind, type DavEntry } from './propfind.js';
export {
  decideFolder,
  readFolderState,
  isFileActionOutput,
  nameMatcher,
  mimeMatcher,
  type ListedFile,
  type FolderState,
  type FolderDecision,
} from './folder-watch.js';
export { RATE_LIMITS, type RateLimits } from './rate-gate.js';
export {
  TIMING_SAMPLES,
  TIMING_TYPES,
  type TimingState,
  type TimingEstimate,
  type TypeTiming,
} from './timing.js';
export type { RunManyOptions } from './run-many.js';
export { CHECK_TOGETHER_MS } from './task-checks.js';
export { normalizeBaseUrl } from './base-url.js';
export {
  BASELINE_VERSION,
  CONTEXT_AGENT_TASK_TYPE,
  NEXTCLOUD_FEATURES,
  compareVersions,
  type ServerInfo,
  type ServerFeatures,
} from './server.js';
export { type Assignment, type AssignmentInput, type AssignmentChanges, type Skill } from './assignments.js';
export { checkRecurrence, checkTimeZone } from './rrule.js';
export { parsePendingActions, AGENCY_ACTION_TITLES, type PendingAction } from './agency.js';
export { DEFAULT_CHUNKED_UPLOAD_THRESHOLD, DEFAULT_CHUNK_SIZE, MIN_CHUNK_SIZE } from './chunked-upload.js';
export { operations, SPEC_VERSIONS } from './generated/operations.js';
export type { paths, operations as OperationTypes, components } from './generated/schema.js';
export type { Call, CallParams, CallResult, OperationId } from './call.js';
export {
  OCS_REQUEST,
  DEFAULT_RETRY,
  DEFAULT_LIMITS,
  type BinaryResult,
  type RetryPolicy,
  type ResponseLimits,
} from './http.js';
export {
  slotType,
  fillSlot,
  slotParts,
  SLOT_KINDS,
  type SlotKind,
  type SlotType,
  type FillOptions,
} from './shapes.js';
export type { Transport, TransportRequest, TransportResponse, Sleep, ByteStream } from './transport.js';
export type { UploadBody } from './multipart.js';
export {
  waitForTask,
  nextDelay,
  expectedEnd,
  type CheckHints,
  type ProgressReading,
  SLOW_PICKUP_MS,
  DEFAULT_WAIT_TIMEOUT_MS,
  type WaitOptions,
  type WaitProgress,
  type WaitPhase,
  type WaitBounds,
} from './wait.js';
export {
  normalizeTaskType,
  checkTaskInput,
  MAX_TEXT_INPUT_BYTES,
  type RunOptions,
  type NotificationRecord,
} from './services/tasks.js';
export {
  FILE_ACTIONS,
  MAX_LIST_DEPTH,
  type FileActionType,
  type FileActionResult,
  type FileInfo,
} from './services/files.js';
export {
  CHAT_TASKS,
  MAX_MESSAGE_BYTES,
  type ChatReply,
  type SendResult,
  type Attachment,
  type ChatWaitOptions,
  type SessionCheck,
} from './services/chat.js';
export type * from './types.js';
