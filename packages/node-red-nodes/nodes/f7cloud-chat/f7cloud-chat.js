// @ts-check
'use strict';

const { setupWorker } = require('../../lib/worker');
const { chatOperations } = require('../../lib/operations/chat');

/** @param {any} RED */
module.exports = function (RED) {
  /** @this {any} @param {any} config */
  function F7CloudChatNode(config) {
    setupWorker(RED, this, config, 'f7cloud-chat', chatOperations);
  }

  RED.nodes.registerType('f7cloud-chat', F7CloudChatNode);
};
