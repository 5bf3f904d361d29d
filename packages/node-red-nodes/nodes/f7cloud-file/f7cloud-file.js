// @ts-check
'use strict';

const { setupWorker } = require('../../lib/worker');
const { fileOperations } = require('../../lib/operations/file');

/** @param {any} RED */
module.exports = function (RED) {
  /** @this {any} @param {any} config */
  function F7CloudFileNode(config) {
    setupWorker(RED, this, config, 'f7cloud-file', fileOperations);
  }

  RED.nodes.registerType('f7cloud-file', F7CloudFileNode);
};
