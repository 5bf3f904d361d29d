// The shipped AI sub-nodes: core bundled in (shared with the other nodes), the AI node SDK left to the n8n instance and loaded only when a
// sub-node runs, so the node files load (and n8n lists them) even where no SDK is installed.
// Needs a build first (`pnpm build`; turbo runs it before `test`).
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const files = {
  F7CloudAssistantChatModel: 'dist/nodes/F7CloudAssistantChatModel/F7CloudAssistantChatModel.node.js',
  F7CloudAssistantMemory: 'dist/nodes/F7CloudAssistantMemory/F7CloudAssistantMemory.node.js',
};

describe('AI sub-nodes in the package', () => {
  it('are listed for n8n and need nothing at runtime but n8n-workflow and the SDK', async () => {
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
      n8n: { nodes: string[]; aiNodeSdkVersion: number };
    };
    expect(pkg.n8n.nodes).toEqual(expect.arrayContaining(Object.values(files)));
    expect(pkg.n8n.aiNodeSdkVersion).toBe(1);
    for (const file of Object.values(files)) {
      // The node file and the shared files it requires (dist/shared, bundled once for all nodes).
      const seen = new Set<string>();
      const external = new Set<string>();
      const visit = async (target: string) => {
        if (seen.has(target)) return;
        seen.add(target);
        const code = await readFile(target, 'utf8');
        for (const [, name] of code.matchAll(/require\)?\(["']([^"']+)["']\)/g)) {
          if (name!.startsWith('.')) await visit(path.resolve(path.dirname(target), name!));
          else external.add(name!);
        }
      };
      await visit(path.join(root, file));
      expect([...external].sort()).toEqual(['@n8n/ai-node-sdk', 'n8n-workflow']);
    }
  });

  it('load without the SDK installed (it is required only when a sub-node supplies its model or memory)', () => {
    // A child Node where requiring the SDK fails, as on an n8n that does not ship it.
    const script = `
      const Module = require('node:module');
      const load = Module._load;
      Module._load = function (request, ...rest) {
        if (request === '@n8n/ai-node-sdk') throw new Error('Cannot find module @n8n/ai-node-sdk');
        return load.call(this, request, ...rest);
      };
      const out = {};
      for (const [name, file] of Object.entries(${JSON.stringify(files)})) {
        const node = new (require(require('node:path').join(${JSON.stringify(root)}, file))[name])();
        out[name] = { name: node.description.name, outputs: node.description.outputs };
      }
      console.log(JSON.stringify(out));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as Record<
      string,
      { name: string; outputs: string[] }
    >;
    expect(out).toEqual({
      F7CloudAssistantChatModel: { name: 'f7CloudAssistantChatModel', outputs: ['ai_languageModel'] },
      F7CloudAssistantMemory: { name: 'f7CloudAssistantMemory', outputs: ['ai_memory'] },
    });
  });
});
