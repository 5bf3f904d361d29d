import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { toBinary } from '../../helpers/binary';
import { forOperation } from '../../helpers/display';
import { fileIdOf, fileParameter } from '../../helpers/ids';
import { binaryOutputField, fileIdField } from '../../helpers/fields';

export const description = forOperation('file', 'download', [
  fileIdField,
  binaryOutputField('Name of the binary field to put the downloaded file in'),
]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const fileId = await fileIdOf(client, fileParameter(this, 'fileId', i));
  const field = this.getNodeParameter('binaryPropertyName', i) as string;
  const file = await client.files.download(fileId);
  const binary = await toBinary(this, file, `file-${fileId}`);
  return [
    { json: { fileId, fileName: binary.fileName, mimeType: binary.mimeType }, binary: { [field]: binary } },
  ];
}
