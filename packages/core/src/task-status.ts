// Task statuses: TaskProcessing reports names, the chat check_* routes the same list as numbers 0..5.
export const TaskStatus = {
  Unknown: 'STATUS_UNKNOWN',
  Scheduled: 'STATUS_SCHEDULED',
  Running: 'STATUS_RUNNING',
  Successful: 'STATUS_SUCCESSFUL',
  Failed: 'STATUS_FAILED',
  Cancelled: 'STATUS_CANCELLED',
} as const;

export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

/** The statuses in the order the chat check_* routes number them (0..5). */
export const TASK_STATUS_ORDER: readonly TaskStatus[] = [
  TaskStatus.Unknown,
  TaskStatus.Scheduled,
  TaskStatus.Running,
  TaskStatus.Successful,
  TaskStatus.Failed,
  TaskStatus.Cancelled,
];

export function taskStatusFromNumber(value: unknown): TaskStatus {
  return (typeof value === 'number' && TASK_STATUS_ORDER[value]) || TaskStatus.Unknown;
}

export function isFinished(status: string): boolean {
  return status === TaskStatus.Successful || status === TaskStatus.Failed || status === TaskStatus.Cancelled;
}

/** The words a user sees for each status. */
export const TASK_STATUS_LABELS: Readonly<Record<TaskStatus, string>> = {
  STATUS_UNKNOWN: 'Unknown',
  STATUS_SCHEDULED: 'Scheduled',
  STATUS_RUNNING: 'Running',
  STATUS_SUCCESSFUL: 'Successful',
  STATUS_FAILED: 'Failed',
  STATUS_CANCELLED: 'Cancelled',
};

/** The statuses a user can pick from (filters, watches), with labels, in the order a task goes through them. */
export const TASK_STATUSES: readonly { value: TaskStatus; label: string; finished: boolean }[] =
  TASK_STATUS_ORDER.filter((value) => value !== TaskStatus.Unknown).map((value) => ({
    value,
    label: TASK_STATUS_LABELS[value],
    finished: isFinished(value),
  }));
