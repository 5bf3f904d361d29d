// Nextcloud 33+ says why a task failed in words meant for the user (`userFacingErrorMessage`); the
// provider's own `errorMessage` stays in `serverMessage` for administrators.
import { AssistantError } from './errors.js';
import { printable } from './shape.js';

/** The task_failed error of a wait, worded with the task's user-facing message when it has one. */
export function withUserFacingMessage(error: unknown): unknown {
  if (!(AssistantError.isInstance(error) && error.code === 'task_failed')) return error;
  const task = error.details.task as
    { id?: number; type?: string; userFacingErrorMessage?: unknown } | undefined;
  const said = task?.userFacingErrorMessage;
  if (typeof said !== 'string' || said.trim() === '' || error.details.userFacingErrorMessage !== undefined) {
    return error;
  }
  const text = printable(said.trim(), 500).replace(/\.$/, '');
  return new AssistantError({
    code: 'task_failed',
    retryable: false,
    ...(error.sent !== undefined ? { sent: error.sent } : {}),
    ...(error.serverMessage !== undefined ? { serverMessage: error.serverMessage } : {}),
    details: { ...error.details, userFacingErrorMessage: said },
    summary: `Task ${task?.id} (${task?.type}) failed: ${text}.`,
    ...(error.hint ? { hint: error.hint } : {}),
  });
}
