import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { simplifyField } from '../../helpers/fields';
import { taskTypes } from '../../helpers/task-types';

export const description = forOperation('task', 'getTypes', [simplifyField]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const simplify = this.getNodeParameter('simplify', i) as boolean;
  const types = await taskTypes(client);
  return types.map((type) => ({
    json: simplify
      ? {
          id: type.id,
          name: type.name,
          description: type.description,
          inputs: Object.keys(type.inputShape),
          optionalInputs: Object.keys(type.optionalInputShape),
          outputs: Object.keys(type.outputShape),
        }
      : (type as unknown as IDataObject),
  }));
}
