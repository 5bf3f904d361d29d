import {
  APP_PASSWORD_ADVICE,
  FIELD_LABELS,
  PRODUCT_NAME,
  insecureHttpWarning,
} from '@f7cloud/assistant-client';
import { NodeHelpers } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';
import { F7CloudAssistantApi } from '../credentials/F7CloudAssistantApi.credentials';

describe('credential', () => {
  const credential = new F7CloudAssistantApi();

  it('has the fields users fill in, with the app password hidden', () => {
    expect(credential.name).toBe('f7CloudAssistantApi');
    expect(credential.properties.map((p) => [p.name, p.type, p.typeOptions?.password ?? false])).toEqual([
      ['serverUrl', 'string', false],
      ['insecureHttpNotice', 'notice', false],
      ['user', 'string', false],
      ['appPassword', 'string', true],
      ['ignoreSslIssues', 'boolean', false],
    ]);
  });

  it("is named and labelled with core's words (the same as in Node-RED)", () => {
    // In title case, as n8n's linter requires (and as the node names are).
    expect(credential.displayName).toBe(
      `${PRODUCT_NAME.charAt(0).toUpperCase()}${PRODUCT_NAME.slice(1)} API`,
    );
    const label = (name: 'serverUrl' | 'user' | 'appPassword') =>
      credential.properties.find((p) => p.name === name)?.displayName;
    expect([label('serverUrl'), label('user'), label('appPassword')]).toEqual([
      FIELD_LABELS.serverUrl,
      FIELD_LABELS.user,
      FIELD_LABELS.appPassword,
    ]);
  });

  it('gives the one app-password advice core uses', () => {
    const field = credential.properties.find((p) => p.name === 'appPassword');
    expect(field?.description).toBe(APP_PASSWORD_ADVICE);
  });

  // The editor decides with n8n-workflow's displayParameter, on the credential's values.
  it.each([
    'http://cloud.example.com',
    'HTTP://Cloud.Example.com/nextcloud/',
    'http://192.168.1.5:8080',
    ' http://10.0.0.1',
    'http://localhost.example.com',
    'http://127.0.0.1.example.com',
    'https://cloud.example.com',
    'http://localhost:8080',
    'http://LOCALHOST',
    'http://127.0.0.1:8080/',
    'http://127.1.2.3',
    'http://[::1]:8080',
    'http://localhost?x=1',
    'cloud.example.com',
    '',
  ])('shows the plain-http notice for %j exactly when core warns about it', (serverUrl) => {
    const notice = credential.properties.find((p) => p.name === 'insecureHttpNotice')!;
    const shown = NodeHelpers.displayParameter({ serverUrl }, notice, null, null);
    expect(shown).toBe(insecureHttpWarning(serverUrl) !== undefined);
  });

  it('does not guess about a Server URL given as an expression', () => {
    const notice = credential.properties.find((p) => p.name === 'insecureHttpNotice')!;
    const serverUrl = '={{ "http://cloud.example.com" }}';
    expect(NodeHelpers.displayParameter({ serverUrl }, notice, null, null)).toBe(false);
  });

  it('authenticates with HTTP Basic from the user and app password', () => {
    expect(credential.authenticate).toEqual({
      type: 'generic',
      properties: { auth: { username: '={{$credentials.user}}', password: '={{$credentials.appPassword}}' } },
    });
  });
});
