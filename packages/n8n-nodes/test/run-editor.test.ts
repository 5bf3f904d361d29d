import { NodeHelpers, type INodeParameters } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';
import { F7CloudAssistant } from '../nodes/F7CloudAssistant/F7CloudAssistant.node';

// What the editor shows for Task → Run, decided as n8n decides it (NodeHelpers.displayParameter).
const properties = new F7CloudAssistant().description.properties;
const shown = (values: INodeParameters): string[] =>
  properties
    .filter((p) => NodeHelpers.displayParameter(values, p, null, null))
    .map((p) => p.name)
    .filter((name) => ['chooseTaskTypeNotice', 'inputs', 'fileInputsNotice'].includes(name));

describe('Task → Run in the editor', () => {
  it('asks for a task type before showing the input mapper (no "No inputs found" error state)', () => {
    for (const taskType of ['', { __rl: true, mode: 'list', value: '' }]) {
      expect(shown({ resource: 'task', operation: 'run', taskType } as INodeParameters)).toEqual([
        'chooseTaskTypeNotice',
      ]);
    }
  });

  it('shows the inputs and the file-input rule once a type is chosen, also in the old saved form', () => {
    for (const taskType of ['core:text2text', { __rl: true, mode: 'list', value: 'core:text2text' }]) {
      expect(shown({ resource: 'task', operation: 'run', taskType } as INodeParameters)).toEqual([
        'inputs',
        'fileInputsNotice',
      ]);
    }
  });
});
