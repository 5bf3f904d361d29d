// @ts-check
'use strict';

const { translator } = require('./i18n');
const { statusReporter } = require('./status');
const { NodeInputError, describeError, scrub, scrubDetails } = require('./errors');

/**
 * @typedef {object} OperationContext
 * @property {any} client core client of the config node
 * @property {any} msg the incoming message
 * @property {any} config the node's editor settings
 * @property {AbortSignal} signal aborted when the node is closed or redeployed
 * @property {(key: string, vars?: Record<string, unknown>) => string} t
 * @property {(name: string, opts?: ParamOptions) => any} param
 * @property {(p: any) => void} progress feeds the status badge while waiting
 * @property {(text: string) => void} warn logs a warning on the node (for failures after it is done)
 * @property {any} server the config node
 *
 * @typedef {object} ParamOptions
 * @property {boolean} [required]
 * @property {'string' | 'number' | 'id' | 'boolean'} [type] 'id': a positive whole number
 * @property {string} [msgName] msg property to fall back to (defaults to the parameter name)
 *
 * @typedef {object} OperationResult
 * @property {any} payload the main output, goes to msg.payload
 * @property {any} assistant the full API result, goes to msg.assistant
 * @property {Record<string, unknown>} [set] further msg properties (sessionId, taskId, fileId, filename, ...)
 * @property {string} [statusText] text of the green badge
 *
 * @typedef {(ctx: OperationContext) => Promise<OperationResult>} Operation
 */

/**
 * Reads one parameter: the editor's value when set, else the msg property of the same name.
 * @param {any} config @param {any} msg @param {string} nodeType
 * @param {(key: string, vars?: Record<string, unknown>) => string} t
 * @param {string} name @param {ParamOptions} [opts]
 */
function readParam(config, msg, nodeType, t, name, opts = {}) {
  const msgName = opts.msgName || name;
  let value = config[name];
  if (value === undefined || value === null || value === '') value = msg[msgName];
  if (typeof value === 'string') value = value.trim();
  if (value === undefined || value === null || value === '') {
    if (opts.required) {
      throw new NodeInputError(
        t('common.errors.missingParam', {
          label: t(`${nodeType}.label.${name}`),
          property: `msg.${msgName}`,
        }),
      );
    }
    return undefined;
  }
  if (opts.type === 'number') {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n)) {
      throw new NodeInputError(
        t('common.errors.notANumber', { label: t(`${nodeType}.label.${name}`), value: String(value) }),
      );
    }
    return n;
  }
  if (opts.type === 'id') {
    const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n <= 0) {
      throw new NodeInputError(
        t('common.errors.notAnId', { label: t(`${nodeType}.label.${name}`), value: String(value) }),
      );
    }
    return n;
  }
  if (opts.type === 'boolean') return value === true || value === 'true';
  return value;
}

/**
 * Wires a task/file/chat node: one input handler that runs the selected operation,
 * status badges, done(err) for Catch nodes, and aborting every wait on close.
 * @param {any} RED @param {any} node @param {any} config
 * @param {string} nodeType
 * @param {Record<string, Operation>} operations
 */
function setupWorker(RED, node, config, nodeType, operations) {
  RED.nodes.createNode(node, config);
  const t = translator(RED, nodeType);
  const server = RED.nodes.getNode(config.server);
  /** @type {Set<AbortController>} */
  const inflight = new Set();
  let closed = false;

  node.on('input', async (/** @type {any} */ msg, /** @type {any} */ send, /** @type {any} */ done) => {
    const ui = statusReporter(node, t);
    const controller = new AbortController();
    inflight.add(controller);
    const secrets = server && server.secrets ? server.secrets : [];
    try {
      const operation = operations[config.operation];
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
        param: (name, opts) => readParam(config, msg, nodeType, t, name, opts),
        progress: (p) => {
          if (!controller.signal.aborted) ui.progress(p);
        },
        warn: (text) => node.warn(scrub(text, secrets)),
      });
      if (closed) return done();
      msg.payload = result.payload;
      msg.assistant = result.assistant;
      if (result.set) {
        for (const [key, value] of Object.entries(result.set)) {
          if (value !== undefined) msg[key] = value;
        }
      }
      delete msg.assistantError;
      ui.done(result.statusText);
      send(msg);
      done();
    } catch (err) {
      if (closed) {
        // the flow is being stopped: the wait was cut short on purpose, nobody is left to catch it
        node.log(t('common.log.abortedOnClose'));
        return done();
      }
      const described = describeError(err, t);
      const message = scrub(described.message, secrets);
      msg.assistantError = scrubDetails(described.details, secrets);
      ui.failed(scrub(described.short, secrets));
      done(new Error(message));
    } finally {
      inflight.delete(controller);
    }
  });

  node.on('close', (/** @type {boolean} */ _removed, /** @type {() => void} */ done) => {
    closed = true;
    for (const controller of inflight) controller.abort();
    inflight.clear();
    node.status({});
    done();
  });
}

module.exports = { setupWorker, readParam };
