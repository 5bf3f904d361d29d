import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
import { describe, expect, it } from 'vitest';
import { F7CloudAssistant } from '../nodes/F7CloudAssistant/F7CloudAssistant.node.js';
import { F7CloudAssistantTrigger } from '../nodes/F7CloudAssistantTrigger/F7CloudAssistantTrigger.node.js';

// The rules n8n 2.41's node picker applies to a node's codex (editor-ui nodeCreator: useViewStacks
// filterOutAiNodes, nodeCreator.utils subcategorizeItems / searchNodes): a node whose categories hold "AI"
// is left out of the regular search unless its AI subcategories hold "Root Nodes", and only nodes without
// a whitelisted category (AI, Core Nodes, HITL) land in "Action in an app"; search matches the display
// name and codex.alias.
interface Codex {
  categories: string[];
  subcategories?: Record<string, string[]>;
  alias?: string[];
}

const read = (name: string): Codex =>
  JSON.parse(readFileSync(path.join(here, '..', 'nodes', name, `${name}.node.json`), 'utf8')) as Codex;

const displayNames: Record<string, string> = {
  F7CloudAssistant: new F7CloudAssistant().description.displayName,
  F7CloudAssistantTrigger: new F7CloudAssistantTrigger().description.displayName,
};

function foundByRegularSearch(codex: Codex): boolean {
  if (!codex.categories.includes('AI')) return true;
  return codex.subcategories?.AI?.includes('Root Nodes') === true;
}

function inActionInAnApp(codex: Codex): boolean {
  return !['AI', 'Core Nodes', 'HITL'].some((category) => codex.categories.includes(category));
}

function matches(name: string, codex: Codex, word: string): boolean {
  const haystack = [displayNames[name] ?? '', ...(codex.alias ?? [])].map((s) => s.toLowerCase());
  return haystack.some((s) => s.includes(word));
}

describe('node picker codex', () => {
  it.each(['F7CloudAssistant', 'F7CloudAssistantTrigger'])(
    '%s is found by the picker search and listed under "Action in an app"',
    (name) => {
      const codex = read(name);
      expect(foundByRegularSearch(codex)).toBe(true);
      expect(inActionInAnApp(codex)).toBe(true);
      for (const word of ['f7cloud', 'assistant', 'nextcloud', 'summarize', 'transcribe', 'chat']) {
        expect(matches(name, codex, word), `${name} by "${word}"`).toBe(true);
      }
    },
  );

  it('lists the sub-nodes where n8n lists its own chat models and memories', () => {
    expect(read('F7CloudAssistantChatModel')).toMatchObject({
      categories: ['AI'],
      subcategories: {
        AI: ['Language Models', 'Root Nodes'],
        'Language Models': ['Chat Models (Recommended)'],
      },
    });
    expect(read('F7CloudAssistantMemory')).toMatchObject({
      categories: ['AI'],
      subcategories: { AI: ['Memory'], Memory: ['Other memories'] },
    });
    for (const name of ['F7CloudAssistantChatModel', 'F7CloudAssistantMemory']) {
      expect(read(name).alias).toEqual(expect.arrayContaining(['f7cloud', 'Nextcloud', 'assistant']));
    }
  });
});
