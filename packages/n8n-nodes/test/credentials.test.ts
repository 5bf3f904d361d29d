import { operations } from '@f7cloud/assistant-client';
import { describe, expect, it } from 'vitest';
import { F7CloudAssistantApi } from '../credentials/F7CloudAssistantApi.credentials';

describe('credential', () => {
  const credential = new F7CloudAssistantApi();

  it('has the fields users fill in, with the app password hidden', () => {
    expect(credential.name).toBe('f7CloudAssistantApi');
    expect(credential.properties.map((p) => [p.name, p.type, p.typeOptions?.password ?? false])).toEqual([
      ['serverUrl', 'string', false],
      ['user', 'string', false],
      ['appPassword', 'string', true],
      ['ignoreSslIssues', 'boolean', false],
    ]);
  });

  it('authenticates with HTTP Basic from the user and app password', () => {
    expect(credential.authenticate).toEqual({
      type: 'generic',
      properties: { auth: { username: '={{$credentials.user}}', password: '={{$credentials.appPassword}}' } },
    });
  });

  it("tests the login against the assistant's task types, with a clear message when the app is missing", () => {
    const route = operations['assistant_api-get-available-task-types'];
    expect(credential.test.request.url).toBe(route.path.replace('{apiVersion}', 'v1'));
    expect(credential.test.request.skipSslCertificateValidation).toBe('={{$credentials.ignoreSslIssues}}');
    const notFound = credential.test.rules?.find(
      (rule) => rule.type === 'responseCode' && rule.properties.value === 404,
    );
    expect(notFound?.properties.message).toContain('Assistant app is not installed or not enabled');
  });
});
