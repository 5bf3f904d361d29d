// Every example flow, deployed as `pnpm start` deploys it, does its job against the emulator.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestEmulator, require, USER, APP_PASSWORD } from './support/harness.mjs';

const { launchNodeRed, exampleFlows, exampleFlowsFor } = require('../../scripts/launch.js');
const { APP_PASSWORD_ADVICE } = require('@f7cloud/assistant-client');

let emulator;
let nodeRed;
beforeAll(async () => {
  // (with the context agent: example 05 gets an action to approve)
  emulator = await startTestEmulator({ contextAgent: true });
  const { flows } = exampleFlowsFor({ url: emulator.url, user: USER, appPassword: APP_PASSWORD });
  nodeRed = await launchNodeRed({ flows });
});
afterAll(async () => {
  await nodeRed?.stop();
  await emulator?.close();
});

/** Clicks an inject node's button, as the editor does. */
async function inject(id) {
  const res = await fetch(new URL(`inject/${id}`, nodeRed.url), { method: 'POST' });
  expect(res.status).toBe(200);
}

/** Records what a debug node of the example shows (its input messages) and any error a Catch node gets. */
function watchNode(id) {
  const seen = [];
  nodeRed.RED.nodes.getNode(id).on('input', (msg) => seen.push(msg));
  return seen;
}

describe('example flows', () => {
  it('tell on their tab to enter user and app password in the config node, which they bring empty', () => {
    const { nodes } = exampleFlows();
    const tabs = nodes.filter((n) => n.type === 'tab');
    expect(tabs).toHaveLength(6);
    for (const tab of tabs) {
      expect(tab.info).toContain('open the config node *Assistant server*');
      expect(tab.info).toContain('your user and an app password');
      expect(tab.info).toContain(APP_PASSWORD_ADVICE);
    }
    for (const server of nodes.filter((n) => n.type === 'f7cloud-server')) {
      expect(server.credentials).toBeUndefined();
    }
  });

  it('keeps the app password out of the deployed flows', async () => {
    const flows = await (await fetch(new URL('flows', nodeRed.url))).text();
    expect(flows).toContain('f7cloud-demo-server');
    expect(flows).not.toContain(APP_PASSWORD);
  });

  it('01 summarizes the text, looks the task up and lists the task types', async () => {
    const summary = watchNode('f7cloud-ex-task-debug');
    const task = watchNode('f7cloud-ex-task-debug2');
    const types = watchNode('f7cloud-ex-types-debug');
    const errors = watchNode('f7cloud-ex-task-err');
    await inject('f7cloud-ex-task-inject');
    await inject('f7cloud-ex-types-inject');
    await expect.poll(() => summary.length + task.length + types.length, { timeout: 15_000 }).toBe(3);
    expect(summary[0].payload).toMatch(/^This is a fake summary: Node-RED is a programming tool/);
    expect(task[0].payload.status).toBe('STATUS_SUCCESSFUL');
    expect(types[0].payload.length).toBeGreaterThan(3);
    expect(errors).toEqual([]);
  });

  it('02 asks, follows up in the same session and prints the history', async () => {
    const first = watchNode('f7cloud-ex-chat-debug');
    const second = watchNode('f7cloud-ex-chat-debug2');
    const history = watchNode('f7cloud-ex-chat-debug3');
    await inject('f7cloud-ex-chat-inject');
    await expect.poll(() => history.length, { timeout: 20_000 }).toBe(1);
    expect(first[0].payload).toContain('What can you do for me?');
    expect(second[0].payload).toContain('Please say that in one sentence.');
    expect(second[0].sessionId).toBe(first[0].sessionId);
    expect(history[0].payload.filter((m) => m.role === 'human')).toHaveLength(2);
  });

  it('03 uploads the document, reads its text and info, and summarizes it', async () => {
    const text = watchNode('f7cloud-ex-file-debug');
    const info = watchNode('f7cloud-ex-file-debug2');
    const summary = watchNode('f7cloud-ex-file-debug3');
    const errors = watchNode('f7cloud-ex-file-err');
    await inject('f7cloud-ex-file-inject');
    await expect
      .poll(() => text.length + info.length + summary.length + errors.length, { timeout: 20_000 })
      .toBe(3);
    expect(errors).toEqual([]);
    expect(text[0].payload).toContain('We agreed to ship the Node-RED nodes this week.');
    expect(info[0].payload.name).toMatch(/meeting-notes\.md$/);
    expect(summary[0].payload).toContain('This is a fake summary');
  });

  it('04 reports the tasks the other examples finished', async () => {
    const finished = watchNode('f7cloud-ex-watch-debug');
    await expect.poll(() => finished.length, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(finished.every((m) => ['successful', 'failed'].includes(m.topic))).toBe(true);
  });

  it('05 asks for an email, prints where to decide, and the approve link answers with the reply that says it is done', async () => {
    const links = watchNode('f7cloud-ex-approve-debug');
    await inject('f7cloud-ex-approve-inject');
    await expect.poll(() => links.length, { timeout: 20_000 }).toBe(1);
    expect(links[0].payload.actions).toContain('bob@example.com');
    const answer = await fetch(new URL(`api${links[0].payload.approve}`, nodeRed.url));
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('I sent the email to bob@example.com');
    // decided already: nothing waits any more, and the link says so
    const again = await fetch(new URL(`api${links[0].payload.reject}`, nodeRed.url));
    expect(again.status).toBe(409);
    expect(await again.text()).toMatch(/approval/i);
  });

  it('06 reads a PDF dropped into /Inbox and summarizes it, once', async () => {
    const summary = watchNode('f7cloud-ex-folder-debug');
    const errors = watchNode('f7cloud-ex-folder-err');
    // the watch's first look (at deploy) found /Inbox empty or missing; this PDF arrives after it
    await new Promise((r) => setTimeout(r, 6000));
    const pdf =
      '%PDF-1.4\n1 0 obj\n<< /Length 48 >>\nstream\nBT /F1 12 Tf (Quarterly numbers went up.) Tj ET\nendstream\nendobj\n%%EOF\n';
    const { createNodeClient } = require('@f7cloud/assistant-client/node');
    const client = createNodeClient({
      baseUrl: emulator.url,
      auth: { user: USER, appPassword: APP_PASSWORD },
    });
    try {
      await client.files.upload('/Inbox/report.pdf', pdf, { contentType: 'application/pdf' });
    } finally {
      client.close();
    }
    await expect.poll(() => summary.length + errors.length, { timeout: 40_000 }).toBe(1);
    expect(errors).toEqual([]);
    expect(summary[0].payload).toContain('This is a fake summary');
    expect(summary[0].payload).toContain('Quarterly numbers went up.');
  }, 60_000);
});
