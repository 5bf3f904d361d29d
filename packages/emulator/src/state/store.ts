import type { RateLimit } from '../options.js';

/** Task statuses as TaskProcessing names them, in the order the chat check_* routes number them (0..5). */
export const TASK_STATUSES = [
  'STATUS_UNKNOWN',
  'STATUS_SCHEDULED',
  'STATUS_RUNNING',
  'STATUS_SUCCESSFUL',
  'STATUS_FAILED',
  'STATUS_CANCELLED',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const isTerminal = (s: TaskStatus): boolean =>
  s === 'STATUS_SUCCESSFUL' || s === 'STATUS_FAILED' || s === 'STATUS_CANCELLED';

export interface Task {
  id: number;
  type: string;
  userId: string;
  appId: string;
  customId: string;
  input: Record<string, unknown>;
  output: Record<string, unknown> | null;
  status: TaskStatus;
  progress: number | null;
  scheduledAt: number;
  startedAt: number | null;
  endedAt: number | null;
  lastUpdated: number;
  completionExpectedAt: number | null;
  webhookUri: string | null;
  webhookMethod: string | null;
  errorMessage: string | null;
  /** ms timestamp of scheduling, for slow_pickup */
  scheduledAtMs: number;
  /** ms timestamp of the pickup (scheduled → running), for measuring pickup delays */
  startedAtMs?: number | null;
  /** ms timestamp of the end (successful, failed or cancelled), for measuring how soon clients notice */
  endedAtMs: number | null;
  /** Nextcloud 33+ only (absent before): the failure as the user should read it */
  userFacingErrorMessage?: string | null;
  /** Nextcloud 35+, scheduled with preferStreaming only: the text a streaming provider has produced so far */
  streamed?: string | null;
}

export interface Session {
  id: number;
  user_id: string;
  title: string | null;
  timestamp: number;
  agency_conversation_token: string | null;
  /** JSON of the actions waiting for approval, as the listener stores the agent's `actions` output */
  agency_pending_actions: string | null;
  /** assistant 3.1+: the session is part of the user's memories */
  is_remembered?: boolean;
  /** assistant 4.0: the assignment this session ran for */
  assignment_id?: number | null;
  /** pending message / title generation task (null when none) */
  messageTaskId: number | null;
  titleTaskId: number | null;
}

export interface Message {
  id: number;
  session_id: number;
  role: string;
  content: string;
  timestamp: number;
  ocp_task_id: number;
  sources: string;
  attachments: unknown[];
}

export interface NotifyRecord {
  id: number;
  userId: string;
  ocp_task_id: number;
  timestamp: number;
}

export interface Notification {
  notification_id: number;
  app: string;
  user: string;
  datetime: string;
  object_type: string;
  object_id: string;
  subject: string;
  message: string;
  link: string;
  subjectRich: string;
  subjectRichParameters: unknown[];
  messageRich: string;
  messageRichParameters: unknown[];
  icon: string;
  shouldNotify: boolean;
  actions: unknown[];
}

export interface WebhookDelivery {
  taskId: number;
  uri: string;
  method: string;
  taskStatus: TaskStatus;
  /** HTTP status the receiver answered, or null when it could not be reached */
  status: number | null;
  error: string | null;
  at: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  operationId: string | null;
  user: string | null;
  /** the fault that shaped this answer, if any */
  fault: string | null;
  at: number;
}

/** Everything the emulator remembers; ids start at 1 and only grow (until reset). */
export class State {
  counters = { task: 0, file: 0, session: 0, message: 0, notify: 0, notification: 0 };
  tasks = new Map<number, Task>();
  sessions = new Map<number, Session>();
  messages = new Map<number, Message>();
  /** message id → true for the hidden system message of a session */
  systemMessages = new Set<number>();
  notifyRecords = new Map<number, NotifyRecord>();
  notifications: Notification[] = [];
  webhooks: WebhookDelivery[] = [];
  requests: RequestLogEntry[] = [];
  shareTokens = new Map<string, { fileId: number; taskId: number; user: string }>();
  private buckets = new Map<string, number[]>();

  next(kind: keyof State['counters']): number {
    return ++this.counters[kind];
  }

  /** Sliding-window rate limit: true when this call is allowed. */
  allow(key: string, limit: RateLimit, now = Date.now()): boolean {
    const hits = (this.buckets.get(key) ?? []).filter((t) => t > now - limit.windowMs);
    const ok = hits.length < limit.limit;
    if (ok) hits.push(now);
    this.buckets.set(key, hits);
    return ok;
  }

  /** Seconds until the oldest call in the window expires. */
  retryAfter(key: string, limit: RateLimit, now = Date.now()): number {
    const oldest = this.buckets.get(key)?.[0] ?? now;
    return Math.max(1, Math.ceil((oldest + limit.windowMs - now) / 1000));
  }

  sessionMessages(sessionId: number): Message[] {
    return [...this.messages.values()]
      .filter((m) => m.session_id === sessionId && !this.systemMessages.has(m.id))
      .sort((a, b) => a.id - b.id);
  }

  reset(): void {
    this.counters = { task: 0, file: 0, session: 0, message: 0, notify: 0, notification: 0 };
    this.tasks.clear();
    this.sessions.clear();
    this.messages.clear();
    this.systemMessages.clear();
    this.notifyRecords.clear();
    this.notifications = [];
    this.webhooks = [];
    this.requests = [];
    this.shareTokens.clear();
    this.buckets.clear();
  }
}
