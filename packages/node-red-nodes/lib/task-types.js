// @ts-check
'use strict';

const CACHE_MS = 60_000;
const FILE_KINDS = new Set(['Image', 'Audio', 'Video', 'File']);

/**
 * The server's task types, cached for a minute on the config node.
 * @param {any} server config node @param {any} client
 * @returns {Promise<any[]>}
 */
async function loadTaskTypes(server, client) {
  const cached = server._f7TaskTypes;
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.types;
  const result = await client.taskTypes();
  const types = Array.isArray(result) ? result : Object.values(result || {});
  server._f7TaskTypes = { at: Date.now(), types };
  return types;
}

/**
 * Slots of a shape map as a list; servers send `[]` for an empty map.
 * @param {any} shape
 * @returns {{name: string, type: string, description?: string}[]}
 */
function shapeSlots(shape) {
  if (!shape || typeof shape !== 'object') return [];
  return Object.entries(shape).map(([key, slot]) => ({
    name: slot && slot.name ? String(key) : String(key),
    type: slot && slot.type ? String(slot.type) : 'Text',
    description: slot && slot.description,
  }));
}

/**
 * The element kind of a shape type: servers write lists as ListOfImages, some docs as ListOf<Image>.
 * @param {string} type
 */
function elementKind(type) {
  if (!isListSlot(type)) return type;
  const inner = type.slice('ListOf'.length).replace(/^<(.*)>$/, '$1');
  return inner.endsWith('s') && !inner.startsWith('<') ? inner.slice(0, -1) : inner;
}

/** @param {string} type shape type like Text, Image, ListOfImages */
function isFileSlot(type) {
  return FILE_KINDS.has(elementKind(type));
}

/** @param {string} type */
function isListSlot(type) {
  return type.startsWith('ListOf');
}

module.exports = { loadTaskTypes, shapeSlots, isFileSlot, isListSlot, elementKind };
