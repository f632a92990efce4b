// The backend module with Tauri's modules replaced by fakes: checks the
// command names and arguments the shell expects, and that every failure
// reaches the caller as an AppError.
import { beforeEach, describe, expect, test, vi } from 'vitest';

const tauri = vi.hoisted(() => ({
  invoke: vi.fn(),
  open: vi.fn(),
  onDragDropEvent: vi.fn(),
  listen: vi.fn(),
}));

vi.mock('@tauri-apps/api/core', () => ({ invoke: tauri.invoke }));
vi.mock('@tauri-apps/api/event', () => ({ listen: tauri.listen }));
vi.mock('@tauri-apps/plugin-dialog', () => ({ open: tauri.open }));
vi.mock('@tauri-apps/api/webview', () => ({
  getCurrentWebview: () => ({ onDragDropEvent: tauri.onDragDropEvent }),
}));

import * as backend from './backend';

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
    ['compareRuns', () => backend.compareRuns([4, 2]), 'compare_runs', { ids: [4, 2] }],
    [
      'metricChart',
      () => backend.metricChart({ runIds: [1, 2], key: 'val/auc', width: 600, height: 280, dark: true }),
      'metric_chart',
      { runIds: [1, 2], key: 'val/auc', width: 600, height: 280, dark: true },
    ],
    ['listDatasets', () => backend.listDatasets(), 'list_datasets', { projectId: null }],
    ['listDatasets (project)', () => backend.listDatasets(2), 'list_datasets', { projectId: 2 }],
    ['listModels', () => backend.listModels(), 'list_models', { projectId: null }],
    ['listProblems', () => backend.listProblems(5), 'list_problems', { projectId: 5 }],
  ] as const)('%s invokes %s', async (_name, run, cmd, args) => {
    tauri.invoke.mockResolvedValue('result');
    await expect(run()).resolves.toBe('result');
    expect(tauri.invoke).toHaveBeenCalledTimes(1);
    expect(tauri.invoke).toHaveBeenCalledWith(cmd, args);
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
    await expect(backend.listProjects()).rejects.toStrictEqual({
      code: 'internal',
      message: 'command list_projects not allowed',
    });
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
    await expect(backend.pickFolder()).rejects.toStrictEqual({
      code: 'internal',
      message: 'dialog.open not allowed',
    });
  });
});

describe('onFolderDrop', () => {
  test('maps drag-drop events to the handlers and unsubscribes', async () => {
    const unlisten = vi.fn();
    tauri.onDragDropEvent.mockResolvedValue(unlisten);
    const seen: string[] = [];
    const stop = await backend.onFolderDrop({
      onOver: () => seen.push('over'),
      onLeave: () => seen.push('leave'),
      onDrop: (paths) => seen.push(`drop ${paths.join(',')}`),
    });

    const emit = tauri.onDragDropEvent.mock.calls[0][0];
    const position = { x: 1, y: 2 };
    emit({ payload: { type: 'enter', paths: ['/a'], position } });
    emit({ payload: { type: 'over', position } });
    emit({ payload: { type: 'leave' } });
    emit({ payload: { type: 'drop', paths: ['/a', '/b'], position } });
    expect(seen).toEqual(['over', 'over', 'leave', 'drop /a,/b']);

    expect(unlisten).not.toHaveBeenCalled();
    stop();
    expect(unlisten).toHaveBeenCalledTimes(1);
  });

  test('works without the optional handlers', async () => {
    tauri.onDragDropEvent.mockResolvedValue(vi.fn());
    const dropped: string[][] = [];
    await backend.onFolderDrop({ onDrop: (paths) => dropped.push(paths) });
    const emit = tauri.onDragDropEvent.mock.calls[0][0];
    emit({ payload: { type: 'over', position: { x: 0, y: 0 } } });
    emit({ payload: { type: 'leave' } });
    emit({ payload: { type: 'drop', paths: ['/c'], position: { x: 0, y: 0 } } });
    expect(dropped).toEqual([['/c']]);
  });

  test('normalises a failure to subscribe', async () => {
    tauri.onDragDropEvent.mockRejectedValue({ code: 'internal', message: 'no webview' });
    await expect(backend.onFolderDrop({ onDrop: () => {} })).rejects.toStrictEqual({
      code: 'internal',
      message: 'no webview',
    });
  });
});

describe('catalog events', () => {
  test.each([
    ['onCatalogChanged', backend.onCatalogChanged, 'catalog-changed', { project_id: 1, units_read: 3, units_removed: 0 }],
    ['onCatalogActivity', backend.onCatalogActivity, 'catalog-activity', { state: 'reading', project_id: 1, done: 1, total: 4 }],
    ['onCatalogWarning', backend.onCatalogWarning, 'catalog-warning', { project_id: null, message: 'polling' }],
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
    await expect(backend.onCatalogChanged(() => {})).rejects.toStrictEqual({
      code: 'internal',
      message: 'event.listen not allowed',
    });
  });
});
