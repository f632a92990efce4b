// The view state classes' own logic (their fields are Svelte state; the
// runes compile here as in the app).
import { describe, expect, test } from 'vitest';
import type { DatasetDrifted, PublishJob, RunList } from './backend';
import { CompareUi, FileUi, ModelsUi, RunsUi } from './ui-state.svelte';

const LIST: RunList = { runs: [], metric_keys: [], param_keys: [], tag_keys: [], total: 0 };

describe('RunsUi', () => {
  test('the prefetched list answers the first load of all projects without a filter, once', async () => {
    const ui = new RunsUi();
    const list = Promise.resolve(LIST);
    ui.prefetch(list);
    expect(ui.takePrefetched(null, '')).toBe(list);
    expect(ui.takePrefetched(null, '')).toBeNull();
    await expect(list).resolves.toBe(LIST);
  });

  test('a dropped prefetch is not used later', () => {
    const ui = new RunsUi();
    ui.prefetch(Promise.resolve(LIST));
    ui.dropPrefetched();
    expect(ui.takePrefetched(null, '')).toBeNull();
  });

  test('a load of one project or with a filter asks anew (and drops the prefetched list)', () => {
    const ui = new RunsUi();
    ui.prefetch(Promise.resolve(LIST));
    expect(ui.takePrefetched(3, '')).toBeNull();
    expect(ui.takePrefetched(null, '')).toBeNull();
    ui.prefetch(Promise.resolve(LIST));
    expect(ui.takePrefetched(null, 'metrics.auc > 0.8')).toBeNull();
  });

  test('a prefetch nobody takes fails quietly; a taken one still fails for the taker', async () => {
    const refusal = { code: 'catalog', message: 'database is locked' };
    const ui = new RunsUi();
    ui.prefetch(Promise.reject(refusal));
    ui.forgetCatalog();
    // Vitest fails the run on an unhandled rejection: getting past this tick without one is the check.
    await new Promise((done) => setTimeout(done, 0));
    ui.prefetch(Promise.reject(refusal));
    await expect(ui.takePrefetched(null, '')).rejects.toEqual(refusal);
  });

  test('another catalog: selection, panel, project, scroll and groups are forgotten; the filter and sort stay', () => {
    const ui = new RunsUi();
    ui.projectId = 2;
    ui.selected = new Set([1, 2]);
    ui.anchor = 1;
    ui.collapsed = new Set(['p:2']);
    ui.scrollTop = 900;
    ui.openPanel([1, 2]);
    ui.filterText = 'metrics.auc > 0.8';
    ui.sort = { column: 'name', direction: 'asc' };
    ui.prefetch(Promise.resolve(LIST));
    ui.forgetCatalog();
    expect([ui.projectId, ui.selected.size, ui.anchor, ui.collapsed.size, ui.scrollTop, ui.panel]).toEqual([null, 0, null, 0, 0, null]);
    expect(ui.filterText).toBe('metrics.auc > 0.8');
    expect(ui.sort).toEqual({ column: 'name', direction: 'asc' });
    expect(ui.takePrefetched(null, '')).toBeNull();
  });
});

test('FileUi and ModelsUi forget what belongs to the other catalog', () => {
  const files = new FileUi();
  files.selected = { project: 'demo', path: 'data/a.csv' };
  files.forgetCatalog();
  expect(files.selected).toBeNull();

  const models = new ModelsUi();
  models.selected = { project: 'demo', path: 'model.onnx' };
  models.noteStatus(1, 'approved');
  models.setJobs([{ id: 1, model_id: 1, state: 'done' } as PublishJob]);
  models.connections = [];
  models.remote = [];
  models.remoteRegistry = 'https://m';
  models.outboxOpen = true;
  models.forgetCatalog();
  expect([models.selected, models.statuses.size, models.jobs, models.connections, models.remote, models.remoteRegistry]).toEqual([
    null, 0, null, null, null, null,
  ]);
  expect(models.outboxOpen).toBe(true);
});

test("CompareUi takes a drift alert's files and drift share, clears the other options and asks for a run", () => {
  const ui = new CompareUi();
  ui.columnsText = 'age';
  ui.method = 'psi';
  ui.thresholdText = '0.2';
  ui.ignored = 3;
  const drift: DatasetDrifted = {
    project_id: 1, project: 'demo', reference: '/d/reference.csv', current: '/d/current.csv',
    drifted_columns: 4, columns: 9, share: 0.44, max_share: 0.3, drifted: ['a'],
  };
  ui.compareAlert(drift);
  expect([ui.reference, ui.current, ui.driftShareText]).toEqual(['/d/reference.csv', '/d/current.csv', '0.3']);
  expect([ui.columnsText, ui.method, ui.thresholdText, ui.ignored]).toEqual(['', '', '', 0]);
  expect(ui.runRequested).toBe(true);
});
