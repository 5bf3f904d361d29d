import type { NodeAPI } from '../../red.js';
import { taskOperations } from '../../lib/operations/task.js';
import { setupWorker } from '../../lib/worker.js';

export = function (RED: NodeAPI): void {
  RED.nodes.registerType('f7cloud-task', function (config) {
    // several messages at once: their waits overlap (and share the client's list reads)
    setupWorker(RED, this, config, 'f7cloud-task', taskOperations, { defaultConcurrency: 4 });
  });
};
