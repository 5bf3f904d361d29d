import type { ShapeDescriptor, TaskType } from '@f7cloud/assistant-client';
import type { ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { toNodeError } from '../helpers/errors';
import { slotKind } from '../helpers/task-io';
import { findTaskType } from '../helpers/task-types';
import { getClient } from '../transport';

/** One mapper field per input slot of the chosen task type: typed, enum options, required vs optional. */
export function taskInputFields(type: TaskType): ResourceMapperField[] {
  const field = (name: string, shape: ShapeDescriptor, required: boolean): ResourceMapperField => {
    const { kind, list } = slotKind(shape);
    const enumValues = (required ? type.inputShapeEnumValues : type.optionalInputShapeEnumValues)[name] ?? [];
    const defaults = required ? type.inputShapeDefaults : type.optionalInputShapeDefaults;
    const fileHint =
      kind === 'file'
        ? list
          ? ' (binary field names or file IDs, comma-separated)'
          : ' (binary field name or file ID)'
        : '';
    const result: ResourceMapperField = {
      id: name,
      displayName: `${shape.name || name}${fileHint}`,
      required,
      defaultMatch: false,
      display: true,
      type:
        list && kind !== 'file'
          ? 'array'
          : kind === 'number'
            ? 'number'
            : kind === 'enum'
              ? 'options'
              : 'string',
    };
    if (kind === 'enum')
      result.options = enumValues.map((option) => ({ name: option.name, value: option.value }));
    const fallback = defaults[name];
    if (typeof fallback === 'string' || typeof fallback === 'number') result.defaultValue = fallback;
    if (!required) result.removed = true;
    return result;
  };
  return [
    ...Object.entries(type.inputShape).map(([name, shape]) => field(name, shape, true)),
    ...Object.entries(type.optionalInputShape).map(([name, shape]) => field(name, shape, false)),
  ];
}

export async function getTaskInputs(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
  const typeId = String(this.getNodeParameter('taskType', '', { extractValue: true }) ?? '').trim();
  if (!typeId) return { fields: [], emptyFieldsNotice: 'Choose a task type first' };
  try {
    const type = await findTaskType(await getClient(this), typeId);
    return { fields: taskInputFields(type), emptyFieldsNotice: 'This task type takes no inputs' };
  } catch (error) {
    const nodeError = toNodeError(this.getNode(), error, 0);
    throw new NodeOperationError(
      this.getNode(),
      `Could not load the inputs of "${typeId}": ${nodeError.message}`,
      {
        description: nodeError.description ?? undefined,
      },
    );
  }
}
