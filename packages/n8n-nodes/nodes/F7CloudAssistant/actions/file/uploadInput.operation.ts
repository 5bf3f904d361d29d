import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { readBinary } from '../../helpers/binary';
import { forOperation } from '../../helpers/display';
import { binaryInputField } from '../../helpers/fields';

export const description = forOperation('file', 'uploadInput', [
  binaryInputField,
  {
    displayName: 'File Name',
    name: 'fileName',
    type: 'string',
    default: '',
    description: 'Name to store the file under; leave empty to keep the name of the binary file',
  },
]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const file = await readBinary(this, i, this.getNodeParameter('binaryPropertyName', i) as string);
  const name = (this.getNodeParameter('fileName', i, '') as string) || file.fileName;
  const uploaded = await client.files.uploadInput(file.data, name ? { filename: name } : {});
  return [{ json: uploaded as unknown as IDataObject }];
}
