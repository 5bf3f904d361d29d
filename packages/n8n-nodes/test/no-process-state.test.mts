// Queue mode runs an execution on any worker and resumes it on any process: the nodes may keep nothing in
// module scope that outlives one execution. What may persist lives in n8n (execution data, workflow static
// data) or on the server. WeakMap/WeakSet keyed by a per-execution object (the client, the context) are
// fine: they cannot outlive it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : name.endsWith('.ts') ? [full] : [];
  });

// `let`/`var` at module level is state; a module-level Map, Set, array or object is state once anything
// writes to it (lookup tables built once and only read are constants).
const REASSIGNABLE = /^(?:export\s+)?(?:let|var)\s/;
const COLLECTION = /^(?:export\s+)?const\s+(\w+)(?:\s*:[^=]+)?\s*=\s*(?:new\s+(?:Map|Set|Array)\b|\[|\{)/;
const writes = (name: string) =>
  new RegExp(
    `\\b${name}(?:\\.(?:set|add|delete|clear|push|pop|shift|unshift|splice)\\(|\\[[^\\]]+\\]\\s*=[^=]|\\.\\w+\\s*=[^=])`,
  );

function moduleState(source: string): string[] {
  return source.split('\n').flatMap((line, i) => {
    if (REASSIGNABLE.test(line)) return [`${i + 1}: ${line.trim()}`];
    const name = COLLECTION.exec(line)?.[1];
    return name && writes(name).test(source) ? [`${i + 1}: ${line.trim()}`] : [];
  });
}

it('keeps no module-level mutable state in any node, credential or helper', () => {
  const files = [...sources(path.join(root, 'nodes')), ...sources(path.join(root, 'credentials'))];
  expect(files.length).toBeGreaterThan(20);
  const found = files.flatMap((file) =>
    moduleState(readFileSync(file, 'utf8')).map((hit) => `${path.relative(root, file)}:${hit}`),
  );
  expect(found).toEqual([]);
});

it('would notice module-level state (the check itself works)', () => {
  expect(moduleState('let seen = 0;')).toHaveLength(1);
  expect(
    moduleState('const cache = new Map<string, number>();\nexport function f() { cache.set("a", 1); }'),
  ).toHaveLength(1);
  expect(moduleState('export const ids: number[] = [];\nids.push(1);')).toHaveLength(1);
  expect(moduleState('const state = {};\nfunction f() { state.last = 2; }')).toHaveLength(1);
  expect(moduleState('const CODES = new Set([1, 2]);\nconst ok = CODES.has(1);')).toEqual([]);
  expect(moduleState('const known = new WeakMap<object, number>();\nknown.set(x, 1);')).toEqual([]);
});
