// Newer servers (assistant 2.13 / 3.5 / 4.0, emulated) in the real Node-RED runtime: assignments, skills
// and the assistant folder where the server has them, core's `unsupported` (nothing sent) where it does not,
// and agency approval through the chat node's second output.
import { describe, it, expect, afterEach } from 'vitest';
import { helper, loadNode, startTestEmulator } from './support/harness.mjs';

let emulator;
afterEach(async () => {
  await helper.unload();
  await emulator?.close();
  emulator = undefined;
});

const assistant = (props) => ({ type: 'f7cloud-assistant', ...props });
const requestsTo = (part) => emulator.control.requests().filter((r) => r.path.includes(part));

describe.each(['2.13', '3.5'])('assistant %s: what it lacks', (version) => {
  it.each([
    ['listAssignments', 'assignments'],
    ['listSkills', 'skills'],
    ['assistantFolder', 'assistant-folder-path'],
  ])('%s says which version it needs and sends nothing', async (operation, path) => {
    emulator = await startTestEmulator({ assistant: version });
    await loadNode(emulator.url, assistant({ operation }));
    const { error, msg } = await send({ payload: 'x' });
    expect(msg.assistantError.code).toBe('unsupported');
    expect(error.message).toMatch(/needs assistant 4\.0 or newer; this server runs assistant /);
    expect(error.message).toMatch(/Nothing was sent/);
    expect(requestsTo(path)).toEqual([]);
  });
});

describe('assistant 4.0: assignments, skills, folder', () => {
  it('creates, lists, updates and deletes an assignment with an RRULE', async () => {
    emulator = await startTestEmulator({ assistant: '4.0' });
    await loadNode(
      emulator.url,
      assistant({
        operation: 'createAssignment',
        title: 'Monday digest',
        prompt: 'Summarise my week',
        recurrence: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=8',
        startsAt: '2027-01-04T08:00:00Z',
        timezone: 'Europe/Berlin',
      }),
    );
    const created = await send({});
    expect(created.error).toBeUndefined();
    const id = created.msg.assignmentId;
    expect(created.msg.payload).toMatchObject({ id, prompt: 'Summarise my week' });
    await helper.unload();

    await loadNode(emulator.url, assistant({ operation: 'updateAssignment' }));
    const updated = await send({ assignmentId: id, recurrence: 'FREQ=DAILY;BYHOUR=7' });
    expect(updated.error).toBeUndefined();
    expect(String(updated.msg.payload.recurrence)).toContain('FREQ=DAILY');
    // a wrong rule is refused before sending
    const before = requestsTo('/assignments').length;
    const bad = await send({ assignmentId: id, recurrence: 'FREQ=SOMETIMES' });
    expect(bad.msg.assistantError.code).toBe('invalid_input');
    expect(requestsTo('/assignments').length).toBe(before);
    await helper.unload();

    await loadNode(emulator.url, assistant({ operation: 'listAssignments' }));
    const listed = await send({});
    expect(listed.msg.payload.map((a) => a.id)).toContain(id);
    await helper.unload();

    await loadNode(emulator.url, assistant({ operation: 'deleteAssignment' }));
    expect((await send({ assignmentId: id })).error).toBeUndefined();
    await helper.unload();
    await loadNode(emulator.url, assistant({ operation: 'listAssignments' }));
    expect((await send({})).msg.payload.map((a) => a.id)).not.toContain(id);
  });

  it('stores, lists and loads a skill, and reads the assistant folder', async () => {
    emulator = await startTestEmulator({ assistant: '4.0' });
    await loadNode(
      emulator.url,
      assistant({ operation: 'storeSkill', skillName: 'triage', description: 'Sort mail' }),
    );
    expect((await send({ payload: '# Triage\nSort by sender.' })).error).toBeUndefined();
    await helper.unload();
    await loadNode(emulator.url, assistant({ operation: 'listSkills' }));
    expect((await send({})).msg.payload).toContainEqual(expect.objectContaining({ name: 'triage' }));
    await helper.unload();
    await loadNode(emulator.url, assistant({ operation: 'loadSkill' }));
    expect((await send({ skillName: 'triage' })).msg.payload).toContain('Sort by sender.');
    await helper.unload();
    await loadNode(emulator.url, assistant({ operation: 'assistantFolder' }));
    expect((await send({})).msg.payload).toMatch(/Assistant$/);
  });
});

/** Loads a chat node with its three outputs wired to helpers (reply, needs approval, partial). */
async function loadChat(props) {
  const extra = [
    { id: 'approval', z: 'tab', type: 'helper' },
    { id: 'partial', z: 'tab', type: 'helper' },
  ];
  await loadNode(
    emulator.url,
    { type: 'f7cloud-chat', wires: [['out'], ['approval'], ['partial']], ...props },
    { extra },
  );
}

// (one listener per helper node and load: Node-RED's input listeners do not take `once` removals well)
const listening = new WeakSet();
let pending;
function listen(id, key) {
  const node = helper.getNode(id);
  if (!node || listening.has(node)) return;
  listening.add(node);
  node.on('input', (m) => pending?.({ [key]: m }));
}

/** Sends msg into n1: the first message on any output (reply / approval) or at the Catch node (error). */
function sendChat(msg, timeoutMs = 20_000) {
  for (const [id, key] of [
    ['out', 'reply'],
    ['approval', 'approval'],
    ['caught', 'error'],
  ])
    listen(id, key);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('nothing came out')), timeoutMs);
    pending = (value) => {
      clearTimeout(timer);
      pending = undefined;
      resolve(value);
    };
    helper.getNode('n1').receive(msg);
  });
}

/** The assistant node's answer as { msg } or { error, msg }. */
async function send(msg) {
  const got = await sendChat(msg);
  return got.error ? { error: got.error.error, msg: got.error } : { msg: got.reply };
}

describe.each(['2.13', '3.5', '4.0'])('agency approval on assistant %s (context agent)', (version) => {
  it('a reply with a pending action leaves on "needs approval"; approving runs it and the reply says it is done', async () => {
    emulator = await startTestEmulator({ assistant: version, contextAgent: true });
    await loadChat({ operation: 'sendMessage' });
    const asked = await sendChat({
      payload: 'Please send an email to bob@example.com saying the report is ready',
    });
    expect(asked.approval).toBeDefined();
    const msg = asked.approval;
    expect(msg.needsApproval).toBe(true);
    expect(msg.pendingActions).toHaveLength(1);
    expect(msg.pendingActions[0]).toMatchObject({
      tool: 'send_email',
      arguments: expect.objectContaining({ recipient: 'bob@example.com' }),
    });
    expect(msg.pendingActions[0].description).toContain('bob@example.com');
    await helper.unload();

    await loadChat({ operation: 'confirmActions' });
    const decided = await sendChat({ sessionId: msg.sessionId, approve: true });
    expect(decided.reply).toBeDefined();
    expect(decided.reply.payload).toContain('I sent the email to bob@example.com');
    expect(decided.reply.approved).toBe(true);
    expect(decided.reply.needsApproval).toBe(false);
  });

  it('a rejected action is not executed, and a second decision is refused before sending', async () => {
    emulator = await startTestEmulator({ assistant: version, contextAgent: true });
    await loadChat({ operation: 'sendMessage' });
    const asked = await sendChat({ payload: 'send an email to carol@example.com saying hello' });
    const sessionId = asked.approval.sessionId;
    await helper.unload();
    await loadChat({ operation: 'confirmActions', decision: 'reject' });
    const decided = await sendChat({ sessionId });
    expect(decided.reply.approved).toBe(false);
    expect(decided.reply.payload).toMatch(/did not/);
    expect(decided.reply.payload).not.toContain('I sent');
    // (the decision is a chat generate request with agencyConfirm: none may leave)
    const confirms = () => emulator.control.requests().filter((r) => /\/chat\/generate$/.test(r.path)).length;
    expect(confirms()).toBeGreaterThan(0);
    const before = confirms();
    const again = await sendChat({ sessionId });
    expect(again.error.assistantError.code).toBe('conflict');
    expect(confirms()).toBe(before);
  });

  it('a plain reply leaves on the first output without pending actions; a bad decision is refused', async () => {
    emulator = await startTestEmulator({ assistant: version, contextAgent: true });
    await loadChat({ operation: 'sendMessage' });
    const plain = await sendChat({ payload: 'What is on my calendar?' });
    expect(plain.reply).toMatchObject({ needsApproval: false, pendingActions: [] });
    await helper.unload();
    await loadChat({ operation: 'confirmActions' });
    const bad = await sendChat({ sessionId: plain.reply.sessionId, approve: 'maybe' });
    expect(bad.error.error.message).toMatch(/msg\.approve must be true .* got "maybe".*nothing was sent/i);
  });
});
