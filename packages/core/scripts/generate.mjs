// Builds src/generated/ from openapi/: each assistant spec (verbatim: the 2.13 contract and the newer upstream
// ones) + its corrections + our TaskProcessing and server descriptions → one merged document (spec.json), its
// TypeScript types (schema.ts, openapi-typescript) and the runtime operation table (operations.ts), where every
// operation says the first assistant version that has it (`since`). `--check` fails when the files are stale.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import * as contract from '../openapi/corrections.mjs';
import * as upstream35 from '../openapi/corrections-3.5.mjs';
import * as upstream40 from '../openapi/corrections-4.0.mjs';

const { everyOperation } = contract;

/** Oldest first: an operation's definition (and `since`) comes from the oldest spec that has it. */
const SOURCES = [
  { version: '2.13', file: 'openapi/assistant.json', corrections: contract },
  { version: '3.5', file: 'openapi/upstream/assistant-3.5.0-openapi.json', corrections: upstream35 },
  { version: '4.0', file: 'openapi/upstream/assistant-4.0.0-openapi.json', corrections: upstream40 },
];
const BASELINE = SOURCES[0].version;

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (file) => JSON.parse(readFileSync(`${root}${file}`, 'utf8'));

function setPointer(doc, pointer, value, why) {
  const keys = pointer
    .split('/')
    .slice(1)
    .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
  const last = keys.pop();
  let node = doc;
  for (const key of keys) {
    if (!(key in node)) throw new Error(`correction "${why}": ${pointer} does not exist in the spec`);
    node = node[key];
  }
  if (!(last in node) && !Array.isArray(node)) {
    throw new Error(`correction "${why}": ${pointer} does not exist in the spec`);
  }
  node[last] = value;
}

/** One spec file with its corrections applied and the answers every route can give added. */
function corrected({ file, corrections }) {
  const doc = read(file);
  for (const { pointer, value, why } of corrections.corrections) setPointer(doc, pointer, value, why);
  for (const item of Object.values(doc.paths)) {
    for (const method of METHODS) {
      const responses = item[method]?.responses;
      if (!responses) continue;
      for (const { status, value } of everyOperation) responses[status] ??= value;
    }
  }
  return doc;
}

const versionParts = (v) => v.split('.').map(Number);
const newer = (a, b) => {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  }
  return false;
};

/**
 * A schema that newer servers changed: every property either version has (the older definition wins where
 * both have one, so corrections stay in force), required only where both require it. Both generations'
 * answers validate against it, and the types gain the new fields as optional.
 */
function widen(older, newer_, name) {
  if (JSON.stringify(older) === JSON.stringify(newer_)) return older;
  if (older.type !== 'object' || newer_.type !== 'object' || !older.properties || !newer_.properties) {
    throw new Error(`schema ${name} changed between spec versions in a way the generator cannot widen`);
  }
  const required = (older.required ?? []).filter((key) => (newer_.required ?? []).includes(key));
  return {
    ...older,
    required,
    properties: { ...newer_.properties, ...older.properties },
  };
}

function merge() {
  const [first, ...later] = SOURCES;
  const spec = structuredClone(corrected(first));
  const ids = new Map();
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      if (!item[method]) continue;
      item[method]['x-assistant-since'] = BASELINE;
      ids.set(item[method].operationId, item[method]);
    }
  }
  for (const source of later) {
    const doc = corrected(source);
    const since = source.corrections.since ?? {};
    for (const [id, { version, why }] of Object.entries(since)) {
      if (!why || newer(version, source.version))
        throw new Error(`since ${id}: needs a why and a version ≤ ${source.version}`);
    }
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const known = ids.get(op.operationId);
        if (known) {
          // Query parameters a newer version added to an existing route (servers ignore unknown ones).
          const names = new Set((known.parameters ?? []).map((p) => `${p.in}:${p.name}`));
          for (const param of op.parameters ?? []) {
            if (param.in !== 'query' || names.has(`query:${param.name}`)) continue;
            known.parameters.push({ ...param, 'x-assistant-since': source.version });
          }
          continue;
        }
        spec.paths[path] ??= {};
        if (spec.paths[path][method]) {
          throw new Error(
            `${method.toUpperCase()} ${path} is ${spec.paths[path][method].operationId} and ${op.operationId}`,
          );
        }
        const added = { ...op, 'x-assistant-since': since[op.operationId]?.version ?? source.version };
        spec.paths[path][method] = added;
        ids.set(op.operationId, added);
      }
    }
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      const known = spec.components.schemas[name];
      spec.components.schemas[name] = known ? widen(known, schema, name) : schema;
    }
  }
  spec.info = {
    ...spec.info,
    description: `${spec.info.description}; assistant ${SOURCES.map((s) => s.version).join(', ')} with the corrections in openapi/corrections*.mjs, the core TaskProcessing routes and the server's capabilities route`,
  };
  for (const file of ['openapi/taskprocessing.json', 'openapi/server.json']) {
    const own = read(file);
    for (const [path, item] of Object.entries(own.paths)) {
      for (const method of METHODS) if (item[method]) item[method]['x-assistant-since'] = BASELINE;
      spec.paths[path] = item;
    }
    for (const [name, schema] of Object.entries(own.components?.schemas ?? {})) {
      if (
        spec.components.schemas[name] &&
        JSON.stringify(spec.components.schemas[name]) !== JSON.stringify(schema)
      ) {
        throw new Error(`schema ${name} of ${file} differs from the assistant spec's`);
      }
      spec.components.schemas[name] = schema;
    }
  }
  return spec;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function responseKind(op) {
  const ok = op.responses['200'] ?? op.responses['201'];
  const content = ok?.content ?? {};
  const [type, media] = Object.entries(content)[0] ?? [];
  if (!type || type === '*/*' || media?.schema?.format === 'binary') return 'binary';
  return media.schema?.properties?.ocs ? 'ocs' : 'json';
}

function operationTable(spec) {
  const rows = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = (op.parameters ?? []).filter((p) => p.in !== 'header');
      const bodyTypes = Object.keys(op.requestBody?.content ?? {});
      rows.push([
        op.operationId,
        {
          summary: (op.summary ?? op.operationId).split('. ')[0],
          method: method.toUpperCase(),
          path,
          pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
          queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
          integerParams: params.filter((p) => p.schema?.type === 'integer').map((p) => p.name),
          body: bodyTypes.includes('multipart/form-data') ? 'multipart' : bodyTypes.length ? 'json' : null,
          response: responseKind(op),
          since: op['x-assistant-since'],
        },
      ]);
    }
  }
  rows.sort(([a], [b]) => a.localeCompare(b));
  const body = rows.map(([id, row]) => `  ${JSON.stringify(id)}: ${JSON.stringify(row)},`).join('\n');
  return `${banner}
export const operations = {
${body}
} as const;

/** The assistant versions the specs describe, oldest first (\`since\` is one of these or a version between). */
export const SPEC_VERSIONS = ${JSON.stringify(SOURCES.map((s) => s.version))} as const;
`;
}

const banner = '// Generated by scripts/generate.mjs from openapi/. Do not edit: run `pnpm generate`.';

const spec = merge();
const types = astToString(await openapiTS(spec, { alphabetize: false }));
const files = {
  'src/generated/spec.json': `${JSON.stringify(spec, null, 2)}\n`,
  'src/generated/schema.ts': `${banner}\n${types}`,
  'src/generated/operations.ts': operationTable(spec),
};

if (process.argv.includes('--check')) {
  const stale = Object.entries(files).filter(([file, text]) => {
    try {
      return readFileSync(`${root}${file}`, 'utf8') !== text;
    } catch {
      return true;
    }
  });
  if (stale.length) {
    console.error(
      `Generated code is stale: ${stale.map(([f]) => f).join(', ')}. Run \`pnpm generate\` and commit.`,
    );
    process.exit(1);
  }
  console.log('Generated code is up to date.');
} else {
  mkdirSync(`${root}src/generated`, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(`${root}${file}`, text);
  console.log(`Wrote ${Object.keys(files).join(', ')}`);
}
