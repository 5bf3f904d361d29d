import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { toNodeError } from '../helpers/errors';
import { taskTypes } from '../helpers/task-types';
import { getClient } from '../transport';

export async function getTaskTypes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
  try {
    const types = await taskTypes(await getClient(this));
    return types.map((type) => ({ name: type.name, value: type.id, description: type.description }));
  } catch (error) {
    const nodeError = toNodeError(this.getNode(), error, 0);
    throw new NodeOperationError(this.getNode(), `Could not load the task types: ${nodeError.message}`, {
      description: nodeError.description ?? undefined,
    });
  }
}
