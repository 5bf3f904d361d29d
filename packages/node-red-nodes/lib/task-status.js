// @ts-check
'use strict';

const { TaskStatus } = require('@f7cloud/assistant-client');

/** @type {Record<string, 'successful' | 'failed' | 'cancelled'>} */
const FINAL = {
  [TaskStatus.Successful]: 'successful',
  [TaskStatus.Failed]: 'failed',
  [TaskStatus.Cancelled]: 'cancelled',
};

/**
 * Which kind of end a task status is, for the watch node's filter; undefined while it is not over.
 * @param {string} status core's task status name
 * @returns {'successful' | 'failed' | 'cancelled' | undefined}
 */
function finalKind(status) {
  return FINAL[status];
}

module.exports = { finalKind };
