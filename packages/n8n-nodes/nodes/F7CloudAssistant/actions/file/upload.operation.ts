import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { readBinary } from '../../helpers/binary';
import { forOperation } from '../../helpers/display';
import { binaryInputField } from '../../helpers/fields';

export const description = forOperation('file', 'upload', [
  binaryInputField,
  {
    displayName: 'File Path',
    name: 'path',
    type: 'string',
    required: true,
    default: '',
    placeholder: 'e.g. Documents/report.pdf',
    description:
      'Where to store the file in your cloud files, folder and file name; an existing file is replaced',
  },
]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const file = await readBinary(this, i, this.getNodeParameter('binaryPropertyName', i) as string);
  const uploaded = await client.files.upload(this.getNodeParameter('path', i) as string, file.data);
  return [{ json: uploaded as unknown as IDataObject }];
}
