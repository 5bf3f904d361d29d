// Checks the package with the rules of n8n's community package scanner (@n8n/scan-community-package), in
// both of its legs: the sources the npm provenance points at (package.json, nodes/ and credentials/, with
// n8n's node and credential rulesets) and the package exactly as npm would ship it (every .js file and
// package.json, plus the restricted-globals / restricted-imports rules of its legacy plugin, and an empty
// `dependencies`). Like the scanner, it ignores inline `eslint-disable` comments: what passes here passes
// there.
// Usage: node scripts/check-dist.mjs                     (the sources, then the packed tarball)
//        node scripts/check-dist.mjs <folder>            (checks an unpacked package folder)
//        node scripts/check-dist.mjs --sources [<root>]  (only the sources, of this or another package)
// Run it as its own process: eslint-plugin-n8n-nodes-base treats every file as a node file when
// NODE_ENV=test (as under vitest), which the scanner never does.
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { defineConfig } from 'eslint/config';
import n8nNodesPlugin from 'eslint-plugin-n8n-nodes-base';
import glob from 'fast-glob';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Legacy scanner plugin (scanner/eslint-plugin.mjs), kept because it is stricter: it flags any use of
// these identifiers, not only references to the global.
const LEGACY_RESTRICTED_GLOBALS = [
  'clearInterval',
  'clearTimeout',
  'global',
  'process',
  'setInterval',
  'setTimeout',
];
const LEGACY_ALLOWED_MODULES = [
  'n8n-workflow',
  'lodash',
  'moment',
  'p-limit',
  'luxon',
  'zod',
  'crypto',
  'node:crypto',
  // AI sub-nodes get the SDK from the n8n instance (allowed by the current scanner's rules).
  '@n8n/ai-node-sdk',
];

function legacyModuleAllowed(modulePath) {
  if (modulePath.startsWith('./') || modulePath.startsWith('../')) return true;
  const name = modulePath.startsWith('@')
    ? modulePath.split('/').slice(0, 2).join('/')
    : modulePath.split('/')[0];
  return LEGACY_ALLOWED_MODULES.includes(name);
}

const legacyScannerPlugin = {
  rules: {
    'no-restricted-globals': {
      create(context) {
        return {
          Identifier(node) {
            if (
              LEGACY_RESTRICTED_GLOBALS.includes(node.name) &&
              (!node.parent || node.parent.type !== 'MemberExpression' || node.parent.object === node)
            ) {
              context.report({ node, message: `Use of restricted global '${node.name}' is not allowed` });
            }
          },
        };
      },
    },
    'no-restricted-imports': {
      create(context) {
        return {
          ImportDeclaration(node) {
            if (!legacyModuleAllowed(node.source.value)) {
              context.report({ node, message: `Import of '${node.source.value}' is not allowed.` });
            }
          },
          CallExpression(node) {
            if (
              node.callee.name === 'require' &&
              node.arguments.length > 0 &&
              node.arguments[0].type === 'Literal' &&
              !legacyModuleAllowed(String(node.arguments[0].value))
            ) {
              context.report({ node, message: `Require of '${node.arguments[0].value}' is not allowed.` });
            }
          },
        };
      },
    },
  },
};

/** What the scanner lints of the source checkout (its SOURCE_FILE_PATTERNS). */
const SOURCE_FILES = ['package.json', '{nodes,credentials}/**/*.{js,ts,json}'];

/** The scanner's buildScanConfig(), plus the legacy plugin on shipped JavaScript. */
function scanConfig() {
  return defineConfig(
    n8nCommunityNodesPlugin.configs.recommended,
    { rules: { 'no-console': 'error' } },
    { plugins: { 'n8n-nodes-base': n8nNodesPlugin } },
    { files: ['package.json'], rules: { ...n8nNodesPlugin.configs.community.rules } },
    {
      files: ['**/credentials/**/*.ts'],
      rules: {
        ...n8nNodesPlugin.configs.credentials.rules,
        'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
        'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
      },
    },
    {
      files: ['**/nodes/**/*.ts'],
      rules: {
        ...n8nNodesPlugin.configs.nodes.rules,
        'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
        'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
        'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
      },
    },
    { files: ['**/*.json', '**/*.ts'], languageOptions: { parser: tsParser } },
    {
      files: ['**/*.js'],
      plugins: { 'legacy-scanner': legacyScannerPlugin },
      rules: {
        'legacy-scanner/no-restricted-globals': 'error',
        'legacy-scanner/no-restricted-imports': 'error',
      },
    },
  );
}

/** Returns a list of human-readable problems; empty when the unpacked package would pass the scanner. */
export async function checkPackageFolder(dir) {
  const problems = [];
  const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
  if (pkg.dependencies && Object.keys(pkg.dependencies).length > 0) {
    problems.push(
      `package.json has runtime dependencies (${Object.keys(pkg.dependencies).join(', ')}); bundle them into dist instead`,
    );
  }
  // n8n-workflow, and the AI node SDK for packages with AI sub-nodes: both provided by the n8n instance.
  const peers = pkg.peerDependencies ?? {};
  const allowedPeers = ['n8n-workflow', '@n8n/ai-node-sdk'];
  if (
    peers['n8n-workflow'] !== '*' ||
    Object.entries(peers).some(([name, range]) => !allowedPeers.includes(name) || range !== '*')
  ) {
    problems.push(
      `peerDependencies must be {"n8n-workflow": "*"} (plus "@n8n/ai-node-sdk": "*" for AI nodes), found ${JSON.stringify(pkg.peerDependencies)}`,
    );
  }
  for (const file of [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])]) {
    const found = await glob(file, { cwd: dir });
    if (found.length === 0) problems.push(`n8n entry ${file} is missing from the package`);
  }

  problems.push(...(await lint(dir, ['**/*.js', 'package.json'])));
  return problems;
}

/** The scanner's source leg: problems in the sources of the package in `dir` (this one by default). */
export async function checkSources(dir = packageRoot) {
  return await lint(dir, SOURCE_FILES);
}

async function lint(dir, patterns) {
  const files = await glob(patterns, { cwd: dir, absolute: true, ignore: ['node_modules/**'] });
  const eslint = new ESLint({
    cwd: dir,
    allowInlineConfig: false,
    overrideConfigFile: true,
    overrideConfig: scanConfig(),
  });
  const problems = [];
  for (const result of await eslint.lintFiles(files)) {
    for (const message of result.messages) {
      if (message.severity < 2) continue;
      problems.push(
        `${path.relative(dir, result.filePath)}:${message.line}:${message.column} ${message.message} (${message.ruleId ?? 'parse'})`,
      );
    }
  }
  return problems;
}

/** Packs the package with pnpm (workspace versions resolved, `files` applied) and checks the result. */
export async function checkPackedTarball() {
  const work = await mkdtemp(path.join(os.tmpdir(), 'f7cloud-n8n-pack-'));
  try {
    execFileSync('pnpm', ['pack', '--pack-destination', work], { cwd: packageRoot, stdio: 'pipe' });
    const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('pnpm pack produced no tarball');
    execFileSync('tar', ['-xzf', tarball], { cwd: work });
    const unpacked = path.join(work, 'package');
    const shipped = await glob('**/*', { cwd: unpacked });
    return { problems: await checkPackageFolder(unpacked), files: shipped };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [target, sourceRoot] = process.argv.slice(2);
  const onlySources = target === '--sources';
  const sources =
    onlySources || !target ? await checkSources(sourceRoot ? path.resolve(sourceRoot) : packageRoot) : [];
  const { problems, files } = onlySources
    ? { problems: [], files: null }
    : target
      ? { problems: await checkPackageFolder(path.resolve(target)), files: null }
      : await checkPackedTarball();
  problems.unshift(...sources);
  if (files) console.log(`check-dist: sources and ${files.length} files in the tarball`);
  if (problems.length > 0) {
    console.error(`check-dist: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log('check-dist: passes the community package scanner rules, no runtime dependencies');
}
