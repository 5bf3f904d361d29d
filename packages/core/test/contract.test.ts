// The pieces hosts build on: safe file names, the strings a credential contributes, the insecure-http
// warning, errors with summary / hint / sent, response limits, deadlines and id checks.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  APP_PASSWORD_ADVICE,
  AssistantError,
  checkTaskInput,
  normalizeTaskType,
  createClient,
  credentialSecrets,
  insecureHttpWarning,
  safeFileName,
  type AssistantWarning,
} from '../src/index.js';
import { APP_PASSWORD, json, ocs, succeeded, task, testClient } from './helpers.js';

describe('safeFileName', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../../../tmp/evil.sh', 'evil.sh'],
    ['..\\..\\Windows\\win.ini', 'win.ini'],
    ['/etc/passwd', 'passwd'],
    ['folder/', 'file'],
    ['..', 'file'],
    ['.', 'file'],
    ['', 'file'],
    ['   ', 'file'],
    ['.bashrc', 'bashrc'],
    ['...hidden.txt', 'hidden.txt'],
    ['a\u0000b\u001fc\u007f.txt', 'abc.txt'],
    ['line\nbreak.md', 'linebreak.md'],
    ['  spaced name.md  ', 'spaced name.md'],
    ['Übersicht 🙂.md', 'Übersicht 🙂.md'],
  ])('%j → %j', (name, expected) => {
    expect(safeFileName(name)).toBe(expected);
  });

  it('uses the fallback for nothing usable and for non-text', () => {
    expect(safeFileName('../', 'download')).toBe('download');
    expect(safeFileName(undefined)).toBe('file');
    expect(safeFileName(42 as unknown)).toBe('file');
    expect(safeFileName({ toString: () => '../x' } as unknown, 'x.bin')).toBe('x.bin');
  });

  it('cuts long names to 200 characters and keeps the extension', () => {
    const cut = safeFileName(`${'a'.repeat(500)}.docx`);
    expect(Array.from(cut)).toHaveLength(200);
    expect(cut.endsWith('.docx')).toBe(true);
    const emoji = safeFileName('🙂'.repeat(300));
    expect(Array.from(emoji)).toHaveLength(200);
    expect(emoji).not.toMatch(/[\ud800-\udbff]$/);
  });
});

describe('credentialSecrets', () => {
  it('lists the app password, user:password and the Basic token', () => {
    const basic = Buffer.from('alice:pw-1').toString('base64');
    expect(credentialSecrets({ user: 'alice', appPassword: 'pw-1' }).sort()).toEqual(
      ['pw-1', 'alice:pw-1', basic].sort(),
    );
    expect(credentialSecrets({ token: 'tok-9' })).toEqual(['tok-9']);
    expect(credentialSecrets({ user: 'alice', appPassword: '' })).toEqual([]);
  });

  it('a client with host-managed auth scrubs the given secrets from every error text', async () => {
    const secrets = credentialSecrets({ user: 'alice', appPassword: APP_PASSWORD });
    const basic = Buffer.from(`alice:${APP_PASSWORD}`).toString('base64');
    const { client, requests } = testClient(
      () => ocs({ message: `refused Basic ${basic} (alice:${APP_PASSWORD})` }, 403),
      { auth: null, secrets },
    );
    const error = await client.tasks.get(3).then(succeeded, (e: unknown) => e as AssistantError);
    expect(requests[0]!.headers.Authorization).toBeUndefined();
    const text = [
      error.message,
      error.summary,
      error.hint,
      error.serverMessage,
      JSON.stringify(error),
    ].join();
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(APP_PASSWORD);
    expect(text).not.toContain(basic);
  });
});

describe('insecure http warning', () => {
  const message =
    'The app password is sent over plain http:// to cloud.example.com: anyone on the network path can read it. Use https:// for this server.';

  it.each([
    ['http://cloud.example.com', message],
    ['http://cloud.example.com:8080/sub', message.replace('cloud.example.com', 'cloud.example.com:8080')],
    ['http://192.168.1.5', message.replace('cloud.example.com', '192.168.1.5')],
    ['https://cloud.example.com', undefined],
    ['http://localhost:8080', undefined],
    ['http://127.0.0.1', undefined],
    ['http://127.8.9.10:1', undefined],
    ['http://[::1]:8080', undefined],
    ['not a url', undefined],
  ])('%s', (url, expected) => {
    expect(insecureHttpWarning(url)).toBe(expected);
  });

  it('is reported once, at the first request carrying credentials', async () => {
    const warnings: AssistantWarning[] = [];
    const { client, requests } = testClient(() => ocs({ task: task({ id: 7 }) }), {
      baseUrl: 'http://cloud.example.com',
      onWarning: (w) => warnings.push(w),
    });
    expect(warnings).toHaveLength(0);
    await client.tasks.get(7);
    await client.tasks.get(7);
    expect(requests).toHaveLength(2);
    expect(warnings).toEqual([{ code: 'insecure_http', message }]);
  });

  it('is not reported without credentials, nor over https', async () => {
    const warnings: AssistantWarning[] = [];
    const plain = testClient(() => ocs({ task: task({ id: 7 }) }), {
      baseUrl: 'http://cloud.example.com',
      auth: null,
      onWarning: (w) => warnings.push(w),
    });
    await plain.client.tasks.get(7);
    const secure = testClient(() => ocs({ task: task({ id: 7 }) }), { onWarning: (w) => warnings.push(w) });
    await secure.client.tasks.get(7);
    expect(warnings).toEqual([]);
    const hostManaged = testClient(() => ocs({ task: task({ id: 7 }) }), {
      baseUrl: 'http://cloud.example.com',
      auth: null,
      secrets: ['s3cret'],
      onWarning: (w) => warnings.push(w),
    });
    await hostManaged.client.tasks.get(7);
    expect(warnings).toHaveLength(1);
  });
});

describe('errors: summary, hint, sent', () => {
  it('message is summary + hint, once each', async () => {
    const { client } = testClient(() => json({ ocs: { meta: { statuscode: 997 }, data: [] } }, 401));
    const error = await client.taskTypes().then(succeeded, (e: unknown) => e as AssistantError);
    expect(error.code).toBe('auth');
    expect(error.hint).toBe(APP_PASSWORD_ADVICE);
    expect(error.message).toBe(`${error.summary} ${error.hint}`);
    expect(error.message.split('Devices & sessions')).toHaveLength(2);
    expect(error.sent).toBe(true);
    expect(error.toJSON()).toMatchObject({ summary: error.summary, hint: error.hint, sent: true });
  });

  it.each([
    [
      'an id that is not a whole number',
      (c: Client) => c.tasks.get(1.5),
      /taskId|id must be a positive whole number, got 1\.5/,
    ],
    ['an empty chat message', (c: Client) => c.chat.send(1, ''), /message is empty/],
    ['a file path with ..', (c: Client) => c.files.upload('../x.md', 'x'), /not valid/],
    [
      'a wait timeout that is not positive',
      (c: Client) => c.tasks.run({ type: 't', input: {} }, { timeoutMs: -1 }),
      /timeoutMs/,
    ],
    [
      'extractText without a file',
      (c: Client) => c.files.extractText({} as never),
      /neither fileId nor path/,
    ],
    [
      'an unknown operation',
      (c: Client) => (c.call as (id: string) => Promise<unknown>)('nope'),
      /Unknown operation/,
    ],
  ])('%s: says so, says nothing was sent, and sends nothing', async (_, run, text) => {
    const { client, requests } = testClient(() => ocs({ task: task() }));
    const error = await run(client).then(succeeded, (e: unknown) => e as AssistantError);
    expect(AssistantError.isInstance(error)).toBe(true);
    expect(error.code).toBe('invalid_input');
    expect(error.sent).toBe(false);
    expect(error.message).toMatch(text);
    expect(error.message.endsWith('Nothing was sent.')).toBe(true);
    expect(error.message.match(/Nothing was sent/g)).toHaveLength(1);
    expect(requests).toHaveLength(0);
  });

  it('a refused connection says nothing was sent', async () => {
    const { client } = testClient(
      () => {
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      },
      { retry: { retries: 0 } },
    );
    const error = await client.tasks.get(1).then(succeeded, (e: unknown) => e as AssistantError);
    expect(error).toMatchObject({ code: 'network', sent: false });
    expect(error.message).toMatch(/refused the connection.*Nothing was sent\.$/);
  });

  it('not_found names the id the user gave', async () => {
    const { client } = testClient(() => ocs({ message: 'Task not found' }, 404));
    const error = await client.tasks.get(99999999).then(succeeded, (e: unknown) => e as AssistantError);
    expect(error.code).toBe('not_found');
    expect(error.summary).toMatch(/task 99999999 was not found/);
    const output = await client.tasks
      .downloadOutputFile(7, 9)
      .then(succeeded, (e: unknown) => e as AssistantError);
    expect(output.summary).toMatch(/file 9 of task 7 was not found/);
  });

  it('an unknown route names the app only for assistant routes', async () => {
    const page = { status: 404, headers: { 'content-type': 'text/html' }, body: '<html>nope</html>' };
    const { client } = testClient(() => page, { retry: { retries: 0 } });
    const assistant = await client.taskTypes().then(succeeded, (e: unknown) => e as AssistantError);
    expect(assistant.code).toBe('not_assistant_server');
    expect(assistant.message).toMatch(/Assistant API route.*Check the server URL.*Assistant app is enabled/);
    const core = await client.tasks.get(1).then(succeeded, (e: unknown) => e as AssistantError);
    expect(core.code).toBe('not_assistant_server');
    expect(core.message).toMatch(/Check the server URL/);
    expect(core.message).not.toMatch(/Assistant app/);
  });

  it('a failed task has its errorMessage scrubbed', async () => {
    const basic = Buffer.from(`alice:${APP_PASSWORD}`).toString('base64');
    const failed = task({
      status: 'STATUS_FAILED',
      errorMessage: `provider rejected Authorization: Basic ${basic} / ${APP_PASSWORD}`,
    });
    const { client } = testClient(() => ocs({ task: failed }));
    const error = await client.tasks.wait(7).then(succeeded, (e: unknown) => e as AssistantError);
    expect(error.code).toBe('task_failed');
    const text = [
      error.message,
      error.serverMessage,
      JSON.stringify(error),
      inspect(error, { depth: 9 }),
    ].join();
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(APP_PASSWORD);
    expect(text).not.toContain(basic);
  });
});

type Client = ReturnType<typeof testClient>['client'];

describe('answers are about what was asked', () => {
  it('tasks.get refuses an answer for another task', async () => {
    const { client } = testClient(() => ocs({ task: task({ id: 8 }) }));
    const error = await client.tasks.get(7).then(succeeded, (e: unknown) => e as AssistantError);
    expect(error.code).toBe('server');
    expect(error.summary).toBe('The server answered for task 8 when task 7 was asked.');
    const wait = await client.tasks.wait(7).then(succeeded, (e: unknown) => e as AssistantError);
    expect(wait.code).toBe('server');
  });

  it('chat reads refuse messages of another session or id', async () => {
    const message = { id: 5, session_id: 2, role: 'human', content: 'x', timestamp: 1 };
    const { client } = testClient(() => json(message));
    await expect(client.chat.message(1, 5)).rejects.toThrow(/chat session 2 when chat session 1/);
    await expect(client.chat.message(2, 6)).rejects.toThrow(/message 5 when message 6/);
    expect((await client.chat.message(2, 5)).id).toBe(5);
    const list = testClient(() => json([message]));
    await expect(list.client.chat.messages(1)).rejects.toThrow(/chat session 2 when chat session 1/);
  });
});

describe('limits and deadlines (fake transport)', () => {
  it('an answer over maxResponseBytes is too_large, with the stream advice', async () => {
    const { client, requests } = testClient(() => ocs({ task: task(), pad: 'x'.repeat(2000) }), {
      maxResponseBytes: { text: 1000 },
    });
    const error = await client.tasks.get(7).then(succeeded, (e: unknown) => e as AssistantError);
    expect(error.code).toBe('too_large');
    expect(error.hint).toMatch(/\{ stream: true \}/);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.maxBytes).toBe(1000);
  });

  it('a chunked answer stops being read at the limit', async () => {
    let pulled = 0;
    async function* endless() {
      for (;;) {
        pulled++;
        yield new Uint8Array(1000);
      }
    }
    const { client } = testClient(
      () => ({ status: 200, headers: { 'content-type': 'application/octet-stream' }, body: endless() }),
      { maxResponseBytes: { binary: 10_000 } },
    );
    const error = await client.files.download(5).then(succeeded, (e: unknown) => e as AssistantError);
    expect(error.code).toBe('too_large');
    expect(pulled).toBeLessThanOrEqual(11);
  });

  it('refuses a limit that is not a positive number', () => {
    expect(() =>
      createClient({
        baseUrl: 'https://x',
        transport: async () => ({ status: 200, headers: {}, body: null }),
        sleep: async () => {},
        maxResponseBytes: { text: 0 },
      }),
    ).toThrow(/maxResponseBytes.text/);
  });

  it('a wait hands its remaining time to every request it makes', async () => {
    const { client, requests } = testClient(() => ocs({ task: task({ id: 7 }) }));
    await client.tasks.wait(7, { timeoutMs: 10_000 }).catch(() => undefined);
    const reads = requests.filter((r) => r.path.endsWith('/task/7'));
    expect(reads.length).toBeGreaterThan(2);
    expect(reads[0]!.timeoutMs).toBe(10_000);
    for (const r of reads) expect(r.timeoutMs).toBeLessThanOrEqual(10_000);
    expect(reads.at(-1)!.timeoutMs).toBeLessThan(reads[1]!.timeoutMs!);
  });

  it("a Retry-After longer than the wait's time left ends the wait at its timeout, not later", async () => {
    let reads = 0;
    const { client, clock } = testClient(() =>
      reads++ === 0
        ? ocs({ task: task({ id: 7 }) })
        : { status: 503, headers: { 'retry-after': '3600' }, body: '' },
    );
    const started = clock.now;
    const error = await client.tasks
      .wait(7, { timeoutMs: 5_000 })
      .then(succeeded, (e: unknown) => e as AssistantError);
    expect(error.code).toBe('timeout');
    expect(error.details.taskId).toBe(7);
    expect(clock.now - started).toBe(5_000);
    expect(Math.max(...clock.slept)).toBeLessThan(5_000);
  });

  it('a Retry-After beyond the retry budget is handed to the caller at once', async () => {
    const { client, clock, requests } = testClient(() => ({
      status: 500,
      headers: { 'retry-after': '3600', 'content-type': 'application/json' },
      body: '{}',
    }));
    const error = await client.tasks.get(7).then(succeeded, (e: unknown) => e as AssistantError);
    expect(error).toMatchObject({ code: 'server', retryAfterMs: 3_600_000 });
    expect(requests).toHaveLength(1);
    expect(clock.slept).toEqual([]);
  });
});

describe('required task inputs', () => {
  const type = normalizeTaskType({
    id: 'core:text2text',
    name: 'Free text to text prompt',
    inputShape: { input: { name: 'Prompt', description: '', type: 'Text' } },
  });

  it.each([{}, { input: '' }, { input: null }])(
    'checkTaskInput(%j) names the input before sending',
    (input) => {
      let error: unknown;
      try {
        checkTaskInput(type, input as never);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'invalid_input', sent: false, details: { input: 'input' } });
      expect((error as AssistantError).message).toBe(
        'The task type "Free text to text prompt" needs the input "Prompt" (input), and it is empty. Give a value for "input". Nothing was sent.',
      );
    },
  );

  it('checkTaskInput accepts a complete input', () => {
    expect(() => checkTaskInput(type, { input: 'Hi' })).not.toThrow();
  });

  it("the server's 400 for a missing key names the input (recorded: bad-invalid-input__core_schedule)", async () => {
    const { client } = testClient(() => ocs({ message: 'Missing key: "input"' }, 400));
    const error = await client.tasks
      .schedule({ type: 'core:text2text', input: {} })
      .then(succeeded, (e: unknown) => e as AssistantError);
    expect(error).toMatchObject({ code: 'invalid_input', sent: true, details: { input: 'input' } });
    expect(error.summary).toMatch(/the required input "input" is missing/);
    expect(error.message).not.toMatch(/which one the server refused/);
  });
});

describe('file names and types from the server', () => {
  it('a type the server cannot read is unsupported_type, naming the file', async () => {
    const { client } = testClient(() => ocs('Unsupported file type for text extraction: image/png', 400));
    const byPath = await client.files
      .extractText({ path: 'Photos/cat.png' })
      .then(succeeded, (e: unknown) => e as AssistantError);
    expect(byPath).toMatchObject({ code: 'unsupported_type', sent: true, status: 400 });
    expect(byPath.summary).toMatch(/^"Photos\/cat\.png" is of a type the server cannot read text from/);
    expect(byPath.hint).toMatch(/txt, md, rtf, docx, odt and pdf/);
    const byId = await client.files
      .extractText({ fileId: 12 })
      .then(succeeded, (e: unknown) => e as AssistantError);
    expect(byId.summary).toMatch(/^File 12 is of a type/);
  });

  it('file info hands out a safe name', async () => {
    const { client } = testClient(() =>
      ocs({ name: '../../.ssh/authorized_keys', path: '/alice/files/x', owner: 'alice', size: 1 }),
    );
    expect((await client.files.info(5)).name).toBe('authorized_keys');
  });
});
