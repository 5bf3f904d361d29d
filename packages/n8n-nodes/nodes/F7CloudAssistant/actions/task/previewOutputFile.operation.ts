import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { toBinary } from '../../helpers/binary';
import { forOperation } from '../../helpers/display';
import { idParameter } from '../../helpers/ids';
import { binaryOutputField, outputFileIdField, taskIdField } from '../../helpers/fields';

export const description = forOperation('task', 'previewOutputFile', [
  taskIdField,
  outputFileIdField,
  {
    displayName: 'Width',
    name: 'width',
    type: 'number',
    typeOptions: { minValue: 1 },
    default: 100,
    description: 'Width of the preview in pixels',
  },
  {
    displayName: 'Height',
    name: 'height',
    type: 'number',
    typeOptions: { minValue: 1 },
    default: 100,
    description: 'Height of the preview in pixels',
  },
  binaryOutputField('Name of the binary field to put the preview image in'),
]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const taskId = idParameter(this, 'taskId', i, 'Task ID');
  const fileId = idParameter(this, 'fileId', i, 'Output File ID');
  const field = this.getNodeParameter('binaryPropertyName', i) as string;
  const file = await client.tasks.previewOutputFile(taskId, fileId, {
    x: this.getNodeParameter('width', i) as number,
    y: this.getNodeParameter('height', i) as number,
  });
  const binary = await toBinary(this, file, `${taskId}-${fileId}-preview`);
  return [{ json: { taskId, fileId, mimeType: binary.mimeType }, binary: { [field]: binary } }];
}
