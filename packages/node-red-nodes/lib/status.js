// @ts-check
'use strict';

/**
 * Drives one node's status badge through a request or a wait.
 * @param {any} node
 * @param {(key: string, vars?: Record<string, unknown>) => string} t
 */
function statusReporter(node, t) {
  return {
    working() {
      node.status({ fill: 'blue', shape: 'ring', text: t('common.status.working') });
    },
    /** @param {{phase: string, progress?: number | null, slowPickup?: boolean}} p */
    progress(p) {
      // p is core's WaitProgress: phase scheduled | running | done, progress 0..1, and slowPickup,
      // which core raises after 5 minutes without a worker
      if (p.phase === 'scheduled') {
        node.status({
          fill: 'yellow',
          shape: 'ring',
          text: t(p.slowPickup ? 'common.status.slowPickup' : 'common.status.waitingForPickup'),
        });
      } else if (p.phase === 'running') {
        const pct = typeof p.progress === 'number' ? Math.round(p.progress * 100) : undefined;
        node.status({
          fill: 'blue',
          shape: 'dot',
          text: pct === undefined ? t('common.status.running') : t('common.status.runningProgress', { pct }),
        });
      }
    },
    /** @param {string} [text] */
    done(text) {
      node.status({ fill: 'green', shape: 'dot', text: text || t('common.status.done') });
    },
    /** @param {string} text */
    failed(text) {
      node.status({ fill: 'red', shape: 'ring', text: text.length > 60 ? `${text.slice(0, 57)}...` : text });
    },
    clear() {
      node.status({});
    },
  };
}

module.exports = { statusReporter };
