// Turns an OpenAPI 3.0 response schema into a JSON schema ajv can check, so the recorded real-server
// exchanges (and the emulator's answers) can be validated against the spec + corrections.
import { Ajv, type ValidateFunction } from 'ajv';

type Json = Record<string, unknown>;

function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === 'nullable' || k === 'format' || k === 'example' || k === 'default' || k === 'description')
      continue;
    out[k] = k === '$ref' ? (v as string).replace('#/components/schemas/', '#/definitions/') : convert(v);
  }
  if ((node as Json).nullable === true) return { anyOf: [out, { type: 'null' }] };
  return out;
}

export interface SpecDocument {
  paths: Record<
    string,
    Record<
      string,
      { operationId: string; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }
    >
  >;
  components: { schemas: Record<string, unknown> };
}

export function responseValidator(spec: SpecDocument) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const definitions = convert(spec.components.schemas);
  const cache = new Map<string, ValidateFunction | null>();
  return (operationId: string, status: number): ValidateFunction | null => {
    const key = `${operationId} ${status}`;
    if (cache.has(key)) return cache.get(key)!;
    let found: ValidateFunction | null = null;
    for (const methods of Object.values(spec.paths)) {
      for (const op of Object.values(methods)) {
        if (op.operationId !== operationId) continue;
        const content = op.responses[String(status)]?.content;
        const schema = content?.['application/json']?.schema;
        if (schema) found = ajv.compile({ definitions, ...(convert(schema) as Json) });
      }
    }
    cache.set(key, found);
    return found;
  };
}
