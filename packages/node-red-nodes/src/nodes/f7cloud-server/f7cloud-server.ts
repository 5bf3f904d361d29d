import { credentialSecrets } from '@f7cloud/assistant-client';
import type { Node, NodeAPI } from '../../red.js';
import { registerAdminEndpoints } from '../../lib/admin.js';
import { translator } from '../../lib/i18n.js';
import {
  checkSettings,
  createServerClient,
  type NodeClient,
  type ServerCredentials,
  type ServerNode,
  type ServerSettings,
} from '../../lib/server-client.js';
import { tlsFromConfig } from '../../lib/tls.js';
import { NodeInputError } from '../../lib/errors.js';
import { WAKE_ROUTE, WakeRegistry, isLocalTarget, registerWakeRoute } from '../../lib/wake.js';

/** Learned task timing, per config node (global context: a node's own is wiped on every redeploy). */
const TIMING_PREFIX = 'f7cloudTiming_';

export = function (RED: NodeAPI): void {
  const t = translator(RED, 'f7cloud-server');
  const registries = new Map<string, WakeRegistry>();
  registerWakeRoute(RED, (id) => registries.get(id));

  RED.nodes.registerType(
    'f7cloud-server',
    function (config) {
      RED.nodes.createNode(this, config);
      const node = this as Node<ServerCredentials> & Partial<ServerNode>;
      const credentials = node.credentials ?? {};
      const url = typeof config.url === 'string' ? config.url.trim() : '';
      const resolved = tlsFromConfig(RED, config);
      const settings: ServerSettings = {
        url,
        user: credentials.user ?? '',
        appPassword: credentials.appPassword ?? '',
        tls: resolved.tls,
        ...scheduleLimitOf(config.scheduleLimit),
      };
      if (resolved.missing) node.warn(t('f7cloud-server.errors.tlsMissing'));
      if (resolved.ignored.length > 0) {
        node.warn(t('f7cloud-server.errors.tlsIgnored', { settings: resolved.ignored.join(', ') }));
      }
      node.secrets = credentialSecrets({ user: settings.user, appPassword: settings.appPassword });
      let client: NodeClient | undefined;
      const context = node.context().global;
      const timingKey = TIMING_PREFIX + config.id;

      node.getClient = () => {
        const baseUrl = checkSettings(t, settings, config.name || url || config.id);
        if (!client) {
          // core's warning (plain http:// to a host that is not loopback), once, in the log and the sidebar
          const created = createServerClient(baseUrl, settings, RED.version?.(), (warning) =>
            node.warn(warning.message),
          );
          client = created;
          // what an earlier deploy learned (core ignores a state of another server)
          context.get(timingKey, undefined, (err, stored) => {
            if (!err && stored) created.timing.import(stored);
          });
        }
        return client;
      };

      node.rememberTiming = () => {
        if (client) context.set(timingKey, client.timing.export(), undefined, () => {});
      };

      const registry = new WakeRegistry();
      registries.set(config.id, registry);
      const callbackUrl = typeof config.callbackUrl === 'string' ? config.callbackUrl.trim() : '';
      let warnedLocal = false;
      node.wakeTarget = () => {
        if (!callbackUrl) {
          throw new NodeInputError(t('f7cloud-server.errors.noCallbackUrl'), 'invalid_config');
        }
        if (!/^https?:\/\/[^/]/i.test(callbackUrl) || !URL.canParse(callbackUrl)) {
          throw new NodeInputError(
            t('f7cloud-server.errors.badCallbackUrl', { url: callbackUrl }),
            'invalid_config',
          );
        }
        if (!RED.httpNode) {
          throw new NodeInputError(t('f7cloud-server.errors.noHttpNode'), 'invalid_config');
        }
        if (!warnedLocal && isLocalTarget(callbackUrl)) {
          warnedLocal = true;
          node.warn(t('f7cloud-server.errors.localCallback', { url: callbackUrl }));
        }
        return registry.create(
          `${callbackUrl.replace(/\/+$/, '')}${WAKE_ROUTE}/${encodeURIComponent(config.id)}`,
        );
      };

      node.on('close', (_removed, done) => {
        node.rememberTiming?.();
        registries.delete(config.id);
        client?.close();
        client = undefined;
        done();
      });
    },
    {
      credentials: {
        user: { type: 'text' },
        appPassword: { type: 'password' },
      },
    },
  );

  registerAdminEndpoints(RED, t);
};

/** The config's schedule limit: a positive whole number, or nothing (the server's default applies). */
function scheduleLimitOf(value: unknown): { scheduleLimit?: number } {
  const limit = typeof value === 'number' ? value : Number(String(value ?? '').trim() || NaN);
  return Number.isSafeInteger(limit) && limit > 0 ? { scheduleLimit: limit } : {};
}
