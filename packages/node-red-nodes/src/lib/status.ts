import type { WaitProgress } from '@f7cloud/assistant-client';
import type { Node } from '../red.js';
import type { Translate } from './i18n.js';

export interface StatusReporter {
  working(): void;
  progress(p: WaitProgress): void;
  done(text?: string): void;
  failed(text: string): void;
}

/** Drives one node's status badge through a request or a wait. */
export function statusReporter(node: Pick<Node, 'status'>, t: Translate): StatusReporter {
  return {
    working() {
      node.status({ fill: 'blue', shape: 'ring', text: t('common.status.working') });
    },
    progress(p) {
      // core raises slowPickup after 5 minutes without a worker
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
    done(text) {
      node.status({ fill: 'green', shape: 'dot', text: text || t('common.status.done') });
    },
    failed(text) {
      node.status({ fill: 'red', shape: 'ring', text: text.length > 60 ? `${text.slice(0, 57)}...` : text });
    },
  };
}
