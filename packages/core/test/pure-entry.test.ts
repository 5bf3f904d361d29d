// The pure entry is bundled into n8n nodes, whose scanner rejects these; the built files must not have them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const FORBIDDEN = [
  /\bsetTimeout\b/,
  /\bsetInterval\b/,
  /\bsetImmediate\b/,
  /\bglobalThis\b/,
  /\bprocess\b/,
  /require\(["'](node:)?fs["']\)/,
  /from ["'](node:)?fs["']/,
  /\beval\(/,
];

describe.each(['index.js', 'index.cjs'])('dist/%s', (file) => {
  const code = readFileSync(new URL(`../dist/${file}`, import.meta.url), 'utf8');
  it('is built', () => {
    expect(code).toContain('createClient');
  });
  it.each(FORBIDDEN.map((re) => [String(re), re] as const))('has no %s', (_, re) => {
    expect(code).not.toMatch(re);
  });
  it('imports nothing', () => {
    expect(code).not.toMatch(/\brequire\(|^import .* from/m);
  });
});
