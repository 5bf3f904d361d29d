import type { AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { recurrenceField, startDate, startsAtField, timezoneField } from './fields';

export const description = forOperation('assignment', 'create', [
  {
    displayName: 'Title',
    name: 'title',
    type: 'string',
    required: true,
    default: '',
    placeholder: 'e.g. Weekly news digest',
    description: 'A name for the assignment',
  },
  {
    displayName: 'Prompt',
    name: 'prompt',
    type: 'string',
    typeOptions: { rows: 4 },
    required: true,
    default: '',
    description: 'What the assistant is asked each time',
  },
  { ...recurrenceField, required: true },
  startsAtField,
  {
    displayName: 'Options',
    name: 'options',
    type: 'collection',
    placeholder: 'Add Option',
    default: {},
    options: [timezoneField],
  },
]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const timezone = String(options.timezone ?? '').trim();
  const assignment = await client.assignments.create({
    title: this.getNodeParameter('title', i) as string,
    prompt: this.getNodeParameter('prompt', i) as string,
    recurrence: this.getNodeParameter('recurrence', i) as string,
    startsAt: startDate(this.getNodeParameter('startsAt', i, '')),
    ...(timezone ? { timezone } : {}),
  });
  return [{ json: assignment as unknown as IDataObject }];
}
