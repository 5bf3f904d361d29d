// Builds the shipped dist/: one CommonJS file per node and credential (n8n loads them with require), with
// the code they share (the pure entry of @f7cloud/assistant-client, the transport, helpers) bundled once
// into dist/shared/ and required from there by relative path, which n8n's community scanner allows. Only
// n8n-workflow and @n8n/ai-node-sdk stay external (the n8n instance provides them), so the package has no
// runtime dependencies. Runs after `n8n-node build`, whose tsc pass type-checks the sources; its per-file
// output is replaced here.
//
// esbuild splits shared code only for ESM output, so the bundle is built as ESM into a scratch folder and
// each file is then converted to CommonJS on its own (imports of shared chunks become relative requires).
import { build, transform } from 'esbuild';
import glob from 'fast-glob';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const scratch = path.join(root, 'dist-esm');

const entryPoints = await glob(['credentials/*.credentials.ts', 'nodes/*/*.node.ts'], { cwd: root });
if (entryPoints.length === 0) throw new Error('bundle: no node or credential entry points found');

await rm(dist, { recursive: true, force: true });
await rm(scratch, { recursive: true, force: true });
try {
  await build({
    absWorkingDir: root,
    entryPoints,
    outdir: scratch,
    outbase: '.',
    bundle: true,
    splitting: true,
    chunkNames: 'shared/[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The n8n instance provides both: n8n-workflow to every node, the AI node SDK to AI sub-nodes.
    external: ['n8n-workflow', '@n8n/ai-node-sdk'],
    // Core's ESM entry, so that what no node uses is left out (its CommonJS entry is one opaque module).
    conditions: ['import'],
    mainFields: ['module', 'main'],
    legalComments: 'none',
    logLevel: 'warning',
  });

  const files = await glob('**/*.js', { cwd: scratch });
  for (const file of files) {
    const source = await readFile(path.join(scratch, file), 'utf8');
    // Not minified: the shipped code reads as the source does (names, statements, line breaks), so whoever
    // reviews the package (n8n's verification) reads what runs.
    const { code } = await transform(source, {
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      legalComments: 'none',
    });
    await mkdir(path.dirname(path.join(dist, file)), { recursive: true });
    await writeFile(path.join(dist, file), code);
  }

  // Icons and codex files sit next to the compiled files, where n8n looks for them.
  const assets = await glob(['icons/*.svg', 'nodes/**/*.svg', 'nodes/**/*.node.json'], { cwd: root });
  for (const asset of assets) {
    const target = path.join(dist, asset);
    await mkdir(path.dirname(target), { recursive: true });
    await cp(path.join(root, asset), target);
  }
  const shared = files.filter((f) => f.startsWith('shared/')).length;
  console.log(
    `bundle: ${entryPoints.length} entry points, ${shared} shared chunk(s), ${assets.length} assets → dist/`,
  );
} finally {
  await rm(scratch, { recursive: true, force: true });
}
