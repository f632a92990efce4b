// The backend module with Tauri's modules replaced by fakes: checks the
// command names and arguments the shell expects, and that every failure
// reaches the caller as an AppError.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

const tauri = vi.hoisted(() => {
  /** Tauri's Channel as far as backend.ts uses it: a handler the shell's messages reach. */
  class FakeChannel<T> {
    onmessage: (message: T) => void = () => {};
  }
  return {
    invoke: vi.fn(),
    open: vi.fn(),
    save: vi.fn(),
    onDragDropEvent: vi.fn(),
    listen: vi.fn(),
    Channel: FakeChannel,
  };
});

vi.mock('@tauri-apps/api/core', () => ({ invoke: tauri.invoke, Channel: tauri.Channel }));
vi.mock('@tauri-apps/api/event', () => ({ listen: tauri.listen }));
vi.mock('@tauri-apps/plugin-dialog', () => ({ open: tauri.open, save: tauri.save }));
vi.mock('@tauri-apps/api/webview', () => ({
  getCurrentWebview: () => ({ onDragDropEvent: tauri.onDragDropEvent }),
}));

import * as backend from './backend';

/** `call` rejects with the internal AppError the backend makes of a plain rejection `message`. */
async function expectInternal(call: Promise<unknown>, message: string) {
  await expect(call).rejects.toStrictEqual({ code: 'internal', message });
}

beforeEach(() => {
  vi.resetAllMocks();
});

describe('commands', () => {
  test.each([
    ['listProjects', () => backend.listProjects(), 'list_projects', undefined],
    ['addProject', () => backend.addProject('/data/churn'), 'add_project', { path: '/data/churn' }],
    ['removeProject', () => backend.removeProject(7), 'remove_project', { id: 7 }],
    ['appInfo', () => backend.appInfo(), 'app_info', undefined],
    ['listRuns (all)', () => backend.listRuns(), 'list_runs', { projectId: null, filter: null }],
    [
      'listRuns (filtered)',
      () => backend.listRuns({ projectId: 3, filter: 'metrics.auc > 0.8' }),
      'list_runs',
      { projectId: 3, filter: 'metrics.auc > 0.8' },
    ],
    ['compareRuns', () => backend.compareRuns([4, 2]), 'compare_runs', { ids: [4, 2], baseline: null }],
    ['compareRuns (baseline)', () => backend.compareRuns([4, 2], 2), 'compare_runs', { ids: [4, 2], baseline: 2 }],
    [
      'exportChart',
      () => backend.exportChart({ request: { run_ids: [1, 2], key: 'val/auc', x: 'step', smoothing: 'none' }, format: 'png' }, '/tmp/auc.png'),
      'export_chart',
      { chart: { request: { run_ids: [1, 2], key: 'val/auc', x: 'step', smoothing: 'none' }, format: 'png' }, path: '/tmp/auc.png' },
    ],
    [
      'exportRuns',
      () => backend.exportRuns({ filter: 'metrics.auc > 0.8', format: 'parquet' }, '/tmp/runs.parquet'),
      'export_runs',
      { table: { filter: 'metrics.auc > 0.8', format: 'parquet' }, path: '/tmp/runs.parquet' },
    ],
    ['listDatasets', () => backend.listDatasets(), 'list_datasets', { projectId: null }],
    ['listDatasets (project)', () => backend.listDatasets(2), 'list_datasets', { projectId: 2 }],
    ['listModels', () => backend.listModels(), 'list_models', { projectId: null }],
    ['listProblems', () => backend.listProblems(5), 'list_problems', { projectId: 5 }],
    ['driftMethods', () => backend.driftMethods(), 'drift_methods', undefined],
    [
      'driftColumnChart',
      () => backend.driftColumnChart(3, 'num_normal_b'),
      'drift_column_chart',
      { reportId: 3, column: 'num_normal_b' },
    ],
    [
      'exportDriftReport',
      () => backend.exportDriftReport(3, 'html', '/tmp/drift.html'),
      'export_drift_report',
      { reportId: 3, format: 'html', path: '/tmp/drift.html' },
    ],
    ['fairnessColumns', () => backend.fairnessColumns('/d/predictions.csv'), 'fairness_columns', { path: '/d/predictions.csv' }],
    [
      'fairnessChart',
      () => backend.fairnessChart(4, 2, 'true_positive_rate'),
      'fairness_chart',
      { reportId: 4, grouping: 2, metric: 'true_positive_rate' },
    ],
    [
      'exportFairnessReport',
      () => backend.exportFairnessReport(4, 'json', '/tmp/fairness.json'),
      'export_fairness_report',
      { reportId: 4, format: 'json', path: '/tmp/fairness.json' },
    ],
    ['modelApproval', () => backend.modelApproval(7), 'model_approval', { modelId: 7 }],
    [
      'decideModel (approve past failed checks)',
      () => backend.decideModel(7, 'approve', 'ok for the pilot', 'drift is seasonal'),
      'decide_model',
      { modelId: 7, form: { decision: 'approve', note: 'ok for the pilot', override_note: 'drift is seasonal' } },
    ],
    [
      'decideModel (reject)',
      () => backend.decideModel(7, 'reject', 'auc too low', null),
      'decide_model',
      { modelId: 7, form: { decision: 'reject', note: 'auc too low', override_note: null } },
    ],
    [
      'publishModel',
      () => backend.publishModel({ modelId: 7, name: 'fraud-gbm', alias: null, registry: 'https://mlflow.example.com' }),
      'publish_model',
      { modelId: 7, form: { name: 'fraud-gbm', alias: null, registry: 'https://mlflow.example.com' } },
    ],
    ['publishJobs', () => backend.publishJobs(), 'publish_jobs', undefined],
    ['cancelPublish', () => backend.cancelPublish(3), 'cancel_publish', { jobId: 3 }],
    ['registryConnections', () => backend.registryConnections(), 'registry_connections', undefined],
    [
      'registryLogin',
      () => backend.registryLogin({ url: 'https://m', auth: 'basic', username: 'ana', secret: 'pw', caFile: null }),
      'registry_login',
      { request: { url: 'https://m', auth: 'basic', username: 'ana', secret: 'pw', ca_file: null } },
    ],
    ['registryLogout', () => backend.registryLogout('https://m'), 'registry_logout', { url: 'https://m' }],
    ['registryPull (default)', () => backend.registryPull(null), 'registry_pull', { registry: null }],
    ['remoteModels', () => backend.remoteModels('https://m'), 'remote_models', { registry: 'https://m' }],
    [
      'moveAlias',
      () => backend.moveAlias(null, 'fraud-gbm', 'rollback'),
      'move_alias',
      { registry: null, name: 'fraud-gbm', action: 'rollback' },
    ],
    ['auditLog (one model)', () => backend.auditLog(7), 'audit_log', { modelId: 7 }],
    ['auditLog (all)', () => backend.auditLog(null), 'audit_log', { modelId: null }],
    ['settings', () => backend.settings(), 'settings', undefined],
    ['setTheme', () => backend.setTheme('dark'), 'set_theme', { theme: 'dark' }],
    [
      'setCatalogLocation (a folder, copying)',
      () => backend.setCatalogLocation('/mnt/team/driftdeck', true),
      'set_catalog_location',
      { path: '/mnt/team/driftdeck', copy: true },
    ],
    [
      'setCatalogLocation (back to the default, empty)',
      () => backend.setCatalogLocation(null, false),
      'set_catalog_location',
      { path: null, copy: false },
    ],
    ['setProjectWatch (off)', () => backend.setProjectWatch(3, false), 'set_project_watch', { id: 3, watch: false }],
    ['setProjectWatch (on)', () => backend.setProjectWatch(3, true), 'set_project_watch', { id: 3, watch: true }],
    ['addDemoProject', () => backend.addDemoProject(), 'add_demo_project', undefined],
    ['startupReady', () => backend.startupReady(), 'startup_ready', undefined],
    ['openLink', () => backend.openLink('https://github.com/driftdeck/driftdeck#readme'), 'open_link', { url: 'https://github.com/driftdeck/driftdeck#readme' }],
  ] as const)('%s invokes %s', async (_name, run, cmd, args) => {
    tauri.invoke.mockResolvedValue('result');
    await run();
    expect(tauri.invoke).toHaveBeenCalledTimes(1);
    // The generated bindings pass no argument object to a command that takes none.
    expect(tauri.invoke.mock.calls[0]).toEqual(args === undefined ? [cmd] : [cmd, args]);
  });

  test("a command resolves with the shell's value; charts come wrapped as { svg }", async () => {
    tauri.invoke.mockResolvedValue([{ id: 1 }]);
    await expect(backend.listProjects()).resolves.toEqual([{ id: 1 }]);
    tauri.invoke.mockResolvedValue('<svg/>');
    await expect(backend.driftColumnChart(3, 'a')).resolves.toEqual({ svg: '<svg/>' });
    await expect(backend.fairnessChart(3, 0, 'accuracy')).resolves.toEqual({ svg: '<svg/>' });
    tauri.invoke.mockResolvedValue(null);
    await expect(backend.removeProject(1)).resolves.toBeUndefined();
  });

  test('a catalog move refused because DRIFTDECK_DB is set keeps its code', async () => {
    const refusal = { code: 'bad_input', message: 'the catalog is set by DRIFTDECK_DB=/tmp/c.sqlite; unset it to choose one in the app' };
    tauri.invoke.mockRejectedValue(refusal);
    await expect(backend.setCatalogLocation('/mnt/x', true)).rejects.toStrictEqual(refusal);
  });

  test('no demo workspace is a not_found AppError', async () => {
    tauri.invoke.mockRejectedValue({ code: 'not_found', message: 'no demo workspace is installed' });
    await expect(backend.addDemoProject()).rejects.toStrictEqual({ code: 'not_found', message: 'no demo workspace is installed' });
  });

  test('a registry failure keeps its code', async () => {
    tauri.invoke.mockRejectedValue({ code: 'remote', message: 'https://m: connection refused' });
    await expect(backend.registryPull(null)).rejects.toStrictEqual({ code: 'remote', message: 'https://m: connection refused' });
  });

  test('a rejection from the shell reaches the caller as the same AppError', async () => {
    tauri.invoke.mockRejectedValue({ code: 'bad_input', message: 'not a folder: /x' });
    await expect(backend.addProject('/x')).rejects.toStrictEqual({
      code: 'bad_input',
      message: 'not a folder: /x',
    });
  });

  test('a bad filter keeps its code and its message with the caret line', async () => {
    const message = 'invalid filter at column 13: expected a value\n  metrics.auc >\n              ^';
    tauri.invoke.mockRejectedValue({ code: 'bad_filter', message });
    await expect(backend.listRuns({ filter: 'metrics.auc >' })).rejects.toStrictEqual({ code: 'bad_filter', message });
  });

  test('arrays cross as plain copies (state proxies do not survive a structured clone)', async () => {
    tauri.invoke.mockResolvedValue({});
    const ids = [1, 2];
    await backend.compareRuns(ids);
    const sent = tauri.invoke.mock.calls[0][1].ids;
    expect(sent).toEqual([1, 2]);
    expect(sent).not.toBe(ids);
  });

  test('any other rejection becomes an internal AppError', async () => {
    tauri.invoke.mockRejectedValue('command list_projects not allowed');
    await expectInternal(backend.listProjects(), 'command list_projects not allowed');
  });
});

describe('pickFolder', () => {
  test('asks for one directory and returns its path', async () => {
    tauri.open.mockResolvedValue('/data/fraud');
    await expect(backend.pickFolder()).resolves.toBe('/data/fraud');
    expect(tauri.open).toHaveBeenCalledWith({ directory: true, multiple: false });
  });

  test('returns null when the user cancels', async () => {
    tauri.open.mockResolvedValue(null);
    await expect(backend.pickFolder()).resolves.toBeNull();
  });

  test('normalises a failure', async () => {
    tauri.open.mockRejectedValue('dialog.open not allowed');
    await expectInternal(backend.pickFolder(), 'dialog.open not allowed');
  });
});

describe('compareDatasets', () => {
  test('sends the request with a progress channel and resolves to the report', async () => {
    const report = { id: 1 };
    const seen: unknown[] = [];
    tauri.invoke.mockImplementation(async (_cmd: string, args: { onProgress: { onmessage: (p: unknown) => void } }) => {
      // What the shell does: stream progress over the channel, then answer.
      args.onProgress.onmessage({ phase: 'reading', done: 0, total: 2, message: 'ref.csv' });
      args.onProgress.onmessage({ phase: 'testing', done: 2, total: 2, message: '' });
      return report;
    });
    const columns = ['a', 'b'];
    const request = { reference: '/r.csv', current: '/c.csv', columns, method: 'ks', threshold: 0.01, drift_share: 0.5 };
    await expect(backend.compareDatasets(request, (p) => seen.push(p))).resolves.toBe(report);

    expect(tauri.invoke).toHaveBeenCalledTimes(1);
    const [cmd, args] = tauri.invoke.mock.calls[0];
    expect(cmd).toBe('compare_datasets');
    expect(args.request).toEqual(request);
    expect(args.request.columns).not.toBe(columns);
    expect(args.onProgress).toBeInstanceOf(tauri.Channel);
    expect(seen).toEqual([
      { phase: 'reading', done: 0, total: 2, message: 'ref.csv' },
      { phase: 'testing', done: 2, total: 2, message: '' },
    ]);
  });

  test('a file that cannot be read rejects with its AppError', async () => {
    const error = { code: 'bad_input', message: '/data/missing.csv: no such file' };
    tauri.invoke.mockRejectedValue(error);
    await expect(backend.compareDatasets({ reference: '/data/missing.csv', current: '/c.csv' }, () => {})).rejects.toStrictEqual(
      error,
    );
  });
});

describe('runFairness', () => {
  test('sends the request as plain copies and resolves to the report', async () => {
    const report = { id: 4 };
    tauri.invoke.mockResolvedValue(report);
    const sensitive = ['sex', 'age_group'];
    const bootstrap = { replicates: 2000, seed: 7 };
    const request = { path: '/d/p.csv', label: 'label', prediction: 'prediction', sensitive, bootstrap, min_group_size: 30 };
    await expect(backend.runFairness(request)).resolves.toBe(report);
    const [cmd, args] = tauri.invoke.mock.calls[0];
    expect(cmd).toBe('fairness_report');
    expect(args).toEqual({ request });
    expect(args.request.sensitive).not.toBe(sensitive);
    expect(args.request.bootstrap).not.toBe(bootstrap);
  });

  test('no bootstrap stays null; a refusal is the same AppError', async () => {
    tauri.invoke.mockRejectedValue({ code: 'bad_input', message: 'column label must hold two classes but holds at least three: 0, 1, 2' });
    const request = { path: '/d/p.csv', label: 'label', prediction: 'prediction', sensitive: ['sex'], bootstrap: null };
    await expect(backend.runFairness(request)).rejects.toStrictEqual({
      code: 'bad_input',
      message: 'column label must hold two classes but holds at least three: 0, 1, 2',
    });
    expect(tauri.invoke.mock.calls[0][1].request.bootstrap).toBeNull();
  });
});

describe('file dialogs', () => {
  test('pickDataFiles offers the tabular extensions and returns every chosen path', async () => {
    tauri.open.mockResolvedValue(['/d/ref.csv', '/d/cur.parquet']);
    await expect(backend.pickDataFiles()).resolves.toEqual(['/d/ref.csv', '/d/cur.parquet']);
    expect(tauri.open).toHaveBeenCalledWith({
      multiple: true,
      filters: [{ name: 'Tabular data', extensions: ['csv', 'tsv', 'parquet', 'pq', 'arrow', 'feather', 'ipc', 'ndjson', 'jsonl'] }],
    });
  });

  test('pickDataFiles returns [] on cancel and a list for a single path', async () => {
    tauri.open.mockResolvedValue(null);
    await expect(backend.pickDataFiles()).resolves.toEqual([]);
    tauri.open.mockResolvedValue('/d/one.csv');
    await expect(backend.pickDataFiles()).resolves.toEqual(['/d/one.csv']);
  });

  test('pickSavePath proposes the name and filters on the extension', async () => {
    tauri.save.mockResolvedValue('/home/ana/drift.html');
    await expect(backend.pickSavePath('drift-a-vs-b.html', 'html')).resolves.toBe('/home/ana/drift.html');
    expect(tauri.save).toHaveBeenCalledWith({ defaultPath: 'drift-a-vs-b.html', filters: [{ name: 'HTML', extensions: ['html'] }] });
    tauri.save.mockResolvedValue(null);
    await expect(backend.pickSavePath('x.json', 'json')).resolves.toBeNull();
  });

  test('a dialog failure is an AppError', async () => {
    tauri.save.mockRejectedValue('dialog.save not allowed');
    await expectInternal(backend.pickSavePath('x.json', 'json'), 'dialog.save not allowed');
  });
});

describe('onFileDrop', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  test('maps drag-drop events to the handlers with CSS-pixel points, and unsubscribes', async () => {
    vi.stubGlobal('devicePixelRatio', 2);
    const unlisten = vi.fn();
    tauri.onDragDropEvent.mockResolvedValue(unlisten);
    const seen: string[] = [];
    const stop = await backend.onFileDrop({
      onOver: (at) => seen.push(`over ${at.x},${at.y}`),
      onLeave: () => seen.push('leave'),
      onDrop: (paths, at) => seen.push(`drop ${paths.join(',')} at ${at.x},${at.y}`),
    });

    const emit = tauri.onDragDropEvent.mock.calls[0][0];
    const position = { x: 100, y: 240 };
    emit({ payload: { type: 'enter', paths: ['/a'], position } });
    emit({ payload: { type: 'over', position: { x: 10, y: 20 } } });
    emit({ payload: { type: 'leave' } });
    emit({ payload: { type: 'drop', paths: ['/a', '/b'], position } });
    expect(seen).toEqual(['over 50,120', 'over 5,10', 'leave', 'drop /a,/b at 50,120']);

    expect(unlisten).not.toHaveBeenCalled();
    stop();
    expect(unlisten).toHaveBeenCalledTimes(1);
  });

  test('works without the optional handlers; no pixel ratio is 1', async () => {
    tauri.onDragDropEvent.mockResolvedValue(vi.fn());
    const dropped: unknown[] = [];
    await backend.onFileDrop({ onDrop: (paths, at) => dropped.push([paths, at]) });
    const emit = tauri.onDragDropEvent.mock.calls[0][0];
    emit({ payload: { type: 'over', position: { x: 0, y: 0 } } });
    emit({ payload: { type: 'leave' } });
    emit({ payload: { type: 'drop', paths: ['/c'], position: { x: 7, y: 9 } } });
    expect(dropped).toEqual([[['/c'], { x: 7, y: 9 }]]);
  });

  test('normalises a failure to subscribe', async () => {
    tauri.onDragDropEvent.mockRejectedValue({ code: 'internal', message: 'no webview' });
    await expectInternal(backend.onFileDrop({ onDrop: () => {} }), 'no webview');
  });
});

describe('shell events', () => {
  test.each([
    ['onCatalogChanged', backend.onCatalogChanged, 'catalog-changed', { project_id: 1, units_read: 3, units_removed: 0 }],
    ['onCatalogActivity', backend.onCatalogActivity, 'catalog-activity', { state: 'reading', project_id: 1, done: 1, total: 4 }],
    ['onCatalogWarning', backend.onCatalogWarning, 'catalog-warning', { project_id: null, message: 'polling' }],
    ['onPublishProgress', backend.onPublishProgress, 'publish-progress', { id: 3, state: 'running', bytes_done: 5, bytes_total: 10 }],
    ['onMenu', backend.onMenu, 'menu', { id: 'filter' }],
    [
      'onDatasetDrifted',
      backend.onDatasetDrifted,
      'dataset-drifted',
      {
        project_id: 1, project: 'demo', reference: '/d/reference.csv', current: '/d/current.csv',
        drifted_columns: 4, columns: 9, share: 0.444, max_share: 0.3, drifted: ['monthly_charges', 'tenure', 'contract', 'churn'],
      },
    ],
  ] as const)('%s listens to %s and hands over the payload', async (_name, subscribe, event, payload) => {
    const unlisten = vi.fn();
    tauri.listen.mockResolvedValue(unlisten);
    const seen: unknown[] = [];
    const stop = await (subscribe as (h: (p: unknown) => void) => Promise<() => void>)((p) => seen.push(p));
    expect(tauri.listen).toHaveBeenCalledWith(event, expect.any(Function));
    const handler = tauri.listen.mock.calls[0][1];
    handler({ event, id: 1, payload });
    expect(seen).toEqual([payload]);
    stop();
    expect(unlisten).toHaveBeenCalledTimes(1);
  });

  test('a failure to subscribe is an AppError', async () => {
    tauri.listen.mockRejectedValue('event.listen not allowed');
    await expectInternal(backend.onCatalogChanged(() => {}), 'event.listen not allowed');
  });
});
