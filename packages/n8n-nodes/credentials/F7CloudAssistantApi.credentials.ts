import type { IAuthenticateGeneric, Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

// This file loads on its own (n8n lists credentials before any node runs): it requires nothing, not even
// core. Its words are copies of core's APP_PASSWORD_ADVICE and insecure-http rule, kept equal by
// test/credentials.test.ts.
const APP_PASSWORD_ADVICE =
  'Create an app password under Settings → Security → Devices & sessions on your server and enter it with your login name.';

// Case-insensitive without flags (display conditions take a bare pattern).
const anyCase = (word: string) =>
  [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c)).join('');

/**
 * Shown under Server URL while it is plain http:// to a host that is not loopback: the condition core's
 * insecure-http warning uses (localhost, 127.0.0.0/8, [::1] are fine). A credential field cannot show the
 * host itself; the execution hint from core's warning names it when the node runs.
 */
const INSECURE_HTTP_PATTERN = `\\s*${anyCase('http')}://(?!(?:${anyCase('localhost')}|127(?:\\.\\d{1,3}){3}|\\[::1\\])(?::\\d*)?(?:[/?#]|\\s*$))[^\\s/?#]`;

const insecureHttpNotice: INodeProperties = {
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

export class F7CloudAssistantApi implements ICredentialType {
  name = 'f7CloudAssistantApi';

  // Title case, as n8n's linter requires of a credential's name (and the node names follow): core's
  // PRODUCT_NAME with a capital first letter; a test keeps them equal. The `name` above stays, so
  // credentials saved under it keep working.
  displayName = 'F7cloud Assistant API';

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
