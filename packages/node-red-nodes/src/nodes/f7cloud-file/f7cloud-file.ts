import type { NodeAPI } from '../../red.js';
import { fileOperations } from '../../lib/operations/file.js';
import { setupWorker } from '../../lib/worker.js';

export = function (RED: NodeAPI): void {
  RED.nodes.registerType('f7cloud-file', function (config) {
    setupWorker(RED, this, config, 'f7cloud-file', fileOperations);
  });
};
