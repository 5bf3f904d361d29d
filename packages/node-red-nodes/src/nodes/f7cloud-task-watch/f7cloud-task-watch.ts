import { finishedTasksToEmit, TASK_STATUSES } from '@f7cloud/assistant-client';
import type { Node, NodeAPI, NodeDef } from '../../red.js';
import { describeError, scrub, scrubDetails } from '../../lib/errors.js';
import { translator, type Translate } from '../../lib/i18n.js';
import { taskOutput } from '../../lib/operations/shared.js';
import { isServerNode } from '../../lib/server-client.js';
import { statusReporter } from '../../lib/status.js';

const STATE_PREFIX = 'f7cloudTaskWatch_';
const MIN_INTERVAL_S = 1;
const FINISHED = TASK_STATUSES.filter((status) => status.finished).map((status) => status.value);

/** The node's tick boxes and msg.topic name a final status in lower case, without its prefix: "failed". */
function kind(status: string): string {
  return status.replace(/^STATUS_/, '').toLowerCase();
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

export = function (RED: NodeAPI): void {
  const t = translator(RED, 'f7cloud-task-watch');

  RED.nodes.registerType('f7cloud-task-watch', function (config) {
    RED.nodes.createNode(this, config);
    watchTasks(RED, t, this, config);
  });
};

/** Polls the server's task list and sends each task that finished since, once. */
function watchTasks(RED: NodeAPI, t: Translate, node: Node, config: NodeDef): void {
  const found = RED.nodes.getNode(String(config.server ?? ''));
  const server = isServerNode(found) ? found : undefined;
  const ui = statusReporter(node, t);
  const intervalS = Math.max(MIN_INTERVAL_S, Number(config.interval) || 30);
  const statuses = FINISHED.filter((status) => config[kind(status)] !== false);
  const filter = {
    taskType: text(config.taskType),
    appId: text(config.appId),
    statuses,
    emitExisting: config.emitExisting === true,
  };
  const store = text(config.contextStore);
  // Global, not node, context: Node-RED wipes a node's context on every redeploy unless a context
  // store is configured, and then tasks would be reported twice or skipped.
  const context = node.context().global;
  const STATE_KEY = STATE_PREFIX + node.id;
  let emitted = 0;
  let polling = false;
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;

  // Core reads whatever is stored, also the `{ seen: number[] }` form earlier versions kept.
  const getState = (): Promise<unknown> =>
    new Promise((resolve, reject) =>
      context.get(STATE_KEY, store, (err, value) => (err ? reject(err) : resolve(value))),
    );
  const setState = (value: unknown): Promise<void> =>
    new Promise((resolve, reject) =>
      context.set(STATE_KEY, value, store, (err) => (err ? reject(err) : resolve())),
    );

  async function poll(): Promise<void> {
    if (polling || !server) return;
    polling = true;
    const signal = (controller = new AbortController()).signal;
    try {
      const tasks = await server.getClient().tasks.list({});
      if (signal.aborted) return;
      const decision = finishedTasksToEmit(await getState(), tasks, filter);
      await setState(decision.state);
      for (const task of decision.emit) {
        emitted += 1;
        node.send({
          topic: kind(task.status),
          payload: taskOutput(task),
          taskId: task.id,
          taskType: task.type,
          assistant: task,
        });
      }
      ui.done(t('f7cloud-task-watch.status.watching', { count: emitted }));
    } catch (err) {
      if (signal.aborted) return;
      const described = describeError(err, t);
      ui.failed(scrub(described.short, server.secrets));
      node.error(scrub(described.message, server.secrets), {
        payload: null,
        assistantError: scrubDetails(described.details, server.secrets),
      });
    } finally {
      polling = false;
    }
  }

  if (!server) {
    ui.failed(t('common.errors.noServer'));
  } else if (statuses.length === 0) {
    ui.failed(t('f7cloud-task-watch.errors.noStatus'));
  } else {
    timer = setInterval(() => void poll(), intervalS * 1000);
    setImmediate(() => void poll());
  }

  node.on('close', (removed, done) => {
    if (timer) clearInterval(timer);
    controller?.abort();
    node.status({});
    if (!removed) return done();
    // the node was deleted from the flow: forget what it reported
    context.set(STATE_KEY, undefined, store, () => done());
  });
}
