import { OCS_REQUEST, operations } from '@f7cloud/assistant-client';
import type { ICredentialTestRequest } from 'n8n-workflow';

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
  },
  rules: [
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
