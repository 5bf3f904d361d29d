import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { toNodeError } from '../helpers/errors';
import { exportTiming, importTiming } from '../helpers/timing-state';
import { getClient } from '../transport';
import { assignmentOperations } from './assignment';
import { chatOperations } from './chat';
import { fileOperations } from './file';
import { skillOperations } from './skill';
import { taskOperations } from './task';
import type { ItemOutcome, OperationModule } from './types';

const resources: Record<string, Record<string, OperationModule>> = {
  task: taskOperations,
  file: fileOperations,
  chat: chatOperations,
  assignment: assignmentOperations,
  skill: skillOperations,
};

/**
 * Runs the chosen operation for every input item. Operations that gain from it handle all items at once
 * (Task → Run waiting for results: scheduled ahead under the rate limit, waited for together); the others
 * go one item after the other (the server's rate limits are per user, so parallel requests would only
 * collect 429s). Every output item is paired with its input item. With "On Error: Continue" a failing item
 * becomes `{ error, details }` instead of stopping the workflow. n8n (WorkflowExecute.handleNodeErrorOutput)
 * moves an item to the error output only when its json has no other keys than error/message/details, or
 * when the item carries `error` itself; the latter makes n8n replace the json by `{ error }` and so drop the
 * next step, hence the json form.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  const resource = this.getNodeParameter('resource', 0) as string;
  const operation = this.getNodeParameter('operation', 0) as string;
  const module = resources[resource]?.[operation];
  if (!module) {
    throw new NodeOperationError(
      this.getNode(),
      `The operation "${operation}" is not supported for "${resource}"`,
      {
        description: 'Pick the resource and operation again in the node settings.',
      },
    );
  }
  const maxRateLimitWait = this.getNodeParameter('options.maxRateLimitWait', 0, 300) as number;
  const scheduleLimit = Math.floor(Number(this.getNodeParameter('options.scheduleLimit', 0, 0)));
  // A credential that cannot make a client fails every item: thrown, n8n would pass the input items on
  // as if they had succeeded.
  let client: AssistantClient | undefined;
  let setupError: unknown;
  try {
    client = await getClient(this, {
      maxRateLimitWaitMs: Math.max(0, maxRateLimitWait) * 1000,
      ...(scheduleLimit >= 1 ? { scheduleLimit } : {}),
    });
    importTiming(this, client);
  } catch (error) {
    setupError = error;
  }

  const returnData: INodeExecutionData[] = [];
  const settle = (i: number, outcome: ItemOutcome): void => {
    if ('items' in outcome) {
      for (const result of outcome.items) returnData.push({ ...result, pairedItem: { item: i } });
      return;
    }
    const nodeError = toNodeError(this.getNode(), outcome.error, i);
    if (!this.continueOnFail()) throw nodeError;
    returnData.push({
      json: {
        error: nodeError.message,
        ...(nodeError.description ? { details: nodeError.description } : {}),
      },
      pairedItem: { item: i },
    });
  };

  try {
    const all = client && module.executeAll ? await module.executeAll.call(this, client) : undefined;
    if (all) {
      all.forEach((outcome, i) => settle(i, outcome));
      return [returnData];
    }
    for (let i = 0; i < items.length; i++) {
      let outcome: ItemOutcome;
      try {
        if (!client) throw setupError;
        outcome = { items: await module.execute.call(this, i, client) };
      } catch (error) {
        outcome = { error };
      }
      settle(i, outcome);
    }
    return [returnData];
  } finally {
    if (client) exportTiming(this, client);
  }
}
