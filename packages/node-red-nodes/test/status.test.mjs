// The status badge for each phase core reports while waiting (the emulator's ETA lets core skip "running").
import { describe, it, expect } from 'vitest';
import { require } from './support/harness.mjs';

const { statusReporter } = require('../../dist/lib/status.js');
const { translator } = require('../../dist/lib/i18n.js');

function badge() {
  const shown = [];
  const ui = statusReporter({ status: (s) => shown.push(s) }, translator({}, 'f7cloud-task'));
  return { ui, shown };
}

describe('status badge', () => {
  it('shows waiting for pickup, slow pickup, running with progress, done and failed', () => {
    const { ui, shown } = badge();
    ui.progress({ phase: 'scheduled', progress: null, slowPickup: false });
    ui.progress({ phase: 'scheduled', progress: null, slowPickup: true });
    ui.progress({ phase: 'running', progress: 0.42, slowPickup: false });
    ui.progress({ phase: 'running', progress: null, slowPickup: false });
    ui.done();
    ui.failed('The server rejected the user or app password: check the f7cloud server config');
    expect(shown).toEqual([
      { fill: 'yellow', shape: 'ring', text: 'waiting for pickup' },
      { fill: 'yellow', shape: 'ring', text: 'slow pickup (over 5 min)' },
      { fill: 'blue', shape: 'dot', text: 'running 42%' },
      { fill: 'blue', shape: 'dot', text: 'running' },
      { fill: 'green', shape: 'dot', text: 'done' },
      { fill: 'red', shape: 'ring', text: 'The server rejected the user or app password: check the f...' },
    ]);
  });
});
