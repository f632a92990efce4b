// Takes a screenshot of the real Driftdeck window (the whole X screen, as a person would see it)
// once the demo project is on screen. Run under Xvfb: `make screenshot` does.
//
// Usage: node scripts/screenshot.mjs OUT.png [view]
//   view: projects, runs (the default start view), datasets, compare, fairness, models, settings,
//   first-run (an empty catalog: the empty state), dark (the Runs view in the dark theme)
// The app is driven through tauri-driver only to know when the data has rendered; the picture is
// taken with xwd from the X server, so it shows the native window, not just the web page.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Session, sleep, startTauriDriver } from '../tests/e2e/webdriver.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.argv[2] ?? 'docs/screenshot.png');
const view = process.argv[3];
const app = path.join(root, 'target/debug/driftdeck-app');
const cli = path.join(root, 'target/debug/driftdeck');
const driverBin = process.env.TAURI_DRIVER ?? path.join(os.homedir(), '.cargo/bin/tauri-driver');

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'driftdeck-shot-'));
const db = path.join(scratch, 'catalog.sqlite');
if (view !== 'first-run') {
  const added = spawnSync(cli, ['project', 'add', path.join(root, 'assets/demo'), '--db', db]);
  if (added.status !== 0) throw new Error(`cannot add the demo project: ${added.stderr}`);
}
// Settings (the theme) and the window state in the scratch folder, not the user's.
const config = path.join(scratch, 'config');
if (view === 'dark') {
  fs.mkdirSync(path.join(config, 'driftdeck'), { recursive: true });
  fs.writeFileSync(path.join(config, 'driftdeck/settings.toml'), 'theme = "dark"\n');
}

const driver = await startTauriDriver({
  driverBin,
  env: { ...process.env, DRIFTDECK_DB: db, XDG_CONFIG_HOME: config },
});
let session;
try {
  session = await Session.start(driver.url, app);
  if (view === 'first-run') {
    await session.textsOf('[data-testid="empty-state"]');
  } else {
    // A catalog with a project opens on the Runs view; wait for its rows.
    await session.textsOf('[data-testid="run-row"]', 90_000);
  }
  if (view && !['first-run', 'dark', 'runs'].includes(view)) {
    const [nav] = await session.findAll(`[data-testid="nav-${view}"]`);
    await session.click(nav);
    // Wait for the view's data: the app indexes the demo project live at start-up.
    const ready = { projects: 'project-row', datasets: 'dataset-row', models: 'model-row', settings: 'view-settings' }[view];
    if (ready) await session.textsOf(`[data-testid="${ready}"]`, 90_000);
    if (view === 'compare') {
      // The demo's training and production data, typed into the slots, compared for real.
      for (const [slot, file] of [['reference', 'reference.csv'], ['current', 'current.csv']]) {
        await session.textsOf(`[data-testid="path-${slot}"]`);
        const [input] = await session.findAll(`[data-testid="path-${slot}"]`);
        await session.sendKeys(input, path.join(root, 'assets/demo/data', file) + '\uE004');
      }
      const [run] = await session.findAll('[data-testid="run-compare"]');
      await session.click(run);
      await session.textsOf('[data-testid="drift-row"]', 60_000);
      // Open the most drifted column's details and chart (a script click: the row may be below
      // the fold, which WebDriver calls "not interactable").
      await session.execute(
        'const r = document.querySelector(\'[data-testid="drift-row"]\'); r.scrollIntoView({ block: "center" }); r.click();',
      );
      await sleep(1200);
    }
    if (view === 'models') {
      // The demo's MLflow model opened: its checklist from assets/demo/driftdeck.toml, the
      // approval form and the publish panel.
      await session.execute(
        'const rows = [...document.querySelectorAll(\'[data-testid="model-row"]\')]; const r = rows.find((x) => /\\bmlflow\\b/.test(x.textContent)) ?? rows[0]; r.scrollIntoView({ block: "center" }); r.click();',
      );
      await session.textsOf('[data-testid="check-row"]', 120_000);
      await sleep(800);
    }
    if (view === 'fairness') {
      await session.textsOf('[data-testid="fairness-path"]');
      const [input] = await session.findAll('[data-testid="fairness-path"]');
      await session.sendKeys(input, path.join(root, 'assets/demo/data/predictions.csv') + '\uE004');
      await session.textsOf('[data-testid="fairness-guess"]', 60_000);
      await sleep(500);
      const [run] = await session.findAll('[data-testid="run-fairness"]');
      await session.click(run);
      await session.textsOf('[data-testid="fairness-verdict"]', 60_000);
      await sleep(800);
    }
  }
  await sleep(500); // let the last frame (fonts, transitions) reach the X server
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const shot = spawnSync('bash', ['-c', `xwd -root -silent | /usr/bin/convert xwd:- png:"${out}"`]);
  if (shot.status !== 0) throw new Error(`xwd/convert failed: ${shot.stderr}`);
  console.log(`wrote ${out}`);
} finally {
  if (session) await session.end();
  await driver.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
}
