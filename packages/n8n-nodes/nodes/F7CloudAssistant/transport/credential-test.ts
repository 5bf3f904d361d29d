import {
  AssistantError,
  createClient,
  credentialSecrets,
  normalizeBaseUrl,
  type AssistantWarning,
} from '@f7cloud/assistant-client';
import type {
  ICredentialsDecrypted,
  ICredentialTestFunctions,
  IHttpRequestOptions,
  INodeCredentialTestResult,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import { n8nHint } from '../helpers/errors';
import { sanitizedError, transportOver, type HelperResponse, type SendRequest } from './n8n-transport';

/** How long the test waits for the server's first answer (a host that never answers fails in time). */
export const CREDENTIAL_TEST_TIMEOUT_MS = 20_000;

/**
 * The credential test's request helper, shaped like the node's: the login is added here (n8n's helper adds
 * none for a test), and redirects come back unfollowed, so the transport decides (same origin only). The
 * lint rule that asks for `httpRequest` instead does not know that a test has none (n8n-io/n8n#25190).
 */
function legacyHelper(
  ctx: ICredentialTestFunctions,
  authorization: string,
  secrets: readonly string[],
): SendRequest {
  return async (options: IHttpRequestOptions): Promise<HelperResponse> => {
    try {
      // n8n 2.41 gives a credential test no HTTP helper but the legacy `request` (ICredentialTestFunctions).
      return (await ctx.helpers.request({
        uri: options.url,
        method: options.method ?? 'GET',
        headers: { ...(options.headers ?? {}), authorization },
        ...(options.body !== undefined ? { body: options.body } : {}),
        encoding: null,
        json: false,
        resolveWithFullResponse: true,
        simple: false,
        followRedirect: false,
        followAllRedirects: false,
        maxRedirects: 0,
        sendCredentialsOnCrossOriginRedirect: false,
        rejectUnauthorized: options.skipSslCertificateValidation !== true,
        timeout: CREDENTIAL_TEST_TIMEOUT_MS,
      })) as HelperResponse;
    } catch (error) {
      throw sanitizedError(error, secrets);
    }
  };
}

function failure(error: unknown): INodeCredentialTestResult {
  if (AssistantError.isInstance(error)) {
    const hint = n8nHint(error) ?? error.hint;
    return { status: 'Error', message: hint ? `${error.summary} ${hint}` : error.summary };
  }
  return { status: 'Error', message: error instanceof Error ? error.message : String(error) };
}

/**
 * n8n's "Test" button: the Server URL read as the node reads it (core's normalisation, so a deep link the
 * node accepts passes here too), then the assistant's task types with the login. What fails is said in
 * core's words with the next step (wrong app password, assistant app missing, host unreachable or not
 * found by name, certificate refused, redirect to another address), on the credential dialog itself.
 */
export async function testCredential(
  this: ICredentialTestFunctions,
  credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
  const data = credential.data ?? {};
  const user = String(data.user ?? '').trim();
  const appPassword = String(data.appPassword ?? '');
  let baseUrl: string;
  try {
    baseUrl = normalizeBaseUrl(String(data.serverUrl ?? ''));
  } catch (error) {
    return failure(error);
  }
  if (!user || !appPassword) {
    return {
      status: 'Error',
      message: `Enter your login name and an app password. Nothing was sent.`,
    };
  }
  const secrets = credentialSecrets({ user, appPassword });
  const authorization = `Basic ${Buffer.from(`${user}:${appPassword}`).toString('base64')}`;
  const transport = transportOver(legacyHelper(this, authorization, secrets), {
    allowUnauthorizedCerts: data.ignoreSslIssues === true,
    secrets,
  });
  const warnings: AssistantWarning[] = [];
  const client = createClient({
    baseUrl,
    user,
    transport,
    secrets,
    onWarning: (warning) => warnings.push(warning),
    sleep: async (ms: number, signal?: AbortSignal) => await sleep(ms, signal),
    // One look, no waiting: the user is watching the dialog.
    retry: { retries: 0, maxRateLimitWaitMs: 0 },
  });
  try {
    const types = await client.taskTypes();
    const host = new URL(baseUrl).host;
    const notes = warnings.filter((w) => w.code === 'insecure_http').map((w) => ` ${w.message}`);
    return {
      status: 'OK',
      message: `Connected to ${host} as ${user}: the assistant offers ${types.length} task type${types.length === 1 ? '' : 's'}.${notes.join('')}`,
    };
  } catch (error) {
    return failure(error);
  }
}

/**
 * Every node's `methods.credentialTest`; each node's credentials entry names it literally (n8n's linter
 * reads it there): `{ name: 'f7CloudAssistantApi', required: true, testedBy: 'f7CloudAssistantApiTest' }`.
 */
export const credentialTestMethods = { f7CloudAssistantApiTest: testCredential };
