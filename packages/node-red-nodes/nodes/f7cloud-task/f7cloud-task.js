// @ts-check
'use strict';

const { setupWorker } = require('../../lib/worker');
const { taskOperations } = require('../../lib/operations/task');

/** @param {any} RED */
module.exports = function (RED) {
  /** @this {any} @param {any} config */
  function F7CloudTaskNode(config) {
    setupWorker(RED, this, config, 'f7cloud-task', taskOperations);
  }

  RED.nodes.registerType('f7cloud-task', F7CloudTaskNode);
};
