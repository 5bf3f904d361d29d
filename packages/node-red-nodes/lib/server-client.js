// @ts-check
'use strict';

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
 * One core client for one config node (node entry: fetch transport, timeouts, TLS).
 * @param {{url: string, user: string, appPassword: string, rejectUnauthorized?: boolean, ca?: string}} settings
 * @param {string} [runtimeVersion]
 */
function createServerClient(settings, runtimeVersion) {
  const { createNodeClient } = require('@f7cloud/assistant-client/node');
  const ca = (settings.ca || '').trim();
  return createNodeClient({
    baseUrl: settings.url.trim().replace(/\/+$/, ''),
    auth: { user: settings.user, appPassword: settings.appPassword },
    tls: { rejectUnauthorized: settings.rejectUnauthorized !== false, ...(ca ? { ca } : {}) },
    userAgent: `${pkg.name}/${pkg.version} Node-RED/${runtimeVersion || 'unknown'}`,
  });
}

module.exports = { configProblem, createServerClient };
