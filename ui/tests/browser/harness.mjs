// What the browser tests share: a static server for the built UI (ui/dist),
// Debian's Chromium through Playwright, and the mocked Tauri IPC.
//
// A plain browser has no Tauri runtime, so Tauri's IPC is mocked: init
// scripts install `window.__TAURI_INTERNALS__` (what @tauri-apps/api calls)
// with fake commands, the dialog plugin and the event plugin's listen/emit
// (`installTauriMock`), then the model approval and registry commands on top
// (`installRegistryMock`). This tests the UI against the shell's contract; the
// real app, shell and engine together are covered by the tauri-driver
// end-to-end test.
//
// CHROMIUM overrides the browser binary; SCREENSHOT_DIR, when set, receives
// a PNG of each case for people to look at.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before } from 'node:test';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const DIST = resolve(fileURLToPath(new URL('../../dist', import.meta.url)));
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR;
// Generous: a cold Chromium on a busy 2-core machine. Waits end as soon as
// their condition holds, so this costs nothing when things are fast.
export const TIMEOUT_MS = 15_000;

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
export async function serveDist() {
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
 * { info, projects, dialogPath, savePath, addErrors: { [path]: {code, message} }, listFailures: n,
 *   runs, generateRuns: n, datasets, models: {models, registered_models}, problems,
 *   drift: { methods, report, error }, fairness: { columns: { [path]: FairnessColumns }, report, error },
 *   settings (fields over the defaults below), settingsError (what settings() rejects with),
 *   catalogs: { [catalog path]: { projects } } }
 * (settings: the shell's Settings; set_catalog_location refuses while
 * `catalog_source` is `env`, else moves to `<folder>/catalog.sqlite`: the
 * projects are kept when copying into a folder with no catalog, else they are
 * `catalogs[path].projects` (none: empty), and `catalog-changed` with
 * project_id -1 follows, as the shell sends it; add_demo_project adds
 * `info.demo_path` or is not_found without one; startup_ready records what
 * was on screen when it came, in window.__mock.startup);
 * (the first n list_projects calls fail with a catalog error; `generateRuns`
 * makes that many runs in the page instead of `runs`; compare_datasets waits
 * for the test to send progress over its channel and finish through
 * window.__mock.drift, then answers `drift.report` or rejects with `drift.error`;
 * fairness_columns answers `fairness.columns[path]` or rejects as the shell
 * does for a missing file; fairness_report waits for window.__mock.fairness.finish(),
 * then answers `fairness.report` or rejects with `fairness.error`).
 * Everything the page asked for is recorded in window.__mock.calls.
 */
export function installTauriMock(setup) {
  const calls = [];
  const runs = setup.generateRuns ? generateRuns(setup.generateRuns) : structuredClone(setup.runs);
  const views = structuredClone(setup.views ?? []);

  /**
   * A metric's history in the mock: `points` steps (setup.chartPoints, default 50) falling
   * towards the run's final value, a run's id shifting it, and a spike at step 10 of run 2
   * for the outlier test. Runs without the metric get none (the shell says why).
   */
  function history(run, key) {
    if (!(key in run.metrics)) return null;
    const final = typeof run.metrics[key] === 'number' ? run.metrics[key] : 0;
    const n = setup.chartPoints ?? 50;
    const x = [];
    const y = [];
    for (let i = 0; i < n; i++) {
      x.push(i);
      y.push(final + (0.5 * (n - 1 - i)) / Math.max(1, n - 1) + 0.01 * run.id + (run.id === 2 && i === 10 ? 5 : 0));
    }
    return { x, y };
  }

  /** What the engine's EMA does (TensorBoard's, debiased), for the mock's smoothed arrays. */
  function ema(y, w) {
    let last = 0;
    let n = 0;
    return y.map((v) => {
      last = last * w + (1 - w) * v;
      n += 1;
      return last / (1 - w ** n);
    });
  }

  /** The `chart_data` buffer, laid out as `driftdeck::series::pack` writes it. */
  function chartData(request) {
    const smoothing = request.smoothing;
    const weight = smoothing.startsWith('ema:') ? Number(smoothing.slice(4)) : null;
    const header = { key: request.key, x: request.x, smoothing, series: [], groups: [] };
    const arrays = [];
    const spread = (v) => {
      const s = [...v].sort((a, b) => a - b);
      const rank = (p) => s[Math.min(s.length, Math.max(1, Math.ceil(p * s.length))) - 1];
      return s.length ? { min: s[0], max: s[s.length - 1], p5: rank(0.05), p95: rank(0.95) } : null;
    };
    const chosen = request.run_ids.map((id) => runs.find((r) => r.id === id));
    if (request.group_by) {
      const key = request.group_by.replace(/^params\./, '');
      const groups = new Map();
      for (const run of chosen) {
        const h = history(run, request.key);
        if (!h) continue;
        const label = run.params[key] ?? '(none)';
        if (!groups.has(label)) groups.set(label, []);
        groups.get(label).push({ run, h });
      }
      for (const label of [...groups.keys()].sort()) {
        const members = groups.get(label);
        const x = members[0].h.x;
        const at = (i) => members.map((m) => m.h.y[i]);
        const center = x.map((_, i) => at(i).reduce((a, b) => a + b, 0) / members.length);
        const low = x.map((_, i) => Math.min(...at(i)));
        const high = x.map((_, i) => Math.max(...at(i)));
        header.groups.push({
          label, run_ids: members.map((m) => m.run.id), points: x.length,
          arrays: ['x', 'center', 'low', 'high', 'runs'], spread: spread(center),
        });
        arrays.push(x, center, low, high, x.map(() => members.length));
      }
    } else {
      for (const run of chosen) {
        const h = history(run, request.key);
        const names = ['x', 'value', ...(weight !== null ? ['smoothed'] : [])];
        const smoothed = h && weight !== null ? ema(h.y, weight) : null;
        header.series.push({
          run_id: run.id, name: run.name ?? run.run_id, points: h ? h.x.length : 0, arrays: names,
          spread: h ? spread(smoothed ?? h.y) : null,
          missing: h ? null : `run ${run.run_id} has no metric \`${request.key}\` (it has: ${Object.keys(run.metrics).join(', ')})`,
        });
        if (h) arrays.push(h.x, h.y, ...(smoothed ? [smoothed] : []));
      }
    }
    const json = new TextEncoder().encode(JSON.stringify(header));
    const start = Math.ceil((8 + json.length) / 8) * 8;
    const total = start + 8 * arrays.reduce((n, a) => n + a.length, 0);
    const buffer = new ArrayBuffer(total);
    const bytes = new Uint8Array(buffer);
    bytes.set(new TextEncoder().encode('DDS1'), 0);
    const view = new DataView(buffer);
    view.setUint32(4, json.length, true);
    bytes.set(json, 8);
    let at = start;
    for (const a of arrays) for (const v of a) (view.setFloat64(at, v, true), (at += 8));
    return buffer;
  }

  /** n runs in one project and experiment; run i started at i seconds, so the oldest is gen-00000. */
  function generateRuns(n) {
    const out = [];
    for (let i = 0; i < n; i++) {
      out.push({
        id: i + 1, project_id: 1, project: 'fraud-detection', source: 'mlflow', run_id: `g${i}`,
        experiment: 'sweep', parent_run_id: null, name: `gen-${String(i).padStart(5, '0')}`,
        status: i % 97 === 0 ? 'FAILED' : 'FINISHED', lifecycle: 'active', user: 'ana',
        start_ms: 1767225600000 + i * 1000, end_ms: 1767225600000 + i * 1000 + 60000,
        start_time: new Date(1767225600000 + i * 1000).toISOString(),
        end_time: new Date(1767225600000 + i * 1000 + 60000).toISOString(),
        params: { lr: String((i % 10) / 100) }, tags: {}, metrics: { auc: (i % 1000) / 1000, loss: 1 - (i % 1000) / 1000 },
      });
    }
    return out;
  }

  /**
   * A small stand-in for the shell's MLflow filter: `key op value` joined by
   * `and`, keys metrics./params./tags./status/name, ops = != < <= > >= LIKE.
   * Anything else is a bad_filter with the column and a caret line, as the shell words it.
   */
  function parseFilter(text) {
    const clauses = [];
    const re = /\s*(metrics\.\S+?|params\.\S+?|tags\.\S+?|status|name)\s*(<=|>=|!=|=|<|>|LIKE)\s*('[^']*'|"[^"]*"|-?\d+(?:\.\d+)?)\s*(?:and\s+|$)/iy;
    let at = 0;
    while (at < text.length) {
      re.lastIndex = at;
      const m = re.exec(text);
      if (!m) {
        const column = at + 1 + (text.slice(at).length - text.slice(at).trimStart().length);
        throw {
          code: 'bad_filter',
          message: `invalid filter at column ${column}: expected a comparison\n  ${text}\n  ${'^'.padStart(column)}`,
        };
      }
      const raw = m[3];
      clauses.push({ key: m[1], op: m[2].toUpperCase(), value: /^['"]/.test(raw) ? raw.slice(1, -1) : Number(raw) });
      at = re.lastIndex;
    }
    return clauses;
  }

  function matches(run, { key, op, value }) {
    let actual;
    if (key === 'status') actual = run.status;
    else if (key === 'name') actual = run.name;
    else {
      const [kind, ...rest] = key.split('.');
      actual = run[kind]?.[rest.join('.')];
    }
    if (actual === undefined || actual === null) return false;
    if (op === 'LIKE') {
      const escaped = String(value).replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
      return new RegExp('^' + escaped.replace(/%/g, '.*').replace(/_/g, '.') + '$').test(String(actual));
    }
    const [a, b] = typeof value === 'number' ? [Number(actual), value] : [String(actual), value];
    return { '=': a === b, '!=': a !== b, '<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b }[op];
  }

  /** The rows of `chosen` side by side, with differences from `chosen[base]` as the engine computes them. */
  function compareRows(chosen, base = 0) {
    const rows = [];
    const number = (v) => (v === null || v.trim() === '' ? NaN : Number(v));
    const delta = (v, b) => {
      const d = number(v) - number(b);
      if (!Number.isFinite(d)) return null;
      return { delta: d, percent: number(b) === 0 ? null : (d / Math.abs(number(b))) * 100 };
    };
    const push = (section, key, values) =>
      rows.push({
        section,
        key,
        values,
        differs: values.some((v) => v !== values[0]),
        deltas: values.map((v, i) => (i === base || section === 'attribute' || v === null || values[base] === null ? null : delta(v, values[base]))),
      });
    for (const name of ['project', 'experiment', 'name', 'status', 'lifecycle', 'user', 'source', 'parent_run_id']) {
      push('attribute', name, chosen.map((r) => r[name] ?? null));
    }
    for (const [section, field] of [['param', 'params'], ['metric', 'metrics'], ['tag', 'tags']]) {
      const keys = [...new Set(chosen.flatMap((r) => Object.keys(r[field])))].sort();
      for (const k of keys) {
        push(section, `${field}.${k}`, chosen.map((r) => (k in r[field] ? String(r[field][k]) : null)));
      }
    }
    return rows;
  }

  /**
   * The comparison under way. A Channel reaches the shell as its callback id
   * (here the Channel object itself, which carries `id`); the shell sends
   * `{ index, message }` for each message and `{ index, end: true }` when it
   * drops the channel, and @tauri-apps/api delivers them in index order.
   */
  const drift = {
    channel: null,
    index: 0,
    settle: null,
    progress(message) {
      runCallback(drift.channel, { index: drift.index++, message });
    },
    finish() {
      runCallback(drift.channel, { index: drift.index++, end: true });
      const settle = drift.settle;
      drift.settle = null;
      settle();
    },
  };
  /** The fairness check under way: it answers when the test says so. */
  const fairness = {
    settle: null,
    finish() {
      const settle = fairness.settle;
      fairness.settle = null;
      settle();
    },
  };
  let savePath = setup.savePath ?? null;

  const callbacks = new Map();
  const listeners = new Map(); // event name -> [callback id]
  let nextCallbackId = 1;
  let nextProjectId = 1000;
  let projects = structuredClone(setup.projects);
  const info = structuredClone(setup.info);
  const settings = {
    catalog_path: info.catalog_path,
    catalog_default: info.catalog_path,
    catalog_source: 'default',
    theme: 'system',
    settings_path: '/home/ana/.config/driftdeck/settings.toml',
    ...structuredClone(setup.settings ?? {}),
  };
  /** What was on screen each time startup_ready came. */
  const startup = [];
  let listFailures = setup.listFailures;
  const violations = [];

  document.addEventListener('securitypolicyviolation', (e) => {
    violations.push(`${e.violatedDirective} ${e.blockedURI}`);
  });

  function runCallback(id, data) {
    const callback = callbacks.get(id);
    if (callback) callback(data);
  }

  /** What the shell does for an event: run every listener registered for it. */
  function emit(event, payload) {
    const ids = listeners.get(event) ?? [];
    for (const id of [...ids]) runCallback(id, { event, id, payload });
    return ids.length;
  }

  const fail = (code, message) => {
    throw { code, message };
  };
  const projectOf = (id) => projects.find((p) => p.id === id) ?? fail('not_found', `no project with id ${id}`);

  const commands = {
    app_info: () => structuredClone(info),
    settings: () => (setup.settingsError ? fail(setup.settingsError.code, setup.settingsError.message) : structuredClone(settings)),
    set_theme: ({ theme }) => {
      if (!['system', 'light', 'dark'].includes(theme)) fail('bad_input', `unknown theme ${theme}`);
      settings.theme = theme;
      return structuredClone(settings);
    },
    set_catalog_location: ({ path, copy }) => {
      if (settings.catalog_source === 'env') {
        fail('bad_input', `the catalog is set by DRIFTDECK_DB (${settings.catalog_path}): start Driftdeck without it to choose the catalog in the app`);
      }
      const target = path === null ? settings.catalog_default : `${path.replace(/\/+$/, '')}/catalog.sqlite`;
      const there = setup.catalogs?.[target];
      if (there || !copy) projects = structuredClone(there?.projects ?? []);
      settings.catalog_path = target;
      settings.catalog_source = path === null ? 'default' : 'settings';
      info.catalog_path = target;
      // The shell reopens the catalog, then tells every view.
      setTimeout(() => emit('catalog-changed', { project_id: -1, units_read: 0, units_removed: 0 }), 0);
      return structuredClone(settings);
    },
    set_project_watch: ({ id, watch }) => {
      const project = projectOf(id);
      project.watch = watch;
      return structuredClone(project);
    },
    add_demo_project: () => {
      if (!info.demo_path) fail('not_found', 'no demo workspace is installed');
      let project = projects.find((p) => p.path === info.demo_path);
      if (!project) {
        project = { id: nextProjectId++, path: info.demo_path, name: 'demo', added_at: '2026-03-01T09:30:00Z', exists: true, watch: true };
        projects.push(project);
      }
      return structuredClone(project);
    },
    startup_ready: () => {
      const count = (id) => document.querySelectorAll(`[data-testid="${id}"]`).length;
      startup.push({ runRows: count('run-row'), projectRows: count('project-row'), emptyState: count('empty-state') });
      return null;
    },
    open_link: ({ url }) => {
      if (!/^https?:\/\//.test(url)) fail('bad_input', `not an http(s) link: ${url}`);
      return null;
    },
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
      const project = { id: nextProjectId++, path, name, added_at: '2026-03-01T09:30:00Z', exists: true, watch: true };
      projects.push(project);
      return project;
    },
    remove_project: ({ id }) => {
      const index = projects.findIndex((p) => p.id === id);
      if (index === -1) throw { code: 'not_found', message: `no project with id ${id}` };
      projects.splice(index, 1);
      return null;
    },
    list_runs: ({ projectId, filter }) => {
      const inProject = runs.filter((r) => projectId === null || projectId === undefined || r.project_id === projectId);
      const clauses = filter ? parseFilter(filter) : [];
      const keys = (field) => [...new Set(inProject.flatMap((r) => Object.keys(r[field])))].sort();
      return {
        runs: structuredClone(inProject.filter((r) => clauses.every((c) => matches(r, c)))),
        metric_keys: keys('metrics'),
        param_keys: keys('params'),
        tag_keys: keys('tags'),
        total: inProject.length,
      };
    },
    compare_runs: ({ ids, baseline }) => {
      const chosen = ids.map((id) => {
        const run = runs.find((r) => r.id === id);
        if (!run) throw { code: 'not_found', message: `no run ${id}` };
        return run;
      });
      const base = baseline === null || baseline === undefined ? 0 : chosen.findIndex((r) => r.id === baseline);
      if (base < 0) throw { code: 'bad_input', message: `baseline \`${baseline}\` is not one of the runs compared` };
      return { runs: structuredClone(chosen), rows: compareRows(chosen, base), baseline: base };
    },
    chart_data: ({ request }) => chartData(request),
    export_chart: ({ chart: e }) => {
      if (!['svg', 'png', 'csv'].includes(e.format)) throw { code: 'bad_input', message: `\`${e.format}\` is not a chart format` };
      return null;
    },
    export_runs: ({ table: e }) => {
      if (!['csv', 'parquet'].includes(e.format)) throw { code: 'bad_input', message: `\`${e.format}\` is not a table format: expected csv or parquet` };
      return null;
    },
    // The engine's sweep, reduced: the params that vary, the metric last; correlation only.
    sweep: ({ request }) => {
      const chosen = runs.filter((r) => !request.run_ids?.length || request.run_ids.includes(r.id));
      const metric = request.metric.replace(/^metrics\./, '');
      if (!chosen.some((r) => metric in r.metrics)) throw { code: 'not_found', message: `no run has metric \`${metric}\`` };
      const axisOf = (key, texts) => {
        const numeric = texts.every((t) => t === null || Number.isFinite(Number(t)));
        const categories = numeric ? [] : [...new Set(texts.filter((t) => t !== null))].sort();
        const values = texts.map((t) => (t === null ? null : numeric ? Number(t) : categories.indexOf(t)));
        const present = values.filter((v) => v !== null);
        return { key, kind: numeric ? 'numeric' : 'categorical', values, categories, min: present.length ? Math.min(...present) : null, max: present.length ? Math.max(...present) : null };
      };
      const names = [...new Set(chosen.flatMap((r) => Object.keys(r.params)))].sort();
      const params = names.filter((k) => chosen.some((r) => r.params[k] !== chosen[0].params[k]));
      const axes = params.map((k) => axisOf(`params.${k}`, chosen.map((r) => r.params[k] ?? null)));
      const m = chosen.map((r) => (typeof r.metrics[metric] === 'number' ? r.metrics[metric] : null));
      axes.push({ ...axisOf(`metrics.${metric}`, m.map((v) => (v === null ? null : String(v)))) });
      return {
        metric: `metrics.${metric}`,
        run_ids: chosen.map((r) => r.id),
        names: chosen.map((r) => r.name ?? r.run_id),
        axes,
        importance: params.map((k) => ({ key: `params.${k}`, correlation: null, importance: null })),
      };
    },
    list_views: () => structuredClone(views),
    save_view: ({ name, spec }) => {
      if (spec.filter && /[<>=]\s*$/.test(spec.filter)) {
        throw { code: 'bad_filter', message: `invalid filter at column ${spec.filter.length + 1}: expected a value` };
      }
      const now = Date.now();
      const saved = { name: name.trim(), spec: structuredClone(spec), created_ms: now, updated_ms: now };
      const i = views.findIndex((v) => v.name === saved.name);
      if (i >= 0) views[i] = saved;
      else views.push(saved);
      views.sort((a, b) => a.name.localeCompare(b.name));
      return structuredClone(saved);
    },
    delete_view: ({ name }) => {
      const i = views.findIndex((v) => v.name === name);
      if (i >= 0) views.splice(i, 1);
      return i >= 0;
    },
    list_datasets: () => structuredClone(setup.datasets),
    list_models: () => structuredClone(setup.models),
    list_problems: () => structuredClone(setup.problems),
    drift_methods: () => structuredClone(setup.drift.methods),
    compare_datasets: ({ onProgress }) => {
      drift.channel = onProgress.id;
      drift.index = 0;
      const answer = new Promise((resolve, reject) => {
        drift.settle = () => (setup.drift.error ? reject(setup.drift.error) : resolve(structuredClone(setup.drift.report)));
      });
      return answer;
    },
    drift_column_chart: ({ reportId, column }) => {
      if (reportId !== setup.drift.report?.id) throw { code: 'not_found', message: `no drift report ${reportId}` };
      return `<svg xmlns="http://www.w3.org/2000/svg" width="520" height="240" data-column="${column}"><rect width="100%" height="100%" fill="#fff"/><text x="12" y="20">${column}</text></svg>`;
    },
    export_drift_report: ({ reportId }) => {
      if (reportId !== setup.drift.report?.id) throw { code: 'not_found', message: `no drift report ${reportId}` };
      return null;
    },
    fairness_columns: ({ path }) => {
      const columns = setup.fairness.columns[path];
      if (!columns) throw { code: 'not_found', message: `${path}: cannot read: No such file or directory (os error 2)` };
      return structuredClone(columns);
    },
    fairness_report: () =>
      new Promise((resolve, reject) => {
        fairness.settle = () =>
          setup.fairness.error ? reject(setup.fairness.error) : resolve(structuredClone(setup.fairness.report));
      }),
    fairness_chart: ({ reportId, grouping, metric }) => {
      if (reportId !== setup.fairness.report?.id) throw { code: 'not_found', message: `no fairness report ${reportId}` };
      return `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="240" data-grouping="${grouping}" data-metric="${metric}"><rect width="100%" height="100%" fill="#fff"/><text x="12" y="20">${metric}</text></svg>`;
    },
    export_fairness_report: ({ reportId }) => {
      if (reportId !== setup.fairness.report?.id) throw { code: 'not_found', message: `no fairness report ${reportId}` };
      return null;
    },
    'plugin:dialog|save': () => savePath,
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
    runs,
    drift,
    fairness,
    startup,
    setSavePath: (path) => (savePath = path),
    emit,
    listenerCount: (event) => (listeners.get(event) ?? []).length,
  };
}

/**
 * Runs in the page after `installTauriMock`: the approval, publishing and
 * registry commands, answered from `setup.registry` (all optional):
 *   { approvals: { [modelId]: ModelApproval }, connections, jobs, remote (the catalog's RemoteModel[]),
 *     pulled (what registry_pull reads from the "server"), pullError, loginErrors: { [url]: AppError },
 *     championHistory: { [name]: [versions] }, holdChecks, now, user, keyring }
 * Decisions and publishes are checked as the shell checks them (a note; an
 * override note to approve past failed checks; only approved models publish).
 * With `holdChecks`, model_approval answers when the test calls
 * window.__mock.registry.release() (the checks take a while in the app).
 * window.__mock.registry.progress(jobId, fields) changes a job as the shell's
 * outbox does and emits `publish-progress` with it.
 */
export function installRegistryMock(setup) {
  const reg = structuredClone(setup.registry ?? {});
  const approvals = reg.approvals ?? {};
  const connections = reg.connections ?? [];
  const jobs = reg.jobs ?? [];
  const championHistory = reg.championHistory ?? {};
  const user = reg.user ?? 'ana';
  let remote = reg.remote ?? [];
  let clock = reg.now ?? 1767225600000;
  let nextJobId = Math.max(0, ...jobs.map((j) => j.id)) + 1;
  let nextAuditId = 1;
  /** [model id or null, AuditEntry], newest first. */
  const audit = [];
  /** What each login sent as its secret: the test checks it reached the shell. */
  const secrets = {};
  const held = [];
  let refuseNextDecision = null;

  const tick = () => (clock += 1000);
  const fail = (code, message) => {
    throw { code, message };
  };
  const record = (modelId, action, subject, note, contentHash) =>
    audit.unshift([
      modelId,
      { id: nextAuditId++, at_ms: clock, actor: user, action, subject, content_hash: contentHash, note, details: {} },
    ]);
  const approvalOf = (modelId) => approvals[modelId] ?? fail('not_found', `no model with id ${modelId}`);
  const registryUrl = (registry) => {
    if (registry) return registry;
    const chosen = connections.find((c) => c.is_default) ?? connections[0];
    return chosen ? chosen.url : fail('bad_input', 'no registry: log in to one first');
  };
  const jobOf = (jobId) => jobs.find((j) => j.id === jobId) ?? fail('not_found', `no publish job ${jobId}`);

  const commands = {
    model_approval: ({ modelId }) => {
      const answer = () => structuredClone(approvalOf(modelId));
      if (!reg.holdChecks) return answer();
      return new Promise((resolve, reject) =>
        held.push(() => {
          try {
            resolve(answer());
          } catch (err) {
            reject(err);
          }
        }),
      );
    },
    decide_model: ({ modelId, form: { decision, note, override_note: overrideNote } }) => {
      const approval = approvalOf(modelId);
      if (refuseNextDecision) {
        const refusal = refuseNextDecision;
        refuseNextDecision = null;
        throw refusal;
      }
      if (!note.trim()) fail('bad_input', 'a decision needs a note');
      if (decision === 'approve' && !approval.all_passed && !overrideNote?.trim()) {
        fail('bad_input', `model ${modelId}: checks failed, so approving it needs an override note`);
      }
      tick();
      const decided = decision === 'approve' ? 'approved' : 'rejected';
      approval.approval = {
        decision: decided,
        actor: user,
        at_ms: clock,
        note,
        override_note: decision === 'approve' ? overrideNote : null,
        content_hash: approval.content_hash,
      };
      approval.status = decided;
      record(modelId, decision, approval.path, note, approval.content_hash);
      return structuredClone(approval);
    },
    publish_model: ({ modelId, form: { name, alias, registry } }) => {
      const approval = approvalOf(modelId);
      if (approval.status !== 'approved' && approval.status !== 'published') fail('bad_input', `model ${modelId} is not approved`);
      tick();
      const job = {
        id: nextJobId++, model_id: modelId, model_path: approval.path, content_hash: approval.content_hash,
        registry: registryUrl(registry), name, alias, state: 'queued', step: 'queued', bytes_done: 0, bytes_total: 0,
        attempts: 0, error: null, next_attempt_ms: null, version: null, version_url: null, created_ms: clock, updated_ms: clock,
      };
      jobs.push(job);
      record(modelId, 'publish', name, null, approval.content_hash);
      return structuredClone(job);
    },
    publish_jobs: () => structuredClone(jobs),
    cancel_publish: ({ jobId }) => {
      const job = jobOf(jobId);
      if (!['queued', 'running', 'waiting'].includes(job.state)) fail('bad_input', `publish job ${jobId} is ${job.state}`);
      Object.assign(job, { state: 'cancelled', step: 'cancelled', next_attempt_ms: null, updated_ms: tick() });
      return structuredClone(job);
    },
    registry_connections: () => structuredClone(connections),
    registry_login: ({ request: { url, auth, username, secret, ca_file: caFile } }) => {
      secrets[url] = secret;
      const refusal = reg.loginErrors?.[url];
      if (refusal) throw refusal;
      const index = connections.findIndex((c) => c.url === url);
      const connection = {
        url, auth, username, ca_file: caFile,
        is_default: index === -1 ? connections.length === 0 : connections[index].is_default,
        has_secret: secret !== null, keyring: reg.keyring ?? 'Secret Service',
      };
      if (index === -1) connections.push(connection);
      else connections[index] = connection;
      return structuredClone(connection);
    },
    registry_logout: ({ url }) => {
      const index = connections.findIndex((c) => c.url === url);
      if (index === -1) fail('not_found', `not logged in to ${url}`);
      const [gone] = connections.splice(index, 1);
      if (gone.is_default && connections.length > 0) connections[0].is_default = true;
      return null;
    },
    registry_pull: ({ registry }) => {
      const url = registryUrl(registry);
      if (reg.pullError) throw reg.pullError;
      remote = structuredClone((reg.pulled ?? []).filter((m) => m.registry === url));
      return structuredClone(remote);
    },
    remote_models: ({ registry }) => {
      if (connections.length === 0) return [];
      const url = registryUrl(registry);
      return structuredClone(remote.filter((m) => m.registry === url));
    },
    move_alias: ({ registry, name, action }) => {
      const url = registryUrl(registry);
      const model = remote.find((m) => m.registry === url && m.name === name) ?? fail('not_found', `no model ${name} at ${url}`);
      const history = (championHistory[name] ??= []);
      if (action === 'promote') {
        const challenger = model.aliases.challenger ?? fail('bad_input', `${name} has no challenger`);
        if (model.aliases.champion) history.push(model.aliases.champion);
        model.aliases.champion = challenger;
        delete model.aliases.challenger;
      } else {
        model.aliases.champion = history.pop() ?? fail('bad_input', `${name}: no earlier champion to roll back to`);
      }
      for (const v of model.versions) {
        v.aliases = Object.keys(model.aliases).filter((alias) => model.aliases[alias] === v.version).sort();
      }
      tick();
      record(null, action, name, null, null);
      return structuredClone(model);
    },
    audit_log: ({ modelId }) =>
      structuredClone(audit.filter(([id]) => modelId === null || id === modelId).map(([, entry]) => entry)),
  };

  const internals = window.__TAURI_INTERNALS__;
  const base = internals.invoke.bind(internals);
  internals.invoke = async (cmd, args = {}, options) => {
    const command = commands[cmd];
    if (!command) return base(cmd, args, options);
    window.__mock.calls.push({ cmd, args: structuredClone(args) });
    return command(args);
  };

  window.__mock.registry = {
    secrets,
    jobs,
    /** Changes a job as the outbox does and tells the UI. */
    progress(jobId, fields) {
      const job = jobOf(jobId);
      Object.assign(job, fields, { updated_ms: tick() });
      if (job.state === 'done' && job.model_id !== null) {
        const approval = approvals[job.model_id];
        approval.status = 'published';
        approval.publications.push({ registry: job.registry, name: job.name, version: job.version, url: job.version_url, at_ms: clock });
      }
      window.__mock.emit('publish-progress', structuredClone(job));
      return structuredClone(job);
    },
    /** Answers the model_approval calls held so far. */
    release() {
      for (const answer of held.splice(0)) answer();
    },
    heldChecks: () => held.length,
    refuseNextDecision(error) {
      refuseNextDecision = error;
    },
  };
}

/**
 * The calling suite's browser: its `before` hook starts the static server and Chromium, its
 * `after` hook stops both. The returned object's `browser` and `origin` are set once `before`
 * has run (read them inside the tests, not when the suite is defined).
 */
export function useBrowser() {
  const app = { browser: null, server: null, origin: null };
  before(async () => {
    ({ server: app.server, origin: app.origin } = await serveDist());
    app.browser = await launchChromium();
  });
  after(async () => {
    await app.browser?.close();
    await new Promise((done) => (app.server ? app.server.close(done) : done()));
  });
  return app;
}

/** Debian's Chromium, headless, with nothing running in the background. */
export function launchChromium() {
  return chromium.launch({
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
}

/**
 * A fresh page on the app with the given mocked backend (see the two install
 * functions for `setup`). When the test ends it fails on CSP violations,
 * inline styles and errors in the page, after a screenshot if asked for.
 */
export async function openPage(t, browser, origin, setup, { colorScheme = 'light' } = {}) {
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
    let styled;
    try {
      violations = await page.evaluate(() => window.__mock.violations);
      // Inline styles would need 'unsafe-inline' in the app's CSP: none, ever. (An empty
      // style="" is no style: Playwright's screenshots leave one on every input they hide the caret of.)
      // The one exception is inside an interactive chart: the canvas library and the tooltip
      // size and place their elements through the CSSOM (element.style), which the CSP allows;
      // a style attribute in markup would be refused and show up in the violations above.
      styled = await page.evaluate(() =>
        [...document.querySelectorAll('[style]:not([style=""])')]
          .filter((e) => !e.closest('[data-testid="interactive-chart"]'))
          .map((e) => e.outerHTML.slice(0, 80)),
      );
      await screenshot(page, t.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 60));
    } finally {
      await context.close();
    }
    assert.deepEqual(violations, [], 'CSP violations');
    assert.deepEqual(styled, [], 'elements with a style attribute');
    assert.deepEqual(pageErrors, [], 'errors in the page');
  });

  // In this order: the registry commands wrap the base mock's invoke.
  await page.addInitScript(installTauriMock, setup);
  await page.addInitScript(installRegistryMock, setup);
  await page.goto(`${origin}/index.html`);
  return page;
}

/** With SCREENSHOT_DIR set, a PNG of the page there as driftdeck-NAME.png, for people to look at. */
export async function screenshot(page, name, { fullPage = false } = {}) {
  if (SCREENSHOT_DIR) await page.screenshot({ path: join(SCREENSHOT_DIR, `driftdeck-${name}.png`), fullPage });
}

/** What the page asked the shell for with `cmd`: each call's arguments, in order. */
export function calls(page, cmd) {
  return page.evaluate((c) => window.__mock.calls.filter((call) => call.cmd === c).map((call) => call.args), cmd);
}
