// Real OS drag-and-drop for the end-to-end tests: an X11 (XDND) drop of files onto the running
// app's window, from a real drag source (drag_source.py, a small GTK 3 program) moved by a real
// pointer (xdotool, through the XTEST extension Xvfb has). Nothing is injected into the page: the
// app receives the drop exactly as from a file manager, through GTK, WebKitGTK and Tauri's
// drag-drop events.
//
// Needs: an X display without a window manager (Xvfb as `make test-e2e` runs it; a window manager
// would place and decorate the source window itself), xdotool, and python3-gi + gir1.2-gtk-3.0
// for the system Python (DRIFTDECK_PYTHON overrides which Python runs the source).
//
//   import { dropPaths, dropPathsOn } from './xdnd.mjs';
//   await dropPathsOn(session, ['/abs/folder'], '[data-testid="view-projects"]');
//   await dropPaths(session, [a, b], { x: 640, y: 400 });   // a point in the page, CSS pixels

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { sleep } from './webdriver.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SOURCE_SCRIPT = path.join(here, 'drag_source.py');
/** The drag source window's size (screen pixels). */
const SOURCE_W = 160;
const SOURCE_H = 64;
/** Kept between the source window and the drop point, so the drop never lands on the source. */
const SOURCE_MARGIN = 24;

/** With XDND_DEBUG set, what happens is logged to stderr. */
function debug(message) {
  if (process.env.XDND_DEBUG) process.stderr.write(`xdnd: ${message}\n`);
}

/** The Python that has GObject introspection (Debian's python3-gi is for /usr/bin/python3). */
function pythonBin() {
  if (process.env.DRIFTDECK_PYTHON) return process.env.DRIFTDECK_PYTHON;
  return fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Runs xdotool synchronously; returns its stdout, throws with its stderr on failure. */
function xdotool(...args) {
  const res = spawnSync('xdotool', args.map(String), { encoding: 'utf8', timeout: 10_000 });
  if (res.error) {
    throw new Error(
      res.error.code === 'ENOENT'
        ? 'xdotool not found: install it (Debian package xdotool)'
        : `xdotool ${args.join(' ')}: ${res.error.message}`,
    );
  }
  if (res.status !== 0) throw new Error(`xdotool ${args.join(' ')} exited ${res.status}: ${res.stderr.trim()}`);
  return res.stdout;
}

/** The screen's size in pixels. */
function displaySize() {
  const [w, h] = xdotool('getdisplaygeometry').trim().split(/\s+/).map(Number);
  return { w, h };
}

/**
 * The app's top-level X window: { id, x, y, w, h } in root coordinates. Found by its title (the
 * app's window is titled exactly "Driftdeck"); with several matches, the largest visible one.
 */
export function appWindow(name = '^Driftdeck$') {
  const res = spawnSync('xdotool', ['search', '--onlyvisible', '--name', name], { encoding: 'utf8' });
  const ids = (res.stdout ?? '').split(/\s+/).filter(Boolean);
  if (ids.length === 0) throw new Error(`no visible X window named ${name} (is the app running on ${process.env.DISPLAY}?)`);
  const windows = ids.map((id) => {
    const out = xdotool('getwindowgeometry', '--shell', id);
    const v = Object.fromEntries(out.trim().split('\n').map((l) => l.split('=')));
    return { id, x: Number(v.X), y: Number(v.Y), w: Number(v.WIDTH), h: Number(v.HEIGHT) };
  });
  windows.sort((a, b) => b.w * b.h - a.w * a.h);
  return windows[0];
}

/** The last real pointer position the page saw (installed on first use). */
const PROBE_SCRIPT = `
  if (!window.__xdndProbe) {
    window.__xdndProbe = { seen: null };
    window.addEventListener('mousemove', (e) => {
      window.__xdndProbe.seen = { clientX: e.clientX, clientY: e.clientY, screenX: e.screenX, screenY: e.screenY };
    }, { capture: true, passive: true });
  }
  window.__xdndProbe.seen = null;
  return {
    dpr: window.devicePixelRatio || 1,
    innerWidth: window.innerWidth, innerHeight: window.innerHeight,
    outerWidth: window.outerWidth, outerHeight: window.outerHeight,
    screenX: window.screenX, screenY: window.screenY,
  };`;

/**
 * Screen (root) coordinates of a point of the page, given in CSS pixels of the viewport.
 *
 * First a guess from the window's geometry: the webview sits at the bottom-left of the top-level
 * window (a native menu bar or other chrome, if any, above it), so its origin is the window's plus
 * (outer - inner) in height. Then the guess is checked with the real pointer: it is moved there
 * and the page's own mousemove event says which viewport point that was; any difference is
 * corrected (once more checked). So the mapping holds whatever chrome surrounds the webview.
 */
export async function viewportToScreen(session, x, y, { windowName } = {}) {
  const win = appWindow(windowName);
  const info = await session.execute(PROBE_SCRIPT);
  const dpr = info.dpr;
  const chromeX = Math.max(0, Math.round((info.outerWidth - info.innerWidth) * dpr / 2));
  const chromeY = Math.max(0, Math.round((info.outerHeight - info.innerHeight) * dpr));
  let sx = Math.round(win.x + chromeX + x * dpr);
  let sy = Math.round(win.y + chromeY + y * dpr);
  const dir = { x: x > info.innerWidth / 2 ? -1 : 1, y: y > info.innerHeight / 2 ? -1 : 1 };
  for (let attempt = 0; attempt < 3; attempt++) {
    const seen = await pointerProbe(session, sx, sy, dir);
    if (!seen) {
      throw new Error(`the page saw no pointer motion at screen ${sx},${sy} (window ${JSON.stringify(win)})`);
    }
    const dx = Math.round((x - seen.clientX) * dpr);
    const dy = Math.round((y - seen.clientY) * dpr);
    debug(`viewport ${x},${y} -> screen ${sx},${sy}: page saw ${JSON.stringify(seen)} (window ${JSON.stringify(win)}, page ${JSON.stringify(info)})`);
    if (Math.abs(dx) <= 1 && Math.abs(dy) <= 1) return { x: sx, y: sy, window: win, dpr };
    sx += dx;
    sy += dy;
  }
  throw new Error(`could not map viewport point ${x},${y} to the screen (window ${JSON.stringify(win)})`);
}

/** Moves the real pointer to (sx, sy) and returns the mousemove the page saw there, or null. */
async function pointerProbe(session, sx, sy, dir) {
  const seenAfter = async (moveTo, differsFrom) => {
    await session.execute('window.__xdndProbe.seen = null;');
    xdotool('mousemove', moveTo.x, moveTo.y);
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline) {
      await sleep(40);
      const seen = await session.execute('return window.__xdndProbe.seen;');
      if (seen && !(differsFrom && seen.clientX === differsFrom.clientX && seen.clientY === differsFrom.clientY)) {
        return seen;
      }
    }
    return null;
  };
  // Two moves, so that each is a real motion wherever the pointer was before.
  // `dir` points into the viewport, so the approach stays inside it near its edges.
  xdotool('mousemove', sx + 7 * dir.x, sy + 7 * dir.y);
  await sleep(40);
  const near = await seenAfter({ x: sx + 3 * dir.x, y: sy + 3 * dir.y }, null);
  if (!near) return null;
  return seenAfter({ x: sx, y: sy }, near);
}

/** Where the source window goes: a corner of the screen away from the drop point. */
function sourcePlace(target, screen) {
  const corners = [
    { x: screen.w - SOURCE_W - 8, y: screen.h - SOURCE_H - 40 },
    { x: 8, y: screen.h - SOURCE_H - 40 },
    { x: screen.w - SOURCE_W - 8, y: 8 },
    { x: 8, y: 8 },
  ];
  const clear = (c) =>
    target.x < c.x - SOURCE_MARGIN || target.x > c.x + SOURCE_W + SOURCE_MARGIN ||
    target.y < c.y - SOURCE_MARGIN || target.y > c.y + SOURCE_H + SOURCE_MARGIN;
  const dist = (c) => Math.hypot(c.x + SOURCE_W / 2 - target.x, c.y + SOURCE_H / 2 - target.y);
  const ok = corners.filter(clear).sort((a, b) => dist(b) - dist(a));
  if (ok.length === 0) throw new Error(`no room for the drag source away from ${target.x},${target.y}`);
  return ok[0];
}

/** The drag source process, with its stdout as lines to wait on. */
function startSource(paths, at, timeoutS) {
  const child = spawn(
    pythonBin(),
    [SOURCE_SCRIPT, '--x', String(at.x), '--y', String(at.y), '--width', String(SOURCE_W),
      '--height', String(SOURCE_H), '--timeout', String(timeoutS), ...paths],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GDK_BACKEND: 'x11' } },
  );
  const src = { child, lines: [], stderr: '', exit: null };
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      src.lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  child.stderr.on('data', (d) => (src.stderr += d));
  src.exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      src.exit = { code, signal };
      resolve(src.exit);
    }),
  );
  child.on('error', (err) => {
    src.stderr += `\n${err.message}`;
    src.exit ??= { code: -1, signal: null };
  });
  src.describe = () =>
    `drag source stdout: ${JSON.stringify(src.lines)}; exit: ${JSON.stringify(src.exit)}; stderr: ${src.stderr.trim() || '(empty)'}`;
  src.find = (prefix) => src.lines.find((l) => l.startsWith(prefix));
  return src;
}

/** Waits until the source printed a line starting with `prefix` (or ended); returns the line or null. */
async function waitLine(src, prefix, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = src.find(prefix);
    if (line) return line;
    if (src.exit) return src.find(prefix) ?? null;
    await sleep(20);
  }
  return null;
}

/** Moves the real pointer from `a` to `b` in `steps` motions, `everyMs` apart. */
async function glide(a, b, steps, everyMs) {
  for (let i = 1; i <= steps; i++) {
    xdotool('mousemove', Math.round(a.x + ((b.x - a.x) * i) / steps), Math.round(a.y + ((b.y - a.y) * i) / steps));
    await sleep(everyMs);
  }
}

/**
 * Drops `paths` (absolute files or folders) onto the app at viewport point { x, y } (CSS pixels)
 * with a real XDND drag: starts the drag source in a corner away from the point, presses the
 * pointer on it, moves over the app to the point, and releases there. Resolves once the app
 * accepted the drop (the source got XdndFinished with success), to { screen, action, log };
 * rejects with the source's output otherwise. The pointer is always released.
 */
export async function dropPaths(session, paths, { x, y, windowName, timeoutMs = 30_000 } = {}) {
  if (!Array.isArray(paths) || paths.length === 0) throw new Error('dropPaths: no paths');
  for (const p of paths) {
    if (!path.isAbsolute(p)) throw new Error(`dropPaths: not an absolute path: ${p}`);
  }
  if (!process.env.DISPLAY) throw new Error('dropPaths: DISPLAY is not set (run under Xvfb)');
  const t0 = Date.now();
  const target = await viewportToScreen(session, x, y, { windowName });
  const screen = displaySize();
  const at = sourcePlace(target, screen);
  const src = startSource(paths, at, Math.ceil(timeoutMs / 1000));
  let pressed = false;
  try {
    const ready = await waitLine(src, 'READY', 10_000);
    if (!ready) throw new Error(`the drag source did not start: ${src.describe()}`);
    const [, rx, ry, rw, rh] = ready.split(' ').map(Number);
    const start = { x: rx + Math.round(rw / 2), y: ry + Math.round(rh / 2) };

    // Press on the source, then move past GTK's drag threshold (8 px) until the drag begins.
    xdotool('mousemove', start.x, start.y);
    await sleep(100);
    xdotool('mousedown', 1);
    pressed = true;
    await sleep(50);
    const toward = { x: Math.sign(target.x - start.x) || 1, y: Math.sign(target.y - start.y) || 1 };
    let p = { ...start };
    for (let i = 0; i < 20 && !src.find('BEGIN'); i++) {
      const next = { x: p.x + 4 * toward.x, y: p.y + 4 * toward.y };
      await glide(p, next, 1, 30);
      p = next;
      if (src.exit) break;
    }
    if (!(await waitLine(src, 'BEGIN', 2000))) throw new Error(`the drag did not begin: ${src.describe()}`);

    // Over to the drop point, in motions XDND turns into XdndPosition messages.
    await glide(p, target, 20, 25);
    // Linger with small motions until the app asked for the data (WebKit requests the uri-list
    // on the first positions; Tauri reports the drag as entered only then).
    const wiggle = [[1, 0], [0, 1], [-1, 0], [0, -1], [0, 0]];
    const lingerUntil = Date.now() + 5000;
    while (!src.find('DATA text/uri-list') && Date.now() < lingerUntil && !src.exit) {
      for (const [dx, dy] of wiggle) {
        xdotool('mousemove', target.x + dx, target.y + dy);
        await sleep(40);
      }
    }
    if (!src.find('DATA text/uri-list')) {
      throw new Error(`the app never asked for the dragged files (no XDND drop target at ${target.x},${target.y}?): ${src.describe()}`);
    }
    // The last position before the release is the drop point.
    xdotool('mousemove', target.x, target.y);
    await sleep(150);
    xdotool('mouseup', 1);
    pressed = false;

    const end = await Promise.race([src.exited, sleep(10_000).then(() => null)]);
    if (!end) throw new Error(`the drag source did not finish after the release: ${src.describe()}`);
    const endLine = src.find('END');
    if (end.code !== 0 || !endLine || !/ok=1/.test(endLine)) {
      throw new Error(`the app did not accept the drop at screen ${target.x},${target.y}: ${src.describe()}`);
    }
    debug(`dropped in ${Date.now() - t0} ms ${JSON.stringify(paths)} at screen ${target.x},${target.y} from ${start.x},${start.y}: ${src.lines.join(' / ')}`);
    return { screen: { x: target.x, y: target.y }, action: endLine.replace(/.*action=/, ''), log: src.lines };
  } finally {
    if (pressed) {
      try {
        xdotool('mouseup', 1);
      } catch {
        // the display is gone
      }
    }
    if (!src.exit) {
      src.child.kill('SIGTERM');
      await Promise.race([src.exited, sleep(2000)]);
      if (!src.exit) src.child.kill('SIGKILL');
    }
  }
}

/** The centre of the first element matching `css`, in viewport CSS pixels (scrolled into view). */
export async function elementCenter(session, css) {
  const rect = await session.execute(
    `const el = document.querySelector(arguments[0]);
     if (!el) return null;
     el.scrollIntoView({ block: 'center', inline: 'center' });
     const r = el.getBoundingClientRect();
     return { x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height };`,
    [css],
  );
  if (!rect) throw new Error(`no element matches ${css}`);
  if (rect.w === 0 || rect.h === 0) throw new Error(`${css} has no size on screen`);
  return rect;
}

/** dropPaths onto the centre of the first element matching `css`. */
export async function dropPathsOn(session, paths, css, options = {}) {
  const { x, y } = await elementCenter(session, css);
  return dropPaths(session, paths, { ...options, x, y });
}
