// @ts-check
'use strict';

const { credentialSecrets } = require('@f7cloud/assistant-client');
const { configProblem, configProblemText, createServerClient } = require('../../lib/server-client');
const { NodeInputError } = require('../../lib/errors');
const { translator } = require('../../lib/i18n');
const { registerAdminEndpoints } = require('../../lib/admin');

/** @param {any} RED */
module.exports = function (RED) {
  const t = translator(RED, 'f7cloud-server');

  /** @this {any} @param {any} config */
  function F7CloudServerNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const credentials = node.credentials || {};
    node.name = config.name;
    node.url = (config.url || '').trim();
    node.settings = {
      url: node.url,
      user: credentials.user || '',
      appPassword: credentials.appPassword || '',
      rejectUnauthorized: config.rejectUnauthorized !== false,
      ca: config.ca || '',
    };
    /** Every form of the credential that must never leave in an error, status or log line. */
    node.secrets = credentialSecrets({ user: node.settings.user, appPassword: node.settings.appPassword });
    /** @type {any} */
    let client;

    /** The node's one client, created on first use; throws a readable error when the config is incomplete. */
    node.getClient = function () {
      const problem = configProblem(node.settings);
      if (problem) {
        throw new NodeInputError(
          configProblemText(t, problem, node.name || node.url || node.id),
          'invalid_config',
        );
      }
      if (!client) {
        const version = typeof RED.version === 'function' ? RED.version() : undefined;
        // core's warning (plain http:// to a host that is not loopback), once, in the log and the sidebar
        client = createServerClient(node.settings, version, (warning) => node.warn(warning.message));
      }
      return client;
    };

    node.on('close', function (/** @type {() => void} */ done) {
      const closing = client && typeof client.close === 'function' ? client.close() : undefined;
      client = undefined;
      Promise.resolve(closing).then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType('f7cloud-server', F7CloudServerNode, {
    credentials: {
      user: { type: 'text' },
      appPassword: { type: 'password' },
    },
  });

  registerAdminEndpoints(RED, t);
};
