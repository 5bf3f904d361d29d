import { AssistantError } from '@f7cloud/assistant-client';
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

// What the user should do about each kind of failure. The message itself comes from core.
const HOW_TO_FIX: Record<string, string> = {
  auth: 'Check the user and app password in the f7cloud Assistant credential. Create a new app password under Personal settings → Security if the old one was revoked.',
  forbidden:
    'The user is not allowed to do this. Ask the server admin to enable the Assistant for this user.',
  not_found:
    'The id does not exist (any more) or belongs to another user. Check the id, e.g. with a "Get Many" operation first.',
  rate_limited:
    'The server limits how often this can be called. Reduce the number of items per run or raise "Max Rate-Limit Wait" under Options.',
  invalid_input: 'Check the values given to this operation; the message says which one the server refused.',
  conflict:
    'Another request for the same session is still running. Wait for it to finish before sending the next one.',
  server:
    'The server failed while handling the request. Try again later; if it keeps failing, ask the admin to check the server log.',
  maintenance: 'The server is in maintenance mode. Try again when maintenance is over.',
  network:
    'The server could not be reached. Check the Server URL in the credential and that n8n can reach it.',
  tls: 'The server certificate could not be verified. Install a valid certificate on the server, or turn on "Ignore SSL Issues" in the credential if you trust this network.',
  timeout:
    'The task did not finish in time. Raise "Timeout (Seconds)", or choose "Don\'t Wait" / "Resume via Webhook" for long tasks.',
  aborted: 'The execution was cancelled.',
  task_failed:
    'The task itself failed on the server. Check its input; the error message from the task provider is shown above.',
  not_assistant_server:
    'The Server URL does not point to an f7cloud / Nextcloud server. Use the address you open in the browser, e.g. https://cloud.example.com.',
  app_disabled:
    'The Assistant app is not installed or not enabled on this server. Ask the server admin to enable it.',
  pending: 'The server has not finished the work yet. Try again later.',
};

const API_CODES = new Set([
  'auth',
  'forbidden',
  'not_found',
  'rate_limited',
  'conflict',
  'server',
  'maintenance',
  'app_disabled',
  'not_assistant_server',
]);

/** Turns any failure into the n8n error the editor shows best, tied to the item that caused it. */
export function toNodeError(
  node: INode,
  error: unknown,
  itemIndex: number,
): NodeApiError | NodeOperationError {
  if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
  if (AssistantError.isInstance(error)) {
    const description = [
      HOW_TO_FIX[error.code],
      error.serverMessage ? `Server said: ${error.serverMessage}` : undefined,
    ]
      .filter(Boolean)
      .join(' ');
    if (API_CODES.has(error.code) && error.status !== undefined) {
      return new NodeApiError(node, error.toJSON() as JsonObject, {
        message: error.message,
        description,
        httpCode: String(error.status),
        itemIndex,
      });
    }
    return new NodeOperationError(node, error.message, { description, itemIndex });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new NodeOperationError(node, message, { itemIndex });
}
