// @ts-check
'use strict';

const { slotType } = require('@f7cloud/assistant-client');

const CACHE_MS = 60_000;

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

/** @param {string} type shape type like Text, Image, ListOfImages (core knows the shape types) */
function isFileSlot(type) {
  return slotType(type).kind === 'file';
}

/** @param {string} type */
function isListSlot(type) {
  return slotType(type).list;
}

module.exports = { loadTaskTypes, shapeSlots, isFileSlot, isListSlot };
