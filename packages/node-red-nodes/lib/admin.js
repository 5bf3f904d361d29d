// @ts-check
'use strict';

const { APP_PASSWORD_ADVICE, credentialSecrets, insecureHttpWarning } = require('@f7cloud/assistant-client');
const { configProblem, configProblemText, createServerClient } = require('./server-client');
const { describeError, scrub } = require('./errors');

const ROUTE = '/f7cloud-assistant/task-types';
const HINTS_ROUTE = '/f7cloud-assistant/config-hints';

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
      /** @type {string[]} */
      let secrets = [];
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
            res.status(400).json({ error: configProblemText(t, problem, settings.url) });
            return;
          }
          secrets = credentialSecrets({ user: settings.user, appPassword: settings.appPassword });
          client = createServerClient(settings, RED.version && RED.version());
          ownClient = true;
        } else {
          const server = body.server ? RED.nodes.getNode(String(body.server)) : null;
          if (!server || server.type !== 'f7cloud-server') {
            res.status(400).json({ error: t('common.errors.adminNeedsServer') });
            return;
          }
          secrets = server.secrets || [];
          client = server.getClient();
        }
        const taskTypes = await client.taskTypes();
        res.json({ taskTypes });
      } catch (err) {
        const { message, code } = describeError(err, t);
        // never 401 here: the editor would take it for its own session expiring
        res.status(code === 'invalid_config' ? 400 : 502).json({ error: scrub(message, secrets), code });
      } finally {
        if (ownClient && client && typeof client.close === 'function') {
          Promise.resolve(client.close()).catch(() => {});
        }
      }
    },
  );

  // The config dialog shows core's texts: the warning for a Server URL while it is typed, and where an
  // app password comes from (the rule and the wording live in core).
  RED.httpAdmin.post(
    HINTS_ROUTE,
    RED.auth.needsPermission('f7cloud-server.read'),
    (/** @type {any} */ req, /** @type {any} */ res) => {
      const url = req.body && typeof req.body.url === 'string' ? req.body.url : '';
      res.json({ insecureHttp: insecureHttpWarning(url) ?? null, appPasswordAdvice: APP_PASSWORD_ADVICE });
    },
  );
}

module.exports = { registerAdminEndpoints, ROUTE, HINTS_ROUTE };
