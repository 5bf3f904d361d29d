import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { idParameter } from '../../helpers/ids';

export const description = forOperation('file', 'extractText', [
  {
    displayName: 'File By',
    name: 'source',
    type: 'options',
    options: [
      { name: 'ID', value: 'id', description: 'A file ID, e.g. from "Upload Input File"' },
      { name: 'Path', value: 'path', description: 'A path in your cloud files' },
    ],
    default: 'id',
  },
  {
    displayName: 'File ID',
    name: 'fileId',
    type: 'string',
    required: true,
    default: '',
    placeholder: 'e.g. 1234',
    displayOptions: { show: { source: ['id'] } },
  },
  {
    displayName: 'File Path',
    name: 'path',
    type: 'string',
    required: true,
    default: '',
    placeholder: 'e.g. Documents/report.pdf',
    displayOptions: { show: { source: ['path'] } },
  },
]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const source = this.getNodeParameter('source', i) as 'id' | 'path';
  const target =
    source === 'path'
      ? { path: this.getNodeParameter('path', i) as string }
      : { fileId: idParameter(this, 'fileId', i, 'File ID') };
  const text = await client.files.extractText(target);
  return [{ json: { ...target, text } }];
}
