// The drift HTML report in a real Chromium: made by the real `driftdeck drift` binary on the
// shared 800-row pair (and the 100k pair), opened from disk with no network, checked for what a
// reader sees, and its size bounded. With REPORT_SCREENSHOT=FILE it also saves a screenshot.
//
// Inputs: DRIFTDECK_CLI (default target/debug/driftdeck), CHROMIUM (default /usr/bin/chromium).
// Run: node --test tests/report/   (playwright-core comes from ui/node_modules)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { chromium } = createRequire(path.join(root, 'ui/package.json'))('playwright-core');
const cli = path.resolve(root, process.env.DRIFTDECK_CLI ?? 'target/debug/driftdeck');
const data = path.resolve(root, '../shared/data/drift/data');

let scratch, browser;

before(async () => {
  assert.ok(fs.existsSync(cli), `CLI not found at ${cli} (run \`make build\`)`);
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'driftdeck-report-'));
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium' });
});

after(async () => {
  if (browser) await browser.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

function report(size) {
  const out = path.join(scratch, `report_${size}.html`);
  const run = spawnSync(
    cli,
    ['drift', path.join(data, `ref_${size}.parquet`), path.join(data, `cur_${size}.parquet`),
      '--format', 'html', '-o', out, '--no-cache'],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  return out;
}

test('the report opens in Chromium and shows the verdict, the table and the charts', async () => {
  const file = report('800');
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const requests = [];
  page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`file://${file}`);
  assert.match(await page.locator('.verdict').innerText(), /Dataset drift detected: 12 of 20/);
  const rows = await page.locator('tbody tr').count();
  assert.equal(rows, 21, '20 tested columns and the timestamp');
  // Drifted columns first: the first row carries the drift badge.
  assert.match(await page.locator('tbody tr').first().innerText(), /drift/);
  // Charts are inline SVG with both distributions; sparklines in the table.
  assert.ok((await page.locator('details svg').count()) >= 20);
  assert.equal(await page.locator('td svg.spark').count(), 20);
  assert.deepEqual(requests, [], 'the page loads nothing');
  assert.deepEqual(errors, []);
  if (process.env.REPORT_SCREENSHOT) {
    await page.screenshot({ path: process.env.REPORT_SCREENSHOT, fullPage: false });
  }
  await page.close();
});

test('the report of a 100k-row pair stays small', () => {
  const file = report('100k');
  const bytes = fs.statSync(file).size;
  assert.ok(bytes < 2 * 1024 * 1024, `report is ${bytes} bytes`);
  assert.ok(bytes > 20 * 1024, `report is suspiciously small: ${bytes} bytes`);
});
