import { createClient, type AssistantClient } from '@f7cloud/assistant-client';
import type { IAllExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import { createN8nTransport, CREDENTIAL_TYPE } from './n8n-transport';
import { DEFAULT_RATE_LIMIT_POLICY } from './rate-limit';

export { CREDENTIAL_TYPE };

type ClientContext = Pick<IAllExecuteFunctions, 'helpers' | 'getCredentials'> & {
  getExecutionCancelSignal?: () => AbortSignal | undefined;
};

export interface ClientOptions {
  /** Longest wait for one rate-limited request, in milliseconds. */
  maxRateLimitWaitMs?: number;
}

/**
 * A core client whose requests go through n8n's authenticated request helper. The password never passes
 * through core: n8n adds the credential to each request itself.
 */
export async function getClient(ctx: ClientContext, options: ClientOptions = {}): Promise<AssistantClient> {
  const credentials = await ctx.getCredentials<{
    serverUrl?: string;
    user?: string;
    ignoreSslIssues?: boolean;
  }>(CREDENTIAL_TYPE);
  const signal = ctx.getExecutionCancelSignal?.();
  const transport = createN8nTransport(ctx, {
    allowUnauthorizedCerts: credentials.ignoreSslIssues === true,
    rateLimit: {
      ...DEFAULT_RATE_LIMIT_POLICY,
      ...(options.maxRateLimitWaitMs !== undefined ? { maxWaitMs: options.maxRateLimitWaitMs } : {}),
    },
    ...(signal ? { signal } : {}),
  });
  return createClient({
    baseUrl: String(credentials.serverUrl ?? ''),
    // n8n adds the credential to each request; core only needs the login name for WebDAV paths.
    user: String(credentials.user ?? ''),
    transport,
    sleep: async (ms: number, abort?: AbortSignal) => await sleep(ms, abort ?? signal),
  });
}
