// A person's view: the editor in Debian's Chromium, our nodes in the palette, task types from the emulator
// in the dropdown, a deployed flow and its result in the debug sidebar, what a new user reads in the task
// and server dialogs. UPDATE_DOCS_SCREENSHOT=1 also writes the README's screenshots to docs/.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
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
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
}, 120_000);

afterAll(async () => {
  // what the page looked like at the end (kept on failure too)
  await page?.screenshot({ path: path.join(ARTIFACTS, 'last.png') }).catch(() => {});
  await browser?.close();
  await nodeRed?.stop();
  await emulator?.close();
});

/** A screenshot of the page or of one element, into test-artifacts/ (and docs/ when asked to). */
async function shot(name, target = page) {
  // a notification left from deploying would cover the dialog
  await expect.poll(() => page.locator('.red-ui-notification:visible').count(), { timeout: 20_000 }).toBe(0);
  const file = path.join(ARTIFACTS, name);
  await target.screenshot({ path: file });
  if (process.env.UPDATE_DOCS_SCREENSHOT) fs.copyFileSync(file, path.join(root, 'docs', name));
}

/** The open edit dialog (Node-RED's tray), for screenshots of just the dialog. */
const tray = () => page.locator('.red-ui-tray').last();

/** Closes the open dialog with one of its buttons and waits until its tray is gone. */
async function closeDialog(button) {
  await page.locator(button).click();
  await expect.poll(() => page.locator('.red-ui-tray').count(), { timeout: 10_000 }).toBe(0);
}

/** After a failed test: no dialog left open to block the next one. */
async function cancelDialogs() {
  for (let i = 0; i < 3 && (await page.locator('.red-ui-tray').count()) > 0; i++) {
    await page
      .locator('.red-ui-tray:last-child .red-ui-tray-toolbar button')
      .filter({ hasText: /cancel/i })
      .first()
      .click({ timeout: 2_000 })
      .catch(() => {});
    await page.waitForTimeout(500);
  }
}

/** [r, g, b] of a CSS colour as the browser computed it. */
const rgb = (css) =>
  css
    .match(/\d+(\.\d+)?/g)
    .slice(0, 3)
    .map(Number);

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
  afterEach(cancelDialogs);

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
    await shot('editor.png');
  });

  it('shows short palette labels (task, file, chat, task watch), each on one line', async () => {
    const palette = await page.evaluate(() =>
      ['debug', 'f7cloud-task', 'f7cloud-file', 'f7cloud-chat', 'f7cloud-task-watch'].map((type) => {
        const node = document.querySelector(`.red-ui-palette-node[data-palette-type="${type}"]`);
        return {
          type,
          label: node.querySelector('.red-ui-palette-label').innerText.trim(),
          height: node.getBoundingClientRect().height,
        };
      }),
    );
    const [debug, ...ours] = palette;
    expect(ours.map((p) => p.label)).toEqual(['task', 'file', 'chat', 'task watch']);
    // Node-RED makes a palette node taller for each extra line of its label: ours are as tall as "debug"
    for (const p of ours)
      expect({ type: p.type, height: p.height }).toEqual({ type: p.type, height: debug.height });
    await shot(
      'palette.png',
      page.locator('.red-ui-palette-category', { has: page.locator('[data-palette-type="f7cloud-task"]') }),
    );
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

  it("labels the task inputs with the server's names, the key as a hint and the description under the field", async () => {
    await page.evaluate(() => RED.workspaces.add());
    const taskId = await dragFromPalette('f7cloud-task', 300, 120);
    await page.locator(`[id="${taskId}"] .red-ui-flow-node`).dblclick();
    const typeSelect = page.locator('#node-input-taskType-select');
    await typeSelect
      .locator('option[value="core:text2text:translate"]')
      .waitFor({ state: 'attached', timeout: 20_000 });
    // the dropdown names the types as the server does, with the id beside
    await expect(typeSelect.locator('option[value="core:text2text:translate"]').innerText()).resolves.toBe(
      'Translate (core:text2text:translate)',
    );
    await typeSelect.selectOption('core:text2text:translate');
    await page.locator('.f7cloud-input-row[data-slot="model"]').waitFor();

    const rows = await page.locator('#node-input-f7cloud-inputs .f7cloud-input-row').evaluateAll((all) =>
      all.map((row) => {
        const label = row.querySelector('.f7cloud-input-label');
        const name = row.querySelector('.f7cloud-input-name');
        const key = row.querySelector('.f7cloud-input-key');
        const control = row.querySelector('.f7cloud-input-value');
        const help = row.querySelector('.f7cloud-input-help');
        const lineHeight =
          parseFloat(getComputedStyle(name).lineHeight) || parseFloat(getComputedStyle(name).fontSize) * 1.5;
        return {
          slot: row.dataset.slot,
          name: name.innerText.trim(),
          key: key.innerText.trim(),
          icon: !!label.querySelector('i.fa'),
          keySmaller:
            parseFloat(getComputedStyle(key).fontSize) < parseFloat(getComputedStyle(name).fontSize),
          oneLine: label.getBoundingClientRect().height < lineHeight * 1.6,
          control: control.tagName.toLowerCase(),
          placeholder: control.getAttribute('placeholder') || '',
          help: help ? help.innerText.trim() : '',
          helpUnderField: help
            ? help.getBoundingClientRect().top >= control.getBoundingClientRect().bottom - 1
            : false,
          options: control.tagName === 'SELECT' ? [...control.options].map((o) => [o.value, o.text]) : null,
        };
      }),
    );
    expect(rows.map((r) => [r.slot, r.name, r.key])).toEqual([
      ['input', 'Origin text *', 'input'],
      ['origin_language', 'Origin language *', 'origin_language'],
      ['target_language', 'Target language *', 'target_language'],
      ['max_tokens', 'Maximum output words', 'max_tokens'],
      ['model', 'Model', 'model'],
    ]);
    for (const row of rows) {
      expect({ slot: row.slot, icon: row.icon, keySmaller: row.keySmaller, oneLine: row.oneLine }).toEqual({
        slot: row.slot,
        icon: true,
        keySmaller: true,
        oneLine: true,
      });
      // the description is help text under the field, never a placeholder cut off inside it
      expect(row.helpUnderField, row.slot).toBe(true);
      expect(row.placeholder, row.slot).toBe('');
    }
    const bySlot = Object.fromEntries(rows.map((r) => [r.slot, r]));
    expect(bySlot.input.control).toBe('textarea');
    // the server's description, then ours on its own line (the description has no full stop)
    expect(bySlot.input.help).toBe('The text to translate\nEmpty: taken from msg.payload.');
    expect(bySlot.origin_language.help).toBe('The language of the origin text');
    expect(bySlot.max_tokens.help).toBe(
      'The maximum number of words/tokens that can be generated in the completion.',
    );
    // choice lists start with "server default" (nothing sent, the server picks), then the server's names
    for (const slot of ['origin_language', 'target_language', 'model']) {
      expect(bySlot[slot].control, slot).toBe('select');
      expect(bySlot[slot].options[0], slot).toEqual(['', 'server default']);
    }
    expect(bySlot.origin_language.options.slice(1, 3)).toEqual([
      ['detect_language', 'Detect language'],
      ['en', 'English (US)'],
    ]);
    expect(bySlot.model.options.slice(1)).toEqual([
      ['model_1', 'Model 1'],
      ['model_2', 'Model 2'],
      ['model_3', 'Model 3'],
    ]);
    await page
      .locator('#node-input-f7cloud-inputs .f7cloud-input-row[data-slot="input"] .f7cloud-input-value')
      .fill('Guten Morgen');
    await page.locator('.f7cloud-input-row[data-slot="target_language"] select').selectOption('en');
    await shot('task-inputs.png', tray());
    await closeDialog('#node-dialog-cancel');
  }, 60_000);

  // The rows several dialogs share are built by resources/editor.js into each dialog's template: each
  // must show that node's own words, and what is typed into it must be saved and come back on reopening.
  const WAIT = { kind: 'checkbox', from: true, to: false };
  const TIMEOUT = { kind: 'text', label: 'Timeout (s)', to: '123' };
  const NAME = { kind: 'text', label: 'Name' };
  const INTERVAL = { kind: 'text', label: 'Check every (s)', to: '45' };
  const EMIT_EXISTING = { kind: 'checkbox', from: false, to: true };
  const CONTEXT_STORE = {
    kind: 'select',
    label: 'Context store',
    options: ['default', 'memory'],
    to: 'memory',
  };
  const SHARED_ROWS = {
    'f7cloud-task': {
      operation: 'run',
      rows: { wait: { ...WAIT, label: 'Wait for the result' }, timeout: TIMEOUT, name: NAME },
    },
    'f7cloud-file': {
      operation: 'upload',
      rows: {
        path: {
          kind: 'typed',
          label: 'File Path',
          to: 'Documents/report.pdf',
          help: /Documents\/report\.pdf/,
        },
        name: NAME,
      },
    },
    // the file node's Wait and Timeout belong to "Run a file action"
    'f7cloud-file#runAction': {
      operation: 'runAction',
      rows: { wait: { ...WAIT, label: 'Wait for the result' }, timeout: TIMEOUT },
    },
    'f7cloud-chat': {
      operation: 'sendMessage',
      rows: { wait: { ...WAIT, label: 'Wait for the reply' }, timeout: TIMEOUT, name: NAME },
    },
    'f7cloud-assistant': { rows: { name: NAME } },
    'f7cloud-task-watch': {
      rows: {
        interval: INTERVAL,
        emitExisting: {
          ...EMIT_EXISTING,
          label: 'On the first start, also emit tasks that already finished',
        },
        contextStore: CONTEXT_STORE,
        name: NAME,
      },
    },
    'f7cloud-watch-folder': {
      rows: {
        folder: { kind: 'text', label: 'Folder', placeholder: '/Inbox', to: '/Scans' },
        interval: INTERVAL,
        emitExisting: { ...EMIT_EXISTING, label: 'On the first start, also send the files already there' },
        contextStore: CONTEXT_STORE,
        name: NAME,
      },
    },
  };

  /** What the open dialog shows in each of these rows: label, value, and for a select its option texts. */
  const readRows = (fields) =>
    page.evaluate((names) => {
      const out = {};
      for (const field of names) {
        const input = document.getElementById(`node-input-${field}`);
        if (!input) {
          out[field] = null;
          continue;
        }
        const row = input.closest('.form-row');
        const label =
          input.type === 'checkbox'
            ? row.querySelector(`label[for="node-input-${field}"]`)
            : row.querySelector('label');
        out[field] = {
          label: label.textContent.trim(),
          icon: input.type === 'checkbox' || !!label.querySelector('i.fa'),
          visible: row.offsetParent !== null,
          value: input.type === 'checkbox' ? input.checked : $(input).val(),
          type: $(`#node-input-${field}Type`).val() ?? null,
          placeholder: input.getAttribute('placeholder') || '',
          help: row.querySelector('.f7cloud-help')?.textContent.trim() ?? '',
          options: input.tagName === 'SELECT' ? [...input.options].map((o) => o.text) : null,
        };
      }
      return out;
    }, fields);

  it("builds the shared rows of every dialog with the node's own words, and saves and restores them", async () => {
    await page.evaluate(() => RED.workspaces.add());
    const ids = {};
    let y = 80;
    for (const key of Object.keys(SHARED_ROWS)) {
      const type = key.split('#')[0];
      if (!ids[type]) ids[type] = await dragFromPalette(type, 300, (y += 60));
    }
    // a task node saved before "Wait for the result" existed still waits, and its dialog says so
    await page.evaluate((id) => delete RED.nodes.node(id).wait, ids['f7cloud-task']);

    for (const [key, spec] of Object.entries(SHARED_ROWS)) {
      const type = key.split('#')[0];
      const fields = Object.keys(spec.rows);
      const open = async () => {
        await page.locator(`[id="${ids[type]}"] .red-ui-flow-node`).dblclick();
        await page.locator('#node-input-name').waitFor({ state: 'attached' });
        if (spec.operation) await page.locator('#node-input-operation').selectOption(spec.operation);
      };
      await open();
      const shown = await readRows(fields);
      for (const [field, row] of Object.entries(spec.rows)) {
        const got = shown[field];
        expect(got, `${key} ${field}`).not.toBeNull();
        expect({ key, field, label: got.label, icon: got.icon, visible: got.visible }).toEqual({
          key,
          field,
          label: row.label,
          icon: true,
          visible: true,
        });
        if (row.kind === 'checkbox')
          expect({ key, field, value: got.value }).toEqual({ key, field, value: row.from });
        if (row.placeholder) expect(got.placeholder).toBe(row.placeholder);
        if (row.help) expect(got.help).toMatch(row.help);
        if (row.options) expect(got.options).toEqual(row.options);
      }
      // type what a user would, then Done
      const values = {};
      for (const [field, row] of Object.entries(spec.rows)) {
        const input = page.locator(`#node-input-${field}`);
        if (row.kind === 'checkbox') {
          await input.setChecked(row.to);
          values[field] = row.to;
        } else if (row.kind === 'select') {
          await input.selectOption(row.to);
          values[field] = row.to;
        } else {
          values[field] = row.to ?? `My ${key}`;
          if (row.kind === 'typed') {
            // a TypedInput: its type menu, then the text box it shows in place of the input
            await page.evaluate((f) => $(`#node-input-${f}`).typedInput('type', 'str'), field);
            await page
              .locator(`.f7cloud-row-${field} .red-ui-typedInput-container input:visible`)
              .fill(values[field]);
          } else {
            await input.fill(values[field]);
          }
        }
      }
      await closeDialog('#node-dialog-ok');
      const saved = await page.evaluate(
        ([id, names]) =>
          Object.fromEntries(
            names.flatMap((n) => [
              [n, RED.nodes.node(id)[n]],
              [`${n}Type`, RED.nodes.node(id)[`${n}Type`]],
            ]),
          ),
        [ids[type], fields],
      );
      for (const field of fields) {
        expect({ key, field, saved: String(saved[field]) }).toEqual({
          key,
          field,
          saved: String(values[field]),
        });
        if (spec.rows[field].kind === 'typed') expect(saved[`${field}Type`]).toBe('str');
      }
      // reopened, the dialog shows what was saved
      await open();
      const restored = await readRows(fields);
      for (const field of fields) {
        expect({ key, field, value: String(restored[field].value) }).toEqual({
          key,
          field,
          value: String(values[field]),
        });
        if (spec.rows[field].kind === 'typed') expect(restored[field].type).toBe('str');
      }
      await closeDialog('#node-dialog-cancel');
    }
  }, 120_000);

  it("offers core's file actions in the file dialog, and keeps the chosen one", async () => {
    const { FILE_ACTIONS } = require('@f7cloud/assistant-client');
    await page.evaluate(() => RED.workspaces.add());
    const fileId = await dragFromPalette('f7cloud-file', 300, 120);
    const action = page.locator('#node-input-action');
    const open = async () => {
      await page.locator(`[id="${fileId}"] .red-ui-flow-node`).dblclick();
      await page.locator('#node-input-operation').selectOption('runAction');
    };
    const offered = () =>
      action.locator('option').evaluateAll((all) => all.map((o) => [o.value, o.text, o.title]));
    const expected = Object.entries(FILE_ACTIONS).map(([id, { label, description }]) => [
      id,
      `${label} (${id})`,
      description,
    ]);

    await open();
    await expect.poll(offered, { timeout: 20_000 }).toEqual(expected);
    // a new node starts with the first of core's actions
    expect(await action.inputValue()).toBe(Object.keys(FILE_ACTIONS)[0]);
    await action.selectOption('core:audio2text');
    await closeDialog('#node-dialog-ok');
    expect(await page.evaluate((id) => RED.nodes.node(id).action, fileId)).toBe('core:audio2text');

    await open();
    await expect.poll(offered, { timeout: 20_000 }).toEqual(expected);
    expect(await action.inputValue()).toBe('core:audio2text');
    await closeDialog('#node-dialog-cancel');

    // an action core no longer offers (a flow from elsewhere) stays as saved, beside core's list
    await page.evaluate((id) => (RED.nodes.node(id).action = 'core:gone'), fileId);
    await open();
    await expect.poll(offered, { timeout: 20_000 }).toEqual([...expected, ['core:gone', 'core:gone', '']]);
    expect(await action.inputValue()).toBe('core:gone');
    await closeDialog('#node-dialog-cancel');
  }, 60_000);

  it('styles "Test connection": red with what is wrong for a wrong app password, green when it works', async () => {
    const { APP_PASSWORD_ADVICE } = require('@f7cloud/assistant-client');
    await page.evaluate(() => RED.editor.editConfig('', 'f7cloud-server', 'f7cloud-demo-server'));
    const password = page.locator('#node-config-input-appPassword');
    // the stored password arrives after the dialog opens (as a placeholder) and would replace a faster typist's
    await expect.poll(() => password.inputValue(), { timeout: 10_000 }).toBe('__PWRD__');
    const button = page.locator('#node-config-f7cloud-test');
    const result = page.locator('#node-config-f7cloud-test-result');
    const look = () =>
      result.evaluate((el) => ({
        state: el.dataset.result,
        classes: el.className,
        color: getComputedStyle(el).color,
        border: getComputedStyle(el).borderTopColor,
        headline: el.querySelector('.f7cloud-test-headline')?.innerText.trim() ?? '',
        hint: el.querySelector('.f7cloud-test-hint')?.innerText.trim() ?? '',
        text: el.innerText.trim(),
      }));

    await password.fill('not-the-app-password');
    await button.click();
    await expect.poll(async () => (await look()).state, { timeout: 20_000 }).toBe('failed');
    const failed = await look();
    // every label of the dialog on one line, "App Password" too
    const labels = await page
      .locator('#node-config-dialog-edit-form .form-row > label:first-child:visible')
      .evaluateAll((all) =>
        all.map((l) => ({ text: l.innerText.trim(), oneLine: l.getBoundingClientRect().height < 30 })),
      );
    expect(labels.map((l) => l.text)).toContain('App Password');
    for (const l of labels) expect(l).toEqual({ text: l.text, oneLine: true });
    expect(failed.classes).toContain('f7cloud-test-failed');
    const [r, g, b] = rgb(failed.color);
    expect(r).toBeGreaterThan(g + 60);
    expect(r).toBeGreaterThan(b + 60);
    const [br, bg, bb] = rgb(failed.border);
    expect(br).toBeGreaterThan(Math.max(bg, bb));
    // a headline on what is wrong, then what to do: each said once
    expect(failed.headline).toBe('The server refused the user or app password.');
    expect(failed.hint).toBe(APP_PASSWORD_ADVICE);
    expect(failed.text).toBe(`${failed.headline}\n${failed.hint}`);
    expect(failed.text.match(/refused|rejected/gi)).toHaveLength(1);
    expect(failed.text).not.toContain('not-the-app-password');
    expect(failed.text).not.toContain(APP_PASSWORD);
    await shot('connection-test.png', tray());

    await password.fill(APP_PASSWORD);
    await button.click();
    await expect.poll(async () => (await look()).state, { timeout: 20_000 }).toBe('ok');
    const ok = await look();
    expect(ok.classes).toContain('f7cloud-test-ok');
    expect(ok.classes).not.toContain('f7cloud-test-failed');
    const [gr, gg, gb] = rgb(ok.color);
    expect(gg).toBeGreaterThan(gr + 40);
    expect(gg).toBeGreaterThan(gb + 20);
    const host = new URL(emulator.url).host;
    expect(ok.text).toMatch(
      new RegExp(`^Connected to ${host.replace(/\./g, '\\.')}: \\d+ task types available\\.$`),
    );
    await shot('connection-test-ok.png', tray());
    expect(await page.evaluate(() => document.body.innerText)).not.toContain(APP_PASSWORD);
    await closeDialog('#node-config-dialog-cancel');
  }, 60_000);

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
