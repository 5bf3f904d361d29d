import type { AssignmentChanges, AssistantClient } from '@f7cloud/assistant-client';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { forOperation } from '../../helpers/display';
import { idParameter } from '../../helpers/ids';
import { assignmentIdField, recurrenceField, startDate, startsAtField, timezoneField } from './fields';

export const description = forOperation('assignment', 'update', [
  assignmentIdField,
  {
    displayName: 'Update Fields',
    name: 'updateFields',
    type: 'collection',
    placeholder: 'Add Field',
    default: {},
    options: [
      {
        displayName: 'Prompt',
        name: 'prompt',
        type: 'string',
        typeOptions: { rows: 4 },
        default: '',
        description: 'What the assistant is asked each time',
      },
      recurrenceField,
      { ...startsAtField, description: 'From when on the rule applies' },
      timezoneField,
    ],
  },
]);

export async function execute(
  this: IExecuteFunctions,
  i: number,
  client: AssistantClient,
): Promise<INodeExecutionData[]> {
  const id = idParameter(this, 'assignmentId', i, 'Assignment ID');
  const fields = this.getNodeParameter('updateFields', i, {}) as IDataObject;
  const changes: AssignmentChanges = {};
  if (fields.prompt !== undefined) changes.prompt = String(fields.prompt);
  if (fields.recurrence !== undefined) changes.recurrence = String(fields.recurrence);
  if (fields.startsAt !== undefined && fields.startsAt !== '') changes.startsAt = startDate(fields.startsAt);
  if (fields.timezone !== undefined && String(fields.timezone).trim() !== '')
    changes.timezone = String(fields.timezone).trim();
  const assignment = await client.assignments.update(id, changes);
  return [{ json: assignment as unknown as IDataObject }];
}
