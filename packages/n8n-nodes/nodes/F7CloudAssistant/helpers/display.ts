import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

/** Shows `properties` only for one resource/operation pair. */
export function forOperation(
  resource: string,
  operation: string,
  properties: INodeProperties[],
): INodeProperties[] {
  return updateDisplayOptions({ show: { resource: [resource], operation: [operation] } }, properties);
}
