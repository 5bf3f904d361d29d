import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssistantVersion, EmulatorOptions } from '../src/options.js';
import {
  API,
  CHAT,
  Client,
  data,
  METHODS,
  startTestEmulator,
  TP,
  toJsonSchema,
  until,
  type ChatMessage,
  type ChatSession,
  type ChatTaskId,
  type RequestOptions,
  type Res,
  type Schemas,
  type Spec,
  type SpecOperation,
  type Task,
} from './helpers.js';

type AgencyMessage = Schemas['ChatAgencyMessage'];
type SessionCheck = Schemas['ChatSessionCheck'];
type Assignment = Schemas['Assignment'];

// Version profiles: each answer is validated against that version's own spec file. The upstream files are
// verbatim, so the recorded facts of docs/api-behaviour.md that hold for every version are applied first:
// PHP's `[]` for an empty map or object, pending actions as a list or null, ocp_task_id null on human
// messages, attachments as sent (`file_id`), and a 417 without slow_pickup once the reply waits to be stored.

const SPEC_DIR = new URL('../../core/openapi/', import.meta.url);
const FILES: Record<AssistantVersion, string[]> = {
  '2.13': ['assistant.json', 'taskprocessing.json'],
  '3.5': ['upstream/assistant-3.5.0-openapi.json', 'taskprocessing.json'],
  '4.0': ['upstream/assistant-4.0.0-openapi.json', 'taskprocessing.json'],
};

function asServersAnswer(node: unknown, key = ''): unknown {
  if (Array.isArray(node)) return node.map((n) => asServersAnswer(n));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = asServersAnswer(v, k);
  if (key === 'sessionAgencyPendingActions') return { type: ['array', 'null'], items: { type: 'object' } };
  if (key === 'ocp_task_id') return { type: ['integer', 'null'] };
  if (Array.isArray(out.required)) {
    out.required = out.required.filter((r) => r !== 'slow_pickup' && r !== 'fileId');
  }
  if (out.type === 'object' && !out.properties) return { anyOf: [out, { type: 'array', maxItems: 0 }] };
  return out;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

class Validator {
  private ajv = new Ajv({ strict: false, allErrors: true });
  private ops: { method: string; pattern: RegExp; responses: SpecOperation['responses']; name: string }[] =
    [];
  private compiled = new Map<string, ValidateFunction>();
  validated = 0;

  constructor(version: AssistantVersion) {
    addFormats(this.ajv);
    FILES[version].forEach((file, i) => {
      const spec = asServersAnswer(
        toJsonSchema(JSON.parse(readFileSync(new URL(file, SPEC_DIR), 'utf8'))),
      ) as Spec;
      this.ajv.addSchema(spec, `s${i}`);
      for (const [path, item] of Object.entries(spec.paths)) {
        for (const m of METHODS) {
          const operation = item[m];
          if (!operation) continue;
          const source = path
            .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
            .replace('{apiVersion}', 'v1')
            .replace(/\{[^}]+\}/g, '[^/]+');
          const pointer = `s${i}#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${m}/responses`;
          this.ops.push({
            method: m.toUpperCase(),
            pattern: new RegExp(`^${source}$`),
            responses: operation.responses,
            name: pointer,
          });
        }
      }
    });
  }

  check(method: string, path: string, res: Res): void {
    const op = this.ops.find((o) => o.method === method && o.pattern.test(path));
    if (!op) throw new Error(`${method} ${path} is not an operation of this version's spec`);
    const entry = op.responses[String(res.status)];
    if (!entry) {
      if ([401, 412, 429, 500].includes(res.status)) return;
      throw new Error(`${method} ${path}: status ${res.status} is not in the spec`);
    }
    if (!entry.content?.['application/json']?.schema || !res.contentType.includes('json')) return;
    const ref = `${op.name}/${res.status}/content/application~1json/schema`;
    let v = this.compiled.get(ref);
    if (!v) this.compiled.set(ref, (v = this.ajv.compile({ $ref: ref })));
    if (!v(res.body))
      throw new Error(
        `${method} ${path} ${res.status}: ${this.ajv.errorsText(v.errors)}\n${res.text.slice(0, 400)}`,
      );
    this.validated++;
  }
}

/** An emulator of one version with clients whose every answer is checked against that version's spec. */
async function startVersion(version: AssistantVersion, options: EmulatorOptions = {}) {
  const env = await startTestEmulator({ assistant: version, ...options });
  const validator = new Validator(version);
  const wrap = (c: Client): Client => {
    const checked = new Client(c.baseUrl, c.auth);
    checked.request = async (method: string, path: string, opts: RequestOptions = {}) => {
      const res = await c.request(method, path, { ...opts, raw: true });
      if (!opts.raw) validator.check(method, new URL(c.baseUrl + path).pathname, res);
      return res;
    };
    return checked;
  };
  return { ...env, alice: wrap(env.alice), bob: wrap(env.bob), validator };
}

type VersionEnv = Awaited<ReturnType<typeof startVersion>>;

async function newSession(c: Client): Promise<number> {
  const res = await c.put(`${CHAT}/new_session`, { json: { timestamp: 1_700_000_000 } });
  return (res.body as { session: ChatSession }).session.id;
}

async function say(c: Client, sessionId: number, content: string): Promise<void> {
  const res = await c.put(`${CHAT}/new_message`, {
    json: { sessionId, role: 'human', content, timestamp: 1_700_000_001 },
  });
  expect(res.status).toBe(200);
}

/** generate (optionally with agencyConfirm), then check_generation until the stored reply. */
async function reply(c: Client, sessionId: number, agencyConfirm?: 0 | 1): Promise<AgencyMessage> {
  const query: Record<string, number> = { sessionId };
  if (agencyConfirm !== undefined) query.agencyConfirm = agencyConfirm;
  const gen = await c.get(`${CHAT}/generate`, { query });
  expect(gen.status, gen.text).toBe(200);
  return until(async () => {
    const { taskId } = gen.body as ChatTaskId;
    const res = await c.get(`${CHAT}/check_generation`, { query: { taskId, sessionId } });
    return res.status === 200 ? (res.body as AgencyMessage) : undefined;
  });
}

describe.each(['2.13', '3.5', '4.0'] as const)('assistant %s', (version) => {
  let env: VersionEnv;
  beforeAll(async () => {
    env = await startVersion(version);
  });
  afterAll(() => env.emu.close());

  it('reports its assistant and Nextcloud versions in capabilities and status.php', async () => {
    const caps = data<{ capabilities: Record<string, unknown>; version: { major: number; string: string } }>(
      await env.anon.get('/ocs/v2.php/cloud/capabilities'),
    );
    const expected = { '2.13': ['2.13.0', 31], '3.5': ['3.5.0', 33], '4.0': ['4.0.0', 35] }[version];
    expect(caps.capabilities.assistant).toEqual({ version: expected[0], enabled: true });
    expect(caps.version.major).toBe(expected[1]);
    const status = await env.anon.get('/status.php');
    expect((status.body as { versionstring: string }).versionstring).toBe(caps.version.string);
  });

  it('lists task types in its spec’s shape (3.5+: category and preferredProviderName)', async () => {
    const types = data<{ types: Schemas['TaskProcessingTaskType'][] }>(
      await env.alice.get(`${API}/task-types`),
    ).types;
    expect(types.length).toBeGreaterThan(5);
    for (const t of types) {
      if (version === '2.13') expect(t).not.toHaveProperty('category');
      else
        expect(t).toMatchObject({
          category: { id: expect.any(String), name: expect.any(String) },
          preferredProviderName: null,
        });
    }
  });

  it('serves only its own version’s routes', async () => {
    const restful = await env.alice.post(`${CHAT}/sessions`, { json: { title: 'x' }, raw: true });
    // 2.13 knows GET chat/sessions only: another method there is 405
    expect(restful.status).toBe(version === '2.13' ? 405 : 200);
    const assignments = await env.alice.get('/ocs/v2.php/apps/assistant/assignments', { raw: true });
    expect(assignments.status).toBe(version === '4.0' ? 200 : 404);
    const skills = await env.alice.get(`${API}/skills`, { raw: true });
    expect(skills.status).toBe(version === '4.0' ? 200 : 404);
  });

  it('says why a task failed in userFacingErrorMessage from Nextcloud 33 on', async () => {
    env.emu.control.setProvider('core:text2text:headline', { fail: 'The model is overloaded' });
    const s = await env.alice.post(`${TP}/schedule`, {
      json: { type: 'core:text2text:headline', input: { input: 'x' }, appId: 'test' },
    });
    const id = data<{ task: Task }>(s).task.id;
    const task = await until(async () => {
      const t = data<{ task: Task }>(await env.alice.get(`${TP}/task/${id}`)).task;
      return t.status === 'STATUS_FAILED' ? t : undefined;
    });
    if (version === '2.13') expect(task).not.toHaveProperty('userFacingErrorMessage');
    else expect(task.userFacingErrorMessage).toBe('The model is overloaded');
    env.emu.control.setProvider('core:text2text:headline', { fail: false });
  });

  it('checks includeWatermark on schedule from Nextcloud 33 on', async () => {
    const res = await env.alice.post(`${TP}/schedule`, {
      json: { type: 'core:text2text', input: { input: 'x' }, appId: 'test', includeWatermark: 'yes' },
    });
    expect(res.status).toBe(version === '2.13' ? 200 : 400);
    const ok = await env.alice.post(`${TP}/schedule`, {
      json: { type: 'core:text2text', input: { input: 'x' }, appId: 'test', includeWatermark: false },
    });
    expect(ok.status).toBe(200);
  });

  it('validated every answer against its own spec', () => {
    expect(env.validator.validated).toBeGreaterThan(5);
  });
});

describe('assistant 3.5: RESTful sessions and memories', () => {
  let env: VersionEnv;
  beforeAll(async () => {
    env = await startVersion('3.5');
  });
  afterAll(() => env.emu.close());

  it('creates, updates (title, is_remembered) and deletes sessions through the RESTful routes', async () => {
    const created = await env.alice.post(`${CHAT}/sessions`, { json: { title: 'Plans' } });
    const { session } = created.body as { session: ChatSession };
    expect(session).toMatchObject({ title: 'Plans', is_remembered: false, summary: null });
    expect(Math.abs(session.timestamp! - Date.now() / 1000)).toBeLessThan(60);
    const put = await env.alice.put(`${CHAT}/sessions/${session.id}`, {
      json: { title: 'Trips', is_remembered: true },
    });
    expect(put.status).toBe(200);
    const listed = ((await env.alice.get(`${CHAT}/sessions`)).body as ChatSession[]).find(
      (s) => s.id === session.id,
    );
    expect(listed).toMatchObject({ title: 'Trips', is_remembered: true });
    const check = await env.alice.get(`${CHAT}/check_session`, { query: { sessionId: session.id } });
    expect((check.body as SessionCheck).is_remembered).toBe(true);
    // bob cannot touch it
    expect((await env.bob.put(`${CHAT}/sessions/${session.id}`, { json: { title: 'mine' } })).status).toBe(
      404,
    );
    expect((await env.alice.delete(`${CHAT}/sessions/${session.id}`)).status).toBe(200);
    const left = (await env.alice.get(`${CHAT}/sessions`)).body as ChatSession[];
    expect(left.some((s) => s.id === session.id)).toBe(false);
  });
});

describe('assistant 4.0: assignments, skills, folder, filters and streaming', () => {
  let env: VersionEnv;
  const ASSIGN = '/ocs/v2.php/apps/assistant/assignments';
  beforeAll(async () => {
    env = await startVersion('4.0', {
      providers: {
        default: { pickupMs: 20, runMs: 40 },
        'core:text2text:chat': { pickupMs: 0, runMs: 1_500 },
      },
    });
  });
  afterAll(() => env.emu.close());

  it('keeps assignments (create, list, get, update, delete), refusing a bad RRULE or time zone', async () => {
    const body = {
      title: 'Digest',
      prompt: 'Summarise my day',
      startsAt: 4_102_444_800,
      recurrence: 'FREQ=DAILY;INTERVAL=1',
      timezone: 'Europe/Berlin',
    };
    const created = data<{ assignment: Assignment }>(await env.alice.post(ASSIGN, { json: body })).assignment;
    expect(created).toMatchObject({
      prompt: 'Summarise my day',
      recurrence: 'FREQ=DAILY;INTERVAL=1',
      starts_at: 4_102_444_800,
      last_run_at: 0,
      timezone: 'Europe/Berlin',
      user_id: 'alice',
    });
    expect((await env.alice.post(ASSIGN, { json: { ...body, recurrence: 'EVERY DAY' } })).status).toBe(400);
    expect((await env.alice.post(ASSIGN, { json: { ...body, timezone: 'Mars/Olympus' } })).status).toBe(400);
    const assignments = async (c: Client): Promise<Assignment[]> =>
      data<{ assignments: Assignment[] }>(await c.get(ASSIGN)).assignments;
    expect((await assignments(env.alice)).map((a) => a.id)).toEqual([created.id]);
    expect(await assignments(env.bob)).toEqual([]);
    expect((await env.bob.get(`${ASSIGN}/${created.id}`)).status).toBe(404);
    const updated = await env.alice.patch(`${ASSIGN}/${created.id}`, {
      json: { recurrence: 'FREQ=WEEKLY;BYDAY=MO' },
    });
    expect(data<{ assignment: Assignment }>(updated).assignment.recurrence).toBe('FREQ=WEEKLY;BYDAY=MO');
    expect(
      (await env.alice.patch(`${ASSIGN}/${created.id}`, { json: { recurrence: 'FREQ=SOMETIMES' } })).status,
    ).toBe(400);
    expect((await env.alice.delete(`${ASSIGN}/${created.id}`)).status).toBe(200);
    expect((await env.alice.delete(`${ASSIGN}/${created.id}`)).status).toBe(200);
    expect((await env.alice.get(`${ASSIGN}/${created.id}`)).status).toBe(404);
  });

  it('runs a due assignment in a session of its own, listed with isAssignment=true only', async () => {
    const startsAt = Math.floor(Date.now() / 1000);
    const a = data<{ assignment: Assignment }>(
      await env.alice.post(ASSIGN, {
        json: { title: 'Now', prompt: 'Tell me a fact', startsAt, recurrence: 'FREQ=DAILY;COUNT=1' },
      }),
    ).assignment;
    const run = await until(async () =>
      (
        (await env.alice.get(`${CHAT}/sessions`, { query: { isAssignment: 'true' } })).body as ChatSession[]
      ).find((s) => s.assignment_id === a.id),
    );
    expect(run.title).toBe('Now');
    const plain = (await env.alice.get(`${CHAT}/sessions`)).body as ChatSession[];
    expect(plain.some((s) => s.id === run.id)).toBe(false);
    const messages = (await env.alice.get(`${CHAT}/messages`, { query: { sessionId: run.id } }))
      .body as ChatMessage[];
    expect(messages[0]).toMatchObject({ role: 'human', content: 'Tell me a fact' });
    expect(
      data<{ assignment: Assignment }>(await env.alice.get(`${ASSIGN}/${a.id}`)).assignment.last_run_at,
    ).toBeGreaterThanOrEqual(startsAt);
  });

  it('filters messages by role and streams partial text in the 417 answers (Nextcloud 35)', async () => {
    const sessionId = await newSession(env.alice);
    await say(env.alice, sessionId, 'Tell me something long');
    const { taskId } = (await env.alice.get(`${CHAT}/generate`, { query: { sessionId } })).body as ChatTaskId;
    const partial = await until(async () => {
      const res = await env.alice.get(`${CHAT}/check_generation`, { query: { taskId, sessionId } });
      const waiting = res.body as { task_output?: { output: string } | null };
      return res.status === 417 && waiting.task_output ? waiting.task_output.output : undefined;
    });
    const done = await until(async () => {
      const res = await env.alice.get(`${CHAT}/check_generation`, { query: { taskId, sessionId } });
      return res.status === 200 ? (res.body as ChatMessage) : undefined;
    });
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(done.content.length);
    expect(done.content.startsWith(partial)).toBe(true);
    const roles = async (query: Record<string, string | number>): Promise<string[]> =>
      ((await env.alice.get(`${CHAT}/messages`, { query })).body as ChatMessage[]).map((m) => m.role);
    expect(await roles({ sessionId, filterByRole: 'human' })).toEqual(['human']);
    expect(await roles({ sessionId })).toEqual(['human', 'assistant']);
  });

  it('stores, lists and loads agent skills as SKILL.md files in the Assistant folder', async () => {
    const store = (content: string) =>
      env.alice.post(`${API}/skills`, {
        json: { skillName: 'weekly-report', description: 'How to write the weekly report', content },
      });
    const first = await store('Use bullet points.');
    expect([first.status, data<{ action: string }>(first).action]).toEqual([201, 'created']);
    const again = await store('Use short bullet points.');
    expect([again.status, data<{ action: string }>(again).action]).toEqual([200, 'overwritten']);
    const skills = async (c: Client): Promise<unknown[]> =>
      data<{ skills: unknown[] }>(await c.get(`${API}/skills`)).skills;
    expect(await skills(env.alice)).toEqual([
      { name: 'weekly-report', description: 'How to write the weekly report' },
    ]);
    const loaded = data<{ content: string }>(await env.alice.get(`${API}/skills/weekly-report`)).content;
    expect(loaded).toBe(
      '---\nname: weekly-report\ndescription: How to write the weekly report\n---\n\nUse short bullet points.',
    );
    expect((await env.alice.get(`${API}/skills/nope`)).status).toBe(404);
    expect(
      (await env.alice.post(`${API}/skills`, { json: { skillName: 'a/b', description: 'x', content: '' } }))
        .status,
    ).toBe(400);
    expect(await skills(env.bob)).toEqual([]);
    const file = env.emu.control
      .files()
      .find((f) => f.path === '/Assistant/Context Agent/Skills/weekly-report/SKILL.md');
    expect(file?.owner).toBe('alice');
  });

  it('tells the assistant folder path', async () => {
    expect(data<{ path: string }>(await env.alice.get(`${API}/assistant-folder-path`)).path).toBe(
      '/alice/files/Assistant',
    );
  });

  it('takes new_message without a timestamp', async () => {
    const sessionId = await newSession(env.alice);
    const res = await env.alice.put(`${CHAT}/new_message`, {
      json: { sessionId, role: 'human', content: 'hi' },
    });
    expect(res.status).toBe(200);
    expect(Math.abs((res.body as ChatMessage).timestamp - Date.now() / 1000)).toBeLessThan(60);
  });
});

describe.each(['2.13', '4.0'] as const)('agency with the context agent (assistant %s)', (version) => {
  let env: VersionEnv;
  beforeAll(async () => {
    env = await startVersion(version, { contextAgent: true });
  });
  afterAll(() => env.emu.close());

  it('offers core:contextagent:interaction only with the context agent installed', async () => {
    type TaskTypes = { types: Record<string, Schemas['CoreTaskProcessingTaskType']> };
    const types = data<TaskTypes>(await env.alice.get(`${TP}/tasktypes`)).types;
    expect(types['core:contextagent:interaction']?.outputShape).toHaveProperty('actions');
    const plain = await startTestEmulator({ assistant: version });
    try {
      expect(data<TaskTypes>(await plain.alice.get(`${TP}/tasktypes`)).types).not.toHaveProperty(
        'core:contextagent:interaction',
      );
    } finally {
      await plain.emu.close();
    }
  });

  it('holds a sensitive action for approval and runs it on agencyConfirm=1', async () => {
    const sessionId = await newSession(env.alice);
    await say(env.alice, sessionId, 'Please send an email to bob@example.com saying the report is ready');
    const asked = await reply(env.alice, sessionId);
    expect(asked.content).toContain('send email');
    expect(asked.sessionAgencyPendingActions).toEqual([
      {
        name: 'Send an email',
        icon: 'EmailPlus',
        args: {
          recipient: 'bob@example.com',
          subject: 'Message from the assistant',
          body: 'the report is ready',
        },
        id: expect.any(String),
        type: 'tool_call',
      },
    ]);
    const check = await env.alice.get(`${CHAT}/check_session`, { query: { sessionId } });
    expect((check.body as SessionCheck).sessionAgencyPendingActions).toEqual(
      asked.sessionAgencyPendingActions,
    );
    const task = env.emu.control.tasks().find((t) => t.id === asked.ocp_task_id);
    expect(task).toMatchObject({
      type: 'core:contextagent:interaction',
      input: { confirmation: 0, conversation_token: '{}' },
    });

    const done = await reply(env.alice, sessionId, 1);
    expect(done.content).toBe('I sent the email to bob@example.com.');
    expect(done.sessionAgencyPendingActions).toBeNull();
    expect(
      ((await env.alice.get(`${CHAT}/check_session`, { query: { sessionId } })).body as SessionCheck)
        .sessionAgencyPendingActions,
    ).toBeNull();
  });

  it('drops the action on agencyConfirm=0 and says so', async () => {
    const sessionId = await newSession(env.alice);
    await say(env.alice, sessionId, 'send an email to carol@example.com');
    expect((await reply(env.alice, sessionId)).sessionAgencyPendingActions).toHaveLength(1);
    const rejected = await reply(env.alice, sessionId, 0);
    expect(rejected.content).toMatch(/^OK, I did not send email \(recipient: carol@example.com/);
    expect(rejected.sessionAgencyPendingActions).toBeNull();
    // nothing left to approve: a later approval runs nothing
    await say(env.alice, sessionId, 'thanks');
    const after = await reply(env.alice, sessionId, 1);
    expect(after.content).toBe('You said: thanks');
  });

  it('answers other messages without actions', async () => {
    const sessionId = await newSession(env.alice);
    await say(env.alice, sessionId, 'What is on my calendar?');
    const r = await reply(env.alice, sessionId);
    expect(r.content).toBe('You said: What is on my calendar?');
    expect(r.sessionAgencyPendingActions).toBeNull();
  });
});
