// @ts-check
'use strict';

const { APP_PASSWORD_ADVICE } = require('@f7cloud/assistant-client');
const pkg = require('../package.json');

/**
 * Checks what the user typed into the config node, before anything is sent.
 * @param {{url?: string, user?: string, appPassword?: string}} settings
 * @returns {string | undefined} the i18n key (under common.errors) of the first problem
 */
function configProblem(settings) {
  const url = (settings.url || '').trim();
  if (!url) return 'noUrl';
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return 'badUrl';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'badUrl';
  if (!settings.user) return 'noUser';
  if (!settings.appPassword) return 'noAppPassword';
  return undefined;
}

/**
 * The text for a problem found by configProblem.
 * @param {(key: string, vars?: Record<string, unknown>) => string} t
 * @param {string} problem @param {string} name the config node's name or URL
 */
function configProblemText(t, problem, name) {
  return t(`common.errors.${problem}`, { name, advice: APP_PASSWORD_ADVICE });
}

/**
 * One core client for one config node (node entry: fetch transport, timeouts, TLS).
 * @param {{url: string, user: string, appPassword: string, rejectUnauthorized?: boolean, ca?: string}} settings
 * @param {string} [runtimeVersion]
 * @param {(warning: {code: string, message: string}) => void} [onWarning] core calls it at most once,
 *   e.g. when the app password would go over plain http:// to a host that is not loopback
 */
function createServerClient(settings, runtimeVersion, onWarning) {
  const { createNodeClient } = require('@f7cloud/assistant-client/node');
  const ca = (settings.ca || '').trim();
  return createNodeClient({
    baseUrl: settings.url.trim().replace(/\/+$/, ''),
    auth: { user: settings.user, appPassword: settings.appPassword },
    tls: { rejectUnauthorized: settings.rejectUnauthorized !== false, ...(ca ? { ca } : {}) },
    userAgent: `${pkg.name}/${pkg.version} Node-RED/${runtimeVersion || 'unknown'}`,
    ...(onWarning ? { onWarning } : {}),
  });
}

module.exports = { configProblem, configProblemText, createServerClient };
