import { AssistantError } from '@f7cloud/assistant-client';
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

// Where the next step is a setting of this node, the hint names it instead of core's generic one (core
// speaks of its own options, which n8n users do not see). Everything else says what core says.
export function n8nHint(error: AssistantError): string | undefined {
  if (error.code === 'rate_limited')
    return 'The server limits how often this can be called. Reduce the number of items per run or raise "Max Rate-Limit Wait" under Options.';
  if (error.code === 'timeout' && error.details.taskId !== undefined)
    return 'Raise "Timeout (Seconds)" under Options, or choose "Don\'t Wait" or "Resume via Webhook" for long tasks.';
  if (error.code === 'tls')
    return 'Install a certificate the server\'s clients trust, or turn on "Ignore SSL Issues" in the credential if you trust this network.';
  if (error.code === 'too_large')
    return "This node holds answers in memory and stopped reading. Download files this large with n8n's HTTP Request node (Response Format: File).";
  return undefined;
}

const API_CODES = new Set([
  'auth',
  'forbidden',
  'not_found',
  'not_a_file',
  'unsupported_type',
  'rate_limited',
  'conflict',
  'server',
  'maintenance',
  'app_disabled',
  'not_assistant_server',
]);

/**
 * Turns any failure into the n8n error the editor shows best, tied to the item that caused it: core's
 * one-sentence summary as the message, its next step as the description (each said once).
 */
export function toNodeError(
  node: INode,
  error: unknown,
  itemIndex: number,
): NodeApiError | NodeOperationError {
  if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
  if (AssistantError.isInstance(error)) {
    const message = error.summary || error.message;
    const description = n8nHint(error) ?? error.hint;
    const nodeError =
      API_CODES.has(error.code) && error.status !== undefined
        ? new NodeApiError(node, error.toJSON() as JsonObject, {
            message,
            ...(description ? { description } : {}),
            httpCode: String(error.status),
            itemIndex,
          })
        : new NodeOperationError(node, message, {
            ...(description ? { description } : {}),
            itemIndex,
          });
    // n8n fills a missing description from the error's own texts and swaps messages that mention network
    // codes for its generic ones: the user would read the same thing twice, or a vaguer one.
    nodeError.message = message;
    nodeError.description = description ?? null;
    return nodeError;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new NodeOperationError(node, message, { itemIndex });
}
