import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

/** What one input item came to: its output items, or why it failed. */
export type ItemOutcome = { items: INodeExecutionData[] } | { error: unknown };

/** One operation: its UI next to what it does for one input item. */
export interface OperationModule {
  description: INodeProperties[];
  execute(this: IExecuteFunctions, itemIndex: number, client: AssistantClient): Promise<INodeExecutionData[]>;
  /**
   * Handles all input items at once (e.g. tasks scheduled ahead and waited for together): one outcome per
   * input item, in order. Returns undefined when going item by item is as good.
   */
  executeAll?(this: IExecuteFunctions, client: AssistantClient): Promise<ItemOutcome[] | undefined>;
}
