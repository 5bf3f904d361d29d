// @ts-check
'use strict';

const { configProblem, createServerClient } = require('../../lib/server-client');
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
    /** @type {any} */
    let client;

    /** The node's one client, created on first use; throws a readable error when the config is incomplete. */
    node.getClient = function () {
      const problem = configProblem(node.settings);
      if (problem) {
        throw new Error(t(`common.errors.${problem}`, { name: node.name || node.url || node.id }));
      }
      if (!client) {
        const version = typeof RED.version === 'function' ? RED.version() : undefined;
        client = createServerClient(node.settings, version);
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
