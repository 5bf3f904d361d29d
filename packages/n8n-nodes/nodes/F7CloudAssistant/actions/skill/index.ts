import type { INodeProperties } from 'n8n-workflow';
import type { OperationModule } from '../types';
import * as getMany from './getMany.operation';
import * as load from './load.operation';
import * as store from './store.operation';

export const skillOperations: Record<string, OperationModule> = { getMany, load, store };

export const description: INodeProperties[] = [
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource: ['skill'] } },
    options: [
      {
        name: 'Get Many',
        value: 'getMany',
        action: 'Get many skills',
        description: "List the agent's skills (assistant 4.0)",
      },
      {
        name: 'Load',
        value: 'load',
        action: 'Load a skill',
        description: 'Get the instructions of one skill',
      },
      {
        name: 'Store',
        value: 'store',
        action: 'Store a skill',
        description: 'Create a skill or replace one of the same name',
      },
    ],
    default: 'getMany',
  },
  ...getMany.description,
  ...load.description,
  ...store.description,
];
