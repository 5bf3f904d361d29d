// client.server(): versions and features from the capabilities and task types, read once; operations newer
// than the server refused before anything is sent.
import { describe, expect, it } from 'vitest';
import { AssistantError, compareVersions, operations } from '../src/index.js';
import { capabilities } from './capabilities.js';
import { ocs, succeeded, testClient, type Seen } from './helpers.js';

const chatType = { id: 'chatty-llm', name: 'Chat with AI', description: '', priority: 1, inputShape: [] };
const agentType = { ...chatType, id: 'core:contextagent:interaction', name: 'Context agent' };

function server(assistant: string | null, nextcloud?: string, types: unknown[] = [chatType]) {
  return (req: Seen) => {
    if (req.path === '/ocs/v2.php/cloud/capabilities') return capabilities(assistant, nextcloud);
    if (req.path.endsWith('/task-types')) return ocs({ types });
    if (req.path === '/ocs/v2.php/apps/assistant/assignments') return ocs({ assignments: [] });
    return ocs(null, 404);
  };
}

describe('client.server()', () => {
  it('reports a 2.13 server on Nextcloud 31: no newer features, reading capabilities and task types once', async () => {
    const { client, requests } = testClient(server('2.13.0', '31.0.2'));
    const info = await client.server();
    expect(info.assistantVersion).toBe('2.13.0');
    expect(info.nextcloudVersion).toBe('31.0.2');
    expect(info.features).toEqual({
      restfulSessions: false,
      assignments: false,
      skills: false,
      assistantFolderPath: false,
      streaming: false,
      watermark: false,
      userFacingErrors: false,
      queuePosition: false,
      agency: false,
    });
    expect(info.taskTypes.map((t) => t.id)).toEqual(['chatty-llm']);
    await client.server();
    expect(requests.map((r) => r.path)).toEqual([
      '/ocs/v2.php/cloud/capabilities',
      '/ocs/v2.php/apps/assistant/api/v1/task-types',
    ]);
    await client.server({ refresh: true });
    expect(requests).toHaveLength(4);
  });

  it('reports a 3.5 server on Nextcloud 33 with RESTful sessions, watermark and user-facing errors', async () => {
    const { client } = testClient(server('3.5.0', '33.0.1'));
    const { features } = await client.server();
    expect(features).toMatchObject({
      restfulSessions: true,
      assignments: false,
      skills: false,
      watermark: true,
      userFacingErrors: true,
      streaming: false,
    });
  });

  it('reports a 4.0 server on Nextcloud 35 with everything, and agency when the context agent is there', async () => {
    const { client } = testClient(server('4.0.0', '35.0.0', [chatType, agentType]));
    const info = await client.server();
    expect(info.features).toEqual({
      restfulSessions: true,
      assignments: true,
      skills: true,
      assistantFolderPath: true,
      streaming: true,
      watermark: true,
      userFacingErrors: true,
      queuePosition: false,
      agency: true,
    });
    expect(info.supports('assignments_api-create-user-assignment')).toBe(true);
  });

  it('takes RESTful sessions as present from 3.3 on (older than the 3.5 spec)', async () => {
    const { client } = testClient(server('3.3.2'));
    const info = await client.server();
    expect(info.features.restfulSessions).toBe(true);
    expect(info.supports('assignments_api-get-user-assignments')).toBe(false);
  });

  it('does not keep a failed read: the next call asks again', async () => {
    let fail = true;
    const { client, requests } = testClient((req) => {
      if (fail) return ocs(null, 503);
      return server('4.0.0')(req);
    });
    const error = await client.server().then(succeeded, (e) => e);
    expect(AssistantError.isInstance(error)).toBe(true);
    fail = false;
    expect((await client.server()).assistantVersion).toBe('4.0.0');
    expect(requests.length).toBeGreaterThan(2);
  });
});

describe('operations newer than the server', () => {
  it('are refused with `unsupported` before anything is sent, naming the version they need', async () => {
    const { client, requests } = testClient(server('2.13.0'));
    const error = await client.call('assignments_api-get-user-assignments').then(succeeded, (e) => e);
    expect(error).toMatchObject({ code: 'unsupported', sent: false, retryable: false });
    expect(error.message).toMatch(/needs assistant 4\.0 or newer; this server runs assistant 2\.13\.0/);
    expect(error.message.endsWith('Nothing was sent.')).toBe(true);
    expect(requests.some((r) => r.path.includes('/assignments'))).toBe(false);
  });

  it('are sent to a server that has them, after one capabilities read', async () => {
    const { client, requests } = testClient(server('4.0.0', '35.0.0'));
    expect(await client.call('assignments_api-get-user-assignments')).toEqual({ assignments: [] });
    await client.call('assignments_api-get-user-assignments');
    expect(requests.filter((r) => r.path === '/ocs/v2.php/cloud/capabilities')).toHaveLength(1);
    expect(requests.filter((r) => r.path.endsWith('/assignments'))).toHaveLength(2);
  });

  it('say the assistant app is missing when the capabilities do not list it', async () => {
    const { client, requests } = testClient(server(null));
    const error = await client.call('agent_skills_api-list-skills').then(succeeded, (e) => e);
    expect(error).toMatchObject({ code: 'app_disabled', sent: false });
    expect(requests.map((r) => r.path)).toEqual(['/ocs/v2.php/cloud/capabilities']);
  });

  it('of the 2.13 contract are sent without asking for the capabilities', async () => {
    const { client, requests } = testClient(server('2.13.0'));
    await client.taskTypes();
    expect(requests.map((r) => r.path)).toEqual(['/ocs/v2.php/apps/assistant/api/v1/task-types']);
  });

  it('each name the first assistant version that has it, in the one operation table', () => {
    const since = Object.fromEntries(Object.entries(operations).map(([id, op]) => [id, op.since]));
    expect(since['chattyllm-generate-for-session']).toBe('2.13');
    expect(since['task_processing_api-schedule']).toBe('2.13');
    expect(since['chattyllm-new-session-restful']).toBe('3.3');
    expect(since['assignments_api-create-user-assignment']).toBe('4.0');
    expect(since['agent_skills_api-store-skill']).toBe('4.0');
  });
});

describe('compareVersions', () => {
  it('orders dotted versions numerically', () => {
    expect(compareVersions('3.10.0', '3.3')).toBe(1);
    expect(compareVersions('4.0', '4.0.0')).toBe(0);
    expect(compareVersions('2.13.0', '3.3')).toBe(-1);
  });
});
