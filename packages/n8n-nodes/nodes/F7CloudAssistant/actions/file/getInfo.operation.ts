import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { fileIdOf, fileParameter } from '../../helpers/ids';
import { fileIdField } from '../../helpers/fields';

export const description = forOperation('file', 'getInfo', [fileIdField]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const fileId = await fileIdOf(client, fileParameter(this, 'fileId', i));
  const info = await client.files.info(fileId);
  return [{ json: { fileId, ...(info as unknown as IDataObject) } }];
}
