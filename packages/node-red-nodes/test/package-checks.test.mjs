// The package as the Flow Library and Node-RED's loader see it.
import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const nodeTypes = Object.keys(pkg['node-red'].nodes);

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}
const catalog = (type, lang) =>
  JSON.parse(fs.readFileSync(path.join(root, 'src', 'nodes', type, 'locales', lang, `${type}.json`), 'utf8'));

describe('package layout', () => {
  it('declares every built node with its .html and locales beside the .js, and inline registerType calls', () => {
    expect(pkg['node-red'].version).toBe('>=4.0.0');
    expect(pkg.engines.node).toBe('>=20');
    expect(pkg.keywords).toContain('node-red');
    expect(Object.keys(pkg.dependencies).length).toBeLessThanOrEqual(6);
    for (const type of nodeTypes) {
      const js = path.join(root, pkg['node-red'].nodes[type]);
      const html = fs.readFileSync(js.replace(/\.js$/, '.html'), 'utf8');
      expect(fs.readFileSync(js, 'utf8')).toContain(`RED.nodes.registerType('${type}'`);
      expect(html).toContain(`RED.nodes.registerType('${type}', {`);
      expect(html).toContain(`data-template-name="${type}"`);
      // the shared editor code comes from the package's resources folder, which Node-RED serves
      expect(html).toContain('src="resources/@f7cloud/node-red-assistant/editor.js"');
      expect(fs.existsSync(path.join(path.dirname(js), 'locales', 'en-US', `${type}.json`))).toBe(true);
    }
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'resources']));
  });

  it('has German and English texts for exactly the same keys, and help for every node', () => {
    for (const type of nodeTypes) {
      expect(keys(catalog(type, 'de')).sort()).toEqual(keys(catalog(type, 'en-US')).sort());
      for (const lang of ['en-US', 'de']) {
        const help = fs.readFileSync(
          path.join(root, 'src', 'nodes', type, 'locales', lang, `${type}.html`),
          'utf8',
        );
        expect(help).toContain(`data-help-name="${type}"`);
      }
    }
  });

  it("labels fields with core's words: the same field names as in n8n", async () => {
    const { FIELD_LABELS } = await import('@f7cloud/assistant-client');
    // each node's en-US label key → core's field name
    const shared = {
      'f7cloud-server': { url: 'serverUrl', user: 'user', appPassword: 'appPassword' },
      'f7cloud-task': {
        taskType: 'taskType',
        taskId: 'taskId',
        fileId: 'fileId',
        customId: 'customId',
        appId: 'appId',
      },
      'f7cloud-file': { fileId: 'fileId', path: 'filePath' },
      'f7cloud-chat': { sessionId: 'sessionId', messageId: 'messageId' },
      'f7cloud-task-watch': { taskType: 'taskType', appId: 'appId' },
    };
    for (const [type, fields] of Object.entries(shared)) {
      const labels = catalog(type, 'en-US')[type].label;
      for (const [key, field] of Object.entries(fields))
        expect(`${type}: ${labels[key]}`).toBe(`${type}: ${FIELD_LABELS[field]}`);
    }
  });

  it('has a text for every i18n key the code and the editor use', () => {
    const known = new Set(nodeTypes.flatMap((type) => keys(catalog(type, 'en-US'))));
    const files = [
      ...fs
        .readdirSync(path.join(root, 'src'), { recursive: true })
        .map((f) => path.join(root, 'src', String(f)))
        .filter((f) => !f.includes(`${path.sep}locales${path.sep}`)),
      path.join(root, 'resources', 'editor.js'),
    ].filter((f) => /\.(ts|js|html)$/.test(f));
    const used = new Set();
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:\bt|_)\(\s*'((?:common|f7cloud-[a-z-]+)\.[\w.]*\w)'/g))
        used.add(m[1]);
      for (const m of text.matchAll(/data-i18n="(?:\[\w+\])?((?:common|f7cloud-[a-z-]+)\.[\w.]+)"/g))
        used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(60);
    const missing = [...used].filter((key) => !known.has(key));
    expect(missing).toEqual([]);
  });

  it('ships an example flow that uses every node, each importable on its own', () => {
    const seen = new Set();
    for (const file of fs.readdirSync(path.join(root, 'examples'))) {
      const nodes = JSON.parse(fs.readFileSync(path.join(root, 'examples', file), 'utf8'));
      const ids = new Set(nodes.map((n) => n.id));
      for (const node of nodes) {
        seen.add(node.type);
        if (node.server) expect(ids.has(node.server)).toBe(true);
        for (const target of (node.wires || []).flat()) expect(ids.has(target)).toBe(true);
      }
    }
    for (const type of nodeTypes) expect(seen.has(type)).toBe(true);
  });
});

describe('example layouts', () => {
  // A node drawn as a box ~140 x 30 px around its (x, y); a wire leaves the right edge of its source and
  // enters the left edge of its target.
  const HALF_W = 70;
  const HALF_H = 15;
  function crosses(box, a, b) {
    // samples along the straight line between the ports: enough for boxes of 140 x 30 px
    for (let i = 0; i <= 50; i++) {
      const x = a.x + ((b.x - a.x) * i) / 50;
      const y = a.y + ((b.y - a.y) * i) / 50;
      if (Math.abs(x - box.x) < HALF_W && Math.abs(y - box.y) < HALF_H) return true;
    }
    return false;
  }

  it('wires run left to right and no node sits on a wire or on another node', () => {
    for (const file of fs.readdirSync(path.join(root, 'examples'))) {
      const nodes = JSON.parse(fs.readFileSync(path.join(root, 'examples', file), 'utf8')).filter(
        (n) => typeof n.x === 'number',
      );
      const byId = new Map(nodes.map((n) => [n.id, n]));
      const problems = [];
      for (const a of nodes) {
        for (const b of nodes) {
          if (a.id < b.id && Math.abs(a.x - b.x) < 2 * HALF_W && Math.abs(a.y - b.y) < 2 * HALF_H)
            problems.push(`${a.id} overlaps ${b.id}`);
        }
        for (const targetId of (a.wires || []).flat()) {
          const b = byId.get(targetId);
          if (b.x - a.x < 2 * HALF_W + 40) problems.push(`${a.id} → ${b.id} does not run to the right`);
          const from = { x: a.x + HALF_W, y: a.y };
          const to = { x: b.x - HALF_W, y: b.y };
          for (const other of nodes) {
            if (other !== a && other !== b && crosses(other, from, to))
              problems.push(`${other.id} sits on the wire ${a.id} → ${b.id}`);
          }
        }
      }
      expect(problems, file).toEqual([]);
    }
  });
});

describe('node-red-dev validate', () => {
  it('passes every check of the Flow Library scorecard', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nr-validate-')), 'scorecard.json');
    const bin = path.join(root, 'node_modules', '.bin', 'node-red-dev');
    const preload = path.join(root, 'test', 'support', 'offline-catalogue.cjs');
    const stdout = await new Promise((resolve, reject) =>
      execFile(
        bin,
        ['validate', '-p', root, '-o', out],
        { env: { ...process.env, NODE_OPTIONS: `--require ${preload}` }, timeout: 120_000 },
        (err, so, se) => (err ? reject(new Error(`${err.message}\n${so}\n${se}`)) : resolve(so + se)),
      ),
    );
    const scorecard = JSON.parse(fs.readFileSync(out, 'utf8'));
    const checks = Object.entries(scorecard).filter(([key]) => /^[PND]\d\d$/.test(key));
    expect(checks.map(([key]) => key).sort()).toEqual([
      'D01',
      'D02',
      'D03',
      'N01',
      'N02',
      'P01',
      'P03',
      'P04',
      'P05',
      'P06',
      'P07',
      'P08',
    ]);
    const failed = checks.filter(([, result]) => result.test !== true).map(([key]) => key);
    expect(failed, String(stdout)).toEqual([]);
    expect(scorecard.N02.nodes.sort()).toEqual(nodeTypes.filter((t) => t !== 'f7cloud-server').sort());
  }, 150_000);
});
