import type { AssistantClient, FileActionType } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { toBinary } from '../../helpers/binary';
import { forOperation } from '../../helpers/display';
import { binaryOutputField, fileIdField, maxRateLimitWaitOption, timeoutOption } from '../../helpers/fields';
import { fileIdOf, fileParameter } from '../../helpers/ids';

export const description = forOperation('file', 'runAction', [
  fileIdField,
  {
    displayName: 'File Action',
    name: 'fileAction',
    type: 'options',
    options: [
      {
        name: 'Summarize',
        value: 'core:text2text:summary',
        description: 'Writes a summary as Markdown next to the file',
      },
      {
        name: 'Text to Speech',
        value: 'core:text2speech',
        description: 'Writes a spoken version as audio next to the file',
      },
      {
        name: 'Transcribe',
        value: 'core:audio2text',
        description: 'Writes a transcript as Markdown next to an audio file',
      },
    ],
    default: 'core:text2text:summary',
  },
  {
    displayName: 'Wait for Generated File',
    name: 'wait',
    type: 'boolean',
    default: true,
    description: 'Whether to wait until the action has written its file, and output it',
  },
  {
    displayName: 'Download Generated File',
    name: 'download',
    type: 'boolean',
    default: true,
    description: 'Whether to put the generated file into a binary field',
    displayOptions: { show: { wait: [true] } },
  },
  {
    ...binaryOutputField('Name of the binary field for the generated file'),
    displayOptions: { show: { wait: [true], download: [true] } },
  },
  {
    displayName: 'Options',
    name: 'options',
    type: 'collection',
    placeholder: 'Add Option',
    default: {},
    options: [maxRateLimitWaitOption, timeoutOption],
  },
]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const fileId = await fileIdOf(client, fileParameter(this, 'fileId', i));
  const action = this.getNodeParameter('fileAction', i) as FileActionType;
  const wait = this.getNodeParameter('wait', i) as boolean;
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const signal = this.getExecutionCancelSignal();
  const result = await client.files.runAction(fileId, action, {
    wait,
    timeoutMs: Number(options.timeout ?? 600) * 1000,
    ...(signal ? { signal } : {}),
  });
  const json: IDataObject = {
    fileId,
    action,
    taskId: result.task?.id ?? null,
    status: result.task?.status ?? null,
    message: result.tooltip,
    ...(result.file ? { generatedFile: result.file as unknown as IDataObject } : {}),
  };
  if (!wait || !result.file || !this.getNodeParameter('download', i)) return [{ json }];
  const field = this.getNodeParameter('binaryPropertyName', i) as string;
  const downloaded = await client.files.download(result.file.fileId);
  const name = result.file.path.split('/').pop() ?? `file-${result.file.fileId}`;
  const binary = await toBinary(this, { ...downloaded, fileName: downloaded.fileName ?? name }, name);
  return [{ json, binary: { [field]: binary } }];
}
