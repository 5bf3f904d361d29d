// The n8n editor as a new user meets it, in headless Chromium: real n8n 2.41.1 (`n8n start` on
// 127.0.0.1) with the packed package, the owner set up through n8n's REST API, the emulator as server.
// The picker search finds the node by its name and by what it does, the task-type list loads from the
// server, the chosen type's inputs appear, and a run shows its output. Screenshots go to docs/ (shown in
// the README).
import { createNodeClient } from '@f7cloud/assistant-client/node';
import { startEmulator, type RunningEmulator } from '@f7cloud/assistant-emulator';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, selectors, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createN8n, installN8n, packageRoot, packedPackage, type N8nInstance } from './harness.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PASSWORD = 'Canary-editor-7Qm3-Secret';
const CREDENTIAL_ID = 'f7cloudEmuCred09';
const WORKFLOW_ID = 'f7cloudEditorWf01';
const OWNER = {
  email: 'owner@example.com',
  firstName: 'Ada',
  lastName: 'Owner',
  password: 'Editor-Test-2041',
};
const docs = (name: string) => path.join(packageRoot, 'docs', name);
// Generous: two cores shared by several test runs.
const UI_TIMEOUT = 60_000;

let emulator: RunningEmulator;
let n8n: N8nInstance;
let packed: Awaited<ReturnType<typeof packedPackage>>;
let browser: Browser;
let page: Page;
let url: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: run "apt-get install -y chromium" (or set CHROMIUM_PATH)`);
  }
  const bin = installN8n();
  emulator = await startEmulator({ port: 0, users: [{ user: 'alice', appPassword: PASSWORD }] });
  packed = await packedPackage();
  n8n = await createN8n(bin, { extensions: packed.dist });
  await n8n.importCredential({
    id: CREDENTIAL_ID,
    name: 'f7cloud Assistant account',
    type: 'f7CloudAssistantApi',
    data: { serverUrl: emulator.url, user: 'alice', appPassword: PASSWORD, ignoreSslIssues: false },
  });
  // A workflow with only a manual trigger: the picker then opens on "What happens next?".
  await n8n.importWorkflow({
    id: WORKFLOW_ID,
    name: 'Editor test',
    active: false,
    nodes: [
      {
        id: 'a1b2c3d4-0000-4000-8000-000000000001',
        name: 'When clicking ‘Execute workflow’',
        type: 'n8n-nodes-base.manualTrigger',
        typeVersion: 1,
        position: [0, 0],
        parameters: {},
      },
    ],
    connections: {},
    settings: { executionOrder: 'v1' },
  });
  ({ url } = await n8n.start());

  // n8n marks its elements with data-test-id.
  selectors.setTestIdAttribute('data-test-id');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // The owner account through the REST API; its session cookie lands in the browser context.
  // n8n answers /healthz before its REST routes are mounted: retry while the route is missing.
  let setup = await context.request.post(`${url}/rest/owner/setup`, { data: OWNER });
  for (const deadline = Date.now() + 120_000; setup.status() === 404 && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 1000));
    setup = await context.request.post(`${url}/rest/owner/setup`, { data: OWNER });
  }
  expect(setup.status(), await setup.text()).toBe(200);
  page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT);
});

afterAll(async () => {
  await browser?.close();
  await n8n?.dispose();
  await packed?.dispose();
  await emulator?.close();
});

// What the page showed when a step failed (not in docs/).
afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && page) {
    await page.screenshot({ path: path.join(n8n.home, '..', `f7cloud-editor-failure-${Date.now()}.png`) });
    if (process.env.F7CLOUD_E2E_DEBUG) {
      const ids = await page.$$eval('[data-test-id]', (els) =>
        els
          .filter((e) => (e as { offsetParent?: unknown }).offsetParent !== null)
          .map((e) => e.getAttribute('data-test-id')),
      );
      console.log('visible test ids:', [...new Set(ids)].join(' '));
    }
  }
});

async function openWorkflow() {
  await page.goto(`${url}/workflow/${WORKFLOW_ID}`);
  await page.getByText('When clicking ‘Execute workflow’').first().waitFor();
}

async function openPicker() {
  const coachmark = page.getByRole('button', { name: 'Got it' });
  if (await coachmark.isVisible()) await coachmark.click();
  // The plus at the trigger's output: "What happens next?", connected to the trigger.
  await page.getByTestId('canvas-handle-plus').first().click();
  const search = page.getByPlaceholder(/search nodes/i);
  await search.waitFor();
  return search;
}

describe('n8n editor with the f7cloud nodes', () => {
  it('finds the node in the picker by name and by what it does', async () => {
    await openWorkflow();
    const search = await openPicker();
    for (const word of ['f7cloud', 'assistant', 'nextcloud', 'summarize', 'transcribe', 'chat']) {
      await search.fill(word);
      await expect
        .poll(async () => await page.getByText('F7cloud Assistant', { exact: true }).count(), {
          timeout: UI_TIMEOUT,
          message: `search "${word}"`,
        })
        .toBeGreaterThan(0);
      if (word === 'f7cloud') await page.screenshot({ path: docs('editor-search.png') });
    }
  });

  it('loads task types from the server, shows the chosen type inputs, and runs it', async () => {
    const search = await openPicker();
    await search.fill('f7cloud');
    await page.getByText('F7cloud Assistant', { exact: true }).first().click();
    // The node's actions: Task → Run.
    await page.getByText('Run a task', { exact: true }).first().click();
    // Before a type is chosen: a notice, not an error.
    await page.getByText('Choose a task type first: its inputs appear here').waitFor();
    expect(await page.getByText(/No inputs found/i).count()).toBe(0);

    // The task-type list comes from the emulator.
    await page.getByTestId('rlc-input').first().click();
    // The names the server gives (the emulator's, read through core).
    const client = createNodeClient({
      baseUrl: emulator.url,
      auth: { user: 'alice', appPassword: PASSWORD },
    });
    const type = (await client.taskTypes()).find((t) => t.id === 'core:text2text');
    const typeName = type?.name ?? '';
    const inputName = type?.inputShape.input?.name ?? '';
    expect(typeName).not.toBe('');
    const option = page.getByText(typeName, { exact: true }).first();
    await option.waitFor();
    await page.screenshot({ path: docs('editor-task-types.png') });
    // The list is searchable.
    await page.getByPlaceholder('Search...').fill(typeName.slice(0, 6).toLowerCase());
    await option.waitFor();
    await option.click();

    // The chosen type's inputs (display names from the server).
    await page.getByText(inputName, { exact: true }).first().waitFor();
    expect(await page.getByText('Choose a task type first: its inputs appear here').count()).toBe(0);
    const prompt = page.getByTestId('parameter-input-input').locator('textarea, input').first();
    await prompt.fill('Say hello to the editor test');
    // n8n commits a field's value when it loses focus.
    await page.getByText('Values to Send', { exact: true }).click();
    await expect
      .poll(async () => await prompt.inputValue(), { timeout: UI_TIMEOUT })
      .toBe('Say hello to the editor test');
    await page.screenshot({ path: docs('editor-task-inputs.png') });

    await page.getByTestId('node-execute-button').first().click();
    // The emulator's answer names the prompt it got.
    const output = page.getByTestId('output-panel');
    await output.getByText('STATUS_SUCCESSFUL').first().waitFor();
    await output
      .getByText(/Say hello to the editor test/)
      .first()
      .waitFor();
    await page.screenshot({ path: docs('editor-task-output.png') });
  });
});
