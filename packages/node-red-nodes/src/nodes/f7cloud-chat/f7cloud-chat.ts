import type { NodeAPI } from '../../red.js';
import { chatOperations } from '../../lib/operations/chat.js';
import { setupWorker } from '../../lib/worker.js';

export = function (RED: NodeAPI): void {
  RED.nodes.registerType('f7cloud-chat', function (config) {
    setupWorker(RED, this, config, 'f7cloud-chat', chatOperations, { outputs: 3 });
  });
};
