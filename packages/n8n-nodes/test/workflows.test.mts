// The repository's GitHub Actions (they cannot run here): valid YAML with the shape Actions needs, CI
// running what `bash .ci/run` runs, and the release publishing with npm provenance through changesets,
// as n8n's verification asks of community nodes.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repo = path.resolve(import.meta.dirname, '..', '..', '..');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, { 'runs-on': string; steps: Step[]; permissions?: Record<string, string> }>;
}

async function workflow(name: string): Promise<Workflow> {
  const text = await readFile(path.join(repo, '.github', 'workflows', name), 'utf8');
  // Strict parse: duplicate keys, bad indentation or tabs fail here as they would on GitHub.
  const parsed = parse(text, { strict: true, uniqueKeys: true }) as Workflow;
  expect(typeof parsed.name).toBe('string');
  expect(parsed.on).toBeTypeOf('object');
  for (const [id, job] of Object.entries(parsed.jobs)) {
    expect(job['runs-on'], id).toBeTypeOf('string');
    expect(job.steps.length, id).toBeGreaterThan(0);
    for (const step of job.steps)
      expect(Boolean(step.uses) !== Boolean(step.run), JSON.stringify(step)).toBe(true);
  }
  return parsed;
}

const steps = (w: Workflow) => Object.values(w.jobs).flatMap((job) => job.steps);

describe('GitHub workflows', () => {
  it('CI runs .ci/run on pushes and pull requests, with read-only permissions', async () => {
    const ci = await workflow('ci.yml');
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.permissions).toEqual({ contents: 'read' });
    expect(steps(ci).some((s) => s.run === 'bash .ci/run')).toBe(true);
    expect(steps(ci)[0]?.uses).toMatch(/^actions\/checkout@v\d+$/);
  });

  it('the release publishes with npm provenance through changesets', async () => {
    const release = await workflow('release.yml');
    expect(release.on).toEqual({ push: { branches: ['main'] } });
    // Provenance needs the OIDC token; changesets needs to push the version PR.
    expect(release.permissions).toMatchObject({
      'id-token': 'write',
      contents: 'write',
      'pull-requests': 'write',
    });
    const all = steps(release);
    const node = all.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(node?.with).toMatchObject({ 'registry-url': 'https://registry.npmjs.org' });
    const pnpm = all.find((s) => s.uses?.startsWith('pnpm/action-setup@'));
    const rootPkg = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as {
      packageManager?: string;
    };
    expect(`pnpm@${String(pnpm?.with?.version)}`).toBe(rootPkg.packageManager ?? 'pnpm@12.4.2');
    const changesets = all.find((s) => s.uses?.startsWith('changesets/action@'));
    expect(changesets?.with?.publish).toMatch(/\bpublish\b.*--provenance/);
    expect(changesets?.env).toMatchObject({
      NPM_CONFIG_PROVENANCE: 'true',
      NODE_AUTH_TOKEN: '${{ secrets.NPM_TOKEN }}',
      GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}',
    });
    // Tests run before anything is published.
    const index = (pred: (s: Step) => boolean) => all.findIndex(pred);
    expect(index((s) => s.run === 'pnpm test')).toBeLessThan(index((s) => s === changesets));
  });

  it('publishes packages whose metadata npm provenance can check', async () => {
    const pkg = JSON.parse(await readFile(path.join(repo, 'packages/n8n-nodes/package.json'), 'utf8')) as {
      repository?: { url?: string; directory?: string };
      publishConfig?: Record<string, unknown>;
    };
    // npm verifies that the provenance's repository is the package's repository.
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\/github\.com\/[^/]+\/[^/]+\.git$/);
    expect(pkg.repository?.directory).toBe('packages/n8n-nodes');
    expect(pkg.publishConfig).toMatchObject({ access: 'public', provenance: true });
  });
});
