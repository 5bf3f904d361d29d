import { APP_PASSWORD_ADVICE } from '@f7cloud/assistant-client';
import type { IAuthenticateGeneric, Icon, ICredentialType, INodeProperties } from 'n8n-workflow';
import { insecureHttpNotice } from '../nodes/F7CloudAssistant/transport/credential-test';

export class F7CloudAssistantApi implements ICredentialType {
  name = 'f7CloudAssistantApi';

  // The brand is written lower-case (core's PRODUCT_NAME, as in the node names); a test keeps them equal.
  // eslint-disable-next-line n8n-nodes-base/cred-class-field-display-name-miscased
  displayName = 'f7cloud Assistant API';

  icon: Icon = { light: 'file:../icons/f7cloud.svg', dark: 'file:../icons/f7cloud.dark.svg' };

  documentationUrl =
    'https://github.com/f7cloud/assistant-workflow-toolkit/tree/main/packages/n8n-nodes#credentials';

  properties: INodeProperties[] = [
    {
      displayName: 'Server URL',
      name: 'serverUrl',
      type: 'string',
      default: '',
      placeholder: 'https://cloud.example.com',
      description: 'Address of your f7cloud or Nextcloud server, as you open it in the browser',
      required: true,
    },
    insecureHttpNotice,
    {
      displayName: 'User',
      name: 'user',
      type: 'string',
      default: '',
      description: 'Your login name on the server',
      required: true,
    },
    {
      displayName: 'App Password',
      name: 'appPassword',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description: APP_PASSWORD_ADVICE,
      required: true,
    },
    {
      displayName: 'Ignore SSL Issues (Insecure)',
      name: 'ignoreSslIssues',
      type: 'boolean',
      default: false,
      description:
        'Whether to connect even if the server certificate cannot be verified (self-signed certificates). Only use this on a network you trust.',
    },
  ];

  authenticate: IAuthenticateGeneric = {
    type: 'generic',
    properties: {
      auth: {
        username: '={{$credentials.user}}',
        password: '={{$credentials.appPassword}}',
      },
    },
  };

  // No declarative `test`: n8n would prefer it to the nodes' testedBy method (credential-test.ts), which
  // reads the Server URL as the node does and says what is wrong in words the declarative test cannot.
}
