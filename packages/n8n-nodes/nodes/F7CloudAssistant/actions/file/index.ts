import type { INodeProperties } from 'n8n-workflow';
import type { OperationModule } from '../types';
import * as download from './download.operation';
import * as extractText from './extractText.operation';
import * as getAssistantFolder from './getAssistantFolder.operation';
import * as getInfo from './getInfo.operation';
import * as runAction from './runAction.operation';
import * as upload from './upload.operation';
import * as uploadInput from './uploadInput.operation';

export const fileOperations: Record<string, OperationModule> = {
  uploadInput,
  upload,
  extractText,
  getInfo,
  getAssistantFolder,
  download,
  runAction,
};

export const description: INodeProperties[] = [
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource: ['file'] } },
    options: [
      {
        name: 'Download',
        value: 'download',
        action: 'Download a file',
        description: 'Download a file from your cloud files',
      },
      {
        name: 'Extract Text',
        value: 'extractText',
        action: 'Extract text from a file',
        description: 'Get the text of a document (PDF, DOCX, ODT, Markdown, text)',
      },
      {
        name: 'Get Assistant Folder Path',
        value: 'getAssistantFolder',
        action: 'Get the assistant folder path',
        description: 'Where the assistant keeps its files in your cloud (assistant 4.0)',
      },
      {
        name: 'Get Info',
        value: 'getInfo',
        action: 'Get file info',
        description: 'Get the name, path, owner and size of a file',
      },
      {
        name: 'Run Action',
        value: 'runAction',
        action: 'Run a file action',
        description: 'Summarize, transcribe or read aloud a file',
      },
      {
        name: 'Upload',
        value: 'upload',
        action: 'Upload a file to a path',
        description: 'Store a file at a path in your cloud files',
      },
      {
        name: 'Upload Input File',
        value: 'uploadInput',
        action: 'Upload an input file',
        description: 'Store a file in the Assistant folder to use as task input',
      },
    ],
    default: 'uploadInput',
  },
  ...uploadInput.description,
  ...upload.description,
  ...extractText.description,
  ...getInfo.description,
  ...getAssistantFolder.description,
  ...download.description,
  ...runAction.description,
];
