// End-to-end: the real Driftdeck binary in a real WebKitGTK window under Xvfb, driven through
// tauri-driver and WebKitWebDriver. Nothing is mocked: a real catalog file, the real commands.
//
// Inputs (set by `make test-e2e`): DRIFTDECK_APP, DRIFTDECK_CLI, TAURI_DRIVER, DISPLAY.
// Run: node --test tests/e2e/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Session, startTauriDriver } from './webdriver.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const app = path.resolve(root, process.env.DRIFTDECK_APP ?? 'target/debug/driftdeck-app');
const cli = path.resolve(root, process.env.DRIFTDECK_CLI ?? 'target/debug/driftdeck');
const driverBin = process.env.TAURI_DRIVER ?? path.join(os.homedir(), '.cargo/bin/tauri-driver');
const demo = path.join(root, 'assets/demo');

let scratch, driver, session;

before(async () => {
  for (const [what, p] of [['app binary', app], ['CLI binary', cli], ['tauri-driver', driverBin]]) {
    assert.ok(fs.existsSync(p), `${what} not found at ${p} (run \`make build\` / \`make setup\`)`);
  }
  assert.ok(process.env.DISPLAY, 'DISPLAY is not set: run under Xvfb (make test-e2e does)');
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'driftdeck-e2e-'));
  const db = path.join(scratch, 'catalog.sqlite');
  const added = spawnSync(cli, ['project', 'add', demo, '--db', db, '--json'], { encoding: 'utf8' });
  assert.equal(added.status, 0, added.stderr);
  // The app finds the catalog through DRIFTDECK_DB, inherited via tauri-driver and WebKitWebDriver.
  driver = await startTauriDriver({ driverBin, env: { ...process.env, DRIFTDECK_DB: db } });
  session = await Session.start(driver.url, app);
});

after(async () => {
  if (session) await session.end();
  if (driver) await driver.stop();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test('the window opens with the app layout', async () => {
  const nav = await session.textsOf('[data-testid^="nav-"]');
  for (const view of ['Projects', 'Runs', 'Datasets', 'Compare', 'Fairness', 'Models']) {
    assert.ok(nav.some((t) => t.includes(view)), `sidebar lacks ${view}: ${JSON.stringify(nav)}`);
  }
  const [status] = await session.textsMatching('[data-testid="status-bar"]', /catalog\.sqlite/);
  assert.match(status, /Driftdeck \d+\.\d+\.\d+/);
});

test('the demo project is listed from the real catalog', async () => {
  const rows = await session.textsOf('[data-testid="project-row"]');
  assert.equal(rows.length, 1, JSON.stringify(rows));
  assert.match(rows[0], /demo/);
  assert.match(rows[0], /assets\/demo/);
  if (process.env.E2E_SCREENSHOT) {
    fs.writeFileSync(process.env.E2E_SCREENSHOT, await session.screenshotPng());
  }
});

test('the demo runs are indexed live and listed in the Runs view', async () => {
  const [nav] = await session.findAll('[data-testid="nav-runs"]');
  await session.click(nav);
  // The app's watcher indexes the demo project at start-up; wait for its runs to arrive.
  const rows = await session.textsOf('[data-testid="run-row"]', 90_000);
  const text = rows.join('\n');
  for (const name of ['lucky-panda-28', 'swift-falcon-33']) {
    assert.match(text, new RegExp(name), `run ${name} not listed: ${text}`);
  }
});

test('the demo datasets are listed with their rows', async () => {
  const [nav] = await session.findAll('[data-testid="nav-datasets"]');
  await session.click(nav);
  const rows = await session.textsOf('[data-testid="dataset-row"]', 60_000);
  const text = rows.join('\n');
  assert.match(text, /reference\.csv/);
  assert.match(text, /current\.csv/);
});

test('two files compared in the Compare view through the real engine', async () => {
  const [nav] = await session.findAll('[data-testid="nav-compare"]');
  await session.click(nav);
  // Paths typed into the slots (the native drop and file dialog cannot be driven by WebDriver).
  for (const [slot, file] of [['reference', 'reference.csv'], ['current', 'current.csv']]) {
    const [input] = await waitForElement(`[data-testid="path-${slot}"]`);
    await session.sendKeys(input, path.join(demo, 'data', file) + '\uE004');
  }
  const [run] = await session.findAll('[data-testid="run-compare"]');
  await session.click(run);
  const [verdict] = await session.textsMatching('[data-testid="drift-verdict"]', /drift/i, 60_000);
  assert.match(verdict, /\d+ of \d+ columns/, verdict);
  // The demo's current data drifts in monthly_charges (its MANIFEST): listed as drifted.
  const rows = await session.textsOf('[data-testid="drift-row"]');
  const charges = rows.find((r) => r.includes('monthly_charges'));
  assert.ok(charges, `monthly_charges not in the table: ${rows.join(' | ')}`);
  assert.match(charges, /drift/i);
  if (process.env.E2E_SCREENSHOT_COMPARE) {
    fs.writeFileSync(process.env.E2E_SCREENSHOT_COMPARE, await session.screenshotPng());
  }
});

test('a predictions file checked in the Fairness view through the real engine', async () => {
  const [nav] = await session.findAll('[data-testid="nav-fairness"]');
  await session.click(nav);
  const [input] = await waitForElement('[data-testid="fairness-path"]');
  await session.sendKeys(input, path.join(demo, 'data', 'predictions.csv') + '\uE004');
  // The real fairness_columns guesses the roles from the file's columns.
  await session.textsMatching('[data-testid="fairness-guess"]', /label/i, 60_000);
  await waitForEnabled('[data-testid="run-fairness"]');
  const [run] = await session.findAll('[data-testid="run-fairness"]');
  await session.click(run);
  const [verdict] = await session.textsMatching('[data-testid="fairness-verdict"]', /violation/i, 60_000);
  assert.ok(verdict.length > 0);
  const report = (await session.textsOf('[data-testid="fairness-report"]')).join('\n');
  for (const group of ['18-29', '60+']) assert.match(report, new RegExp(group.replace('+', '\\+')));
  assert.match(report, /demographic_parity|Demographic parity/i);
  if (process.env.E2E_SCREENSHOT_FAIRNESS) {
    fs.writeFileSync(process.env.E2E_SCREENSHOT_FAIRNESS, await session.screenshotPng());
  }
});

async function waitForEnabled(css) {
  for (let i = 0; i < 300; i++) {
    const ok = await session.execute(
      'const e = document.querySelector(arguments[0]); return !!e && !e.disabled;',
      [css],
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${css} never became enabled`);
}

async function waitForElement(css) {
  await session.textsOf(css);
  return session.findAll(css);
}
