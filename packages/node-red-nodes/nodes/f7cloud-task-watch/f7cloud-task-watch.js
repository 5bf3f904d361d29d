// @ts-check
'use strict';

const { translator } = require('../../lib/i18n');
const { statusReporter } = require('../../lib/status');
const { describeError, scrub, scrubDetails } = require('../../lib/errors');
const { pollDecision } = require('../../lib/watch');
const { finalKind } = require('../../lib/task-status');
const { taskOutput } = require('../../lib/operations/shared');

const STATE_PREFIX = 'f7cloudTaskWatch_';
const MIN_INTERVAL_S = 1;

/** @param {any} RED */
module.exports = function (RED) {
  const t = translator(RED, 'f7cloud-task-watch');

  /** @this {any} @param {any} config */
  function F7CloudTaskWatchNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const server = RED.nodes.getNode(config.server);
    const ui = statusReporter(node, t);
    const intervalS = Math.max(MIN_INTERVAL_S, Number(config.interval) || 30);
    const statuses = ['successful', 'failed', 'cancelled'].filter((kind) => config[kind] !== false);
    const filter = {
      taskType: (config.taskType || '').trim() || undefined,
      appId: (config.appId || '').trim() || undefined,
      statuses,
      emitExisting: config.emitExisting === true,
    };
    const store = (config.contextStore || '').trim() || undefined;
    // Global, not node, context: Node-RED wipes a node's context on every redeploy unless a context
    // store is configured, and then tasks would be reported twice or skipped.
    const context = node.context().global;
    const STATE_KEY = STATE_PREFIX + node.id;
    let emitted = 0;
    let polling = false;
    /** @type {AbortController | undefined} */
    let controller;
    /** @type {NodeJS.Timeout | undefined} */
    let timer;

    /** @returns {Promise<any>} */
    const getState = () =>
      new Promise((resolve, reject) =>
        context.get(STATE_KEY, store, (/** @type {any} */ err, /** @type {any} */ value) =>
          err ? reject(err) : resolve(value),
        ),
      );
    /** @param {any} value @returns {Promise<void>} */
    const setState = (value) =>
      new Promise((resolve, reject) =>
        context.set(STATE_KEY, value, store, (/** @type {any} */ err) => (err ? reject(err) : resolve())),
      );

    async function poll() {
      if (polling || !server) return;
      polling = true;
      controller = new AbortController();
      try {
        const client = server.getClient();
        const tasks = await client.tasks.list({});
        if (controller.signal.aborted) return;
        const decision = pollDecision(tasks, await getState(), filter, finalKind);
        await setState(decision.state);
        for (const task of decision.emit) {
          emitted += 1;
          node.send({
            topic: finalKind(String(task.status)),
            payload: taskOutput(task),
            taskId: task.id,
            taskType: task.type,
            assistant: task,
          });
        }
        ui.done(t('f7cloud-task-watch.status.watching', { count: emitted }));
      } catch (err) {
        if (controller.signal.aborted) return;
        const secrets = server.secrets || [];
        const described = describeError(err, t);
        const message = scrub(described.message, secrets);
        ui.failed(scrub(described.short, secrets));
        node.error(message, { payload: null, assistantError: scrubDetails(described.details, secrets) });
      } finally {
        polling = false;
      }
    }

    if (!server) {
      ui.failed(t('common.errors.noServer'));
    } else if (statuses.length === 0) {
      ui.failed(t('f7cloud-task-watch.errors.noStatus'));
    } else {
      timer = setInterval(poll, intervalS * 1000);
      setImmediate(poll);
    }

    node.on('close', (/** @type {boolean} */ removed, /** @type {() => void} */ done) => {
      if (timer) clearInterval(timer);
      if (controller) controller.abort();
      node.status({});
      if (!removed) return done();
      // the node was deleted from the flow: forget what it reported
      context.set(STATE_KEY, undefined, store, () => done());
    });
  }

  RED.nodes.registerType('f7cloud-task-watch', F7CloudTaskWatchNode);
};
