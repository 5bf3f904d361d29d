import { TaskStatus } from '@f7cloud/assistant-client';

export type FinalKind = 'successful' | 'failed' | 'cancelled';

const FINAL: Partial<Record<string, FinalKind>> = {
  [TaskStatus.Successful]: 'successful',
  [TaskStatus.Failed]: 'failed',
  [TaskStatus.Cancelled]: 'cancelled',
};

/** Which kind of end a task status is, for the watch node's filter; undefined while it is not over. */
export function finalKind(status: string): FinalKind | undefined {
  return FINAL[status];
}
