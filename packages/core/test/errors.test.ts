import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AssistantError, createClient } from '../src/index.js';
import { APP_PASSWORD, json, ocs, task, testClient } from './helpers.js';

const loginPage = '<!DOCTYPE html><html><head><title>Login</title></head><body>Log in</body></html>';

describe('errors a user can act on', () => {
  it.each([
    [
      'a wrong app password',
      () =>
        json(
          {
            ocs: {
              meta: { status: 'failure', statuscode: 997, message: 'Current user is not logged in' },
              data: [],
            },
          },
          401,
        ),
      'auth',
      /app password/,
    ],
    [
      'a login page in front of the server',
      () => ({ status: 200, headers: { 'content-type': 'text/html; charset=UTF-8' }, body: loginPage }),
      'not_assistant_server',
      /web page instead of an API answer/,
    ],
    [
      'a proxy that strips Accept',
      () => ({
        status: 200,
        headers: { 'content-type': 'application/xml; charset=utf-8' },
        body: '<?xml version="1.0"?><ocs/>',
      }),
      'not_assistant_server',
      /XML instead of JSON/,
    ],
    [
      'JSON from something that is not the server',
      () => json({ hello: 'world' }),
      'not_assistant_server',
      /without the OCS envelope/,
    ],
    [
      'the assistant app missing',
      () => ({
        status: 404,
        headers: { 'content-type': 'text/xml; charset=UTF-8' },
        body: '<?xml version="1.0"?><ocs><meta><status>failure</status><statuscode>998</statuscode><message>Invalid query</message></meta></ocs>',
      }),
      'app_disabled',
      /Assistant app is installed and enabled/,
    ],
    [
      'maintenance mode',
      () => ({
        status: 503,
        headers: { 'x-nextcloud-maintenance-mode': '1', 'content-type': 'application/json' },
        body: '{}',
      }),
      'maintenance',
      /maintenance mode/,
    ],
    [
      'a rate limit',
      () => ({ status: 429, headers: { 'retry-after': '30' }, body: '' }),
      'rate_limited',
      /Try again in 30 s/,
    ],
    [
      'a proxy that strips OCS-APIRequest',
      () => json({ message: 'CSRF check failed' }, 412),
      'not_assistant_server',
      /OCS-APIRequest/,
    ],
  ])('%s', async (_, answer, code, message) => {
    const { client } = testClient(answer, { retry: { retries: 0 } });
    const error = await client.taskTypes().catch((e) => e);
    expect(AssistantError.isInstance(error)).toBe(true);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.operationId).toBe('assistant_api-get-available-task-types');
  });

  it('broken JSON on a read is retried, then reported', async () => {
    let calls = 0;
    const { client } = testClient(
      () => (
        ++calls,
        { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ocs":{"meta":' }
      ),
    );
    const error = await client.taskTypes().catch((e) => e);
    expect(error.code).toBe('server');
    expect(error.message).toMatch(/invalid or cut-off JSON/);
    expect(calls).toBe(4);
  });

  it('a network failure names the host and what to check', async () => {
    const { client } = testClient(() => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
    });
    const error = await client.tasks.get(1).catch((e) => e);
    expect(error).toMatchObject({ code: 'network' });
    expect(error.message).toMatch(/cloud\.example\.com could not be resolved/);
  });

  it('an untrusted certificate says how to fix it', async () => {
    const { client } = testClient(() => {
      throw Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    });
    const error = await client.tasks.get(1).catch((e) => e);
    expect(error.code).toBe('tls');
    expect(error.message).toMatch(/configure its CA certificate/);
  });

  it('never shows the app password, even when the server echoes it', async () => {
    const basic = Buffer.from(`alice:${APP_PASSWORD}`).toString('base64');
    const { client } = testClient((req) =>
      ocs({ message: `bad header ${req.headers.Authorization} for ${APP_PASSWORD}` }, 400),
    );
    const error = await client.tasks.get(1).catch((e) => e);
    const everything = [
      error.message,
      error.serverMessage,
      JSON.stringify(error),
      inspect(error, { depth: 10, showHidden: true }),
      String(error.stack),
    ].join('\n');
    expect(everything).not.toContain(APP_PASSWORD);
    expect(everything).not.toContain(basic);
    expect(everything).toContain('[redacted]');
  });

  it('is recognised across bundles by its global marker', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('f7cloud.assistant.error')]: true });
    expect(AssistantError.isInstance(foreign)).toBe(true);
    expect(AssistantError.isInstance(new Error('x'))).toBe(false);
  });

  it.each([
    [-1, /positive whole number/],
    [0, /positive whole number/],
    [1.5, /positive whole number/],
    ['abc', /got "abc"/],
    [Number.MAX_SAFE_INTEGER + 2, /positive whole number/],
  ])('refuses the id %s before sending', async (id, message) => {
    const { client, requests } = testClient(() => ocs({}));
    await expect(client.tasks.get(id as number)).rejects.toThrow(message);
    expect(requests).toHaveLength(0);
  });

  it('accepts numeric ids given as text (from expressions)', async () => {
    const { client, requests } = testClient(() => ocs({ task: task({ id: 12 }) }));
    await client.tasks.get('12' as unknown as number);
    expect(requests[0]!.path).toBe('/ocs/v2.php/taskprocessing/task/12');
  });

  it('checks credentials when the client is made', () => {
    const make = (auth: unknown) => () =>
      createClient({
        baseUrl: 'https://x',
        auth: auth as never,
        transport: async () => ({ status: 200, headers: {}, body: null }),
        sleep: async () => {},
      });
    expect(make({ user: '', appPassword: 'p' })).toThrow(/user is empty/);
    expect(make({ user: 'alice', appPassword: '' })).toThrow(/app password is empty/);
    expect(make({ user: 'a:b', appPassword: 'p' })).toThrow(/contains ":"/);
    expect(make({ token: ' ' })).toThrow(/token is empty/);
  });
});
