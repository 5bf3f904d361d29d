// @ts-check
'use strict';

const { configProblem, createServerClient } = require('./server-client');
const { describeError } = require('./errors');

const ROUTE = '/f7cloud-assistant/task-types';

/**
 * The editor builds its task type dropdown and typed input fields from this endpoint.
 * It uses either the credentials typed into the open dialog, or those of a deployed
 * config node (then with that node's own URL, so a typed URL never receives stored credentials).
 * @param {any} RED
 * @param {(key: string, vars?: Record<string, unknown>) => string} t
 */
function registerAdminEndpoints(RED, t) {
  if (!RED.httpAdmin) return;
  RED.httpAdmin.post(
    ROUTE,
    RED.auth.needsPermission('f7cloud-server.read'),
    async (/** @type {any} */ req, /** @type {any} */ res) => {
      const body = req.body || {};
      /** @type {any} */
      let client;
      let ownClient = false;
      try {
        if (body.appPassword) {
          const settings = {
            url: String(body.url || ''),
            user: String(body.user || ''),
            appPassword: String(body.appPassword),
            rejectUnauthorized: body.rejectUnauthorized !== false,
            ca: typeof body.ca === 'string' ? body.ca : '',
          };
          const problem = configProblem(settings);
          if (problem) {
            res.status(400).json({ error: t(`common.errors.${problem}`, { name: settings.url }) });
            return;
          }
          client = createServerClient(settings, RED.version && RED.version());
          ownClient = true;
        } else {
          const server = body.server ? RED.nodes.getNode(String(body.server)) : null;
          if (!server || server.type !== 'f7cloud-server') {
            res.status(400).json({ error: t('common.errors.adminNeedsServer') });
            return;
          }
          client = server.getClient();
        }
        const taskTypes = await client.taskTypes();
        res.json({ taskTypes });
      } catch (err) {
        const { message, code } = describeError(err, t);
        // never 401 here: the editor would take it for its own session expiring
        res.status(code === 'invalid_config' ? 400 : 502).json({ error: message, code });
      } finally {
        if (ownClient && client && typeof client.close === 'function') {
          Promise.resolve(client.close()).catch(() => {});
        }
      }
    },
  );
}

module.exports = { registerAdminEndpoints, ROUTE };
