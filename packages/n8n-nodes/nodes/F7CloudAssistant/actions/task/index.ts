import type { INodeProperties } from 'n8n-workflow';
import type { OperationModule } from '../types';
import * as cancel from './cancel.operation';
import * as cancelNotification from './cancelNotification.operation';
import * as del from './delete.operation';
import * as downloadOutputFile from './downloadOutputFile.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as getNotification from './getNotification.operation';
import * as getTypes from './getTypes.operation';
import * as previewOutputFile from './previewOutputFile.operation';
import * as run from './run.operation';
import * as saveOutputFile from './saveOutputFile.operation';
import * as setNotification from './setNotification.operation';
import * as shareOutputFile from './shareOutputFile.operation';

export const taskOperations: Record<string, OperationModule> = {
  run,
  get,
  getMany,
  cancel,
  delete: del,
  getTypes,
  setNotification,
  getNotification,
  cancelNotification,
  downloadOutputFile,
  previewOutputFile,
  saveOutputFile,
  shareOutputFile,
};

export const description: INodeProperties[] = [
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource: ['task'] } },
    options: [
      {
        name: 'Cancel',
        value: 'cancel',
        action: 'Cancel a task',
        description: 'Stop a scheduled or running task',
      },
      {
        name: 'Cancel Notification',
        value: 'cancelNotification',
        action: 'Cancel the notification for a task',
        description: 'Stop the notification for when a task ends',
      },
      {
        name: 'Delete',
        value: 'delete',
        action: 'Delete a task',
        description: 'Delete a task and its result',
      },
      {
        name: 'Download Output File',
        value: 'downloadOutputFile',
        action: 'Download an output file of a task',
        description: 'Download a file the task produced',
      },
      {
        name: 'Get',
        value: 'get',
        action: 'Get a task',
        description: 'Get a task with its status and result',
      },
      {
        name: 'Get Many',
        value: 'getMany',
        action: 'Get many tasks',
        description: 'List your tasks, optionally of one type',
      },
      {
        name: 'Get Notification',
        value: 'getNotification',
        action: 'Get the notification for a task',
        description: 'Check whether you get notified when a task ends',
      },
      {
        name: 'Get Task Types',
        value: 'getTypes',
        action: 'Get task types',
        description: 'List what the assistant can do on this server',
      },
      {
        name: 'Preview Output File',
        value: 'previewOutputFile',
        action: 'Preview an output file of a task',
        description: 'Get a preview image of a file the task produced',
      },
      {
        name: 'Run',
        value: 'run',
        action: 'Run a task',
        description: 'Schedule a task of any type and wait for its result',
      },
      {
        name: 'Save Output File',
        value: 'saveOutputFile',
        action: 'Save an output file of a task',
        description: 'Save a file the task produced into your files',
      },
      {
        name: 'Set Notification',
        value: 'setNotification',
        action: 'Set a notification for a task',
        description: 'Get notified in the cloud when a task ends',
      },
      {
        name: 'Share Output File',
        value: 'shareOutputFile',
        action: 'Share an output file of a task',
        description: 'Create a public link to a file the task produced',
      },
    ],
    default: 'run',
  },
  ...run.description,
  ...get.description,
  ...getMany.description,
  ...cancel.description,
  ...del.description,
  ...getTypes.description,
  ...setNotification.description,
  ...getNotification.description,
  ...cancelNotification.description,
  ...downloadOutputFile.description,
  ...previewOutputFile.description,
  ...saveOutputFile.description,
  ...shareOutputFile.description,
];
