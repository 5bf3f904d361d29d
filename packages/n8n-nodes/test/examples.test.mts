import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface Node {
  name: string;
  type: string;
  parameters: Record<string, unknown>;
}
interface Workflow {
  nodes: Node[];
  connections: Record<string, { main: { node: string }[][] }>;
}

const folder = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'examples');
const examples = readdirSync(folder).filter((name) => name.endsWith('.json'));

describe('shipped examples', () => {
  it('include one that resumes via webhook', () => {
    const resuming = examples.filter((name) =>
      readFileSync(path.join(folder, name), 'utf8').includes('"webhook"'),
    );
    expect(resuming.length).toBeGreaterThan(0);
  });

  it.each(examples)('%s: every Resume via Webhook is followed by a Wait node with a time limit', (name) => {
    const wf = JSON.parse(readFileSync(path.join(folder, name), 'utf8')) as Workflow;
    const byName = new Map(wf.nodes.map((node) => [node.name, node]));
    for (const node of wf.nodes) {
      if (!node.type.endsWith('.f7CloudAssistant') || node.parameters.waitMode !== 'webhook') continue;
      const next = (wf.connections[node.name]?.main[0] ?? []).map((c) => byName.get(c.node));
      expect(next.map((n) => n?.type)).toEqual(['n8n-nodes-base.wait']);
      // a server that cannot call back (WEBHOOK_URL unset, local address refused) ends the wait
      expect(next[0]?.parameters).toMatchObject({ resume: 'webhook', limitWaitTime: true });
    }
  });
});
