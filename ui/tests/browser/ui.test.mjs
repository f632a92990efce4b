// The built UI (ui/dist) in Debian's Chromium, driven by Playwright.
//
// A plain browser has no Tauri runtime, so Tauri's IPC is mocked: an init
// script installs `window.__TAURI_INTERNALS__` (what @tauri-apps/api calls)
// with fake commands, the dialog plugin and the event plugin's listen/emit.
// This tests the UI against the shell's contract; the real app, shell and
// engine together are covered by the tauri-driver end-to-end test.
//
// Run with `npm run test:browser` after `npm run build`.
// CHROMIUM overrides the browser binary; SCREENSHOT_DIR, when set, receives
// a PNG of each case for people to look at.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const DIST = resolve(fileURLToPath(new URL('../../dist', import.meta.url)));
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR;
// Generous: a cold Chromium on a busy 2-core machine. Waits end as soon as
// their condition holds, so this costs nothing when things are fast.
const TIMEOUT_MS = 15_000;

// As strict as the app's CSP (src-tauri/tauri.conf.json) and stricter on
// styles: the built UI needs no inline script or style at all.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** Serves DIST on 127.0.0.1 and a free port; resolves to { server, origin }. */
async function serveDist() {
  await stat(join(DIST, 'index.html')).catch(() => {
    throw new Error(`${DIST}/index.html is missing: run \`npm run build\` first`);
  });
  const server = createServer(async (req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(DIST, urlPath === '/' ? 'index.html' : urlPath));
    if (urlPath === '/favicon.ico') {
      // Chromium asks for it on its own; the app has none (Tauri shows the window icon).
      res.writeHead(204).end();
      return;
    }
    if (file !== DIST && !file.startsWith(DIST + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': CSP,
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/**
 * Runs in the page before any of its scripts. `setup` is plain data:
 * { info, projects, dialogPath, addErrors: { [path]: {code, message} }, listFailures: n }
 * (the first n list_projects calls fail with a catalog error).
 * Everything the page asked for is recorded in window.__mock.calls.
 */
function installTauriMock(setup) {
  const calls = [];
  const callbacks = new Map();
  const listeners = new Map(); // event name -> [callback id]
  let nextCallbackId = 1;
  let nextProjectId = 1000;
  const projects = structuredClone(setup.projects);
  let listFailures = setup.listFailures;
  const violations = [];

  document.addEventListener('securitypolicyviolation', (e) => {
    violations.push(`${e.violatedDirective} ${e.blockedURI}`);
  });

  function runCallback(id, data) {
    const callback = callbacks.get(id);
    if (callback) callback(data);
  }

  const commands = {
    app_info: () => setup.info,
    list_projects: () => {
      if (listFailures > 0) {
        listFailures -= 1;
        throw { code: 'catalog', message: 'catalog /tmp/catalog.sqlite: database is locked' };
      }
      return structuredClone(projects);
    },
    add_project: ({ path }) => {
      const refusal = setup.addErrors[path];
      if (refusal) throw refusal;
      const existing = projects.find((p) => p.path === path);
      if (existing) return existing;
      const name = path.split(/[\\/]/).filter(Boolean).pop() ?? path;
      const project = { id: nextProjectId++, path, name, added_at: '2026-03-01T09:30:00Z', exists: true };
      projects.push(project);
      return project;
    },
    remove_project: ({ id }) => {
      const index = projects.findIndex((p) => p.id === id);
      if (index === -1) throw { code: 'not_found', message: `no project with id ${id}` };
      projects.splice(index, 1);
      return null;
    },
    'plugin:dialog|open': () => setup.dialogPath,
    'plugin:event|listen': ({ event, handler }) => {
      if (!listeners.has(event)) listeners.set(event, []);
      listeners.get(event).push(handler);
      return handler; // the event id; unlisten receives it back
    },
    'plugin:event|unlisten': ({ event, eventId }) => {
      const ids = listeners.get(event) ?? [];
      const index = ids.indexOf(eventId);
      if (index !== -1) ids.splice(index, 1);
      return null;
    },
  };

  window.__TAURI_INTERNALS__ = {
    metadata: {
      currentWindow: { label: 'main' },
      currentWebview: { windowLabel: 'main', label: 'main' },
    },
    plugins: {},
    async invoke(cmd, args = {}, _options) {
      calls.push({ cmd, args: structuredClone(args) });
      const command = commands[cmd];
      if (!command) throw `command ${cmd} not found`;
      return command(args);
    },
    transformCallback(callback, once = false) {
      const id = nextCallbackId++;
      callbacks.set(id, (data) => {
        if (once) callbacks.delete(id);
        return callback && callback(data);
      });
      return id;
    },
    unregisterCallback(id) {
      callbacks.delete(id);
    },
    runCallback,
    callbacks,
    convertFileSrc(path, protocol = 'asset') {
      return `${protocol}://localhost/${encodeURIComponent(path)}`;
    },
  };
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = {
    unregisterListener(_event, id) {
      callbacks.delete(id);
    },
  };

  window.__mock = {
    calls,
    violations,
    /** What the shell does for an event: run every listener registered for it. */
    emit(event, payload) {
      const ids = listeners.get(event) ?? [];
      for (const id of [...ids]) runCallback(id, { event, id, payload });
      return ids.length;
    },
    listenerCount: (event) => (listeners.get(event) ?? []).length,
  };
}

const INFO = {
  version: '0.1.0',
  catalog_path: '/home/ana/.local/share/driftdeck/catalog.sqlite',
  schema_version: 1,
};

const PROJECTS = [
  { id: 1, path: '/home/ana/work/fraud-detection', name: 'fraud-detection', added_at: '2026-02-11T08:00:00Z', exists: true },
  { id: 2, path: '/home/ana/work/churn', name: 'churn', added_at: '2026-02-12 10:15:00', exists: false },
];

const VIEW_IDS = ['projects', 'runs', 'datasets', 'compare', 'fairness', 'models'];

describe('Driftdeck UI in Chromium (mocked IPC)', () => {
  let browser;
  let server;
  let origin;

  before(async () => {
    ({ server, origin } = await serveDist());
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    await new Promise((done) => (server ? server.close(done) : done()));
  });

  /** A fresh page on the app with the given backend; fails the test on page errors. */
  async function openApp(
    t,
    { projects = PROJECTS, dialogPath = null, addErrors = {}, listFailures = 0, colorScheme = 'light' } = {},
  ) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 700 }, colorScheme });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    const pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`${msg.text()} ${msg.location().url}`);
    });
    // One hook, so the order is certain: look at the page, then close it, then judge.
    t.after(async () => {
      let violations;
      try {
        violations = await page.evaluate(() => window.__mock.violations);
        if (SCREENSHOT_DIR) {
          const name = t.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 60);
          await page.screenshot({ path: join(SCREENSHOT_DIR, `driftdeck-${name}.png`) });
        }
      } finally {
        await context.close();
      }
      assert.deepEqual(violations, [], 'CSP violations');
      assert.deepEqual(pageErrors, [], 'errors in the page');
    });

    await page.addInitScript(installTauriMock, { info: INFO, projects, dialogPath, addErrors, listFailures });
    await page.goto(`${origin}/index.html`);
    // Ready: app_info answered and the first project list arrived.
    await page.getByTestId('app-version').filter({ hasText: INFO.version }).waitFor();
    await page.getByTestId('loading').waitFor({ state: 'detached' });
    return page;
  }

  const calls = (page, cmd) =>
    page.evaluate((c) => window.__mock.calls.filter((call) => call.cmd === c).map((call) => call.args), cmd);

  test('the layout renders: sidebar with all six views, status bar with catalog and version', async (t) => {
    const page = await openApp(t);
    const sidebar = page.getByTestId('sidebar');
    for (const id of VIEW_IDS) {
      assert.equal(await sidebar.getByTestId(`nav-${id}`).count(), 1, `nav-${id}`);
    }
    assert.deepEqual(
      (await sidebar.locator('[data-testid^="nav-"]').allInnerTexts()).map((s) => s.trim()),
      ['Projects', 'Runs', 'Datasets', 'Compare', 'Fairness', 'Models'],
    );
    assert.equal(await page.getByTestId('nav-projects').getAttribute('aria-current'), 'page');

    const status = page.getByTestId('status-bar');
    const text = await status.innerText();
    assert.match(text, /\/home\/ana\/\.local\/share\/driftdeck\/catalog\.sqlite/);
    assert.match(text, /Driftdeck 0\.1\.0/);
    assert.match(text, /2 projects/);
  });

  test('projects from list_projects render as rows, sorted, with the missing badge', async (t) => {
    const page = await openApp(t);
    const rows = page.getByTestId('project-row');
    assert.equal(await rows.count(), 2);
    assert.deepEqual(await rows.getByTestId('project-name').allInnerTexts(), ['churn', 'fraud-detection']);

    const churn = rows.filter({ hasText: 'churn' });
    assert.match(await churn.innerText(), /\/home\/ana\/work\/churn/);
    assert.equal(await churn.getByTestId('missing-badge').count(), 1);
    const fraud = rows.filter({ hasText: 'fraud-detection' });
    assert.match(await fraud.innerText(), /\/home\/ana\/work\/fraud-detection/);
    assert.equal(await fraud.getByTestId('missing-badge').count(), 0);
    assert.equal(await page.getByTestId('empty-state').count(), 0);
  });

  test('the empty state says what to do when there are no projects', async (t) => {
    const page = await openApp(t, { projects: [] });
    const empty = page.getByTestId('empty-state');
    await empty.waitFor();
    assert.match(await empty.innerText(), /Add a project folder, or drag one onto the window/);
    assert.equal(await page.getByTestId('project-row').count(), 0);
    assert.match(await page.getByTestId('status-bar').innerText(), /0 projects/);
  });

  test('"Add folder…" opens the folder picker and adds the chosen folder', async (t) => {
    const picked = '/home/ana/work/credit-scoring';
    const page = await openApp(t, { projects: [], dialogPath: picked });
    await page.getByTestId('add-folder').click();

    const row = page.getByTestId('project-row').filter({ hasText: 'credit-scoring' });
    await row.waitFor();
    assert.match(await row.innerText(), /\/home\/ana\/work\/credit-scoring/);
    assert.deepEqual(await calls(page, 'plugin:dialog|open'), [{ options: { directory: true, multiple: false } }]);
    assert.deepEqual(await calls(page, 'add_project'), [{ path: picked }]);
    assert.equal(await page.getByTestId('empty-state').count(), 0);
    assert.match(await page.getByTestId('status-bar').innerText(), /1 project\b/);
  });

  test('cancelling the folder picker adds nothing', async (t) => {
    const page = await openApp(t, { dialogPath: null });
    await page.getByTestId('add-folder').click();
    await page.waitForFunction(() => window.__mock.calls.some((c) => c.cmd === 'plugin:dialog|open'));
    await page.getByTestId('add-folder').and(page.locator(':enabled')).waitFor();
    assert.deepEqual(await calls(page, 'add_project'), []);
    assert.equal(await page.getByTestId('project-row').count(), 2);
  });

  test('a refused add shows the error banner with message and code, and it can be dismissed', async (t) => {
    const bad = '/home/ana/notes.txt';
    const message = 'project folder /home/ana/notes.txt is not a directory';
    const page = await openApp(t, {
      dialogPath: bad,
      addErrors: { [bad]: { code: 'bad_input', message } },
    });
    await page.getByTestId('add-folder').click();

    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    assert.equal(await banner.getByTestId('error-message').innerText(), message);
    assert.equal(await banner.getByTestId('error-code').innerText(), 'bad_input');
    assert.equal(await banner.getAttribute('role'), 'alert');
    assert.equal(await page.getByTestId('project-row').count(), 2);
    if (SCREENSHOT_DIR) await page.screenshot({ path: join(SCREENSHOT_DIR, 'driftdeck-error-banner.png') });

    await banner.getByTestId('error-dismiss').click();
    await banner.waitFor({ state: 'detached' });
  });

  test('a catalog that cannot be read shows the error, no empty state, and a retry', async (t) => {
    const page = await openApp(t, { listFailures: 1 });
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    assert.equal(await banner.getByTestId('error-code').innerText(), 'catalog');
    assert.equal(await page.getByTestId('empty-state').count(), 0);

    await page.getByTestId('load-failed').getByRole('button', { name: 'Try again' }).click();
    await page.getByTestId('project-row').first().waitFor();
    assert.equal(await page.getByTestId('project-row').count(), 2);
  });

  test('dropping folders on the window shows the overlay while dragging, then adds each one', async (t) => {
    const page = await openApp(t, { projects: [] });
    // Wait for the drag-drop subscription (onDragDropEvent listens to four events).
    await page.waitForFunction(() => window.__mock.listenerCount('tauri://drag-drop') === 1);

    await page.evaluate(() =>
      window.__mock.emit('tauri://drag-enter', { paths: ['/data/a'], position: { x: 200, y: 200 } }),
    );
    await page.getByTestId('drop-overlay').waitFor();
    if (SCREENSHOT_DIR) await page.screenshot({ path: join(SCREENSHOT_DIR, 'driftdeck-drop-overlay.png') });

    const delivered = await page.evaluate(() =>
      window.__mock.emit('tauri://drag-drop', {
        paths: ['/data/images-2026', '/data/sensor-logs'],
        position: { x: 200, y: 200 },
      }),
    );
    assert.equal(delivered, 1);
    await page.getByTestId('drop-overlay').waitFor({ state: 'detached' });
    await page.getByTestId('project-row').nth(1).waitFor();
    assert.deepEqual(await calls(page, 'add_project'), [{ path: '/data/images-2026' }, { path: '/data/sensor-logs' }]);
    assert.deepEqual(await page.getByTestId('project-name').allInnerTexts(), ['images-2026', 'sensor-logs']);
  });

  test('a drag that leaves the window hides the overlay and adds nothing', async (t) => {
    const page = await openApp(t);
    await page.waitForFunction(() => window.__mock.listenerCount('tauri://drag-leave') === 1);
    await page.evaluate(() => window.__mock.emit('tauri://drag-over', { position: { x: 5, y: 5 } }));
    await page.getByTestId('drop-overlay').waitFor();
    await page.evaluate(() => window.__mock.emit('tauri://drag-leave', null));
    await page.getByTestId('drop-overlay').waitFor({ state: 'detached' });
    assert.deepEqual(await calls(page, 'add_project'), []);
  });

  test('Remove takes a project off the list', async (t) => {
    const page = await openApp(t);
    await page.getByTestId('project-row').filter({ hasText: 'churn' }).getByTestId('remove-project').click();
    await page.getByTestId('project-row').filter({ hasText: 'churn' }).waitFor({ state: 'detached' });
    assert.deepEqual(await calls(page, 'remove_project'), [{ id: 2 }]);
    assert.equal(await page.getByTestId('project-row').count(), 1);
    assert.match(await page.getByTestId('status-bar').innerText(), /1 project\b/);
  });

  test('navigation shows each view and what it will hold', async (t) => {
    const page = await openApp(t, { colorScheme: 'dark' });
    await page.getByTestId('nav-compare').click();
    const compare = page.getByTestId('view-compare');
    await compare.waitFor();
    assert.match(await compare.innerText(), /drift/i);
    if (SCREENSHOT_DIR) await page.screenshot({ path: join(SCREENSHOT_DIR, 'driftdeck-compare-dark.png') });
    assert.equal(await page.getByTestId('nav-compare').getAttribute('aria-current'), 'page');
    assert.equal(await page.getByTestId('nav-projects').getAttribute('aria-current'), null);
    assert.equal(await page.getByTestId('view-projects').count(), 0);

    for (const [id, arrives] of [
      ['runs', 'indexing'],
      ['datasets', 'indexing'],
      ['fairness', 'fairness checks'],
      ['models', 'publishing'],
    ]) {
      await page.getByTestId(`nav-${id}`).click();
      assert.match(await page.getByTestId(`view-${id}`).innerText(), new RegExp(`arrives with ${arrives}`));
    }

    await page.getByTestId('nav-projects').click();
    await page.getByTestId('view-projects').waitFor();
    assert.equal(await page.getByTestId('project-row').count(), 2);
  });
});
