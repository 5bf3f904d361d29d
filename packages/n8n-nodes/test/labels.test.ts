import {
  FIELD_LABELS,
  FILE_ACTIONS,
  PRODUCT_NAME,
  TASK_STATUSES,
  type FieldName,
} from '@f7cloud/assistant-client';
import type { INodeProperties, INodePropertyCollection, INodeTypeDescription } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';
import { F7CloudAssistantApi } from '../credentials/F7CloudAssistantApi.credentials';
import { F7CloudAssistant } from '../nodes/F7CloudAssistant/F7CloudAssistant.node';
import { F7CloudAssistantChatModel } from '../nodes/F7CloudAssistantChatModel/F7CloudAssistantChatModel.node';
import { F7CloudAssistantFolderTrigger } from '../nodes/F7CloudAssistantFolderTrigger/F7CloudAssistantFolderTrigger.node';
import { F7CloudAssistantMemory } from '../nodes/F7CloudAssistantMemory/F7CloudAssistantMemory.node';
import { F7CloudAssistantTrigger } from '../nodes/F7CloudAssistantTrigger/F7CloudAssistantTrigger.node';

// n8n's linter wants literal strings in descriptions, so the words users read are copies of core's
// PRODUCT_NAME and FIELD_LABELS (shared with Node-RED); this keeps the copies equal to the originals.
const descriptions: INodeTypeDescription[] = [
  new F7CloudAssistant().description,
  new F7CloudAssistantTrigger().description,
  new F7CloudAssistantFolderTrigger().description,
  new F7CloudAssistantChatModel().description,
  new F7CloudAssistantMemory().description,
];

// n8n names are in title case (its linter requires it of the credential's name): the lower-case brand
// gets a capital first letter there, as at the start of a sentence; prose keeps core's spelling.
const TITLE = PRODUCT_NAME.charAt(0).toUpperCase() + PRODUCT_NAME.slice(1);

/** Every property, also inside collections and fixed collections. */
function walk(properties: readonly INodeProperties[]): INodeProperties[] {
  return properties.flatMap((property) => {
    const nested = (property.options ?? []).flatMap((option) => {
      if ('values' in option) return walk((option as INodePropertyCollection).values);
      if ('displayName' in option && 'type' in option) return walk([option as INodeProperties]);
      return [];
    });
    return [property, ...nested];
  });
}

const fieldOf = (name: string): FieldName | undefined =>
  name === 'path' ? 'filePath' : name in FIELD_LABELS ? (name as FieldName) : undefined;

describe('words users read', () => {
  it('spell the product as core does, alike in node names, default names and the credential', () => {
    expect(TITLE).not.toBe(PRODUCT_NAME);
    for (const description of descriptions) {
      expect(`${description.displayName} `.startsWith(`${TITLE} `), description.displayName).toBe(true);
      const name = String(description.defaults.name);
      // The folder trigger's default name says what it does (n8n's style for triggers of an event).
      if (description.name !== 'f7CloudAssistantFolderTrigger')
        expect(name.startsWith(`${TITLE}`)).toBe(true);
    }
    expect(new F7CloudAssistantApi().displayName).toBe(`${TITLE} API`);
  });

  it('name every field with core field label (a qualified label ends with it)', () => {
    const checked: string[] = [];
    const properties = [
      ...descriptions.flatMap((d) => walk(d.properties)),
      ...walk(new F7CloudAssistantApi().properties),
    ];
    for (const property of properties) {
      const field = fieldOf(property.name);
      if (!field || property.type === 'notice') continue;
      const label = FIELD_LABELS[field];
      checked.push(property.displayName);
      expect(
        property.displayName === label || property.displayName.endsWith(` ${label}`),
        `"${property.displayName}" (${property.name}) should read "${label}"`,
      ).toBe(true);
    }
    expect(checked.length).toBeGreaterThan(20);
  });

  // Option lists n8n's linter wants literal (sorted by name): the same entries as core's lists.
  it("offer core's task statuses and file actions, with core's labels", () => {
    const properties = walk(new F7CloudAssistant().description.properties);
    const options = (name: string) =>
      (properties.find((p) => p.name === name)?.options ?? []) as { name: string; value: string }[];
    const sortedByName = <T extends { name: string }>(list: T[]) =>
      [...list].sort((a, b) => a.name.localeCompare(b.name));
    expect(options('status')).toEqual(
      sortedByName(TASK_STATUSES.map((s) => ({ name: s.label, value: s.value }))),
    );
    const triggerStatuses = walk(new F7CloudAssistantTrigger().description.properties).find(
      (p) => p.name === 'statuses',
    )?.options;
    expect(triggerStatuses).toEqual(
      sortedByName(TASK_STATUSES.filter((s) => s.finished).map((s) => ({ name: s.label, value: s.value }))),
    );
    expect(options('fileAction')).toEqual(
      sortedByName(
        Object.entries(FILE_ACTIONS).map(([value, a]) => ({
          name: a.label,
          value,
          description: a.description,
        })),
      ),
    );
  });
});
