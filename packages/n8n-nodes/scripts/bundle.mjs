// Builds the shipped dist/: one CommonJS file per node and credential (n8n loads them with require), with
// the pure entry of @f7cloud/assistant-client bundled in. Only n8n-workflow and @n8n/ai-node-sdk stay
// external (the n8n instance provides them), so the package has no runtime dependencies. Runs after `n8n-node build`, whose
// tsc pass type-checks the sources; its per-file output is replaced here.
import { build } from 'esbuild';
import glob from 'fast-glob';
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

const entryPoints = await glob(['credentials/*.credentials.ts', 'nodes/*/*.node.ts'], { cwd: root });
if (entryPoints.length === 0) throw new Error('bundle: no node or credential entry points found');

await rm(dist, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints,
  outdir: 'dist',
  outbase: '.',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // The n8n instance provides both: n8n-workflow to every node, the AI node SDK to AI sub-nodes.
  external: ['n8n-workflow', '@n8n/ai-node-sdk'],
  // Core's "import" condition would pull ESM; n8n needs CommonJS, so prefer the require entry.
  conditions: ['require'],
  mainFields: ['main', 'module'],
  legalComments: 'none',
  minifySyntax: true,
  // Whitespace only: names stay readable in stack traces and for reviewers of the shipped code.
  minifyWhitespace: true,
  logLevel: 'warning',
});

// Icons and codex files sit next to the compiled files, where n8n looks for them.
const assets = await glob(['icons/*.svg', 'nodes/**/*.svg', 'nodes/**/*.node.json'], { cwd: root });
for (const asset of assets) {
  const target = path.join(dist, asset);
  await mkdir(path.dirname(target), { recursive: true });
  await cp(path.join(root, asset), target);
}
console.log(`bundle: ${entryPoints.length} entry points, ${assets.length} assets → dist/`);
