import type { INodeProperties } from 'n8n-workflow';
import type { OperationModule } from '../types';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as update from './update.operation';

export const assignmentOperations: Record<string, OperationModule> = {
  create,
  getMany,
  get,
  update,
  delete: del,
};

export const description: INodeProperties[] = [
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource: ['assignment'] } },
    options: [
      {
        name: 'Create',
        value: 'create',
        action: 'Create an assignment',
        description: 'Schedule a prompt the assistant runs again and again (assistant 4.0)',
      },
      {
        name: 'Delete',
        value: 'delete',
        action: 'Delete an assignment',
        description: 'Stop and remove a scheduled prompt',
      },
      {
        name: 'Get',
        value: 'get',
        action: 'Get an assignment',
        description: 'Get one scheduled prompt',
      },
      {
        name: 'Get Many',
        value: 'getMany',
        action: 'Get many assignments',
        description: 'List your scheduled prompts',
      },
      {
        name: 'Update',
        value: 'update',
        action: 'Update an assignment',
        description: 'Change the prompt, rule, start or time zone of a scheduled prompt',
      },
    ],
    default: 'getMany',
  },
  ...create.description,
  ...getMany.description,
  ...get.description,
  ...update.description,
  ...del.description,
];
