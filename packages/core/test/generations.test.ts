// What newer servers add, through the services: assignments, skills, the assistant folder, RESTful chat
// sessions, user-facing task errors, task options by Nextcloud version, task type fields, streaming, agency.
import { describe, expect, it } from 'vitest';
import { AssistantError, checkRecurrence, checkTimeZone, parsePendingActions } from '../src/index.js';
import { json, ocs, succeeded, task, testClient, type Seen } from './helpers.js';
import { capabilities } from './capabilities.js';

const CHAT = '/ocs/v2.php/apps/assistant/chat';
const API = '/ocs/v2.php/apps/assistant/api/v1';

const assignment = (extra: Record<string, unknown> = {}) => ({
  id: 4,
  user_id: 'alice',
  prompt: 'Summarise my unread mail',
  recurrence: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=8',
  created_at: 1_800_000_000,
  updated_at: 1_800_000_000,
  starts_at: 1_800_000_000,
  last_run_at: 0,
  timezone: 'Europe/Berlin',
  ...extra,
});

/** As the assistant app answers them: LangChain tool calls, known tools renamed to a title, an icon added. */
const PENDING = [
  {
    name: 'Send an email',
    args: { to: 'bob@example.com', subject: 'Lunch', body: 'Friday at noon?' },
    id: 'call_abc123',
    type: 'tool_call',
    icon: 'EmailPlus',
  },
];

function server(assistant: string, nextcloud: string, routes: (req: Seen) => unknown = () => undefined) {
  return (req: Seen) => {
    if (req.path === '/ocs/v2.php/cloud/capabilities') return capabilities(assistant, nextcloud);
    if (req.path === `${API}/task-types`) return ocs({ types: [] });
    const answer = routes(req);
    if (answer) return answer as ReturnType<typeof json>;
    throw new Error(`unexpected ${req.method} ${req.path}`);
  };
}

describe('assignments (assistant 4.0)', () => {
  it('create, list, get, update and delete, with the rule, start and zone as the server takes them', async () => {
    const { client, requests } = testClient(
      server('4.0.0', '35.0.0', (req) => {
        if (req.path === '/ocs/v2.php/apps/assistant/assignments' && req.method === 'POST')
          return ocs({ assignment: assignment() });
        if (req.path === '/ocs/v2.php/apps/assistant/assignments')
          return ocs({ assignments: [assignment()] });
        if (req.path === '/ocs/v2.php/apps/assistant/assignments/4' && req.method === 'DELETE')
          return ocs('');
        if (req.path === '/ocs/v2.php/apps/assistant/assignments/4')
          return ocs({ assignment: assignment(req.method === 'PATCH' ? { prompt: 'New' } : {}) });
        return undefined;
      }),
    );
    const created = await client.assignments.create({
      title: 'Monday digest',
      prompt: 'Summarise my unread mail',
      recurrence: 'rrule:freq=weekly;byday=MO;byhour=8',
      startsAt: new Date(1_800_000_000_000),
      timezone: 'europe/berlin',
    });
    expect(created.id).toBe(4);
    expect(requests.find((r) => r.method === 'POST')!.json).toEqual({
      title: 'Monday digest',
      prompt: 'Summarise my unread mail',
      recurrence: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=8',
      startsAt: 1_800_000_000,
      timezone: 'Europe/Berlin',
    });
    expect((await client.assignments.list()).map((a) => a.id)).toEqual([4]);
    expect((await client.assignments.get(4)).timezone).toBe('Europe/Berlin');
    expect((await client.assignments.update(4, { prompt: 'New' })).prompt).toBe('New');
    expect(requests.find((r) => r.method === 'PATCH')!.json).toEqual({ prompt: 'New' });
    await client.assignments.delete(4);
    expect(requests.filter((r) => r.path === '/ocs/v2.php/cloud/capabilities')).toHaveLength(1);
  });

  it.each([
    ['BYDAY=MO', /FREQ is required/],
    ['FREQ=FORTNIGHTLY', /FREQ=FORTNIGHTLY must be one of SECONDLY/],
    ['FREQ=DAILY;EVERY=2', /"EVERY" is not a rule part/],
    ['FREQ=WEEKLY;BYDAY=MO,XX', /BYDAY=MO,XX has "XX"/],
    ['FREQ=WEEKLY;BYDAY=1MO', /numbers days \("1MO"\) only with FREQ=MONTHLY or YEARLY/],
    ['FREQ=DAILY;BYHOUR=24', /BYHOUR=24 has "24", expected whole numbers from 0 to 23/],
    ['FREQ=DAILY;INTERVAL=0', /INTERVAL=0 must be a whole number of 1 or more/],
    ['FREQ=DAILY;COUNT=3;UNTIL=20270101', /UNTIL and COUNT cannot both be given/],
    ['FREQ=DAILY;UNTIL=20270231', /UNTIL=20270231 must be a date/],
    ['FREQ=MONTHLY;BYWEEKNO=3', /BYWEEKNO needs FREQ=YEARLY/],
    ['FREQ=DAILY;;BYHOUR=8', /an empty part/],
    ['FREQ=DAILY;FREQ=WEEKLY', /FREQ is given twice/],
  ])('refuse the rule %s before sending, naming the wrong part', async (rule, message) => {
    const { client, requests } = testClient(server('4.0.0', '35.0.0'));
    const error = await client.assignments
      .create({ title: 't', prompt: 'p', recurrence: rule, startsAt: 1_800_000_000 })
      .then(succeeded, (e) => e);
    expect(error).toMatchObject({ code: 'invalid_input', sent: false });
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/Nothing was sent\.$/);
    expect(requests).toHaveLength(0);
  });

  it('refuse an unknown time zone and a start in milliseconds before sending', async () => {
    const { client, requests } = testClient(server('4.0.0', '35.0.0'));
    const base = { title: 't', prompt: 'p', recurrence: 'FREQ=DAILY', startsAt: 1_800_000_000 };
    const zone = await client.assignments
      .create({ ...base, timezone: 'Mars/Olympus' })
      .then(succeeded, (e) => e);
    expect(zone.message).toMatch(/"Mars\/Olympus" is not a time zone/);
    const ms = await client.assignments
      .create({ ...base, startsAt: 1_800_000_000_000 })
      .then(succeeded, (e) => e);
    expect(ms.message).toMatch(/looks like milliseconds/);
    expect(requests).toHaveLength(0);
  });

  it('say on a 3.5 server that they need assistant 4.0', async () => {
    const { client } = testClient(server('3.5.0', '34.0.0'));
    const error = await client.assignments.list().then(succeeded, (e) => e);
    expect(error).toMatchObject({ code: 'unsupported', sent: false });
    expect(error.message).toMatch(/needs assistant 4\.0 or newer; this server runs assistant 3\.5\.0/);
  });
});

describe('rules and zones', () => {
  it('accept what RFC 5545 allows', () => {
    expect(checkRecurrence('FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=17;BYMINUTE=30')).toBe(
      'FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=17;BYMINUTE=30',
    );
    expect(checkRecurrence('FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24;UNTIL=20301224T090000Z')).toMatch(
      /^FREQ=YEARLY/,
    );
    expect(checkRecurrence('FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1')).toMatch(/BYSETPOS=-1/);
    expect(checkTimeZone('UTC')).toBe('UTC');
    expect(checkTimeZone('+0100')).toBe('+0100');
    expect(() => checkTimeZone('+2500')).toThrow(/not a time zone/);
  });
});

describe('skills and the assistant folder (assistant 4.0)', () => {
  it('list, load and store skills; the folder as a path in the user files', async () => {
    const { client, requests } = testClient(
      server('4.0.0', '35.0.0', (req) => {
        if (req.path === `${API}/skills` && req.method === 'GET')
          return ocs({ skills: [{ name: 'invoices', description: 'When the user asks about invoices' }] });
        if (req.path === `${API}/skills` && req.method === 'POST') return ocs({ action: 'created' }, 201);
        if (req.path === `${API}/skills/invoices`)
          return ocs({ content: '---\nname: invoices\n---\nUse Tables.' });
        if (req.path === `${API}/assistant-folder-path`) return ocs({ path: '/alice/files/Assistant' });
        return undefined;
      }),
    );
    expect(await client.skills.list()).toEqual([
      { name: 'invoices', description: 'When the user asks about invoices' },
    ]);
    expect(await client.skills.load('invoices')).toMatch(/Use Tables/);
    expect(await client.skills.store({ name: 'invoices', description: 'd', content: 'c' })).toEqual({
      action: 'created',
    });
    expect(requests.find((r) => r.method === 'POST')!.json).toEqual({
      skillName: 'invoices',
      description: 'd',
      content: 'c',
    });
    expect(await client.assistantFolder()).toBe('/Assistant');
    const bad = await client.skills.load('../etc').then(succeeded, (e) => e);
    expect(bad).toMatchObject({ code: 'invalid_input', sent: false });
  });
});

describe('chat sessions', () => {
  const session = { id: 1, user_id: 'alice', title: 'Trip', timestamp: 1_800_000_000 };
  it('use the RESTful routes on a 3.5 server', async () => {
    const { client, requests } = testClient(
      server('3.5.0', '34.0.0', (req) => {
        if (req.path === `${CHAT}/sessions` && req.method === 'POST') return json({ session });
        if (req.path === `${CHAT}/sessions/1`) return json([]);
        return undefined;
      }),
    );
    expect((await client.chat.createSession({ title: 'Trip' })).id).toBe(1);
    await client.chat.renameSession(1, 'Europe');
    await client.chat.deleteSession(1);
    expect(requests.slice(2).map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${CHAT}/sessions`,
      `PUT ${CHAT}/sessions/1`,
      `DELETE ${CHAT}/sessions/1`,
    ]);
    expect(requests[3]!.json).toEqual({ title: 'Europe' });
  });

  it('use the legacy routes on a 2.13 server', async () => {
    const { client, requests } = testClient(
      server('2.13.0', '31.0.2', (req) => {
        if (req.path === `${CHAT}/new_session`) return json({ session });
        if (req.path === `${CHAT}/update_session` || req.path === `${CHAT}/delete_session`) return json([]);
        return undefined;
      }),
    );
    await client.chat.createSession();
    await client.chat.renameSession(1, 'Europe');
    await client.chat.deleteSession(1);
    expect(requests.slice(2).map((r) => `${r.method} ${r.path}`)).toEqual([
      `PUT ${CHAT}/new_session`,
      `PATCH ${CHAT}/update_session`,
      `DELETE ${CHAT}/delete_session`,
    ]);
  });
});

describe('tasks on newer Nextcloud', () => {
  const failed = task({
    status: 'STATUS_FAILED',
    errorMessage: 'OpenAI: 429 insufficient_quota on key sk-…',
    userFacingErrorMessage: 'The AI service is out of credit. Ask your administrator.',
  });

  it('show the user-facing error of a failed task, keeping the provider message for administrators', async () => {
    const { client } = testClient(() => ocs({ task: failed }));
    const error = await client.tasks.wait(7).then(succeeded, (e) => e);
    expect(error.code).toBe('task_failed');
    expect(error.summary).toBe(
      'Task 7 (core:text2text) failed: The AI service is out of credit. Ask your administrator.',
    );
    expect(error.serverMessage).toMatch(/insufficient_quota/);
    expect(error.details.userFacingErrorMessage).toMatch(/out of credit/);
  });

  it('send includeWatermark to Nextcloud 33, leave it out with a warning on Nextcloud 31', async () => {
    for (const [nextcloud, sent] of [
      ['33.0.0', true],
      ['31.0.2', false],
    ] as const) {
      const warnings: string[] = [];
      const { client, requests } = testClient(
        server('3.5.0', nextcloud, (req) =>
          req.path.endsWith('/schedule') ? ocs({ task: task() }) : undefined,
        ),
        { onWarning: (w) => warnings.push(`${w.code}: ${w.message}`) },
      );
      await client.tasks.schedule({ type: 'core:text2text', input: { input: 'x' }, includeWatermark: false });
      const body = requests.find((r) => r.path.endsWith('/schedule'))!.json as Record<string, unknown>;
      expect('includeWatermark' in body).toBe(sent);
      expect(warnings).toEqual(
        sent
          ? []
          : [expect.stringMatching(/^ignored_option: includeWatermark was left out: it needs Nextcloud 33/)],
      );
    }
  });

  it('pass category and preferredProviderName of task types through', async () => {
    const { client } = testClient(() =>
      ocs({
        types: [
          {
            id: 'core:text2text',
            name: 'Free prompt',
            description: '',
            priority: 1,
            inputShape: [],
            category: { id: 'text', name: 'Text' },
            preferredProviderName: 'OpenAI',
          },
        ],
      }),
    );
    const [type] = await client.taskTypes();
    expect(type).toMatchObject({ category: { id: 'text', name: 'Text' }, preferredProviderName: 'OpenAI' });
  });

  it('report partial output of a streaming task while it runs', async () => {
    let reads = 0;
    const { client } = testClient(() => {
      reads++;
      const output = reads < 4 ? { output: 'Once upon'.slice(0, reads * 4) } : { output: 'Once upon a time' };
      return ocs({ task: task({ status: reads < 4 ? 'STATUS_RUNNING' : 'STATUS_SUCCESSFUL', output }) });
    });
    const partials: string[] = [];
    const done = await client.tasks.wait(7, { onPartial: (text) => partials.push(text) });
    expect(partials).toEqual(['Once', 'Once upo', 'Once upon']);
    expect(done.output?.output).toBe('Once upon a time');
  });
});

/** A chat on a 4.0 / Nextcloud 35 server with the context agent. */
function agentChat(options: { pending?: unknown; streaming?: boolean } = {}) {
  let reads = 0;
  let pending: unknown = 'pending' in options ? options.pending : PENDING;
  const generates: Record<string, string>[] = [];
  const handler = server('4.0.0', options.streaming === false ? '33.0.0' : '35.0.0', (req) => {
    if (req.path === `${CHAT}/new_message`)
      return json({
        id: 3,
        session_id: 1,
        role: 'human',
        content: 'x',
        timestamp: 1,
        attachments: [],
        ocp_task_id: null,
        sources: '[]',
      });
    if (req.path === `${CHAT}/generate`) {
      generates.push(req.query);
      reads = 0;
      if (req.query.agencyConfirm !== undefined) pending = null;
      return json({ taskId: 9 });
    }
    if (req.path.startsWith('/ocs/v2.php/taskprocessing/task/')) {
      reads++;
      return ocs({ task: task({ id: 9, status: reads < 3 ? 'STATUS_RUNNING' : 'STATUS_SUCCESSFUL' }) });
    }
    if (req.path === `${CHAT}/check_generation`) {
      if (reads < 3)
        return json({ task_status: 2, slow_pickup: false, task_output: { output: `Draft ${reads}` } }, 417);
      const content =
        generates.at(-1)?.agencyConfirm === '1' ? 'Done: the email was sent.' : 'Shall I send it?';
      return json({
        id: 4,
        session_id: 1,
        role: 'assistant',
        content,
        timestamp: 2,
        attachments: [],
        ocp_task_id: 9,
        sources: '[]',
        sessionAgencyPendingActions: pending,
      });
    }
    if (req.path === `${CHAT}/check_session`)
      return json({
        messageTaskId: null,
        titleTaskId: null,
        sessionTitle: null,
        sessionAgencyPendingActions: pending,
      });
    return undefined;
  });
  return { handler, generates };
}

describe('agency', () => {
  it('a reply carries the actions waiting for approval, readable', async () => {
    const { client } = testClient(agentChat().handler);
    const { reply } = await client.chat.send(1, 'Email Bob about lunch on Friday');
    expect(reply!.pendingActions).toEqual([
      {
        name: 'Send an email',
        tool: 'send_email',
        arguments: { to: 'bob@example.com', subject: 'Lunch', body: 'Friday at noon?' },
        id: 'call_abc123',
        icon: 'EmailPlus',
        description: 'Send an email (to: "bob@example.com", subject: "Lunch", body: "Friday at noon?")',
      },
    ]);
    const check = await client.chat.checkSession(1);
    expect(check.pendingActions.map((a) => a.tool)).toEqual(['send_email']);
  });

  it('confirmActions approves with agencyConfirm=1 and waits for the reply that reports it done', async () => {
    const chat = agentChat();
    const { client } = testClient(chat.handler);
    const result = await client.chat.confirmActions(1, true);
    expect(chat.generates).toEqual([{ sessionId: '1', agencyConfirm: '1', format: 'json' }]);
    expect(result.approved).toBe(true);
    expect(result.actions.map((a) => a.name)).toEqual(['Send an email']);
    expect(result.reply!.content).toBe('Done: the email was sent.');
    expect(result.reply!.pendingActions).toEqual([]);
  });

  it('confirmActions rejects with agencyConfirm=0, and refuses when nothing waits for approval', async () => {
    const chat = agentChat();
    const { client } = testClient(chat.handler);
    await client.chat.confirmActions(1, false, { wait: false });
    expect(chat.generates[0]!.agencyConfirm).toBe('0');
    const error = await client.chat.confirmActions(1, true).then(succeeded, (e) => e);
    expect(AssistantError.isInstance(error) && error.code).toBe('conflict');
    expect(error.message).toMatch(/no actions waiting for approval, so the decision was not sent/);
    expect(chat.generates).toHaveLength(1);
  });

  it('streams the reply text on Nextcloud 35 (chat 417 task_output)', async () => {
    const { client } = testClient(agentChat({ pending: null }).handler);
    const partials: string[] = [];
    const { reply } = await client.chat.send(1, 'Tell me a story', {
      onPartial: (text) => partials.push(text),
    });
    expect(partials).toEqual(['Draft 1', 'Draft 2']);
    expect(reply!.content).toBe('Shall I send it?');
    expect(reply!.pendingActions).toEqual([]);
  });

  it('parses actions as a JSON text (a session record) and leaves unknown tools by their name', () => {
    const actions = parsePendingActions(
      JSON.stringify([{ name: 'create_board', args: { title: 'Q3' }, id: 'c1' }]),
    );
    expect(actions).toEqual([
      {
        name: 'create_board',
        arguments: { title: 'Q3' },
        id: 'c1',
        description: 'create_board (title: "Q3")',
      },
    ]);
    expect(parsePendingActions(null)).toEqual([]);
    expect(parsePendingActions('')).toEqual([]);
  });
});
