import type { WaitProgress } from '@f7cloud/assistant-client';
import type { Node, NodeAPI, NodeDef, NodeMessage, TypedInputType } from '../red.js';
import { NodeInputError, describeError, scrub, scrubDetails } from './errors.js';
import { translator, type Translate } from './i18n.js';
import { isServerNode, type NodeClient, type ServerNode } from './server-client.js';
import { statusReporter } from './status.js';

export interface ParamOptions {
  required?: boolean;
  /** 'id': a positive whole number. */
  type?: 'string' | 'number' | 'id';
  /** msg property to fall back to (defaults to the parameter name). */
  msgName?: string;
}

export interface OperationContext {
  /** Core client of the config node. */
  client: NodeClient;
  msg: NodeMessage;
  /** The node's editor settings. */
  config: NodeDef;
  /** Aborted when the node is closed or redeployed. */
  signal: AbortSignal;
  t: Translate;
  param(name: string, opts: ParamOptions & { type: 'number' | 'id'; required: true }): number;
  param(name: string, opts: ParamOptions & { type: 'number' | 'id' }): number | undefined;
  param(name: string, opts: ParamOptions & { required: true }): string | number | boolean | object;
  param(name: string, opts?: ParamOptions): unknown;
  /** Feeds the status badge while waiting. */
  progress(p: WaitProgress): void;
  /** Logs a warning on the node (for failures after it is done). */
  warn(text: string): void;
  /** Sends a copy of the message now, on another output, while the operation goes on (e.g. partial text). */
  emit(output: number, extra: Record<string, unknown>): void;
  server: ServerNode;
}

export interface OperationResult {
  /** The main output, goes to msg.payload. */
  payload: unknown;
  /** The full API result, goes to msg.assistant. */
  assistant: unknown;
  /** Further msg properties (sessionId, taskId, fileId, filename, ...). */
  set?: Record<string, unknown>;
  /** Text of the green badge. */
  statusText?: string;
  /** The output the message leaves on (0: the first, the default). */
  output?: number;
}

export interface WorkerOptions {
  /** Messages processed at once when the node sets no limit (default: no limit). */
  defaultConcurrency?: number;
  /** Output ports of the node (default 1). */
  outputs?: number;
}

/** The most messages one node works on at once, whatever its setting. */
export const MAX_CONCURRENCY = 50;

/** The node's "Messages at once" setting: a whole number 1..50, else the default. */
export function concurrencyOf(value: unknown, fallback: number): number {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 1 ? Math.min(n, MAX_CONCURRENCY) : fallback;
}

type Send = (msg: NodeMessage | (NodeMessage | null)[]) => void;
interface Job {
  msg: NodeMessage;
  send: Send;
  done: (err?: Error) => void;
}

export type Operation = (ctx: OperationContext) => Promise<OperationResult>;

const CONTEXT_TYPES = new Set<string>(['msg', 'flow', 'global', 'env']);

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/**
 * Where a parameter comes from: a TypedInput saves `<name>Type` beside the value ("msg", "flow", ...
 * read the named property; "str" and "num" are the value itself). Flows saved before the TypedInput
 * have no type: there, as for an empty value, the msg property of the same name is read.
 */
function rawParam(
  RED: Pick<NodeAPI, 'util'>,
  node: Node,
  config: NodeDef,
  msg: NodeMessage,
  name: string,
  msgName: string,
): { value: unknown; property: string } {
  const type = config[`${name}Type`];
  const configured = config[name];
  if (
    typeof type === 'string' &&
    CONTEXT_TYPES.has(type) &&
    typeof configured === 'string' &&
    configured.trim()
  ) {
    const property = configured.trim();
    let value: unknown;
    try {
      value = RED.util.evaluateNodeProperty(property, type as TypedInputType, node, msg);
    } catch {
      // a path through a property the message does not have (msg.job.task without msg.job): missing
      value = undefined;
    }
    return { value, property: `${type}.${property}` };
  }
  if (isEmpty(configured) || (typeof type === 'string' && CONTEXT_TYPES.has(type))) {
    return { value: msg[msgName], property: `msg.${msgName}` };
  }
  return { value: configured, property: `msg.${msgName}` };
}

/** Reads one parameter: the editor's value or the property it names, else the msg property of the same name. */
export function readParam(
  RED: Pick<NodeAPI, 'util'>,
  node: Node,
  config: NodeDef,
  msg: NodeMessage,
  nodeType: string,
  t: Translate,
  name: string,
  opts: ParamOptions = {},
): unknown {
  const msgName = opts.msgName || name;
  const raw = rawParam(RED, node, config, msg, name, msgName);
  let value = raw.value;
  if (typeof value === 'string') value = value.trim();
  const label = (): string => t(`${nodeType}.label.${name}`);
  if (isEmpty(value)) {
    if (opts.required) {
      throw new NodeInputError(t('common.errors.missingParam', { label: label(), property: raw.property }));
    }
    return undefined;
  }
  if (opts.type === 'number') {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n)) {
      throw new NodeInputError(t('common.errors.notANumber', { label: label(), value: String(value) }));
    }
    return n;
  }
  if (opts.type === 'id') {
    const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n <= 0) {
      throw new NodeInputError(t('common.errors.notAnId', { label: label(), value: String(value) }));
    }
    return n;
  }
  return value;
}

/**
 * Wires a task/file/chat node: one input handler that runs the selected operation, at most
 * `concurrency` messages at once (the rest wait in a queue, in order of arrival), status badges,
 * done(err) for Catch nodes, and aborting every wait on close.
 */
export function setupWorker(
  RED: NodeAPI,
  node: Node,
  config: NodeDef,
  nodeType: string,
  operations: Record<string, Operation>,
  options: WorkerOptions = {},
): void {
  RED.nodes.createNode(node, config);
  const t = translator(RED, nodeType);
  const found = RED.nodes.getNode(String(config.server ?? ''));
  const server = isServerNode(found) ? found : undefined;
  const inflight = new Set<AbortController>();
  const limit = concurrencyOf(config.concurrency, options.defaultConcurrency ?? Infinity);
  const outputs = options.outputs ?? 1;
  const queue: Job[] = [];
  let running = 0;
  let finished = 0;
  let failed = 0;
  // once more than one message was in the node, the badge counts them instead of following one wait
  let counting = false;
  let closed = false;

  const onOutput = (msg: NodeMessage, output: number): NodeMessage | (NodeMessage | null)[] => {
    if (outputs <= 1) return msg;
    const all: (NodeMessage | null)[] = new Array<NodeMessage | null>(outputs).fill(null);
    all[Math.min(Math.max(output, 0), outputs - 1)] = msg;
    return all;
  };

  const showCounts = (): void => {
    const text = t('common.status.batch', { running, queued: queue.length, done: finished });
    const withFailed = failed > 0 ? `${text}${t('common.status.batchFailed', { failed })}` : text;
    const idle = running === 0 && queue.length === 0;
    node.status({
      fill: idle ? (failed > 0 ? 'yellow' : 'green') : 'blue',
      shape: idle ? 'dot' : 'ring',
      text: withFailed,
    });
  };
  const alone = (): boolean => !counting;

  const handle = ({ msg, send, done }: Job): Promise<void> => {
    const ui = statusReporter(node, t);
    const controller = new AbortController();
    inflight.add(controller);
    const secrets = server ? server.secrets : [];
    const run = async (): Promise<void> => {
      const operation = Object.hasOwn(operations, String(config.operation))
        ? operations[String(config.operation)]
        : undefined;
      if (!operation) {
        throw new NodeInputError(
          t('common.errors.unknownOperation', {
            operation: String(config.operation),
            known: Object.keys(operations).join(', '),
          }),
          'invalid_config',
        );
      }
      if (!server) throw new NodeInputError(t('common.errors.noServer'), 'invalid_config');
      const client = server.getClient();
      if (alone()) ui.working();
      const result = await operation({
        client,
        msg,
        config,
        signal: controller.signal,
        t,
        server,
        param: ((name: string, opts?: ParamOptions) =>
          readParam(RED, node, config, msg, nodeType, t, name, opts)) as OperationContext['param'],
        progress: (p) => {
          if (!controller.signal.aborted && alone()) ui.progress(p);
        },
        warn: (text) => node.warn(scrub(text, secrets)),
        emit: (output, extra) => {
          if (controller.signal.aborted || closed) return;
          send(onOutput({ ...RED.util.cloneMessage(msg), ...extra }, output));
        },
      });
      if (closed) return done();
      msg.payload = result.payload;
      msg.assistant = result.assistant;
      for (const [key, value] of Object.entries(result.set ?? {})) {
        if (value !== undefined) msg[key] = value;
      }
      delete msg.assistantError;
      finished += 1;
      if (alone()) ui.done(result.statusText);
      send(onOutput(msg, result.output ?? 0));
      done();
    };
    return run()
      .catch((err: unknown) => {
        if (closed) {
          // the flow is being stopped: the wait was cut short on purpose, nobody is left to catch it
          node.log(t('common.log.abortedOnClose'));
          return done();
        }
        const described = describeError(err, t);
        msg.assistantError = scrubDetails(described.details, secrets);
        failed += 1;
        if (alone()) ui.failed(scrub(described.short, secrets));
        done(new Error(scrub(described.message, secrets)));
      })
      .finally(() => inflight.delete(controller));
  };

  const pump = (): void => {
    while (!closed && running < limit && queue.length > 0) {
      const job = queue.shift() as Job;
      running += 1;
      void handle(job).finally(() => {
        running -= 1;
        if (closed) return;
        pump();
        if (counting) showCounts();
        if (running === 0 && queue.length === 0) {
          // the batch is over: the next lone message follows its own wait again
          counting = false;
          finished = 0;
          failed = 0;
        }
      });
    }
  };

  node.on('input', (msg, send, done) => {
    queue.push({ msg, send, done });
    if (running + queue.length > 1 && Number.isFinite(limit)) counting = true;
    pump();
    if (counting) showCounts();
  });

  node.on('close', (_removed, done) => {
    closed = true;
    for (const controller of inflight) controller.abort();
    inflight.clear();
    // queued messages were never started: nothing was sent for them
    for (const job of queue.splice(0)) job.done();
    node.status({});
    done();
  });
}
