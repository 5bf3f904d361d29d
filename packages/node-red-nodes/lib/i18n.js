// @ts-check
'use strict';

const path = require('node:path');

/** Shared strings live in the config node's catalog; any node reaches them with this prefix. */
const COMMON = '@f7cloud/node-red-assistant/f7cloud-server:common.';

/** @type {Map<string, any>} */
const fallbackCatalogs = new Map();

/**
 * English catalog of one node, used when the runtime's i18n has no text for a key
 * (embedded runtimes and the test helper answer with the key itself).
 * @param {string} nodeType
 */
function fallbackCatalog(nodeType) {
  if (!fallbackCatalogs.has(nodeType)) {
    const file = path.join(__dirname, '..', 'nodes', nodeType, 'locales', 'en-US', `${nodeType}.json`);
    fallbackCatalogs.set(nodeType, require(file));
  }
  return fallbackCatalogs.get(nodeType);
}

/**
 * @param {string} key full key, with or without a namespace
 * @param {string} nodeType the node whose catalog holds keys without a namespace
 */
function lookupFallback(key, nodeType) {
  let catalogType = nodeType;
  let dotted = key;
  const colon = key.indexOf(':');
  if (colon !== -1) {
    catalogType = key.slice(0, colon).split('/').pop() || nodeType;
    dotted = key.slice(colon + 1);
  }
  /** @type {any} */
  let value = fallbackCatalog(catalogType);
  for (const part of dotted.split('.')) value = value == null ? undefined : value[part];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A translate function bound to one node type: `t('status.running', {progress: 40})`.
 * Keys starting with `common.` come from the shared catalog.
 * @param {any} RED
 * @param {string} nodeType
 * @returns {(key: string, vars?: Record<string, unknown>) => string}
 */
function translator(RED, nodeType) {
  return (key, vars) => {
    const full = key.startsWith('common.') ? COMMON + key.slice('common.'.length) : key;
    let text = typeof RED._ === 'function' ? RED._(full, vars) : full;
    if (typeof text !== 'string' || text === full || text.endsWith(key)) {
      const fallback = lookupFallback(full, nodeType);
      if (fallback === undefined) return key;
      text = fallback.replace(/__(\w+)__/g, (_, name) =>
        vars && vars[name] !== undefined ? String(vars[name]) : `__${name}__`,
      );
    }
    return text;
  };
}

module.exports = { translator, COMMON };
