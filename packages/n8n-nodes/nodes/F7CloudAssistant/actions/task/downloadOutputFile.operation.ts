import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { toBinary } from '../../helpers/binary';
import { forOperation } from '../../helpers/display';
import { idParameter } from '../../helpers/ids';
import { binaryOutputField, outputFileIdField, taskIdField } from '../../helpers/fields';

export const description = forOperation('task', 'downloadOutputFile', [
  taskIdField,
  outputFileIdField,
  binaryOutputField('Name of the binary field to put the downloaded file in'),
]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const taskId = idParameter(this, 'taskId', i, 'Task ID');
  const fileId = idParameter(this, 'fileId', i, 'Output File ID');
  const field = this.getNodeParameter('binaryPropertyName', i) as string;
  const file = await client.tasks.downloadOutputFile(taskId, fileId);
  const binary = await toBinary(this, file, `${taskId}-${fileId}`);
  return [
    {
      json: { taskId, fileId, fileName: binary.fileName, mimeType: binary.mimeType },
      binary: { [field]: binary },
    },
  ];
}
