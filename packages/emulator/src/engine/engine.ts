import type { Faults } from '../faults.js';
import { nowS, type FileStore } from '../files/file-store.js';
import { DEFAULT_TIMING, type PickupMode, type ProviderTiming } from '../options.js';
import { isTerminal, type State, type Task } from '../state/store.js';
import { features, makeProfile, type Profile } from '../profile.js';
import { CONTEXT_AGENT_TASK_TYPE } from './context-agent.js';
import { PROVIDERS } from './providers.js';
import { TASK_TYPES } from './task-types.js';

// How the assistant app files a session's tasks (upstream ChattyLLMController / ChattyLLMTaskListener).
export const CHAT_APP_ID = 'assistant:chatty-llm';
export const CHAT_PREFIX = 'chatty-llm:';
export const TITLE_PREFIX = 'chatty-title:';
export const FILE_ACTION_PREFIX = 'file-action:';

export const FILE_ACTION_SUFFIX: Record<string, string> = {
  'core:text2text:summary': ' - summarized.md',
  'core:audio2text': ' - transcribed.md',
  'core:text2speech': ' - text to speech.wav',
};

/** A refused schedule: the HTTP status and message the server answers. */
export class ScheduleError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ScheduleRequest {
  type: string;
  input: Record<string, unknown>;
  appId: string;
  customId?: string;
  webhookUri?: string | null;
  webhookMethod?: string | null;
  /** Nextcloud 35: ask a streaming provider for partial output while it runs */
  preferStreaming?: boolean;
}

const MAX_TEXT_BYTES = 512_000;
const FILE_SLOTS = new Set(['Audio', 'Image', 'Video', 'File']);
const WEBHOOK_METHODS = new Set(['HTTP:GET', 'HTTP:POST', 'HTTP:PUT', 'HTTP:DELETE']);

/**
 * The server's task processing: background "workers" pick tasks up after `pickupMs`, providers run for
 * `runMs`, then the listeners real servers run (chat replies and titles, file-action results,
 * notify-when-ready, webhooks) react to the end of each task.
 */
export class Engine {
  private timers = new Map<number, NodeJS.Timeout[]>();
  private timings: Record<string, ProviderTiming> = {};
  private pending = new Set<Promise<unknown>>();
  /** Pickups and completions that came due while their provider was paused, run when it resumes. */
  private held = new Map<number, () => void>();
  /** Chat replies and titles waiting for the listener to store them. */
  private stores = new Map<number, { task: Task; timer?: NodeJS.Timeout; done: () => void }>();
  private storeDelay: number;
  /** Serial pickup (realistic profile): per type the waiting tasks, the running one, the next look for work. */
  private pickup: Required<{ mode: 'worker' | 'cron'; everyMs: number }> | null = null;
  private queues = new Map<string, Task[]>();
  private busy = new Map<string, number>();
  private ticks = new Map<string, NodeJS.Timeout>();
  private readonly origin = Date.now();

  constructor(
    private readonly state: State,
    private readonly files: FileStore,
    private readonly faults: Faults,
    timings: Record<string, Partial<ProviderTiming>>,
    storeDelayMs: number,
    private readonly profile: Profile = makeProfile(),
  ) {
    this.resetTimings(timings);
    this.storeDelay = storeDelayMs;
  }

  /** Background jobs pick tasks up one at a time per type, as on a real server (null: all at once after pickupMs). */
  setPickup(mode: PickupMode | null): void {
    this.pickup = mode
      ? {
          mode: mode.mode,
          everyMs:
            (mode.mode === 'worker' ? mode.pollMs : mode.intervalMs) ??
            (mode.mode === 'worker' ? 1_000 : 300_000),
        }
      : null;
  }

  /** Queues a task for its type's worker; the worker looks at its next poll (or cron) tick unless busy. */
  private enqueue(task: Task): void {
    const queue = this.queues.get(task.type) ?? [];
    queue.push(task);
    this.queues.set(task.type, queue);
    if (this.busy.has(task.type) || this.ticks.has(task.type) || !this.pickup) return;
    const every = this.pickup.everyMs;
    const t = setTimeout(
      () => {
        this.ticks.delete(task.type);
        this.runNext(task.type);
      },
      every - ((Date.now() - this.origin) % every),
    );
    t.unref();
    this.ticks.set(task.type, t);
  }

  /** The worker takes the next waiting task of the type, or goes idle until the next tick. */
  private runNext(type: string): void {
    this.busy.delete(type);
    const queue = this.queues.get(type) ?? [];
    let next: Task | undefined;
    while ((next = queue.shift())) {
      if (next.status === 'STATUS_SCHEDULED' && this.state.tasks.has(next.id)) break;
    }
    if (!next) return;
    this.busy.set(type, next.id);
    this.start(next);
  }

  /** A task left the worker (done, failed, cancelled, deleted): it takes the next one right away. */
  private freed(task: Task): void {
    if (this.busy.get(task.type) === task.id) this.runNext(task.type);
  }

  /** A changed delay applies to results already waiting too, so tests can hold them and then let them go. */
  setStoreDelay(ms: number): void {
    this.storeDelay = ms;
    for (const entry of this.stores.values()) this.armStore(entry);
  }

  resetTimings(timings: Record<string, Partial<ProviderTiming>>): void {
    this.timings = {};
    // `default` first, so the other types build on it
    for (const [type, t] of Object.entries(timings).sort(([a]) => (a === 'default' ? -1 : 1)))
      this.setTiming(type, t);
  }

  setTiming(type: string, t: Partial<ProviderTiming>): void {
    this.timings[type] = { ...this.timing(type), ...t };
    this.release();
  }

  /** Runs the held transitions of tasks whose provider is no longer paused (synchronously, in order). */
  private release(): void {
    for (const [id, transition] of [...this.held]) {
      const task = this.state.tasks.get(id);
      if (task && this.timing(task.type).paused) continue;
      this.held.delete(id);
      transition();
    }
  }

  timing(type: string): ProviderTiming {
    return this.timings[type] ?? this.timings.default ?? DEFAULT_TIMING;
  }

  allTimings(): Record<string, ProviderTiming> {
    return { ...this.timings };
  }

  /** Whether this server has a provider for the type (the context agent only with the context_agent app). */
  offers(type: string): boolean {
    return type !== CONTEXT_AGENT_TASK_TYPE || this.profile.contextAgent;
  }

  /** Input as the server stores it: defaults first, then known keys; unknown keys are dropped. */
  validate(user: string, req: ScheduleRequest): Record<string, unknown> {
    const def = TASK_TYPES[req.type];
    if (!def || !PROVIDERS[req.type] || !this.offers(req.type)) {
      throw new ScheduleError(412, 'The given provider is not available');
    }
    if (req.webhookMethod && !WEBHOOK_METHODS.has(req.webhookMethod)) {
      throw new ScheduleError(
        400,
        `Invalid webhook method "${req.webhookMethod}"; use HTTP:POST, HTTP:GET, HTTP:PUT or HTTP:DELETE`,
      );
    }
    const input: Record<string, unknown> = { ...def.optionalInputShapeDefaults, ...def.inputShapeDefaults };
    const slots = { ...def.inputShape, ...def.optionalInputShape };
    for (const key of Object.keys(def.inputShape)) {
      if (!(key in req.input) && !(key in input)) throw new ScheduleError(400, `Missing key: "${key}"`);
    }
    for (const [key, value] of Object.entries(req.input)) {
      const slot = slots[key];
      if (!slot) continue;
      this.checkSlot(user, key, slot.type, value);
      input[key] = value;
    }
    return input;
  }

  private checkSlot(user: string, key: string, type: string, value: unknown): void {
    const bad = (what: string): never => {
      throw new ScheduleError(400, `Provided input for "${key}" is not ${what}`);
    };
    if (type === 'Text' || type === 'Enum') {
      if (typeof value !== 'string') bad('a string');
      if (Buffer.byteLength(value as string) > MAX_TEXT_BYTES) {
        throw new ScheduleError(400, `Text in "${key}" is longer than ${MAX_TEXT_BYTES} bytes`);
      }
    } else if (type === 'Number') {
      if (
        typeof value !== 'number' &&
        !(typeof value === 'string' && value.trim() !== '' && !isNaN(Number(value)))
      ) {
        bad('a number');
      }
    } else if (type === 'ListOfTexts') {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) bad('a list of strings');
    } else if (FILE_SLOTS.has(type) || type.startsWith('ListOf')) {
      const ids = Array.isArray(value) ? value : [value];
      for (const id of ids) {
        const node = Number.isInteger(Number(id)) ? this.files.owned(user, Number(id)) : undefined;
        if (!node || node.kind !== 'file') {
          throw new ScheduleError(
            401,
            `File ${String(id)} given for "${key}" does not exist or is not accessible`,
          );
        }
      }
    }
  }

  schedule(user: string, req: ScheduleRequest): Task {
    const input = this.validate(user, req);
    const now = Date.now();
    const { pickupMs, runMs, eta, etaErrorMs } = this.timing(req.type);
    const task: Task = {
      id: this.state.next('task'),
      type: req.type,
      userId: user,
      appId: req.appId,
      customId: req.customId ?? '',
      input,
      output: null,
      status: 'STATUS_SCHEDULED',
      progress: 0,
      scheduledAt: Math.floor(now / 1000),
      startedAt: null,
      endedAt: null,
      lastUpdated: Math.floor(now / 1000),
      completionExpectedAt:
        eta === 'none' ? null : Math.max(0, Math.ceil((now + pickupMs + runMs + (etaErrorMs ?? 0)) / 1000)),
      webhookUri: req.webhookUri ?? null,
      webhookMethod: req.webhookUri ? (req.webhookMethod ?? 'HTTP:POST') : null,
      errorMessage: null,
      scheduledAtMs: now,
      endedAtMs: null,
      ...(features.watermark(this.profile) ? { userFacingErrorMessage: null } : {}),
      ...(features.streaming(this.profile) && req.preferStreaming ? { streamed: null } : {}),
    };
    this.state.tasks.set(task.id, task);
    if (this.pickup) {
      // the server's guess: this task's run and those ahead of it, without the pickup delay (measured)
      const ahead =
        (this.queues.get(req.type)?.filter((t) => t.status === 'STATUS_SCHEDULED').length ?? 0) +
        (this.busy.has(req.type) ? 1 : 0);
      task.completionExpectedAt =
        eta === 'none'
          ? null
          : task.scheduledAt + Math.ceil((runMs * (ahead + 1) + (etaErrorMs ?? 0)) / 1000);
      this.enqueue(task);
      return task;
    }
    // a paused worker picks the task up the moment it resumes
    if (this.timing(req.type).paused) this.held.set(task.id, () => this.start(task));
    else this.later(task.id, pickupMs, () => this.start(task));
    return task;
  }

  private later(taskId: number, ms: number, fn: () => void): void {
    const t = setTimeout(fn, ms);
    t.unref();
    const list = this.timers.get(taskId) ?? [];
    list.push(t);
    this.timers.set(taskId, list);
  }

  private clearTimers(taskId: number): void {
    for (const t of this.timers.get(taskId) ?? []) clearTimeout(t);
    this.timers.delete(taskId);
    this.held.delete(taskId);
  }

  private start(task: Task): void {
    if (task.status !== 'STATUS_SCHEDULED' || !this.state.tasks.has(task.id)) return;
    if (this.timing(task.type).paused) {
      this.held.set(task.id, () => this.start(task));
      return;
    }
    const { runMs } = this.timing(task.type);
    task.status = 'STATUS_RUNNING';
    task.startedAt = task.lastUpdated = nowS();
    task.startedAtMs = Date.now();
    task.progress = 0;
    this.later(task.id, runMs / 2, () => {
      if (task.status === 'STATUS_RUNNING') {
        task.progress = 0.5;
        task.lastUpdated = nowS();
        if (task.streamed !== undefined) task.streamed = this.partialOutput(task);
      }
    });
    this.later(task.id, runMs, () => this.complete(task));
  }

  /** What a streaming provider has produced halfway: the first half of its text output. */
  private partialOutput(task: Task): string | null {
    if (this.timing(task.type).fail) return null;
    const out = (PROVIDERS[task.type] as (typeof PROVIDERS)[string])(task, this.files).output;
    return typeof out === 'string' ? out.slice(0, Math.ceil(out.length / 2)) : null;
  }

  private complete(task: Task): void {
    if (task.status !== 'STATUS_RUNNING' || !this.state.tasks.has(task.id)) return;
    if (this.timing(task.type).paused) {
      this.held.set(task.id, () => this.complete(task));
      return;
    }
    this.clearTimers(task.id);
    const fail = this.timing(task.type).fail;
    try {
      if (fail) throw new Error(typeof fail === 'string' ? fail : 'The provider failed (injected failure)');
      task.output = (PROVIDERS[task.type] as (typeof PROVIDERS)[string])(task, this.files);
      task.status = 'STATUS_SUCCESSFUL';
      task.progress = 1;
    } catch (err) {
      task.status = 'STATUS_FAILED';
      task.errorMessage = (err as Error).message;
      // Nextcloud 33+: what the provider wants the user to read
      if (task.userFacingErrorMessage !== undefined) task.userFacingErrorMessage = task.errorMessage;
    }
    task.endedAt = task.lastUpdated = nowS();
    task.endedAtMs = Date.now();
    this.ended(task);
    this.freed(task);
  }

  cancel(task: Task): void {
    if (isTerminal(task.status)) return;
    this.clearTimers(task.id);
    task.status = 'STATUS_CANCELLED';
    task.endedAt = task.lastUpdated = nowS();
    task.endedAtMs = Date.now();
    this.ended(task);
    this.freed(task);
  }

  delete(task: Task): void {
    this.clearTimers(task.id);
    this.dropStore(task.id);
    this.state.tasks.delete(task.id);
    this.freed(task);
  }

  /** The listeners a real server runs when a task ends. */
  private ended(task: Task): void {
    this.notifyUser(task);
    if (task.webhookUri) this.track(this.deliverWebhook(task));
    if (task.status !== 'STATUS_SUCCESSFUL') return;
    if (task.customId.startsWith(CHAT_PREFIX) || task.customId.startsWith(TITLE_PREFIX)) {
      if (this.faults.take(['never-store-reply'], 'LISTENER', '/listener/chat', task.customId)) return;
      if (this.storeDelay > 0) this.queueStore(task);
      else this.storeChatResult(task);
    } else if (task.appId === 'assistant' && task.customId.startsWith(FILE_ACTION_PREFIX)) {
      this.writeFileActionResult(task);
    }
  }

  private queueStore(task: Task): void {
    let done = (): void => {};
    this.track(new Promise<void>((resolve) => (done = resolve)));
    const entry = { task, done };
    this.stores.set(task.id, entry);
    this.armStore(entry);
  }

  /** (Re)arms a waiting store for `storeDelayMs` after the task ended. */
  private armStore(entry: { task: Task; timer?: NodeJS.Timeout; done: () => void }): void {
    clearTimeout(entry.timer);
    const wait = Math.max(0, (entry.task.endedAtMs ?? Date.now()) + this.storeDelay - Date.now());
    entry.timer = setTimeout(() => {
      this.stores.delete(entry.task.id);
      this.storeChatResult(entry.task);
      entry.done();
    }, wait);
    entry.timer.unref();
  }

  private dropStore(taskId: number): void {
    const entry = this.stores.get(taskId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.stores.delete(taskId);
    entry.done();
  }

  private storeChatResult(task: Task): void {
    const title = task.customId.startsWith(TITLE_PREFIX);
    const sessionId = Number(task.customId.slice((title ? TITLE_PREFIX : CHAT_PREFIX).length));
    const session = this.state.sessions.get(sessionId);
    if (!session) return;
    const output = String(task.output?.output ?? '');
    if (task.type === CONTEXT_AGENT_TASK_TYPE) {
      // ChattyLLMTaskListener: the agent's state and the actions waiting for approval live on the session
      session.agency_conversation_token = String(task.output?.conversation_token ?? '') || null;
      session.agency_pending_actions = String(task.output?.actions ?? '') || null;
    }
    if (title) {
      session.title = output.trim();
      if (session.titleTaskId === task.id) session.titleTaskId = null;
      return;
    }
    const id = this.state.next('message');
    this.state.messages.set(id, {
      id,
      session_id: sessionId,
      role: 'assistant',
      content: output,
      timestamp: nowS(),
      ocp_task_id: task.id,
      sources: '[]',
      attachments: [],
    });
    if (session.messageTaskId === task.id) session.messageTaskId = null;
  }

  private writeFileActionResult(task: Task): void {
    const source = this.files.owned(task.userId, Number(task.customId.slice(FILE_ACTION_PREFIX.length)));
    const suffix = FILE_ACTION_SUFFIX[task.type];
    if (!source || !suffix || source.parentId === null) return;
    const folder = this.files.get(source.parentId);
    if (!folder) return;
    let data: Buffer;
    if (task.type === 'core:text2speech') {
      const speech = this.files.get(Number(task.output?.speech));
      if (!speech?.blob) return;
      data = speech.blob;
    } else {
      data = Buffer.from(String(task.output?.output ?? ''));
    }
    this.files.add(folder, `${source.name}${suffix}`, data);
  }

  /** Turns notify-when-ready records for this task into notifications. */
  notifyUser(task: Task): void {
    for (const [id, rec] of this.state.notifyRecords) {
      if (rec.ocp_task_id !== task.id || rec.userId !== task.userId) continue;
      this.state.notifyRecords.delete(id);
      this.addNotification(task);
    }
  }

  addNotification(task: Task): void {
    const ok = task.status === 'STATUS_SUCCESSFUL';
    const name = TASK_TYPES[task.type]?.assistantName ?? task.type;
    this.state.notifications.unshift({
      notification_id: this.state.next('notification'),
      app: 'assistant',
      user: task.userId,
      datetime: new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00'),
      object_type: 'task',
      object_id: String(task.id),
      subject: `"${name}" task for "Nextcloud Assistant" has ${ok ? 'finished' : 'failed'}`,
      message: `Input: ${String(task.input.input ?? '').slice(0, 100)}`,
      link: `/index.php/apps/assistant/task/view/${task.id}`,
      subjectRich: '',
      subjectRichParameters: [],
      messageRich: '',
      messageRichParameters: [],
      icon: '/apps/assistant/img/app-dark.svg',
      shouldNotify: true,
      actions: [],
    });
  }

  /** POST/GET/PUT/DELETE `{task}` to the webhook: no auth, no signature, no retry, 30 s timeout. */
  private async deliverWebhook(task: Task): Promise<void> {
    const method = (task.webhookMethod ?? 'HTTP:POST').slice(5);
    const delivery = {
      taskId: task.id,
      uri: task.webhookUri as string,
      method,
      taskStatus: task.status,
      status: null as number | null,
      error: null as string | null,
      at: Date.now(),
    };
    this.state.webhooks.push(delivery);
    try {
      const res = await fetch(delivery.uri, {
        method,
        headers: { 'Content-Type': 'application/json' },
        body: method === 'GET' ? undefined : JSON.stringify({ task: taskJson(task) }),
        signal: AbortSignal.timeout(30_000),
      });
      delivery.status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      delivery.error = (err as Error).message;
    }
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Waits for webhook deliveries in flight and chat results waiting to be stored (tests, close). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  stop(): void {
    for (const id of [...this.timers.keys()]) this.clearTimers(id);
    for (const id of [...this.stores.keys()]) this.dropStore(id);
    this.held.clear();
    for (const t of this.ticks.values()) clearTimeout(t);
    this.ticks.clear();
    this.queues.clear();
    this.busy.clear();
  }
}

/** Task JSON as real servers send it. */
export function taskJson(
  task: Task,
  overrides: Partial<Record<string, unknown>> = {},
): Record<string, unknown> {
  return {
    id: task.id,
    type: task.type,
    lastUpdated: task.lastUpdated,
    status: task.status,
    userId: task.userId,
    appId: task.appId,
    input: task.input,
    output: task.output,
    customId: task.customId,
    completionExpectedAt: task.completionExpectedAt,
    progress: task.progress,
    scheduledAt: task.scheduledAt,
    startedAt: task.startedAt,
    endedAt: task.endedAt,
    ...(task.userFacingErrorMessage !== undefined
      ? { userFacingErrorMessage: task.userFacingErrorMessage }
      : {}),
    ...overrides,
  };
}
