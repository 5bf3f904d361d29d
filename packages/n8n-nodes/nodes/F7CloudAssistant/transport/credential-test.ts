import { OCS_REQUEST, operations } from '@f7cloud/assistant-client';
import type { ICredentialTestRequest, INodeProperties } from 'n8n-workflow';

// n8n runs this request itself (with the credential's Basic auth) when the user clicks "Test". The route
// and headers come from core's operation table; only the messages for n8n's rules are ours.
const taskTypes = operations['assistant_api-get-available-task-types'];

export const credentialTestRequest: ICredentialTestRequest = {
  request: {
    baseURL: '={{$credentials.serverUrl.trim().replace(/\\/+$/, "")}}',
    url: taskTypes.path.replace('{apiVersion}', 'v1'),
    method: taskTypes.method,
    headers: { ...OCS_REQUEST.headers },
    qs: { ...OCS_REQUEST.query },
    skipSslCertificateValidation: '={{$credentials.ignoreSslIssues}}',
    // A redirect would take the credential along, to any host: report it instead of following it.
    disableFollowRedirect: true,
    sendCredentialsOnCrossOriginRedirect: false,
  },
  rules: [
    ...[301, 302, 303, 307, 308].map((value) => ({
      type: 'responseCode' as const,
      properties: {
        value,
        message: `The server answered with a redirect (HTTP ${value}), which was not followed so the app password stays with this address. Enter the address you end up at in the browser as Server URL (often https:// instead of http://, or with the path of a sub-folder install).`,
      },
    })),
    {
      type: 'responseCode',
      properties: {
        value: 404,
        message:
          'The server answered, but the Assistant app is not installed or not enabled there (or the Server URL is not the server root). Ask the admin to enable the Assistant app.',
      },
    },
    {
      type: 'responseCode',
      properties: {
        value: 412,
        message:
          'The server refused the request (CSRF check). Check that the Server URL points to an f7cloud / Nextcloud server.',
      },
    },
  ],
};

// Case-insensitive without flags (display conditions take a bare pattern).
const anyCase = (word: string) =>
  [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c)).join('');

/**
 * Shown under Server URL while it is plain http:// to a host that is not loopback: the condition core's
 * insecure-http warning uses (localhost, 127.0.0.0/8, [::1] are fine). A credential field cannot show the
 * host itself; the execution hint from core's warning names it when the node runs.
 */
export const INSECURE_HTTP_PATTERN = `\\s*${anyCase('http')}://(?!(?:${anyCase('localhost')}|127(?:\\.\\d{1,3}){3}|\\[::1\\])(?::\\d*)?(?:[/?#]|\\s*$))[^\\s/?#]`;

export const insecureHttpNotice: INodeProperties = {
  displayName:
    'The app password is sent over plain http:// to this server: anyone on the network path can read it. Use https:// for this server.',
  name: 'insecureHttpNotice',
  type: 'notice',
  default: '',
  // Written as "hide unless": n8n shows any "show" parameter while the value is an expression, which is
  // only known at run time (then the execution hint speaks).
  displayOptions: {
    hide: {
      serverUrl: [{ _cnd: { regex: `^(?!${INSECURE_HTTP_PATTERN})` } }, { _cnd: { startsWith: '=' } }],
    },
  },
};
