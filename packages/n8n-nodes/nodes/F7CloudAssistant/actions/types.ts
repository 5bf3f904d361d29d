import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

/** One operation: its UI next to what it does for one input item. */
export interface OperationModule {
  description: INodeProperties[];
  execute(this: IExecuteFunctions, itemIndex: number, client: AssistantClient): Promise<INodeExecutionData[]>;
}
