import type { NodeAPI } from '../../red.js';
import { assistantOperations } from '../../lib/operations/assistant.js';
import { setupWorker } from '../../lib/worker.js';

export = function (RED: NodeAPI): void {
  RED.nodes.registerType('f7cloud-assistant', function (config) {
    setupWorker(RED, this, config, 'f7cloud-assistant', assistantOperations);
  });
};
