// A person's view: the editor in Debian's Chromium, our nodes in the palette, task types from the emulator
// in the dropdown, a deployed flow and its result in the debug sidebar.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestEmulator, require, USER, APP_PASSWORD } from './support/harness.mjs';

const { launchNodeRed, exampleFlowsFor } = require('../../scripts/launch.js');
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const ARTIFACTS = path.join(root, 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

let emulator;
let nodeRed;
let browser;
let page;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: run "apt-get install -y chromium" (or set CHROMIUM_PATH)`);
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  emulator = await startTestEmulator();
  const { flows } = exampleFlowsFor({ url: emulator.url, user: USER, appPassword: APP_PASSWORD });
  nodeRed = await launchNodeRed({ flows });
  const { chromium } = require('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
}, 120_000);

afterAll(async () => {
  // what the page looked like at the end (kept on failure too)
  await page?.screenshot({ path: path.join(ARTIFACTS, 'last.png') }).catch(() => {});
  await browser?.close();
  await nodeRed?.stop();
  await emulator?.close();
});

/** Centre of an element on the page. */
async function centre(locator) {
  const box = await locator.boundingBox();
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

async function dragFromPalette(type, x, y) {
  const paletteNode = page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
  await paletteNode.scrollIntoViewIfNeeded();
  const from = await centre(paletteNode);
  const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 40, from.y + 10, { steps: 5 });
  await page.mouse.move(chart.x + x, chart.y + y, { steps: 15 });
  await page.mouse.up();
  return page.evaluate(
    (t) =>
      RED.nodes
        .filterNodes({ type: t, z: RED.workspaces.active() })
        .map((n) => n.id)
        .pop(),
    type,
  );
}

/** Wires two nodes through the editor's model (dragging 10-pixel ports is what flakes, not what we test). */
async function wire(fromId, toId) {
  await page.evaluate(
    ([a, b]) => {
      RED.nodes.addLink({ source: RED.nodes.node(a), sourcePort: 0, target: RED.nodes.node(b) });
      RED.nodes.dirty(true);
      RED.view.redraw(true);
    },
    [fromId, toId],
  );
}

describe('the Node-RED editor', () => {
  it('shows the example flows and the f7cloud nodes in the palette', async () => {
    await page.goto(nodeRed.url);
    await page.locator('.red-ui-palette-node[data-palette-type="f7cloud-task"]').waitFor({ timeout: 60_000 });
    for (const type of ['f7cloud-chat', 'f7cloud-file', 'f7cloud-task-watch']) {
      await expect(page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).count()).resolves.toBe(
        1,
      );
    }
    await page.locator('.red-ui-flow-node-group').first().waitFor();
    const tabs = await page.locator('#red-ui-workspace-tabs li').allInnerTexts();
    expect(tabs.join('|')).toContain('Assistant: run a task');
    // run the example once, as a newcomer would
    await page.evaluate(() => RED.sidebar.show('debug'));
    await page
      .locator('.red-ui-flow-node-group', { hasText: 'Text to summarize' })
      .locator('.red-ui-flow-node-button')
      .click();
    await page
      .locator('.red-ui-debug-msg')
      .filter({ hasText: 'This is a fake summary' })
      .first()
      .waitFor({ timeout: 20_000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(ARTIFACTS, 'editor.png') });
    if (process.env.UPDATE_DOCS_SCREENSHOT)
      fs.copyFileSync(path.join(ARTIFACTS, 'editor.png'), path.join(root, 'docs', 'editor.png'));
  });

  it('adds a task node, lists the emulator task types, deploys and shows the result in the debug sidebar', async () => {
    await page.evaluate(() => RED.workspaces.add());
    const injectId = await dragFromPalette('inject', 150, 120);
    const taskId = await dragFromPalette('f7cloud-task', 380, 120);
    const debugId = await dragFromPalette('debug', 620, 120);
    expect(injectId && taskId && debugId).toBeTruthy();

    await page.locator(`[id="${taskId}"] .red-ui-flow-node`).dblclick();
    // the only server config is picked for a new node
    await expect(page.locator('#node-input-server option:checked').innerText()).resolves.toBe(
      'Assistant server',
    );
    const typeSelect = page.locator('#node-input-taskType-select');
    await typeSelect
      .locator('option[value="core:text2text:summary"]')
      .waitFor({ state: 'attached', timeout: 20_000 });
    const offered = await typeSelect.locator('option').evaluateAll((options) => options.map((o) => o.value));
    expect(offered).toEqual(
      expect.arrayContaining(['core:text2text:summary', 'core:text2text:translate', 'core:text2image']),
    );
    await typeSelect.selectOption('core:text2text:summary');
    const textInput = page.locator(
      '#node-input-f7cloud-inputs .f7cloud-input-row[data-slot="input"] .f7cloud-input-value',
    );
    await textInput.fill('Hello from the browser test');
    await page.screenshot({ path: path.join(ARTIFACTS, 'task-dialog.png') });
    await page.locator('#node-dialog-ok').click();

    await wire(injectId, taskId);
    await wire(taskId, debugId);
    await page.locator('#red-ui-header-button-deploy').click();
    await page
      .locator('.red-ui-notification')
      .filter({ hasText: /deployed/i })
      .first()
      .waitFor({ timeout: 20_000 });

    await page.evaluate(() => RED.sidebar.show('debug'));
    await page.locator(`[id="${injectId}"] .red-ui-flow-node-button`).click();
    const result = page
      .locator('.red-ui-debug-msg')
      .filter({ hasText: 'This is a fake summary: Hello from the browser test' });
    await result.first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'debug-result.png') });
    const shown = await page.evaluate(() => document.body.innerText);
    expect(shown).not.toContain(APP_PASSWORD);
  }, 90_000);

  it("warns in the config dialog about plain http:// to another machine, with core's texts", async () => {
    const { insecureHttpWarning, APP_PASSWORD_ADVICE } = require('@f7cloud/assistant-client');
    await page.evaluate(() => RED.editor.editConfig('', 'f7cloud-server', 'f7cloud-demo-server'));
    const url = page.locator('#node-config-input-url');
    await url.waitFor();
    const advice = page.locator('#node-config-f7cloud-app-password-advice');
    await expect.poll(() => advice.innerText(), { timeout: 10_000 }).toBe(APP_PASSWORD_ADVICE);
    const warning = page.locator('#node-config-f7cloud-url-warning');
    expect(await warning.isVisible()).toBe(false);

    await url.fill('http://cloud.example.com');
    await warning.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await warning.innerText()).toContain(insecureHttpWarning('http://cloud.example.com'));
    await page.screenshot({ path: path.join(ARTIFACTS, 'server-dialog-http-warning.png') });
    await url.fill('https://cloud.example.com');
    await warning.waitFor({ state: 'hidden', timeout: 10_000 });
    await page.locator('#node-config-dialog-cancel').click();
  }, 60_000);
});
