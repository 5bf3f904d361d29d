// @ts-check
'use strict';

/**
 * Node-RED 5 needs Node >= 22.9; on older Node the 4.1 line runs. Tests, the demo and CI all pick
 * the runtime with this one rule.
 */
function nodeRedPackage(version = process.versions.node) {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 9) ? 'node-red-5' : 'node-red';
}

module.exports = { nodeRedPackage };
