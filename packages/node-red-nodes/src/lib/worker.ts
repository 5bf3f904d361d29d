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
 * Wires a task/file/chat node: one input handler that runs the selected operation,
 * status badges, done(err) for Catch nodes, and aborting every wait on close.
 */
export function setupWorker(
  RED: NodeAPI,
  node: Node,
  config: NodeDef,
  nodeType: string,
  operations: Record<string, Operation>,
): void {
  RED.nodes.createNode(node, config);
  const t = translator(RED, nodeType);
  const found = RED.nodes.getNode(String(config.server ?? ''));
  const server = isServerNode(found) ? found : undefined;
  const inflight = new Set<AbortController>();
  let closed = false;

  node.on('input', (msg, send, done) => {
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
      ui.working();
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
          if (!controller.signal.aborted) ui.progress(p);
        },
        warn: (text) => node.warn(scrub(text, secrets)),
      });
      if (closed) return done();
      msg.payload = result.payload;
      msg.assistant = result.assistant;
      for (const [key, value] of Object.entries(result.set ?? {})) {
        if (value !== undefined) msg[key] = value;
      }
      delete msg.assistantError;
      ui.done(result.statusText);
      send(msg);
      done();
    };
    run()
      .catch((err: unknown) => {
        if (closed) {
          // the flow is being stopped: the wait was cut short on purpose, nobody is left to catch it
          node.log(t('common.log.abortedOnClose'));
          return done();
        }
        const described = describeError(err, t);
        msg.assistantError = scrubDetails(described.details, secrets);
        ui.failed(scrub(described.short, secrets));
        done(new Error(scrub(described.message, secrets)));
      })
      .finally(() => inflight.delete(controller));
  });

  node.on('close', (_removed, done) => {
    closed = true;
    for (const controller of inflight) controller.abort();
    inflight.clear();
    node.status({});
    done();
  });
}
