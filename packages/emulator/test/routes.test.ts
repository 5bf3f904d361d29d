import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ASSISTANT_VERSIONS } from '../src/options.js';
import { specRoutes } from '../src/routing/router.js';
import { HANDLERS } from '../src/server.js';
import { TASK_STATUSES } from '../src/state/store.js';
import type { Spec } from './helpers.js';

// The emulator is an independent oracle: its routes come from the spec files themselves (read here
// directly, not through the generated table or core's operation table), one set per assistant version.

const SPEC_DIR = new URL('../../core/openapi/', import.meta.url);
const SPEC_FILES = {
  '2.13': 'assistant.json',
  '3.5': 'upstream/assistant-3.5.0-openapi.json',
  '4.0': 'upstream/assistant-4.0.0-openapi.json',
} as const;
/** The parts of a spec file read here: its operations and the task status enum. */
interface SpecFile extends Spec {
  components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> };
}
const readSpec = (file: string): SpecFile =>
  JSON.parse(readFileSync(new URL(file, SPEC_DIR), 'utf8')) as SpecFile;

function specOperations(spec: Spec): string[] {
  const ops: string[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const op = item[method];
      if (op) ops.push(`${method.toUpperCase()} ${path} ${op.operationId}`);
    }
  }
  return ops.sort();
}

const taskProcessing = specOperations(readSpec('taskprocessing.json'));

describe('routes are the spec files’ paths', () => {
  for (const version of ASSISTANT_VERSIONS) {
    it(`assistant ${version}: the routes equal ${SPEC_FILES[version]} plus taskprocessing.json`, () => {
      const expected = [...specOperations(readSpec(SPEC_FILES[version])), ...taskProcessing].sort();
      const served = specRoutes(version)
        .map((r) => `${r.method} ${r.template} ${r.operationId}`)
        .sort();
      expect(served).toEqual(expected);
    });
  }

  it('has a handler for every operation of the 2.13 spec', () => {
    const missing = specRoutes('2.13')
      .map((r) => r.operationId)
      .filter((id) => !(id in HANDLERS));
    expect(missing).toEqual([]);
    expect(specRoutes('2.13').length).toBeGreaterThanOrEqual(36);
  });

  it('the generated route table is current', () => {
    expect(() =>
      execFileSync(process.execPath, ['scripts/spec-routes.mjs', '--check'], {
        cwd: new URL('..', import.meta.url),
        stdio: 'pipe',
      }),
    ).not.toThrow();
  });

  it('knows the statuses the spec lists (their numbers 0..5 come from the recorded chat answers)', () => {
    const schema = readSpec('taskprocessing.json').components.schemas.CoreTaskProcessingTask;
    expect([...TASK_STATUSES].sort()).toEqual([...(schema?.properties.status?.enum ?? [])].sort());
  });

  it('does not import the client it is an oracle for', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(Object.keys(pkg.dependencies ?? {})).not.toContain('@f7cloud/assistant-client');
    const root = new URL('../src/', import.meta.url);
    const importing = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => readFileSync(new URL(f, root), 'utf8').includes('@f7cloud/assistant-client'));
    expect(importing).toEqual([]);
  });
});
