// End-to-end, the desktop experience from a first run: the real Driftdeck binary in a real
// WebKitGTK window under Xvfb, driven through tauri-driver; files and folders dropped onto the
// window by a real X11 drag (tests/e2e/drag_source.py moved by xdotool, see xdnd.mjs); menu
// shortcuts typed as real key presses (xdotool); desktop notifications sent to a real
// notification daemon (dunst) on the D-Bus session `make test-e2e` starts.
//
// Nothing of the app is mocked. The one stand-in: the "system browser" (browser.mjs), a desktop
// entry registered as the default http(s) handler that notes the URL it is given, because there
// is no browser to look at under Xvfb.
//
// The catalog is the real default location under a scratch XDG_DATA_HOME (no DRIFTDECK_DB), so
// Settings can move it; the settings file and the window state are under a scratch
// XDG_CONFIG_HOME.
//
// Inputs (set by `make test-e2e`): DRIFTDECK_APP, DRIFTDECK_CLI, TAURI_DRIVER, DISPLAY,
// DBUS_SESSION_BUS_ADDRESS. Run: node --test tests/e2e/desktop.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Session, sleep, startTauriDriver, waitFor } from './webdriver.mjs';
import { appWindow, dropPaths, dropPathsOn, elementCenter } from './xdnd.mjs';
import { installBrowser, openedUrls } from './browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const app = path.resolve(root, process.env.DRIFTDECK_APP ?? 'target/debug/driftdeck-app');
const cli = path.resolve(root, process.env.DRIFTDECK_CLI ?? 'target/debug/driftdeck');
const driverBin = process.env.TAURI_DRIVER ?? path.join(os.homedir(), '.cargo/bin/tauri-driver');
const demo = path.join(root, 'assets/demo');

let scratch, env, driver, session, project, browserLog, dunst, monitor;
let monitorLog = '';

function xdotool(...args) {
  const r = spawnSync('xdotool', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`xdotool ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function startApp() {
  driver = await startTauriDriver({ driverBin, env });
  session = await Session.start(driver.url, app);
}

async function stopApp() {
  if (session) await session.end();
  if (driver) await driver.stop();
  session = driver = null;
}

before(async () => {
  for (const [what, p] of [['app binary', app], ['CLI binary', cli], ['tauri-driver', driverBin]]) {
    assert.ok(fs.existsSync(p), `${what} not found at ${p} (run \`make build\` / \`make setup\`)`);
  }
  assert.ok(process.env.DISPLAY, 'DISPLAY is not set: run under Xvfb (make test-e2e does)');
  assert.ok(
    process.env.DBUS_SESSION_BUS_ADDRESS,
    'no D-Bus session: run under dbus-run-session (make test-e2e does) so notifications can be checked',
  );
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'driftdeck-desktop-'));
  // The project: a copy of the demo (the test changes its files), under a name that needs
  // percent-encoding in the dropped file:// URI.
  project = path.join(scratch, 'churn project #1');
  fs.cpSync(demo, project, { recursive: true });
  env = {
    ...process.env,
    XDG_DATA_HOME: path.join(scratch, 'data'),
    XDG_CONFIG_HOME: path.join(scratch, 'config'),
    DRIFTDECK_KEYRING: 'keyutils',
  };
  delete env.DRIFTDECK_DB;
  browserLog = installBrowser({ dataHome: env.XDG_DATA_HOME, configHome: env.XDG_CONFIG_HOME, dir: scratch });
  // A real notification daemon on this D-Bus session, and a monitor of what is sent to it.
  dunst = spawn('dunst', [], { env, stdio: 'ignore' });
  monitor = spawn(
    'dbus-monitor',
    ['--session', "type='method_call',interface='org.freedesktop.Notifications',member='Notify'"],
    { env, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  monitor.stdout.on('data', (d) => (monitorLog += d));
  await startApp();
});

after(async () => {
  await stopApp();
  for (const child of [dunst, monitor]) child?.kill('SIGTERM');
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

async function click(css) {
  const [el] = await waitFor(css, () => session.findAll(css).then((els) => (els.length ? els : null)));
  await session.click(el);
}

function valueOf(css, pred, timeoutMs = 10_000) {
  return waitFor(`${css} to be filled`, async () => {
    const v = await session.execute('const e = document.querySelector(arguments[0]); return e ? e.value : null;', [css]);
    return v !== null && pred(v) ? v : null;
  }, timeoutMs);
}

/** Which view is on screen (its data-testid). */
function currentView() {
  return session.execute(
    "const v = document.querySelector('main [data-testid^=\"view-\"]'); return v ? v.dataset.testid : null;",
  );
}

/** Presses keys in the app window as a person would (real X key events, through GTK). */
async function press(keys) {
  const win = appWindow();
  xdotool('windowfocus', '--sync', win.id);
  xdotool('key', '--clearmodifiers', keys);
}

/** With E2E_SCREENSHOTS=DIR, a picture of the whole X screen (xwd), as a person sees it. */
async function shot(name) {
  const dir = process.env.E2E_SCREENSHOTS;
  if (!dir) return;
  await sleep(300);
  spawnSync('bash', ['-c', `xwd -root -silent | convert xwd:- png:"${path.join(dir, name)}"`]);
}

test('a first run says what to do, and the catalog is in the user data folder', async () => {
  const [empty] = await session.textsOf('[data-testid="empty-state"]', 30_000);
  assert.match(empty, /drag/i, empty);
  assert.match(empty, /demo/i, empty);
  assert.equal(await currentView(), 'view-projects');
  const buttons = await session.findAll('[data-testid="open-demo"]');
  assert.equal(buttons.length, 1, 'the demo workspace is offered');
  const [status] = await session.textsMatching('[data-testid="status-bar"]', /catalog\.sqlite/);
  assert.ok(status.includes(path.join(scratch, 'data/driftdeck/catalog.sqlite')), status);
  await shot('first-run.png');
});

test('a folder dragged onto the window is added and its runs are listed', async () => {
  const { x, y } = await elementCenter(session, '[data-testid="view-projects"]');
  const drop = await dropPaths(session, [project], { x, y: Math.max(y, 320) });
  assert.match(drop.action, /copy|link|move/);
  const rows = await session.textsMatching('[data-testid="project-row"]', /churn project #1/, 15_000);
  assert.equal(rows.length, 1, JSON.stringify(rows));
  assert.equal((await session.textsOf('[data-testid="project-path"]'))[0], project);
  await click('[data-testid="nav-runs"]');
  const runs = await session.textsMatching('[data-testid="run-row"]', /lucky-panda-28/, 90_000);
  assert.ok(runs.some((r) => /swift-falcon-33/.test(r)), runs.join('\n'));
});

test('a run written on disk appears in the Runs table live', async () => {
  const experiment = fs
    .readdirSync(path.join(project, 'mlruns'))
    .find((d) => /^\d{5,}$/.test(d));
  const expDir = path.join(project, 'mlruns', experiment);
  const source = fs.readdirSync(expDir).find((d) => /^[0-9a-f]{32}$/.test(d));
  // Written as a training script would: a new run folder next to the others.
  const id = 'e2e0000000000000000000000000live';
  const staging = path.join(scratch, id);
  fs.cpSync(path.join(expDir, source), staging, { recursive: true });
  const meta = fs
    .readFileSync(path.join(staging, 'meta.yaml'), 'utf8')
    .replace(/^run_id: .*$/m, `run_id: ${id}`)
    .replace(/^run_name: .*$/m, 'run_name: e2e-live-run');
  fs.writeFileSync(path.join(staging, 'meta.yaml'), meta);
  fs.writeFileSync(path.join(staging, 'tags', 'mlflow.runName'), 'e2e-live-run');
  fs.renameSync(staging, path.join(expDir, id));
  const rows = await session.textsMatching('[data-testid="run-row"]', /e2e-live-run/, 30_000);
  assert.ok(rows.length >= 5, `the other runs are still listed: ${rows.length}`);
});

test('a watched dataset that drifts raises an in-app alert and a desktop notification', async () => {
  // The demo's driftdeck.toml compares data/current.csv with data/reference.csv (max_share 0.25).
  const current = path.join(project, 'data/current.csv');
  const lines = fs.readFileSync(current, 'utf8').trimEnd().split('\n');
  fs.appendFileSync(current, `${lines.slice(-50).join('\n')}\n`);
  const [alert] = await session.textsMatching('[data-testid="drift-alert"]', /drift/i, 60_000);
  assert.match(alert, /current\.csv/, alert);
  assert.match(alert, /\d+ of \d+ columns/, alert);
  await waitFor('the Notify call on D-Bus', () => /Drift in churn project #1/.test(monitorLog), 15_000);
  assert.match(monitorLog, /current\.csv drifted from reference\.csv/);
  assert.match(monitorLog, /string "Driftdeck"/);
  // The notification daemon really got it.
  spawnSync('dunstctl', ['close-all'], { env });
  await sleep(300);
  const history = spawnSync('dunstctl', ['history'], { env, encoding: 'utf8' }).stdout;
  assert.match(history, /Drift in churn project #1/, history);
  await shot('drift-alert.png');
  // The alert's Compare opens the pair in the Compare view and compares them.
  await click('[data-testid="drift-alert-compare"]');
  assert.equal(await valueOf('[data-testid="path-current"]', (v) => v !== ''), current);
  assert.equal(await valueOf('[data-testid="path-reference"]', (v) => v !== ''), path.join(project, 'data/reference.csv'));
  const [verdict] = await session.textsMatching('[data-testid="drift-verdict"]', /drift/i, 60_000);
  assert.match(verdict, /\d+ of \d+ columns/, verdict);
});

test('two datasets dropped on the Compare view are compared', async () => {
  await click('[data-testid="nav-compare"]');
  await session.textsOf('[data-testid="view-compare"]');
  const reference = path.join(project, 'data/reference.csv');
  const predictions = path.join(project, 'data/predictions.csv');
  await dropPathsOn(session, [reference, predictions], '[data-testid="view-compare"] h1');
  assert.equal(await valueOf('[data-testid="path-reference"]', (v) => v === reference), reference);
  assert.equal(await valueOf('[data-testid="path-current"]', (v) => v === predictions), predictions);
  await click('[data-testid="run-compare"]');
  const [verdict] = await session.textsMatching('[data-testid="drift-verdict"]', /column/i, 60_000);
  assert.match(verdict, /\d+ of \d+ columns/, verdict);
  await shot('compare-dropped.png');
  // One file dropped on one slot goes into that slot only.
  const current = path.join(project, 'data/current.csv');
  await dropPathsOn(session, [current], '[data-testid="slot-current"] .slot-label');
  assert.equal(await valueOf('[data-testid="path-current"]', (v) => v === current), current);
  assert.equal(await valueOf('[data-testid="path-reference"]', () => true), reference);
});

test('menu shortcuts switch views, focus the runs filter and open Settings', async () => {
  await press('ctrl+3');
  await waitFor('the Datasets view', async () => (await currentView()) === 'view-datasets', 10_000);
  await press('ctrl+f');
  await waitFor('the Runs view with its filter focused', async () => {
    const focused = await session.execute('return document.activeElement?.dataset?.testid ?? null;');
    return (await currentView()) === 'view-runs' && focused === 'filter-input';
  }, 10_000);
  await press('ctrl+comma');
  await waitFor('the Settings view', async () => (await currentView()) === 'view-settings', 10_000);
  // F1, and Help → Documentation through the menu's mnemonics: the docs, in the system browser.
  await press('F1');
  const [url] = await waitFor('the browser to be asked', () => openedUrls(browserLog).length === 1 && openedUrls(browserLog), 10_000);
  assert.match(url, /^https:\/\/.*driftdeck/);
  await press('alt+h');
  await sleep(500);
  await press('d');
  await waitFor('the browser to be asked again', () => openedUrls(browserLog).length === 2, 10_000);
  // Ctrl+O: the system's folder picker (GTK's), closed again with Escape.
  await press('ctrl+o');
  const picker = await waitFor('the folder picker', () => {
    const r = spawnSync('xdotool', ['search', '--onlyvisible', '--name', '^Select Folder$'], { encoding: 'utf8' });
    return r.stdout.trim().split('\n').filter(Boolean)[0] ?? null;
  }, 10_000);
  xdotool('windowfocus', '--sync', picker);
  xdotool('key', 'Escape');
  await waitFor('the picker to close', () => {
    const r = spawnSync('xdotool', ['search', '--onlyvisible', '--name', '^Select Folder$'], { encoding: 'utf8' });
    return r.stdout.trim() === '';
  }, 10_000);
});

test('settings: the theme is saved and applied, watching is switched per project', async () => {
  await click('[data-testid="nav-settings"]');
  await click('[data-testid="theme-dark"]');
  const settingsFile = path.join(scratch, 'config/driftdeck/settings.toml');
  await waitFor('the theme in the settings file', () => fs.existsSync(settingsFile) && /theme = "dark"/.test(fs.readFileSync(settingsFile, 'utf8')), 10_000);
  const background = await session.execute('return getComputedStyle(document.body).backgroundColor;');
  const [r, g, b] = background.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 200, `a dark background: ${background}`);
  await shot('settings-dark.png');
  await click('[data-testid="theme-system"]');

  // Watching off: the CLI (same catalog, through the same default location) sees it.
  await click('[data-testid="watch-toggle"]');
  const list = () =>
    JSON.parse(spawnSync(cli, ['project', 'list', '--json'], { env, encoding: 'utf8' }).stdout);
  await waitFor('watching off in the catalog', () => list()[0]?.watch === false, 10_000);
  await click('[data-testid="watch-toggle"]');
  await waitFor('watching on again', () => list()[0]?.watch === true, 10_000);
});

test('an error shows its details, which can be copied', async () => {
  await click('[data-testid="nav-compare"]');
  const missing = path.join(scratch, 'no-such-file.csv');
  const [input] = await session.findAll('[data-testid="path-reference"]');
  await session.execute("document.querySelector('[data-testid=\"path-reference\"]').value = '';");
  await session.sendKeys(input, `${missing}\uE004`);
  await click('[data-testid="run-compare"]');
  const [message] = await session.textsMatching('[data-testid="error-banner"]', /no-such-file\.csv/, 30_000);
  assert.ok(message.length > 0);
  await click('[data-testid="error-copy"]');
  await session.textsMatching('[data-testid="error-banner"]', /copied/i, 5_000);
  // What the app put on the system clipboard (read with xclip, as a paste would).
  const copied = await waitFor('the clipboard', () => {
    const r = spawnSync('xclip', ['-o', '-selection', 'clipboard'], { env, encoding: 'utf8', timeout: 5000 });
    return r.status === 0 && r.stdout.includes('no-such-file.csv') ? r.stdout : null;
  }, 10_000);
  assert.match(copied, /Driftdeck \d+\.\d+\.\d+/);
  await click('[data-testid="error-dismiss"]');
});

test('the window size and position are remembered, and the catalog with them', async () => {
  const win = appWindow();
  xdotool('windowsize', '--sync', win.id, '1100', '720');
  xdotool('windowmove', '--sync', win.id, '60', '40');
  await sleep(1500); // saved once the window has settled
  await stopApp();
  await startApp();
  await session.textsOf('[data-testid="view-runs"]', 30_000); // a catalog with a project opens on Runs
  const again = await waitFor('the window', () => {
    try {
      return appWindow();
    } catch {
      return null;
    }
  }, 20_000);
  assert.deepEqual([again.w, again.h], [1100, 720], JSON.stringify(again));
  assert.deepEqual([again.x, again.y], [60, 40], JSON.stringify(again));
  const rows = await session.textsMatching('[data-testid="run-row"]', /e2e-live-run/, 60_000);
  assert.ok(rows.length > 0);
});

test('the catalog can be moved to another folder in Settings, and the CLI follows', async () => {
  await click('[data-testid="nav-settings"]');
  const target = path.join(scratch, 'team-share');
  const [input] = await waitFor('the catalog folder field', () => session.findAll('[data-testid="catalog-path-input"]').then((e) => e.length && e));
  await session.sendKeys(input, target);
  await click('[data-testid="catalog-move"]');
  const moved = path.join(target, 'catalog.sqlite');
  await session.textsMatching('[data-testid="view-settings"]', new RegExp(moved.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 20_000);
  assert.ok(fs.existsSync(moved));
  const settingsFile = path.join(scratch, 'config/driftdeck/settings.toml');
  assert.match(fs.readFileSync(settingsFile, 'utf8'), new RegExp(`catalog = "${moved.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
  // The copy holds the project; the CLI, with no flag, now uses the moved catalog.
  const list = JSON.parse(spawnSync(cli, ['project', 'list', '--json'], { env, encoding: 'utf8' }).stdout);
  assert.equal(list.length, 1);
  assert.equal(list[0].path, project);
  const [status] = await session.textsMatching('[data-testid="status-bar"]', /team-share/, 10_000);
  assert.ok(status.includes(moved), status);
});

test('Ctrl+Q quits the app', async () => {
  await press('ctrl+q');
  await waitFor('the window to close', () => {
    const r = spawnSync('xdotool', ['search', '--onlyvisible', '--name', '^Driftdeck$'], { encoding: 'utf8' });
    return r.stdout.trim() === '';
  }, 15_000);
  // The catalog it leaves behind opens and still lists the project (nothing half-written).
  const list = JSON.parse(spawnSync(cli, ['project', 'list', '--json'], { env, encoding: 'utf8' }).stdout);
  assert.equal(list.length, 1);
});
