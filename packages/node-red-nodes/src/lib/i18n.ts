import fs from 'node:fs';
import path from 'node:path';
import type { NodeAPI } from '../red.js';

export type Translate = (key: string, vars?: Record<string, unknown>) => string;

/** Shared strings live in the config node's catalog; any node reaches them with this prefix. */
export const COMMON = '@f7cloud/node-red-assistant/f7cloud-server:common.';

const fallbackCatalogs = new Map<string, unknown>();

/**
 * English catalog of one node, used when the runtime's i18n has no text for a key
 * (embedded runtimes and the test helper answer with the key itself).
 */
function fallbackCatalog(nodeType: string): unknown {
  if (!fallbackCatalogs.has(nodeType)) {
    const file = path.join(__dirname, '..', 'nodes', nodeType, 'locales', 'en-US', `${nodeType}.json`);
    fallbackCatalogs.set(nodeType, JSON.parse(fs.readFileSync(file, 'utf8')) as unknown);
  }
  return fallbackCatalogs.get(nodeType);
}

/** `key` with or without a namespace; `nodeType` is the node whose catalog holds keys without one. */
function lookupFallback(key: string, nodeType: string): string | undefined {
  let catalogType = nodeType;
  let dotted = key;
  const colon = key.indexOf(':');
  if (colon !== -1) {
    catalogType = key.slice(0, colon).split('/').pop() || nodeType;
    dotted = key.slice(colon + 1);
  }
  let value: unknown = fallbackCatalog(catalogType);
  for (const part of dotted.split('.')) {
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  return typeof value === 'string' ? value : undefined;
}

/**
 * A translate function bound to one node type: `t('status.running', {progress: 40})`.
 * Keys starting with `common.` come from the shared catalog.
 */
export function translator(RED: Pick<NodeAPI, '_'>, nodeType: string): Translate {
  return (key, vars) => {
    const full = key.startsWith('common.') ? COMMON + key.slice('common.'.length) : key;
    let text: unknown = typeof RED._ === 'function' ? RED._(full, vars) : full;
    if (typeof text !== 'string' || text === full || text.endsWith(key)) {
      const fallback = lookupFallback(full, nodeType);
      if (fallback === undefined) return key;
      text = fallback.replace(/__(\w+)__/g, (_, name: string) =>
        vars && vars[name] !== undefined ? String(vars[name]) : `__${name}__`,
      );
    }
    return text as string;
  };
}
