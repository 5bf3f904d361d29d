// What the server is: its assistant and Nextcloud versions (capabilities) and task types, read once per
// client. Operations newer than the 2.13 contract are checked against it before anything is sent.
import { AssistantError } from './errors.js';
import { operations, SPEC_VERSIONS } from './generated/operations.js';
import type { OperationId } from './http.js';
import { isObject, printable } from './shape.js';
import type { TaskType } from './types.js';

/** The contract's assistant version: every operation of it is sent without asking the server first. */
export const BASELINE_VERSION = SPEC_VERSIONS[0];

/** The context agent's task type: with it, chat replies can carry actions awaiting approval. */
export const CONTEXT_AGENT_TASK_TYPE = 'core:contextagent:interaction';

/** Task options and answers that came with a Nextcloud version (TaskProcessing is part of the server). */
export const NEXTCLOUD_FEATURES = {
  /** `includeWatermark` on schedule. */
  watermark: 33,
  /** `userFacingErrorMessage` on failed tasks. */
  userFacingErrors: 33,
  /** `preferStreaming` on schedule and `task_output` in the chat's 417 answers. */
  streaming: 35,
} as const;

export interface ServerFeatures {
  /** `POST/PUT/DELETE chat/sessions[/{id}]` (assistant 3.3+); core uses them for chat sessions when present. */
  restfulSessions: boolean;
  /** Scheduled recurring prompts (assistant 4.0). */
  assignments: boolean;
  /** Agent skills list / load / store (assistant 4.0). */
  skills: boolean;
  /** `assistant-folder-path` (assistant 4.0). */
  assistantFolderPath: boolean;
  /** Partial output while a task runs (Nextcloud 35). */
  streaming: boolean;
  /** `includeWatermark` on tasks (Nextcloud 33). */
  watermark: boolean;
  /** `userFacingErrorMessage` on failed tasks (Nextcloud 33). */
  userFacingErrors: boolean;
  /**
   * A task's place in the provider's queue. No server generation described by the specs (assistant 2.13
   * to 4.0, Nextcloud 30 to 35) reports one, so this is false; waits estimate from `completionExpectedAt`.
   */
  queuePosition: boolean;
  /** The context agent is installed: chat replies can carry pending actions (see `chat.confirmActions`). */
  agency: boolean;
}

export interface ServerInfo {
  /** The assistant app's version (`"4.0.1"`); null when the app is not enabled. */
  assistantVersion: string | null;
  /** The Nextcloud server's version (`"35.0.0"`), when the server says it. */
  nextcloudVersion: string | null;
  features: ServerFeatures;
  /** The task types the user can run (as `client.taskTypes()` lists them); empty without the assistant app. */
  taskTypes: TaskType[];
  /** Whether the server has this operation (by the first assistant version that has it). */
  supports(operationId: OperationId): boolean;
}

/** Compares dotted versions ("3.3" < "3.10.1"); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const x = a.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const y = b.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function versionOf(value: unknown): string | null {
  return typeof value === 'string' && /^\d+(\.\d+)*/.test(value.trim())
    ? /^\d+(\.\d+)*/.exec(value.trim())![0]
    : null;
}

/** Builds the server description from the capabilities answer's data and the task types. */
export function describeServer(capabilities: unknown, taskTypes: TaskType[]): ServerInfo {
  const data = isObject(capabilities) ? capabilities : {};
  const caps = isObject(data.capabilities) ? data.capabilities : {};
  const assistant = isObject(caps.assistant) ? caps.assistant : undefined;
  const assistantVersion = assistant && assistant.enabled !== false ? versionOf(assistant.version) : null;
  const version = isObject(data.version) ? data.version : {};
  const nextcloudVersion =
    versionOf(version.string) ?? (typeof version.major === 'number' ? String(version.major) : null);
  const supports = (operationId: OperationId): boolean => {
    const op = Object.hasOwn(operations, operationId) ? operations[operationId] : undefined;
    if (!op) return false;
    if (op.since === BASELINE_VERSION) return true;
    return assistantVersion !== null && compareVersions(assistantVersion, op.since) >= 0;
  };
  const nextcloud = (major: number) =>
    nextcloudVersion !== null && compareVersions(nextcloudVersion, String(major)) >= 0;
  return {
    assistantVersion,
    nextcloudVersion,
    features: {
      restfulSessions: supports('chattyllm-new-session-restful'),
      assignments: supports('assignments_api-create-user-assignment'),
      skills: supports('agent_skills_api-list-skills'),
      assistantFolderPath: supports('assistant_api-get-assistant-folder-path'),
      streaming: nextcloud(NEXTCLOUD_FEATURES.streaming),
      watermark: nextcloud(NEXTCLOUD_FEATURES.watermark),
      userFacingErrors: nextcloud(NEXTCLOUD_FEATURES.userFacingErrors),
      queuePosition: false,
      agency: taskTypes.some((t) => t.id === CONTEXT_AGENT_TASK_TYPE),
    },
    taskTypes,
    supports,
  };
}

/** The error for an operation the server does not have, raised before it is sent. */
export function unsupported(operationId: OperationId, server: ServerInfo): AssistantError {
  const op = operations[operationId];
  if (server.assistantVersion === null) {
    return new AssistantError({
      code: 'app_disabled',
      operationId,
      sent: false,
      summary: `"${op.summary}" needs the Assistant app, and this server does not have it enabled (its capabilities do not list it).`,
      hint: "Ask the server's administrator to install or enable the Assistant app.",
    });
  }
  return new AssistantError({
    code: 'unsupported',
    operationId,
    sent: false,
    retryable: false,
    details: { needs: op.since, assistantVersion: server.assistantVersion },
    summary: `"${op.summary}" needs assistant ${op.since} or newer; this server runs assistant ${printable(server.assistantVersion, 20)}.`,
    hint: "Ask the server's administrator to update the Assistant app.",
  });
}

/** Reads the server description once; a failed read is not kept, so the next call asks again. */
export function serverCache(read: (signal?: AbortSignal) => Promise<ServerInfo>) {
  let cached: Promise<ServerInfo> | undefined;
  return (options: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<ServerInfo> => {
    if (!cached || options.refresh) {
      const reading = read(options.signal);
      cached = reading;
      reading.catch(() => {
        if (cached === reading) cached = undefined;
      });
    }
    return cached;
  };
}
