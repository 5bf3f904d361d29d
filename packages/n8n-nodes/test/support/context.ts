// A stand-in for n8n's execute/load-options/poll contexts: parameters in, requests out through a handler
// (usually a real emulator over HTTP), items back. Only what our nodes use is implemented.
import type { RunningEmulator } from '@f7cloud/assistant-emulator';
import type {
  IBinaryData,
  IDataObject,
  IHttpRequestOptions,
  INode,
  INodeExecutionData,
  NodeExecutionHint,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export interface FakeResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}
export type Handler = (options: IHttpRequestOptions) => Promise<FakeResponse>;

export interface Credentials {
  serverUrl: string;
  user: string;
  appPassword: string;
  ignoreSslIssues?: boolean;
}

/**
 * Sends what our transport hands to n8n's helper to a real server, adding Basic auth like n8n does. Like
 * n8n 2.41's helper it follows redirects unless told not to (disableFollowRedirect / maxRedirects: 0), and
 * then adds the credential again on every hop, to any host, unless sendCredentialsOnCrossOriginRedirect is
 * false (n8n's default is true).
 */
export function httpHandler(credentials: Credentials): Handler {
  const basic = `Basic ${Buffer.from(`${credentials.user}:${credentials.appPassword}`).toString('base64')}`;
  return async (options) => {
    const follow = options.disableFollowRedirect !== true && options.maxRedirects !== 0;
    const origin = new URL(options.url).origin;
    let url = options.url;
    let method = options.method ?? 'GET';
    let body = options.body as Buffer | string | undefined;
    for (let hop = 0; ; hop++) {
      const headers = new Headers();
      for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, String(value));
      if (new URL(url).origin === origin || options.sendCredentialsOnCrossOriginRedirect !== false)
        headers.set('authorization', basic);
      const res = await fetch(url, {
        method,
        headers,
        redirect: 'manual',
        ...(body !== undefined ? { body: typeof body === 'string' ? body : new Uint8Array(body) } : {}),
      });
      const location = res.headers.get('location');
      if (follow && location && res.status >= 300 && res.status < 400 && hop < 21) {
        await res.arrayBuffer();
        url = new URL(location, url).href;
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      return {
        statusCode: res.status,
        headers: Object.fromEntries(res.headers.entries()),
        body: Buffer.from(await res.arrayBuffer()),
      };
    }
  };
}

export function emulatorCredentials(emulator: RunningEmulator, user = 'alice'): Credentials {
  const found = emulator.users.find((u) => u.user === user);
  if (!found) throw new Error(`emulator has no user ${user}`);
  return { serverUrl: emulator.url, user: found.user, appPassword: found.appPassword };
}

export interface ContextOptions {
  parameters: Record<string, unknown> | ((itemIndex: number) => Record<string, unknown>);
  items?: INodeExecutionData[];
  credentials: Credentials;
  handler?: Handler;
  continueOnFail?: boolean;
  signal?: AbortSignal;
  mode?: 'manual' | 'trigger';
  staticData?: IDataObject;
  /** What $execution.resumeUrl evaluates to (n8n builds it from WEBHOOK_URL). */
  resumeUrl?: string;
}

export interface FakeContext {
  context: never;
  requests: IHttpRequestOptions[];
  hints: NodeExecutionHint[];
  staticData: IDataObject;
}

const node: INode = {
  id: 'node-1',
  name: 'f7cloud Assistant',
  type: 'CUSTOM.f7CloudAssistant',
  typeVersion: 1,
  position: [0, 0],
  parameters: {},
};

function lookup(source: Record<string, unknown>, path: string): unknown {
  let current: unknown = source;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !(key in (current as object))) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function binaryItem(
  fileName: string,
  mimeType: string,
  content: string | Uint8Array,
  json: IDataObject = {},
) {
  const data = Buffer.from(content);
  return {
    json,
    binary: { data: { data: data.toString('base64'), fileName, mimeType, fileSize: String(data.length) } },
  };
}

export function createContext(options: ContextOptions): FakeContext {
  const items: INodeExecutionData[] = options.items ?? [{ json: {} }];
  const requests: IHttpRequestOptions[] = [];
  const hints: NodeExecutionHint[] = [];
  const staticData: IDataObject = options.staticData ?? {};
  const handler = options.handler ?? httpHandler(options.credentials);
  const params = (i: number) =>
    typeof options.parameters === 'function' ? options.parameters(i) : options.parameters;

  const context = {
    getInputData: () => items,
    getNode: () => node,
    getMode: () => options.mode ?? 'manual',
    continueOnFail: () => options.continueOnFail ?? false,
    getExecutionCancelSignal: () => options.signal,
    addExecutionHints: (...added: NodeExecutionHint[]) => hints.push(...added),
    getWorkflowStaticData: () => staticData,
    evaluateExpression: (expression: string) => {
      if (expression.includes('$execution.resumeUrl'))
        return options.resumeUrl ?? 'https://n8n.example.com/webhook-waiting/4711';
      throw new Error(`unexpected expression ${expression}`);
    },
    getCredentials: async (type: string) => {
      if (type !== 'f7CloudAssistantApi') throw new Error(`unexpected credential type ${type}`);
      return options.credentials;
    },
    // Execute context: (name, itemIndex, fallback); load-options/poll context: (name, fallback).
    getNodeParameter: (name: string, second?: unknown, third?: unknown) => {
      const itemIndex = typeof second === 'number' ? second : 0;
      const fallback = typeof second === 'number' ? third : second;
      const value = lookup(params(itemIndex), name);
      if (value === undefined) {
        if (fallback !== undefined) return fallback;
        throw new Error(`test did not set parameter "${name}"`);
      }
      return value;
    },
    helpers: {
      httpRequestWithAuthentication: async (type: string, request: IHttpRequestOptions) => {
        if (type !== 'f7CloudAssistantApi') throw new Error(`unexpected credential type ${type}`);
        requests.push(request);
        const response = await handler(request);
        if (!request.returnFullResponse || !request.ignoreHttpStatusErrors) {
          throw new Error('the transport must ask for full responses without status errors');
        }
        return response;
      },
      assertBinaryData: (itemIndex: number, field: string): IBinaryData => {
        const binary = items[itemIndex]?.binary?.[field];
        if (!binary)
          throw new NodeOperationError(
            node,
            `This operation expects the node's input data to contain a binary file '${field}', but none was found [item ${itemIndex}]`,
          );
        return binary;
      },
      getBinaryDataBuffer: async (itemIndex: number, field: string) =>
        Buffer.from(items[itemIndex]?.binary?.[field]?.data ?? '', 'base64'),
      prepareBinaryData: async (
        data: Buffer,
        fileName?: string,
        mimeType?: string,
      ): Promise<IBinaryData> => ({
        data: data.toString('base64'),
        ...(fileName ? { fileName } : {}),
        mimeType: mimeType ?? 'application/octet-stream',
        fileSize: String(data.length),
      }),
    },
  };
  return { context: context as never, requests, hints, staticData };
}
