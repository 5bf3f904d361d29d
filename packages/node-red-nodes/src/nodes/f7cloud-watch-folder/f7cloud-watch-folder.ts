import {
  decideFolder,
  isFileActionOutput,
  MAX_LIST_DEPTH,
  mimeMatcher,
  nameMatcher,
  safeFileName,
} from '@f7cloud/assistant-client';
import type { Node, NodeAPI, NodeDef } from '../../red.js';
import { describeError, scrub, scrubDetails } from '../../lib/errors.js';
import { translator, type Translate } from '../../lib/i18n.js';
import { isServerNode } from '../../lib/server-client.js';
import { statusReporter } from '../../lib/status.js';

const STATE_PREFIX = 'f7cloudWatchFolder_';
const MIN_INTERVAL_S = 1;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

export = function (RED: NodeAPI): void {
  const t = translator(RED, 'f7cloud-watch-folder');

  RED.nodes.registerType('f7cloud-watch-folder', function (config) {
    RED.nodes.createNode(this, config);
    watchFolder(RED, t, this, config);
  });
};

/** Lists a folder every interval and sends each new or changed file once, when its size held still. */
function watchFolder(RED: NodeAPI, t: Translate, node: Node, config: NodeDef): void {
  const found = RED.nodes.getNode(String(config.server ?? ''));
  const server = isServerNode(found) ? found : undefined;
  const ui = statusReporter(node, t);
  const intervalS = Math.max(MIN_INTERVAL_S, Number(config.interval) || 30);
  const folder = text(config.folder) ?? '/';
  const depth =
    config.subfolders === true ? Math.min(MAX_LIST_DEPTH, Math.max(2, Number(config.depth) || 2)) : 1;
  const byName = nameMatcher(String(config.names ?? ''));
  const byMime = mimeMatcher(String(config.mimeTypes ?? ''));
  const skipOutputs = config.skipActionOutputs !== false;
  const store = text(config.contextStore);
  // Global context under the node's id, as the task watch does: a node's own context is wiped on every
  // redeploy unless a context store is configured, and then files would be sent twice.
  const context = node.context().global;
  const STATE_KEY = STATE_PREFIX + node.id;
  let emitted = 0;
  let polling = false;
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;

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
      let missing = false;
      const files = await server
        .getClient()
        .files.list(folder, { depth, signal })
        .catch((err: unknown) => {
          // A folder not there yet counts as empty: the files put into it once it exists are new, not
          // the baseline of a first look that would never send them.
          if ((err as { code?: unknown }).code !== 'not_found' || signal.aborted) throw err;
          missing = true;
          return null;
        });
      if (signal.aborted) return;
      const wanted =
        files &&
        files.filter(
          (f) => byName(f.name) && byMime(f.mimeType) && !(skipOutputs && isFileActionOutput(f.name)),
        );
      const decision = decideFolder(await getState(), wanted, {
        waitForStableSize: config.waitForStableSize !== false,
        emitExisting: config.emitExisting === true,
      });
      // stored before sending: a crash in between loses a message rather than repeating a whole batch
      await setState(decision.state);
      for (const file of decision.emit) {
        emitted += 1;
        node.send({
          topic: file.change,
          payload: {
            fileId: file.fileId,
            path: file.path,
            name: file.name,
            size: file.size,
            etag: file.etag,
            mimeType: file.mimeType,
          },
          filename: safeFileName(file.name, 'file'),
          // for the next f7cloud-file or f7cloud-task node, which read msg.fileId
          fileId: file.fileId,
        });
      }
      if (missing) ui.failed(t('f7cloud-watch-folder.status.noFolder', { folder }));
      else ui.done(t('f7cloud-watch-folder.status.watching', { count: emitted }));
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
  } else {
    timer = setInterval(() => void poll(), intervalS * 1000);
    setImmediate(() => void poll());
  }

  node.on('close', (removed, done) => {
    if (timer) clearInterval(timer);
    controller?.abort();
    node.status({});
    if (!removed) return done();
    context.set(STATE_KEY, undefined, store, () => done());
  });
}
