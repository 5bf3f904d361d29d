import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { components } from '@f7cloud/assistant-client';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../src/index.js';

// Every response a test receives through `Client` is checked against the corrected spec: status listed
// (or one of the framework answers real servers send outside controllers), body valid against its schema.

/** Wire shapes from the spec; every answer a test reads through `Client` has been validated against it. */
export type Schemas = components['schemas'];
export type Task = Schemas['CoreTaskProcessingTask'];
export type ChatMessage = Schemas['ChatMessage'];
export type ChatSession = Schemas['ChatSession'];
/** The OCS envelope around an answer's `data`. */
export interface Ocs<T = unknown> {
  ocs: { meta: Schemas['OCSMeta']; data: T };
}
/** What chat's generate, regenerate and generate_title answer. */
export interface ChatTaskId {
  taskId: number;
}

/** The parts of an OpenAPI document the tests read. */
export interface SpecOperation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> } | undefined>;
}
export type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
export const METHODS: Method[] = ['get', 'put', 'post', 'delete', 'patch'];
export interface Spec {
  paths: Record<string, Partial<Record<Method, SpecOperation>>>;
}

const require = createRequire(import.meta.url);
const spec = require('@f7cloud/assistant-client/spec') as Spec;

/** OpenAPI 3.0 `nullable` → JSON Schema null types, so ajv can validate. */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = toJsonSchema(v);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    } else if (out.$ref || out.allOf || out.oneOf || out.anyOf) {
      return { anyOf: [out, { type: 'null' }] };
    }
  }
  return out;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(toJsonSchema(spec) as object, 'spec');

const escapePointer = (s: string): string => s.replaceAll('~', '~0').replaceAll('/', '~1');
const validators = new Map<string, ValidateFunction>();

function validatorFor(path: string, method: string, status: string): ValidateFunction {
  const key = `${path} ${method} ${status}`;
  let v = validators.get(key);
  if (!v) {
    v = ajv.compile({
      $ref: `spec#/paths/${escapePointer(path)}/${method}/responses/${status}/content/application~1json/schema`,
    });
    validators.set(key, v);
  }
  return v;
}

const compiled = Object.entries(spec.paths).flatMap(([template, item]) =>
  METHODS.flatMap((m) => {
    const op = item[m];
    return op
      ? [{ id: op.operationId, method: m.toUpperCase(), template, pattern: patternOf(template) }]
      : [];
  }),
);

function patternOf(template: string): RegExp {
  return new RegExp(
    `^${template
      .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      .replace('{apiVersion}', 'v1')
      .replace(/\{[^}]+\}/g, '[^/]+')}$`,
  );
}

export function operationFor(method: string, path: string): (typeof compiled)[number] | undefined {
  const p = path.replace(/^\/ocs\/v1\.php\//, '/ocs/v2.php/');
  return compiled.find((o) => o.method === method && o.pattern.test(p));
}

/** Statuses servers send from outside any controller; the spec does not list them per route. */
const FRAMEWORK_STATUSES = new Set([401, 405, 412, 429, 500, 502, 503]);

export const conformance = { validated: 0, skippedNoOperation: 0 };

export interface Res {
  status: number;
  headers: Headers;
  contentType: string;
  bytes: Buffer;
  text: string;
  /** parsed JSON (undefined when the answer is not JSON); tests narrow it with `data<T>()` or a cast */
  body: unknown;
}

/** Checks one answer against the spec; throws with the reason when it does not conform. */
export function checkAgainstSpec(method: string, path: string, res: Res): void {
  const op = operationFor(method, path);
  if (!op) {
    conformance.skippedNoOperation++;
    return;
  }
  // OCS v1 reports failures inside a 200: the envelope's statuscode is the status that counts
  let status = res.status;
  const meta = (res.body as { ocs?: { meta?: { statuscode?: number } } } | undefined)?.ocs?.meta;
  if (path.startsWith('/ocs/v1.php/') && status === 200 && meta?.statuscode) {
    status = meta.statuscode === 100 ? 200 : meta.statuscode;
  }
  const entry = spec.paths[op.template]?.[method.toLowerCase() as Method]?.responses[String(status)];
  if (!entry) {
    if (FRAMEWORK_STATUSES.has(status)) return;
    throw new Error(`${method} ${path}: status ${status} is not in the spec for ${op.id}`);
  }
  const isJson = res.contentType.startsWith('application/json');
  if (entry.content?.['application/json']?.schema && isJson) {
    const validate = validatorFor(op.template, method.toLowerCase(), String(status));
    if (!validate(res.body)) {
      throw new Error(
        `${method} ${path} ${res.status} does not match the spec (${op.id}): ${ajv.errorsText(validate.errors)}\n${res.text.slice(0, 500)}`,
      );
    }
    conformance.validated++;
  }
}

export type Auth = { user: string; password: string } | { token: string } | null;

export interface RequestOptions {
  query?: Record<string, string | number>;
  json?: unknown;
  body?: string | Buffer | FormData;
  headers?: Record<string, string>;
  /** send OCS-APIRequest: true (default) */
  ocs?: boolean;
  /** Accept header (default application/json); null sends none */
  accept?: string | null;
  /** skip spec validation (answers from injected faults) */
  raw?: boolean;
}

export class Client {
  constructor(
    readonly baseUrl: string,
    readonly auth: Auth,
  ) {}

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Res> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.ocs !== false) headers['OCS-APIRequest'] = 'true';
    if (opts.accept !== null) headers.Accept = opts.accept ?? 'application/json';
    if (this.auth && 'token' in this.auth) headers.Authorization = `Bearer ${this.auth.token}`;
    else if (this.auth)
      headers.Authorization = `Basic ${Buffer.from(`${this.auth.user}:${this.auth.password}`).toString('base64')}`;
    let body = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['Content-Type'] = 'application/json';
    }
    const response = await fetch(url, { method, headers, body, redirect: 'manual' });
    const bytes = Buffer.from(await response.arrayBuffer());
    const contentType = response.headers.get('content-type') ?? '';
    const text = bytes.toString('utf8');
    let parsed: unknown = undefined;
    if (contentType.includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    const res: Res = {
      status: response.status,
      headers: response.headers,
      contentType,
      bytes,
      text,
      body: parsed,
    };
    if (!opts.raw) checkAgainstSpec(method, url.pathname, res);
    return res;
  }

  get = (path: string, opts?: RequestOptions): Promise<Res> => this.request('GET', path, opts);
  post = (path: string, opts?: RequestOptions): Promise<Res> => this.request('POST', path, opts);
  put = (path: string, opts?: RequestOptions): Promise<Res> => this.request('PUT', path, opts);
  delete = (path: string, opts?: RequestOptions): Promise<Res> => this.request('DELETE', path, opts);
  patch = (path: string, opts?: RequestOptions): Promise<Res> => this.request('PATCH', path, opts);
}

export interface TestEnv {
  emu: RunningEmulator;
  alice: Client;
  bob: Client;
  anon: Client;
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEnv> {
  const emu = await startEmulator({
    port: 0,
    providers: { default: { pickupMs: 20, runMs: 40 } },
    // scripts/canary.mjs sets F7CLOUD_CANARY and searches everything the tests print or write for it.
    ...(process.env.F7CLOUD_CANARY
      ? { users: [{ user: 'alice', appPassword: process.env.F7CLOUD_CANARY }, { user: 'bob' }] }
      : {}),
    ...options,
  });
  const [a, b] = emu.users;
  return {
    emu,
    alice: new Client(emu.url, { user: a!.user, password: a!.appPassword }),
    bob: new Client(emu.url, { user: b!.user, password: b!.appPassword }),
    anon: new Client(emu.url, null),
  };
}

/** OCS `data` of a JSON answer. */
export function data<T = unknown>(res: Res): T {
  return (res.body as Ocs<T>).ocs.data;
}

export const API = '/ocs/v2.php/apps/assistant/api/v1';
export const CHAT = '/ocs/v2.php/apps/assistant/chat';
export const TP = '/ocs/v2.php/taskprocessing';

/** Polls until `check` returns something truthy, or fails after `timeoutMs` (sized for a loaded machine). */
export async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 15));
  }
}

export async function waitTask(c: Client, id: number): Promise<Task> {
  return until(async () => {
    const t = data<{ task: Task }>(await c.get(`${TP}/task/${id}`)).task;
    return ['STATUS_SUCCESSFUL', 'STATUS_FAILED', 'STATUS_CANCELLED'].includes(t.status) ? t : undefined;
  });
}

export async function schedule(
  c: Client,
  type: string,
  input: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<Task> {
  const res = await c.post(`${TP}/schedule`, { json: { type, input, appId: 'test', ...extra } });
  if (res.status !== 200) throw new Error(`schedule failed: ${res.status} ${res.text}`);
  return data<{ task: Task }>(res).task;
}

export async function davPut(
  c: Client,
  user: string,
  path: string,
  content: string | Buffer,
): Promise<number> {
  const res = await c.put(`/remote.php/dav/files/${user}/${path}`, {
    body: content,
    ocs: false,
    accept: null,
  });
  if (res.status !== 201 && res.status !== 204) throw new Error(`PUT ${path}: ${res.status}`);
  return parseInt(res.headers.get('oc-fileid') ?? '', 10);
}
