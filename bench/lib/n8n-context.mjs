// A stand-in for n8n's execute context, enough to run the built n8n node over many items: parameters in,
// requests out through n8n's authenticated request helper (here: fetch adding Basic auth like n8n does).
// A JavaScript twin of packages/n8n-nodes/test/support/context.ts, for the built dist.

/** @param {{serverUrl: string, user: string, appPassword: string}} credentials */
export function n8nContext({ credentials, items, parameters }) {
  const node = {
    id: 'bench-node',
    name: 'f7cloud Assistant',
    type: 'CUSTOM.f7CloudAssistant',
    typeVersion: 1,
    position: [0, 0],
    parameters: {},
  };
  const lookup = (source, path) => {
    let current = source;
    for (const key of path.split('.')) {
      if (current === null || typeof current !== 'object' || !(key in current)) return undefined;
      current = current[key];
    }
    return current;
  };
  const authorization = `Basic ${Buffer.from(`${credentials.user}:${credentials.appPassword}`).toString('base64')}`;
  const requests = [];
  return {
    requests,
    context: {
      getInputData: () => items,
      getNode: () => node,
      getMode: () => 'manual',
      continueOnFail: () => false,
      getExecutionCancelSignal: () => undefined,
      addExecutionHints: () => {},
      getWorkflowStaticData: () => ({}),
      getCredentials: async () => credentials,
      getNodeParameter: (name, second, third) => {
        const itemIndex = typeof second === 'number' ? second : 0;
        const fallback = typeof second === 'number' ? third : second;
        const value = lookup(parameters(itemIndex), name);
        if (value === undefined) {
          if (fallback !== undefined) return fallback;
          throw new Error(`bench did not set parameter "${name}"`);
        }
        return value;
      },
      helpers: {
        httpRequestWithAuthentication: async (_type, options) => {
          requests.push(options);
          const headers = new Headers();
          for (const [k, v] of Object.entries(options.headers ?? {})) headers.set(k, String(v));
          headers.set('authorization', authorization);
          const body = options.body;
          const res = await fetch(options.url, {
            method: options.method ?? 'GET',
            headers,
            ...(body !== undefined ? { body: typeof body === 'string' ? body : new Uint8Array(body) } : {}),
          });
          return {
            statusCode: res.status,
            headers: Object.fromEntries(res.headers.entries()),
            body: Buffer.from(await res.arrayBuffer()),
          };
        },
      },
    },
  };
}
