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

export = function (RED: NodeAPI): void {
  const t = translator(RED, 'f7cloud-server');

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
      };
      if (resolved.missing) node.warn(t('f7cloud-server.errors.tlsMissing'));
      if (resolved.ignored.length > 0) {
        node.warn(t('f7cloud-server.errors.tlsIgnored', { settings: resolved.ignored.join(', ') }));
      }
      node.secrets = credentialSecrets({ user: settings.user, appPassword: settings.appPassword });
      let client: NodeClient | undefined;

      node.getClient = () => {
        const baseUrl = checkSettings(t, settings, config.name || url || config.id);
        // core's warning (plain http:// to a host that is not loopback), once, in the log and the sidebar
        client ??= createServerClient(baseUrl, settings, RED.version?.(), (warning) =>
          node.warn(warning.message),
        );
        return client;
      };

      node.on('close', (_removed, done) => {
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
