// The shipped package as npm would publish it, checked with the rules of n8n's community package scanner.
// Needs a build first (`pnpm build`; turbo runs it before `test`).
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module without types
import { checkPackageFolder, checkPackedTarball } from '../scripts/check-dist.mjs';

const root = path.resolve(import.meta.dirname, '..');

async function readdirRecursive(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}
const temp: string[] = [];
afterAll(async () => {
  for (const dir of temp) await rm(dir, { recursive: true, force: true });
});

/** The scanner's source leg in a process of its own (see scripts/check-dist.mjs on NODE_ENV). */
function checkSources(dir = root): { ok: boolean; problems: string } {
  const env = { ...process.env };
  delete env.NODE_ENV;
  try {
    execFileSync(process.execPath, ['scripts/check-dist.mjs', '--sources', dir], {
      cwd: root,
      env,
      stdio: 'pipe',
    });
    return { ok: true, problems: '' };
  } catch (error) {
    return { ok: false, problems: String((error as { stderr?: Buffer }).stderr ?? error) };
  }
}

describe('published package', () => {
  it('passes the scanner rules and has no runtime dependencies', async () => {
    const { problems, files } = (await checkPackedTarball()) as { problems: string[]; files: string[] };
    expect(problems).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/credentials/F7CloudAssistantApi.credentials.js',
        'dist/nodes/F7CloudAssistant/F7CloudAssistant.node.js',
        'dist/nodes/F7CloudAssistant/F7CloudAssistant.node.json',
        'dist/nodes/F7CloudAssistantTrigger/F7CloudAssistantTrigger.node.js',
        'dist/icons/f7cloud.svg',
        'dist/icons/f7cloud.dark.svg',
      ]),
    );
    // Sources, tests and scripts stay out of the tarball.
    expect(files.filter((f) => /\.ts$|^test\/|^e2e\/|^scripts\//.test(f))).toEqual([]);
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.peerDependencies).toEqual({ '@n8n/ai-node-sdk': '*', 'n8n-workflow': '*' });
  });

  it('catches what the scanner would reject (a package using process, setTimeout and axios)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'f7cloud-bad-pkg-'));
    temp.push(dir);
    await mkdir(path.join(dir, 'dist'));
    await writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify({
        name: 'n8n-nodes-bad',
        version: '1.0.0',
        dependencies: { axios: '1.0.0' },
        peerDependencies: { 'n8n-workflow': '*' },
      }),
    );
    await writeFile(
      path.join(dir, 'dist/x.js'),
      "const a = require('axios');\nmodule.exports = () => process.env.X + setTimeout(() => 1, 5);\n",
    );
    const problems = (await checkPackageFolder(dir)) as string[];
    expect(problems.join('\n')).toMatch(/runtime dependencies \(axios\)/);
    expect(problems.join('\n')).toMatch(/restricted global 'process'/);
    expect(problems.join('\n')).toMatch(/restricted global 'setTimeout'/);
    expect(problems.join('\n')).toMatch(/Require of 'axios' is not allowed/);
  });

  it("passes the scanner's source leg, which ignores eslint-disable comments", () => {
    expect(checkSources()).toEqual({ ok: true, problems: '' });
  });

  it('catches in sources what the scanner rejects, also behind an eslint-disable comment', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'f7cloud-bad-src-'));
    temp.push(dir);
    await mkdir(path.join(dir, 'credentials'));
    await mkdir(path.join(dir, 'nodes', 'Bad'), { recursive: true });
    await writeFile(path.join(dir, 'package.json'), await readFile(path.join(root, 'package.json')));
    await writeFile(
      path.join(dir, 'credentials', 'BadApi.credentials.ts'),
      [
        "import type { ICredentialType, INodeProperties } from 'n8n-workflow';",
        'export class BadApi implements ICredentialType {',
        "  name = 'badApi';",
        '  // eslint-disable-next-line n8n-nodes-base/cred-class-field-display-name-miscased',
        "  displayName = 'bad brand API';",
        "  documentationUrl = 'https://example.com/docs';",
        '  properties: INodeProperties[] = [];',
        '}',
      ].join('\n'),
    );
    await writeFile(
      path.join(dir, 'nodes', 'Bad', 'helpers.ts'),
      [
        "import type { ICredentialTestFunctions } from 'n8n-workflow';",
        'export async function test(this: ICredentialTestFunctions, uri: string): Promise<unknown> {',
        '  // eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions',
        '  return await this.helpers.request({ uri });',
        '}',
      ].join('\n'),
    );
    const { ok, problems } = checkSources(dir);
    expect(ok).toBe(false);
    expect(problems).toMatch(/BadApi\.credentials\.ts:5:.*cred-class-field-display-name-miscased/);
    expect(problems).toMatch(/helpers\.ts:4:.*'request' is deprecated.*no-deprecated-workflow-functions/);
  });

  it('bundles core once: node files require n8n-workflow and shared files inside dist, and stay small', async () => {
    const files = (await readdirRecursive(path.join(root, 'dist'))).filter((f) => f.endsWith('.js'));
    let total = 0;
    for (const file of files) {
      const code = await readFile(file, 'utf8');
      const required = [...code.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]!);
      for (const name of required) {
        if (name === 'n8n-workflow') continue;
        // Relative requires stay inside dist/shared (what the scanner's relative-import allowance covers).
        const target = path.resolve(path.dirname(file), name);
        expect(target.startsWith(path.join(root, 'dist', 'shared') + path.sep), `${file} → ${name}`).toBe(
          true,
        );
        await expect(stat(target)).resolves.toBeTruthy();
      }
      total += (await stat(file)).size;
    }
    // Core appears once: its error marker is defined in one file only.
    const withCore = [];
    for (const file of files) {
      if ((await readFile(file, 'utf8')).includes('f7cloud.assistant.error')) withCore.push(file);
    }
    expect(withCore).toHaveLength(1);
    // Only what the nodes reach is in: n8n-workflow or the AI node SDK bundled in by mistake would add
    // megabytes (readable, the package is about 320 KB; bench/footprint reports the figure).
    expect(total).toBeLessThanOrEqual(400_000);
  });

  it('ships readable JavaScript, not minified: lines and names as in the source', async () => {
    const files = (await readdirRecursive(path.join(root, 'dist'))).filter((f) => f.endsWith('.js'));
    for (const file of files) {
      const lines = (await readFile(file, 'utf8')).split('\n');
      // Minified code runs into lines of many kilobytes; here only a long description string comes close.
      expect(Math.max(...lines.map((l) => l.length)), path.relative(root, file)).toBeLessThan(1_000);
    }
    const code = (await Promise.all(files.map(async (f) => await readFile(f, 'utf8')))).join('\n');
    // Local names and parameters keep the source's names (transport/n8n-transport.ts, transport/index.ts).
    expect(code).toContain('function createN8nTransport(ctx, options) {');
    expect(code).toMatch(/const secrets = credentialSecrets\(\{\s+user: String\(credentials\.user/);
  });

  it('loads in Node as n8n loads it (CommonJS) and exposes the node classes', () => {
    const load = createRequire(import.meta.url);
    const { F7CloudAssistant } = load(
      path.join(root, 'dist/nodes/F7CloudAssistant/F7CloudAssistant.node.js'),
    );
    const { F7CloudAssistantTrigger } = load(
      path.join(root, 'dist/nodes/F7CloudAssistantTrigger/F7CloudAssistantTrigger.node.js'),
    );
    const { F7CloudAssistantApi } = load(
      path.join(root, 'dist/credentials/F7CloudAssistantApi.credentials.js'),
    );
    const node = new F7CloudAssistant();
    expect(node.description).toMatchObject({
      name: 'f7CloudAssistant',
      displayName: 'F7cloud Assistant',
      usableAsTool: true,
    });
    const operations = (resource: string) =>
      node.description.properties
        .find(
          (p: { name: string; displayOptions?: { show?: { resource?: string[] } } }) =>
            p.name === 'operation' && p.displayOptions?.show?.resource?.[0] === resource,
        )
        .options.map((o: { value: string }) => o.value)
        .sort();
    expect(operations('task')).toEqual(
      [
        'run',
        'get',
        'getMany',
        'cancel',
        'delete',
        'getTypes',
        'setNotification',
        'getNotification',
        'cancelNotification',
        'downloadOutputFile',
        'previewOutputFile',
        'saveOutputFile',
        'shareOutputFile',
      ].sort(),
    );
    expect(operations('file')).toEqual(
      [
        'uploadInput',
        'upload',
        'extractText',
        'getInfo',
        'getAssistantFolder',
        'download',
        'runAction',
      ].sort(),
    );
    expect(operations('chat')).toEqual(
      [
        'createSession',
        'getSessions',
        'renameSession',
        'deleteSession',
        'sendMessage',
        'getMessages',
        'getMessage',
        'deleteMessage',
        'regenerate',
        'generateTitle',
        'checkSession',
        'confirmActions',
      ].sort(),
    );
    expect(operations('assignment')).toEqual(['create', 'delete', 'get', 'getMany', 'update']);
    expect(operations('skill')).toEqual(['getMany', 'load', 'store']);
    expect(new F7CloudAssistantTrigger().description).toMatchObject({
      name: 'f7CloudAssistantTrigger',
      polling: true,
    });
    expect(new F7CloudAssistantApi().name).toBe('f7CloudAssistantApi');
  });

  it("keeps n8n's default ESLint config untouched (strict mode)", async () => {
    const config = await readFile(path.join(root, 'eslint.config.mjs'), 'utf8');
    expect(config.replace(/\s+/g, ' ').trim()).toBe(
      "import { config } from '@n8n/node-cli/eslint'; export default config;",
    );
  });

  it('passes `n8n-node lint` in strict mode', () => {
    // eslint-plugin-n8n-nodes-base fakes file names when NODE_ENV is "test" (as vitest sets it).
    const { NODE_ENV: _testEnv, ...env } = process.env;
    const out = execFileSync('pnpm', ['exec', 'n8n-node', 'lint'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...env, CI: 'true' },
    });
    expect(out.replace(/\x1b\[[0-9;]*m/g, '')).not.toMatch(/error|warning/i);
  }, 120_000);
});
