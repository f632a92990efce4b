// End-to-end: the real Driftdeck binary in a real WebKitGTK window under Xvfb, driven through
// tauri-driver and WebKitWebDriver. Nothing is mocked: a real catalog file, the real commands.
//
// Inputs (set by `make test-e2e`): DRIFTDECK_APP, DRIFTDECK_CLI, TAURI_DRIVER, DISPLAY.
// Run: node --test tests/e2e/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Session, startTauriDriver, waitFor } from './webdriver.mjs';
import { installBrowser, openedUrls } from './browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const app = path.resolve(root, process.env.DRIFTDECK_APP ?? 'target/debug/driftdeck-app');
const cli = path.resolve(root, process.env.DRIFTDECK_CLI ?? 'target/debug/driftdeck');
const driverBin = process.env.TAURI_DRIVER ?? path.join(os.homedir(), '.cargo/bin/tauri-driver');
const demo = path.join(root, 'assets/demo');

const mlflowBin = path.join(process.env.DRIFTDECK_MLFLOW_VENV ?? path.join(root, 'target/mlflow-venv'), 'bin/mlflow');

let scratch, driver, session, mlflow, registryUrl, db, browserLog;

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A real MLflow server (from the venv `make test` creates), in its own process group. */
async function startMlflow(dir) {
  assert.ok(fs.existsSync(mlflowBin), `${mlflowBin} not found (run \`make setup\`)`);
  const port = await freePort();
  const child = spawn(
    mlflowBin,
    ['server', '--host', '127.0.0.1', '--port', String(port), '--workers', '1',
      '--backend-store-uri', `sqlite:///${dir}/mlflow.db`, '--artifacts-destination', path.join(dir, 'artifacts')],
    { cwd: dir, detached: true, stdio: 'ignore', env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' } },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 480; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return { child, url };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('mlflow server did not start in 120 s');
}

before(async () => {
  for (const [what, p] of [['app binary', app], ['CLI binary', cli], ['tauri-driver', driverBin]]) {
    assert.ok(fs.existsSync(p), `${what} not found at ${p} (run \`make build\` / \`make setup\`)`);
  }
  assert.ok(process.env.DISPLAY, 'DISPLAY is not set: run under Xvfb (make test-e2e does)');
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'driftdeck-e2e-'));
  db = path.join(scratch, 'catalog.sqlite');
  const added = spawnSync(cli, ['project', 'add', demo, '--db', db, '--json'], { encoding: 'utf8' });
  assert.equal(added.status, 0, added.stderr);
  // The team registry the Models view publishes to: a real MLflow server, logged in by the CLI.
  fs.mkdirSync(path.join(scratch, 'mlflow'));
  ({ child: mlflow, url: registryUrl } = await startMlflow(path.join(scratch, 'mlflow')));
  // The kernel keyring, for the CLI and the app alike: the D-Bus session `make test-e2e` starts
  // has no unlocked Secret Service (tests/registry_mlflow.rs covers that one).
  process.env.DRIFTDECK_KEYRING = 'keyutils';
  // The app's settings and window state in the scratch folder, not the user's.
  process.env.XDG_CONFIG_HOME = path.join(scratch, 'config');
  // The "system browser": the stand-in of browser.mjs, registered as the default http(s) handler.
  process.env.XDG_DATA_HOME = path.join(scratch, 'data');
  browserLog = installBrowser({ dataHome: process.env.XDG_DATA_HOME, configHome: process.env.XDG_CONFIG_HOME, dir: scratch });
  const login = spawnSync(cli, ['registry', 'login', registryUrl, '--db', db], { encoding: 'utf8' });
  assert.equal(login.status, 0, login.stderr);
  // The app finds the catalog through DRIFTDECK_DB, inherited via tauri-driver and WebKitWebDriver.
  driver = await startTauriDriver({ driverBin, env: { ...process.env, DRIFTDECK_DB: db } });
  session = await Session.start(driver.url, app);
});

after(async () => {
  if (session) await session.end();
  if (driver) await driver.stop();
  if (mlflow) {
    try {
      process.kill(-mlflow.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** Opens a view from the sidebar. */
async function openView(name) {
  const [nav] = await session.findAll(`[data-testid="nav-${name}"]`);
  await session.click(nav);
}

/** A PNG of the window into the file the environment variable `variable` names, when it is set. */
async function screenshotTo(variable) {
  const file = process.env[variable];
  if (file) fs.writeFileSync(file, await session.screenshotPng());
}

test('the window opens with the app layout', async () => {
  const nav = await session.textsOf('[data-testid^="nav-"]');
  for (const view of ['Projects', 'Runs', 'Charts', 'Datasets', 'Compare', 'Fairness', 'Models']) {
    assert.ok(nav.some((t) => t.includes(view)), `sidebar lacks ${view}: ${JSON.stringify(nav)}`);
  }
  const [status] = await session.textsMatching('[data-testid="status-bar"]', /catalog\.sqlite/);
  assert.match(status, /Driftdeck \d+\.\d+\.\d+/);
});

test('a catalog with a project opens on the Runs view', async () => {
  await session.textsOf('[data-testid="view-runs"]', 30_000);
});

test('the demo project is listed from the real catalog', async () => {
  await openView('projects');
  const rows = await session.textsOf('[data-testid="project-row"]');
  assert.equal(rows.length, 1, JSON.stringify(rows));
  assert.match(rows[0], /demo/);
  assert.match(rows[0], /assets\/demo/);
  await screenshotTo('E2E_SCREENSHOT');
});

test('the demo runs are indexed live and listed in the Runs view', async () => {
  await openView('runs');
  // The app's watcher indexes the demo project at start-up; wait for its runs to arrive.
  const rows = await session.textsOf('[data-testid="run-row"]', 90_000);
  const text = rows.join('\n');
  for (const name of ['lucky-panda-28', 'swift-falcon-33']) {
    assert.match(text, new RegExp(name), `run ${name} not listed: ${text}`);
  }
});

/** The CLI's `runs history` of the same catalog the app reads: what the charts must show. */
function cliHistory(run, key, smoothing = 'none') {
  const out = spawnSync(cli, ['runs', 'history', run, key, '--smoothing', smoothing, '--json', '--db', db], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout);
}

/** A value as the chart's tooltip writes it (lib/series.ts formatNumber, for plain numbers). */
const shown = (v) => String(Number(Number(v).toPrecision(6)));

/**
 * Points at the middle (or `at`, a fraction of the width) of a chart's plot and returns what its
 * tooltip says: the x, and each run's name, value and smoothed value. Synthetic pointer events:
 * WebDriver's actions do not reach a canvas library's listeners reliably under WebKitWebDriver.
 */
async function hoverChart(metric, at = 0.5) {
  return waitFor(`a tooltip on ${metric}`, () =>
    session.execute(
      `const c = document.querySelector('[data-testid="interactive-chart"][data-metric="' + arguments[0] + '"]');
       const over = c && c.querySelector('.u-over');
       if (!over) return null;
       c.scrollIntoView({ block: 'center' });
       window.dispatchEvent(new Event('scroll'));
       const r = over.getBoundingClientRect();
       const init = { clientX: r.x + r.width * arguments[1], clientY: r.y + r.height / 2, bubbles: true };
       over.dispatchEvent(new MouseEvent('mouseenter', init));
       over.dispatchEvent(new MouseEvent('mousemove', init));
       const tip = c.querySelector('[data-testid="chart-tooltip"]');
       if (!tip) return null;
       return {
         x: tip.querySelector('[data-testid="tooltip-x"]').innerText,
         rows: [...tip.querySelectorAll('[data-testid="tooltip-row"]')].map((row) => ({
           name: row.dataset.name,
           value: row.querySelector('[data-testid="tooltip-value"]').innerText,
           smoothed: row.querySelector('.tip-smoothed')?.innerText ?? null,
         })),
       };`,
      [metric, at],
    ),
  );
}

/** Chooses `value` in the chart control `testid` (a <select>). */
async function choose(testid, value) {
  const ok = await session.execute(
    `const s = document.querySelector('[data-testid="' + arguments[0] + '"]');
     if (!s) return false;
     s.value = arguments[1];
     s.dispatchEvent(new Event('change', { bubbles: true }));
     return s.value === arguments[1];`,
    [testid, value],
  );
  assert.ok(ok, `${testid} has no option ${value}`);
}

const chartAttr = (metric, name) =>
  session.execute(
    `const c = document.querySelector('[data-testid="interactive-chart"][data-metric="' + arguments[0] + '"]');
     return c ? c.getAttribute(arguments[1]) : null;`,
    [metric, name],
  );

test('the interactive charts show the logged values, zoom, smooth and group; a view is saved', async () => {
  await openView('runs');
  await session.textsMatching('[data-testid="run-row"]', /brave-lynx-52/, 90_000);
  const runs = ['lucky-panda-28', 'brave-lynx-52'];
  for (const name of runs) {
    const picked = await session.execute(
      `const row = [...document.querySelectorAll('[data-testid="run-row"]')].find((r) => r.innerText.includes(arguments[0]));
       if (!row) return false;
       row.querySelector('[data-testid="run-select"]').click();
       return true;`,
      [name],
    );
    assert.ok(picked, `no row for ${name}`);
  }
  await waitForEnabled('[data-testid="compare-button"]');
  await session.click((await session.findAll('[data-testid="compare-button"]'))[0]);
  const metric = 'train/loss';
  await waitFor('the chart drawn', () => chartAttr(metric, 'data-points').then((n) => Number(n) > 0));

  // Difference view: each number against the baseline (the first run picked), as the engine
  // computes it for `runs compare --json`.
  const cells = await waitFor('a difference from the baseline', () =>
    session.execute(
      `return [...document.querySelectorAll('[data-testid="compare-row"]')]
         .map((r) => ({ key: r.dataset.key, delta: r.querySelectorAll('[data-testid="compare-cell"]')[1]?.querySelector('[data-testid="delta"]')?.firstChild?.textContent ?? null }))
         .filter((c) => c.delta !== null);`,
    ).then((c) => (c.length > 0 ? c : null)),
  );
  const compared = spawnSync(cli, ['runs', 'compare', ...runs, '--all', '--json', '--db', db], { encoding: 'utf8' });
  assert.equal(compared.status, 0, compared.stderr);
  const engineRows = JSON.parse(compared.stdout).rows;
  for (const cell of cells) {
    const want = engineRows.find((r) => r.key === cell.key).deltas[1].delta;
    const got = Number(cell.delta.replace('−', '-'));
    assert.ok(Math.abs(got - want) <= Math.abs(want) * 1e-5, `${cell.key}: ${cell.delta} vs ${want}`);
  }

  // Hover: every run's logged value at the step under the pointer, as the CLI prints it.
  const hover = await hoverChart(metric);
  const step = Number(hover.x);
  assert.deepEqual(hover.rows.map((r) => r.name).sort(), [...runs].sort());
  for (const row of hover.rows) {
    const point = cliHistory(row.name, metric).points.find((p) => p.step === step);
    assert.ok(point, `${row.name} has a point at step ${step}`);
    assert.equal(row.value, shown(point.value), `${row.name} at step ${step}`);
  }

  // Zoom by dragging, reset by double-clicking.
  await session.execute(
    `const c = document.querySelector('[data-testid="interactive-chart"][data-metric="' + arguments[0] + '"]');
     const over = c.querySelector('.u-over');
     const r = over.getBoundingClientRect();
     // movementX: uPlot ignores a move without movement while a button is down.
     const at = (f) => ({ clientX: r.x + r.width * f, clientY: r.y + r.height / 2, bubbles: true, button: 0, buttons: 1, movementX: 10 });
     over.dispatchEvent(new MouseEvent('mousedown', at(0.2)));
     over.dispatchEvent(new MouseEvent('mousemove', at(0.35)));
     over.dispatchEvent(new MouseEvent('mousemove', at(0.5)));
     document.dispatchEvent(new MouseEvent('mouseup', at(0.5)));`,
    [metric],
  );
  await waitFor('the chart zoomed', () => chartAttr(metric, 'data-zoomed').then((z) => z === 'true'));
  await session.execute(
    `const over = document.querySelector('[data-testid="interactive-chart"][data-metric="' + arguments[0] + '"] .u-over');
     over.dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));`,
    [metric],
  );
  await waitFor('the zoom reset', () => chartAttr(metric, 'data-zoomed').then((z) => z === 'false'));

  // Smoothing: TensorBoard's EMA from the engine, beside the raw value.
  await choose('chart-smoothing', 'ema');
  await waitFor('smoothed charts', () => chartAttr(metric, 'data-smoothing').then((s) => s === 'ema:0.6'));
  const smoothed = await hoverChart(metric);
  for (const row of smoothed.rows) {
    const point = cliHistory(row.name, metric, 'ema:0.6').points.find((p) => p.step === Number(smoothed.x));
    assert.equal(row.smoothed, shown(point.smoothed), `${row.name} smoothed at step ${smoothed.x}`);
  }

  // Export: the engine writes the chart as drawn (PNG, SVG) and its data (CSV) where the user
  // chose. The native save dialog cannot be driven through WebDriver: its answer is stubbed (only
  // that IPC call; the export itself is the real command and the real file).
  for (const format of ['png', 'svg', 'csv']) {
    const file = path.join(scratch, `loss chart.${format}`);
    const clicked = await session.execute(
      `// Tauri's invoke is read-only; its IPC goes through fetch, which answers the dialog's call.
       if (!window.__e2eFetch) {
         window.__e2eFetch = window.fetch;
         window.fetch = (url, init) =>
           String(url).includes(encodeURIComponent('plugin:dialog|save'))
             ? Promise.resolve(new Response(JSON.stringify(window.__e2eSavePath), { headers: { 'Tauri-Response': 'ok', 'Content-Type': 'application/json' } }))
             : window.__e2eFetch(url, init);
       }
       window.__e2eSavePath = arguments[1];
       const b = document.querySelector('[data-testid="interactive-chart"][data-metric="' + arguments[0] + '"] [data-testid="chart-export-' + arguments[2] + '"]');
       if (!b) return false;
       b.click();
       return true;`,
      [metric, file, format],
    );
    assert.ok(clicked, `no ${format} export button`);
    await waitFor(`${file} written`, () => fs.existsSync(file) && fs.statSync(file).size > 0);
    const bytes = fs.readFileSync(file);
    if (format === 'png') assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    if (format === 'svg') {
      const svg = bytes.toString('utf8');
      assert.match(svg, /^<svg/);
      for (const name of runs) assert.ok(svg.includes(name), `the legend names ${name}`);
    }
    if (format === 'csv') {
      // The data the chart draws: what `runs history --csv` prints for each run, same smoothing.
      const csv = bytes.toString('utf8');
      for (const name of runs) {
        const out = spawnSync(cli, ['runs', 'history', name, metric, '--smoothing', 'ema:0.6', '--csv', '--db', db], { encoding: 'utf8' });
        assert.equal(out.status, 0, out.stderr);
        const [header, ...rows] = out.stdout.trimEnd().split('\n');
        assert.equal(csv.split('\n')[0], header);
        assert.ok(csv.includes(rows.join('\n')), `the CSV holds every point of ${name}`);
      }
    }
  }

  // Grouping by the model param: a line and a band per model.
  await choose('chart-group', 'params.model');
  await waitFor('two groups', () => chartAttr(metric, 'data-groups').then((g) => g === '2'));

  // The settings saved as a view land in the real catalog, and the sidebar lists it.
  await openView('charts');
  const [name] = await waitForElement('[data-testid="view-name"]');
  await session.sendKeys(name, 'e2e grouped');
  await session.click((await session.findAll('[data-testid="save-view"]'))[0]);
  await session.textsMatching('[data-testid="saved-view"]', /e2e grouped/);
  const views = spawnSync(cli, ['views', 'list', '--json', '--db', db], { encoding: 'utf8' });
  assert.equal(views.status, 0, views.stderr);
  const saved = JSON.parse(views.stdout).find((v) => v.name === 'e2e grouped');
  assert.equal(saved.spec.group_by, 'params.model');
  assert.equal(saved.spec.charts.smoothing, 'ema:0.6');
  await screenshotTo('E2E_CHARTS_SCREENSHOT');

  // Sweep: parallel coordinates of the runs over their train/loss; brushing the metric axis's
  // lower part narrows the Runs table to the runs whose final loss is in the brushed range.
  await session.click((await session.findAll('[data-testid="sweep-toggle"]'))[0]);
  await waitForElement('[data-testid="parallel-coordinates"]');
  await choose('sweep-metric', metric);
  const brushedRange = await waitFor('a brush on the metric axis', () =>
    session.execute(
      `const axis = document.querySelector('[data-testid="sweep-axis"][data-key="metrics.' + arguments[0] + '"]');
       const area = axis && axis.querySelector('[data-testid="sweep-brush-area"]');
       if (!area) return null;
       if (!axis.dataset.brushLo) {
         const r = area.getBoundingClientRect();
         const at = (f) => ({ clientX: r.x + r.width / 2, clientY: r.y + r.height * f, bubbles: true, pointerId: 1 });
         area.dispatchEvent(new PointerEvent('pointerdown', at(0.5)));
         window.dispatchEvent(new PointerEvent('pointermove', at(0.8)));
         window.dispatchEvent(new PointerEvent('pointerup', at(1)));
         return null;
       }
       return { lo: Number(axis.dataset.brushLo), hi: Number(axis.dataset.brushHi) };`,
      [metric],
    ),
  );
  const swept = spawnSync(cli, ['runs', 'sweep', metric, '--json', '--db', db], { encoding: 'utf8' });
  assert.equal(swept.status, 0, swept.stderr);
  const sweepJson = JSON.parse(swept.stdout);
  const lossAxis = sweepJson.axes.at(-1);
  // The Charts view sweeps the runs selected in the table (the two compared above).
  const inRange = (i) => lossAxis.values[i] !== null && lossAxis.values[i] >= brushedRange.lo && lossAxis.values[i] <= brushedRange.hi;
  const expected = sweepJson.names.filter((n, i) => runs.includes(n) && inRange(i));
  assert.ok(expected.length > 0 && expected.length < runs.length, `brushed ${expected.length} of ${runs.length}`);
  await openView('runs');
  // Back from the runs compared above to the table.
  const back = await session.findAll('[data-testid="compare-back"]');
  if (back.length > 0) await session.click(back[0]);
  await waitForElement('[data-testid="brushed-note"]');
  const shownRuns = await waitFor('the brushed rows', () =>
    session
      .execute(`return [...document.querySelectorAll('[data-testid="run-row"] [data-testid="run-name"]')].map((n) => n.innerText.trim());`)
      .then((names) => (names.length === expected.length ? names : null)),
  );
  assert.deepEqual([...shownRuns].sort(), [...expected].sort());
  await session.click((await session.findAll('[data-testid="brushed-clear"]'))[0]);
});

test('the demo datasets are listed with their rows', async () => {
  await openView('datasets');
  const rows = await session.textsOf('[data-testid="dataset-row"]', 60_000);
  const text = rows.join('\n');
  assert.match(text, /reference\.csv/);
  assert.match(text, /current\.csv/);
});

test('two files compared in the Compare view through the real engine', async () => {
  await openView('compare');
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
  await screenshotTo('E2E_SCREENSHOT_COMPARE');
});

test('a predictions file checked in the Fairness view through the real engine', async () => {
  await openView('fairness');
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
  await screenshotTo('E2E_SCREENSHOT_FAIRNESS');
});

test('a model approved and published from the Models view to a real MLflow server', async () => {
  await openView('models');
  const rows = await session.textsOf('[data-testid="model-row"]', 90_000);
  const index = rows.findIndex((r) => /\bmlflow\b/.test(r));
  assert.ok(index >= 0, `the demo's MLflow model is not listed: ${rows.join(' | ')}`);
  // Click the row's name cell (WebKitWebDriver does not click a table row itself).
  await session.execute(
    'document.querySelectorAll(\'[data-testid="model-row"] td.name\')[arguments[0]].scrollIntoView({block: "center"});',
    [index],
  );
  await session.click((await session.findAll('[data-testid="model-row"] td.name'))[index]);
  // The real checklist from assets/demo/driftdeck.toml: the fairness check fails on purpose.
  await session.textsOf('[data-testid="check-row"]', 120_000);
  const failing = await session.execute(
    'return [...document.querySelectorAll(\'[data-testid="check-row"]\')].filter((r) => r.dataset.status === "fail").map((r) => r.dataset.check);',
    [],
  );
  assert.ok(failing.includes('fairness'), `expected the fairness check to fail: ${JSON.stringify(failing)}`);
  const [note] = await waitForElement('[data-testid="approve-note"]');
  await session.sendKeys(note, 'AUC above target (e2e)');
  const [override] = await waitForElement('[data-testid="override-note"]');
  await session.sendKeys(override, 'the 60+ gap is tracked');
  await session.click((await session.findAll('[data-testid="approve-button"]'))[0]);
  await session.textsMatching('[data-testid="latest-approval"]', /Approved/, 60_000);

  await waitForEnabled('[data-testid="publish-button"]');
  // Every value the progress bar shows, and every state the job goes through, as drawn.
  await session.execute(`
    window.__progress = { values: [], states: [] };
    const note = () => {
      for (const job of document.querySelectorAll('.job[data-state]')) {
        const bar = job.querySelector('[role="progressbar"]');
        const value = bar ? Number(bar.getAttribute('aria-valuenow')) : null;
        const p = window.__progress;
        if (value !== null && p.values[p.values.length - 1] !== value) p.values.push(value);
        if (p.states[p.states.length - 1] !== job.dataset.state) p.states.push(job.dataset.state);
      }
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true });`);
  await session.click((await session.findAll('[data-testid="publish-button"]'))[0]);
  const [link] = await session.textsMatching('[data-testid="version-link"]', /version 1/, 180_000);
  assert.match(link, /on the server/);
  const progress = await session.execute('return window.__progress;');
  assert.equal(progress.states[progress.states.length - 1], 'done', JSON.stringify(progress));
  assert.ok(progress.states.includes('running'), `the job was shown running: ${JSON.stringify(progress)}`);
  assert.equal(progress.values[progress.values.length - 1], 100, `the bar reached 100%: ${JSON.stringify(progress)}`);
  // The version link opens the registry's page in the system browser, not in the app.
  await session.click((await session.findAll('[data-testid="version-link"]'))[0]);
  const [opened] = await waitFor('the browser to be asked', () => openedUrls(browserLog).length && openedUrls(browserLog), 10_000);
  assert.ok(opened.startsWith(`${registryUrl}/`), opened);
  assert.match(opened, /models/);
  await screenshotTo('E2E_SCREENSHOT_MODELS');
  // What the registry holds, asked through the CLI's pull (the server's own answer).
  const pulled = spawnSync(cli, ['registry', 'pull', '--json', '--db', db], { encoding: 'utf8' });
  assert.equal(pulled.status, 0, pulled.stderr);
  const models = JSON.parse(pulled.stdout).models;
  assert.equal(models.length, 1, pulled.stdout);
  assert.equal(models[0].versions.length, 1);
  assert.equal(models[0].aliases.champion, '1');
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
