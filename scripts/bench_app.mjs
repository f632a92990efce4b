// The desktop app's start-up, idle footprint and a 10,000-run Runs table, measured on the real
// window under Xvfb (`make bench-app`, which builds the release app first).
//
// 1. Start-up: the app is launched on a catalog holding the (already indexed) demo project;
//    the time is from spawning the process to the UI's first rendered rows (the UI calls
//    `startup_ready` after the first paint of its rows; the app writes the wall clock to
//    $DRIFTDECK_STARTUP_FILE). Several launches; the first is the cold one.
// 2. Idle: the app watching the demo, left alone; CPU time of the app and its WebKit processes
//    over IDLE_SECONDS, from /proc.
// 3. 10,000 runs: an MLflow store made by scripts/make_runs.py, indexed by the CLI; the app
//    opens on it (first rows timed as in 1), then the Runs table is scrolled from top to bottom
//    one animation frame at a time (through WebDriver) and the frame intervals are recorded.
//
// Inputs: DRIFTDECK_APP, DRIFTDECK_CLI (release binaries), TAURI_DRIVER, DISPLAY.
// Output: a table on stdout and in target/bench/app.md.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Session, sleep, startTauriDriver, waitFor } from '../tests/e2e/webdriver.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const app = path.resolve(root, process.env.DRIFTDECK_APP ?? 'target/release/driftdeck-app');
const cli = path.resolve(root, process.env.DRIFTDECK_CLI ?? 'target/release/driftdeck');
const driverBin = process.env.TAURI_DRIVER ?? path.join(os.homedir(), '.cargo/bin/tauri-driver');
const LAUNCHES = Number(process.env.BENCH_LAUNCHES ?? 6);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const out = path.join(root, 'target/bench');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'driftdeck-bench-app-'));
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

function must(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

function env(db, extra = {}) {
  return {
    ...process.env,
    DRIFTDECK_DB: db,
    XDG_CONFIG_HOME: path.join(scratch, 'config'),
    WEBKIT_DISABLE_DMABUF_RENDERER: '1',
    ...extra,
  };
}

/** Launches the app on `db`; resolves with ms from spawn to the first rendered rows. */
async function launch(db, { keep = false } = {}) {
  const mark = path.join(scratch, `startup-${Date.now()}.json`);
  const t0 = Date.now();
  const child = spawn(app, [], { env: env(db, { DRIFTDECK_STARTUP_FILE: mark }), stdio: 'ignore', detached: true });
  const stop = async () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // gone
    }
    await sleep(500);
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  };
  try {
    await waitFor('the first rendered rows', () => fs.existsSync(mark) && fs.readFileSync(mark, 'utf8').trim(), 60_000, 10);
  } catch (err) {
    await stop();
    throw err;
  }
  const { unix_ms: ready, since_main_ms: sinceMain } = JSON.parse(fs.readFileSync(mark, 'utf8'));
  const result = { ms: ready - t0, sinceMain, pid: child.pid, stop };
  if (!keep) await stop();
  return result;
}

/** CPU ticks (user + system) of `pid` and all its descendants. */
function treeTicks(pid) {
  const parents = new Map();
  const ticks = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // exited meanwhile
    }
  }
  const tree = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, parent] of parents) {
      if (tree.has(parent) && !tree.has(child)) {
        tree.add(child);
        grew = true;
      }
    }
  }
  let sum = 0;
  for (const p of tree) sum += ticks.get(p) ?? 0;
  return { sum, processes: tree.size };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main() {
  for (const [what, p] of [['app', app], ['CLI', cli], ['tauri-driver', driverBin]]) {
    if (!fs.existsSync(p)) throw new Error(`${what} not found at ${p}`);
  }
  if (!process.env.DISPLAY) throw new Error('DISPLAY is not set: run under Xvfb (make bench-app does)');
  fs.mkdirSync(out, { recursive: true });
  const rows = [];

  // 1. Start-up on the demo.
  const demoDb = path.join(scratch, 'demo.sqlite');
  must(cli, ['index', path.join(root, 'assets/demo'), '--db', demoDb]);
  const launches = [];
  for (let i = 0; i < LAUNCHES; i++) {
    const r = await launch(demoDb);
    launches.push(r);
    console.log(`launch ${i + 1}: first rows ${r.ms} ms after spawn (${r.sinceMain} ms after main)`);
    await sleep(500);
  }
  const warm = launches.slice(1).map((r) => r.ms);
  rows.push(['start-up, demo project: spawn → first rendered rows (first launch)', `${launches[0].ms} ms`]);
  rows.push([`start-up, demo project: spawn → first rendered rows (median of ${warm.length} more)`, `${median(warm)} ms (min ${Math.min(...warm)}, max ${Math.max(...warm)})`]);

  // 2. Idle CPU while watching the demo.
  const idle = await launch(demoDb, { keep: true });
  await sleep(10_000); // the start-up index and first paints are over
  const before = treeTicks(idle.pid);
  await sleep(IDLE_SECONDS * 1000);
  const after = treeTicks(idle.pid);
  await idle.stop();
  const cpu = ((after.sum - before.sum) / CLK_TCK / IDLE_SECONDS) * 100;
  console.log(`idle: ${(after.sum - before.sum)} ticks in ${IDLE_SECONDS} s over ${after.processes} processes = ${cpu.toFixed(2)}% of one core`);
  rows.push([`idle CPU, watching the demo, ${IDLE_SECONDS} s (app + WebKit processes)`, `${cpu.toFixed(2)}% of one core`]);

  // 3. 10,000 runs.
  const store = path.join(out, `runs${RUNS}`);
  if (!fs.existsSync(path.join(store, 'mlruns'))) must('python3', [path.join(root, 'scripts/make_runs.py'), store, String(RUNS)]);
  const bigDb = path.join(scratch, 'runs.sqlite');
  const t0 = Date.now();
  must(cli, ['index', store, '--db', bigDb]);
  rows.push([`index ${RUNS} runs (CLI, cold)`, `${((Date.now() - t0) / 1000).toFixed(1)} s`]);
  const big = await launch(bigDb);
  rows.push([`start-up, ${RUNS} runs: spawn → first rendered run rows`, `${big.ms} ms`]);

  const driver = await startTauriDriver({ driverBin, env: env(bigDb) });
  let session;
  try {
    session = await Session.start(driver.url, app);
    const [nav] = await waitFor('the Runs nav', () => session.findAll('[data-testid="nav-runs"]').then((e) => e.length && e));
    await session.click(nav);
    await waitFor('run rows', async () => (await session.findAll('[data-testid="run-row"]')).length > 0, 60_000);
    const started = await session.execute(`
      const rows = document.querySelector('[data-testid="run-row"]');
      let box = rows;
      while (box && !(box.scrollHeight > box.clientHeight + 10 && getComputedStyle(box).overflowY !== 'visible')) box = box.parentElement;
      if (!box) return 'no scroll container';
      window.__bench = null;
      const frames = [];
      let last = performance.now();
      const step = 48;
      box.scrollTop = 0;
      function tick(t) {
        frames.push(t - last);
        last = t;
        box.scrollTop += step;
        const end = box.scrollTop + box.clientHeight >= box.scrollHeight - 1;
        if (!end && frames.length < 5000) requestAnimationFrame(tick);
        else window.__bench = { frames: frames.slice(1), rendered: document.querySelectorAll('[data-testid="run-row"]').length,
                                scrollHeight: box.scrollHeight, last: document.querySelectorAll('[data-testid="run-row"]')[document.querySelectorAll('[data-testid="run-row"]').length - 1]?.innerText ?? '' };
      }
      requestAnimationFrame(tick);
      return 'ok';`);
    if (started !== 'ok') throw new Error(started);
    const result = await waitFor('the scroll to finish', () => session.execute('return window.__bench;'), 300_000, 500);
    const f = result.frames;
    const slow = f.filter((x) => x > 50).length;
    console.log(`scroll: ${f.length} frames, median ${median(f).toFixed(1)} ms, p95 ${pct(f, 95).toFixed(1)} ms, max ${Math.max(...f).toFixed(1)} ms, ${slow} over 50 ms; ${result.rendered} rows in the DOM`);
    rows.push([`Runs table, ${RUNS} runs: scrolled top to bottom, 48 px per frame (${f.length} frames)`,
      `median ${median(f).toFixed(1)} ms/frame, p95 ${pct(f, 95).toFixed(1)} ms, max ${Math.max(...f).toFixed(0)} ms; ${slow} frames over 50 ms; ${result.rendered} row elements in the DOM`]);
  } finally {
    if (session) await session.end();
    await driver.stop();
  }

  const cpuName = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown CPU';
  const table = [
    `# Desktop app (${new Date().toISOString().slice(0, 16)}Z)`,
    '',
    `Machine: ${os.cpus().length} × ${cpuName}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; Xvfb 1280×800, software rendering; release build.`,
    '',
    '| what | result |',
    '|---|---|',
    ...rows.map(([a, b]) => `| ${a} | ${b} |`),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(out, 'app.md'), table);
  console.log(`\n${table}`);
}

main()
  .catch((err) => {
    console.error(`bench-app: ${err.stack ?? err}`);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(scratch, { recursive: true, force: true }));
