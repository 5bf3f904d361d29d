// Issue 14 through the node: what assistant 4.0 has (assignments, skills, folder path), the clear
// "unsupported" word (nothing sent) on older servers, and agency approval on every generation.
import type { RunningEmulator } from '@f7cloud/assistant-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulator, runNode } from './support/run-node';

type Profile = '2.13' | '3.5' | '4.0';
const PROFILES: Profile[] = ['2.13', '3.5', '4.0'];

const sentTo = (requests: { url: string }[], part: string) => requests.filter((r) => r.url.includes(part));

async function failure(emu: RunningEmulator, parameters: Record<string, unknown>) {
  const run = await runNode(emu, parameters, { continueOnFail: true });
  return { json: run.items[0]?.json as { error: string; details?: string }, requests: run.requests };
}

describe.each(PROFILES.filter((p) => p !== '4.0'))(
  'assistant %s: 4.0 features are refused before sending',
  (version) => {
    let emu: RunningEmulator;
    beforeAll(async () => {
      emu = await emulator({ assistant: version });
    });
    afterAll(async () => await emu.close());

    it.each([
      [{ resource: 'assignment', operation: 'getMany' }, 'assignments'],
      [{ resource: 'skill', operation: 'getMany' }, 'skills'],
      [{ resource: 'file', operation: 'getAssistantFolder' }, 'assistant-folder'],
    ])('%o says which version it needs', async (parameters, route) => {
      const { json, requests } = await failure(emu, parameters);
      expect(json.error).toMatch(/4\.0/);
      expect(`${json.error} ${json.details ?? ''}`).toMatch(/nothing was sent|not sent/i);
      expect(sentTo(requests, route)).toEqual([]);
    });
  },
);

describe('assistant 4.0: assignments, skills, assistant folder', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({ assistant: '4.0' });
  });
  afterAll(async () => await emu.close());

  it('creates, lists, gets, updates and deletes an assignment', async () => {
    const created = await runNode(emu, {
      resource: 'assignment',
      operation: 'create',
      title: 'Monday digest',
      prompt: 'Summarize the news of last week',
      recurrence: 'RRULE:freq=weekly;byday=MO;byhour=8',
      startsAt: '2026-01-05T08:00:00Z',
      options: { timezone: 'Europe/Berlin' },
    });
    const assignment = created.items[0]?.json as Record<string, unknown>;
    expect(assignment).toMatchObject({
      id: expect.any(Number),
      prompt: 'Summarize the news of last week',
      recurrence: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=8',
      starts_at: Date.parse('2026-01-05T08:00:00Z') / 1000,
      timezone: 'Europe/Berlin',
    });
    const id = String(assignment.id);

    const list = await runNode(emu, { resource: 'assignment', operation: 'getMany' });
    expect(list.items.map((item) => item.json.id)).toContain(assignment.id);

    const updated = await runNode(emu, {
      resource: 'assignment',
      operation: 'update',
      assignmentId: id,
      updateFields: { recurrence: 'FREQ=DAILY;BYHOUR=7' },
    });
    expect(updated.items[0]?.json).toMatchObject({ id: assignment.id, recurrence: 'FREQ=DAILY;BYHOUR=7' });
    const got = await runNode(emu, { resource: 'assignment', operation: 'get', assignmentId: id });
    expect(got.items[0]?.json.recurrence).toBe('FREQ=DAILY;BYHOUR=7');
    expect(got.items[0]?.json.prompt).toBe('Summarize the news of last week');

    await runNode(emu, { resource: 'assignment', operation: 'delete', assignmentId: id });
    const after = await runNode(emu, { resource: 'assignment', operation: 'getMany' });
    expect(after.items.map((item) => item.json.id)).not.toContain(assignment.id);
  });

  it('refuses a wrong recurrence rule before sending, naming the wrong part', async () => {
    const { json, requests } = await failure(emu, {
      resource: 'assignment',
      operation: 'create',
      title: 'Broken',
      prompt: 'x',
      recurrence: 'FREQ=SOMETIMES',
      startsAt: '',
    });
    expect(json.error).toMatch(/FREQ/);
    expect(sentTo(requests, 'assignments')).toEqual([]);
  });

  it('stores, lists and loads a skill', async () => {
    await runNode(emu, {
      resource: 'skill',
      operation: 'store',
      skillName: 'weekly-report',
      skillDescription: 'How to write the weekly report',
      content: '# Weekly report\nThree bullet points, no more.',
    });
    const list = await runNode(emu, { resource: 'skill', operation: 'getMany' });
    expect(list.items.map((item) => item.json)).toContainEqual({
      name: 'weekly-report',
      description: 'How to write the weekly report',
    });
    const loaded = await runNode(emu, { resource: 'skill', operation: 'load', skillName: 'weekly-report' });
    expect(String(loaded.items[0]?.json.content)).toContain('Three bullet points, no more.');
  });

  it("tells the assistant folder's path", async () => {
    const { items } = await runNode(emu, { resource: 'file', operation: 'getAssistantFolder' });
    expect(items[0]?.json.path).toMatch(/^\/.+/);
  });
});

describe.each(PROFILES)('assistant %s with the context agent: approval as a workflow step', (version) => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({ assistant: version, contextAgent: true });
  });
  afterAll(async () => await emu.close());

  const ask = async (message: string) =>
    (
      await runNode(emu, {
        resource: 'chat',
        operation: 'sendMessage',
        sessionId: '',
        message,
        wait: true,
        options: { timeout: 30 },
      })
    ).items[0]?.json as Record<string, unknown>;
  const decide = (sessionId: unknown, decision: string, approve?: unknown) =>
    runNode(
      emu,
      {
        resource: 'chat',
        operation: 'confirmActions',
        sessionId: String(sessionId),
        decision,
        ...(approve !== undefined ? { approve } : {}),
        wait: true,
        options: { timeout: 30 },
      },
      { continueOnFail: true },
    );

  it('shows the pending action readably; approving runs it and the reply says it is done', async () => {
    const sent = await ask('Please send an email to bob@example.com saying the report is ready');
    expect(sent.needsApproval).toBe(true);
    const [action] = sent.pendingActions as Record<string, unknown>[];
    expect(action).toMatchObject({
      tool: 'send_email',
      arguments: expect.objectContaining({ recipient: 'bob@example.com' }),
    });
    expect(String(action?.description)).toContain('bob@example.com');

    const check = await runNode(emu, {
      resource: 'chat',
      operation: 'checkSession',
      sessionId: String(sent.sessionId),
    });
    expect(check.items[0]?.json.needsApproval).toBe(true);

    // The decision as it comes from a Send and Wait for Response node: a yes/no value per item.
    const approved = await decide(sent.sessionId, 'expression', true);
    const json = approved.items[0]?.json as Record<string, unknown>;
    expect(json).toMatchObject({ approved: true, needsApproval: false, pendingActions: [] });
    expect(String(json.reply)).toContain('I sent the email to bob@example.com');
    expect((json.actions as unknown[]).length).toBe(1);
  });

  it('rejecting drops the action: it is not executed and nothing waits any more', async () => {
    const sent = await ask('send an email to carol@example.com saying hello');
    expect(sent.needsApproval).toBe(true);
    const rejected = await decide(sent.sessionId, 'reject');
    const json = rejected.items[0]?.json as Record<string, unknown>;
    expect(json.approved).toBe(false);
    expect(String(json.reply)).toMatch(/did not/);
    expect(String(json.reply)).not.toContain('I sent');
    const again = await decide(sent.sessionId, 'approve');
    expect(String(again.items[0]?.json.error)).toMatch(/no actions waiting for approval/);
    expect(sentTo(again.requests, 'agencyConfirm')).toEqual([]);
  });

  it('a plain reply carries no pending actions', async () => {
    const sent = await ask('What is on my calendar?');
    expect(sent).toMatchObject({ needsApproval: false, pendingActions: [] });
  });

  it('refuses a decision that is neither yes nor no, before sending', async () => {
    const sent = await ask('send an email to dave@example.com saying hi');
    const result = await decide(sent.sessionId, 'expression', 'maybe');
    expect(String(result.items[0]?.json.error)).toMatch(/must be true or false.*Nothing was sent/);
    expect(sentTo(result.requests, 'agencyConfirm')).toEqual([]);
  });
});

describe.each([
  ['2.13', false],
  ['4.0', true],
] as const)('assistant %s: "Mark Output as AI-Generated"', (version, takesIt) => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({ assistant: version });
  });
  afterAll(async () => await emu.close());

  it(
    takesIt
      ? 'is sent to servers that take it'
      : 'is left out with a notice on servers that never mark output',
    async () => {
      const { items, hints, requests } = await runNode(emu, {
        resource: 'task',
        operation: 'run',
        taskType: 'core:text2text:headline',
        inputs: { mappingMode: 'defineBelow', value: { input: 'Watermark me' } },
        waitMode: 'noWait',
        options: { includeWatermark: false },
      });
      expect(items[0]?.json.taskId).toEqual(expect.any(Number));
      const [schedule] = sentTo(requests, '/taskprocessing/schedule') as { body?: unknown }[];
    const body = JSON.parse(String(schedule?.body)) as Record<string, unknown>;
    expect('includeWatermark' in body).toBe(takesIt);
    if (takesIt) expect(body.includeWatermark).toBe(false);
    const notice = hints.map((hint) => hint.message).join(' ');
      if (takesIt) expect(notice).not.toMatch(/includeWatermark|watermark/i);
      else expect(notice).toMatch(/includeWatermark|watermark/i);
    },
  );
});
