import { createClient, credentialSecrets, type AssistantClient } from '@f7cloud/assistant-client';
import type { IAllExecuteFunctions, IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import { createN8nTransport, CREDENTIAL_TYPE } from './n8n-transport';

export { CREDENTIAL_TYPE };

/** Default budget for waiting out the schedule rate limit, per request. */
export const DEFAULT_MAX_RATE_LIMIT_WAIT_MS = 5 * 60_000;

type ClientContext = Pick<IAllExecuteFunctions, 'helpers' | 'getCredentials'> & {
  getExecutionCancelSignal?: () => AbortSignal | undefined;
  // Not in every context (trigger polls, option loaders): warnings then go nowhere.
  addExecutionHints?: IExecuteFunctions['addExecutionHints'];
};

export interface ClientOptions {
  /** Longest wait for one rate-limited request, in milliseconds. */
  maxRateLimitWaitMs?: number;
  /** Schedule calls the server allows per window, when its administrator changed Nextcloud's 20. */
  scheduleLimit?: number;
}

/**
 * A core client whose requests go through n8n's authenticated request helper: n8n adds the credential to
 * each request itself. Core still gets the strings the credential contributes, to scrub them from every
 * error, and warns (as an execution hint) when they would travel over plain http to another machine.
 */
export async function getClient(ctx: ClientContext, options: ClientOptions = {}): Promise<AssistantClient> {
  const credentials = await ctx.getCredentials<{
    serverUrl?: string;
    user?: string;
    appPassword?: string;
    ignoreSslIssues?: boolean;
  }>(CREDENTIAL_TYPE);
  const signal = ctx.getExecutionCancelSignal?.();
  const secrets = credentialSecrets({
    user: String(credentials.user ?? ''),
    appPassword: String(credentials.appPassword ?? ''),
  });
  const transport = createN8nTransport(ctx, {
    allowUnauthorizedCerts: credentials.ignoreSslIssues === true,
    secrets,
    ...(signal ? { signal } : {}),
  });
  return createClient({
    baseUrl: String(credentials.serverUrl ?? ''),
    // n8n adds the credential to each request; core only needs the login name for WebDAV paths.
    user: String(credentials.user ?? ''),
    transport,
    secrets,
    onWarning: (warning) => ctx.addExecutionHints?.({ message: warning.message, location: 'outputPane' }),
    // Core aborts its own sleeps to wake a wait early (a list round of another wait read its task):
    // that ends the sleep, not the wait. n8n's sleep rejects on abort, so it only gets the execution's
    // signal (a cancelled execution ends the wait) and a private one to clear its timer.
    sleep: async (ms: number, abort?: AbortSignal) =>
      await new Promise<void>((resolve, reject) => {
        if (abort?.aborted) return resolve();
        const stop = new AbortController();
        const wake = () => {
          resolve();
          stop.abort();
        };
        abort?.addEventListener('abort', wake, { once: true });
        sleep(ms, signal ? AbortSignal.any([signal, stop.signal]) : stop.signal).then(
          () => {
            abort?.removeEventListener('abort', wake);
            resolve();
          },
          (error: unknown) => {
            abort?.removeEventListener('abort', wake);
            reject(error);
          },
        );
      }),
    // A 429 proves the server did nothing: core waits it out (client-wide) within this budget.
    retry: { maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? DEFAULT_MAX_RATE_LIMIT_WAIT_MS },
    ...(options.scheduleLimit ? { scheduleLimit: options.scheduleLimit } : {}),
  });
}
