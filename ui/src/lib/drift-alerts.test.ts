import { describe, expect, test } from 'vitest';
import type { DatasetDrifted } from './backend';
import { MAX_DRIFT_ALERTS, addDriftAlert, alertComparison, dismissDriftAlert, driftAlertText, type DriftAlert } from './drift-alerts';

function drift(fields: Partial<DatasetDrifted> = {}): DatasetDrifted {
  return {
    project_id: 1,
    project: 'demo',
    reference: '/home/ana/demo/data/reference.csv',
    current: '/home/ana/demo/data/current.csv',
    drifted_columns: 4,
    columns: 9,
    share: 4 / 9,
    max_share: 0.3,
    drifted: ['monthly_charges', 'tenure', 'contract', 'total_charges'],
    ...fields,
  };
}

describe('driftAlertText', () => {
  test.each([
    [
      'three names and the rest as …',
      drift(),
      'Drift in demo: current.csv vs reference.csv — 4 of 9 columns drifted (monthly_charges, tenure, contract, …)',
    ],
    [
      'all names when there are three or fewer',
      drift({ drifted_columns: 2, drifted: ['monthly_charges', 'tenure'] }),
      'Drift in demo: current.csv vs reference.csv — 2 of 9 columns drifted (monthly_charges, tenure)',
    ],
    [
      '… when the shell sent fewer names than drifted columns (it sends at most 10)',
      drift({ drifted_columns: 12, columns: 1200, drifted: ['a', 'b'] }),
      'Drift in demo: current.csv vs reference.csv — 12 of 1,200 columns drifted (a, b, …)',
    ],
    ['no names, no brackets', drift({ drifted_columns: 1, columns: 1, drifted: [] }), 'Drift in demo: current.csv vs reference.csv — 1 of 1 column drifted'],
    [
      'Windows paths name the file too',
      drift({ project: 'churn', reference: 'C:\\data\\ref.parquet', current: 'C:\\data\\cur.parquet', drifted: ['x'], drifted_columns: 1 }),
      'Drift in churn: cur.parquet vs ref.parquet — 1 of 9 columns drifted (x)',
    ],
  ])('%s', (_name, event, expected) => {
    expect(driftAlertText(event)).toBe(expected);
  });
});

describe('the alert list', () => {
  test('newest first; the same project and files replace the older alert', () => {
    let list: DriftAlert[] = [];
    list = addDriftAlert(list, drift(), 1);
    list = addDriftAlert(list, drift({ project_id: 2, project: 'churn' }), 2);
    list = addDriftAlert(list, drift({ drifted_columns: 5 }), 3);
    expect(list.map((a) => [a.seq, a.project, a.drifted_columns])).toEqual([
      [3, 'demo', 5],
      [2, 'churn', 4],
    ]);
  });

  test('other files of the same project are another alert', () => {
    const list = addDriftAlert(addDriftAlert([], drift(), 1), drift({ current: '/home/ana/demo/data/april.csv' }), 2);
    expect(list.map((a) => a.seq)).toEqual([2, 1]);
  });

  test(`at most ${MAX_DRIFT_ALERTS}: the oldest go`, () => {
    let list: DriftAlert[] = [];
    for (let i = 1; i <= 5; i++) list = addDriftAlert(list, drift({ project_id: i }), i);
    expect(list.map((a) => a.seq)).toEqual([5, 4, 3]);
  });

  test('the event is copied, not kept', () => {
    const event = drift();
    const [alert] = addDriftAlert([], event, 1);
    event.drifted.push('late');
    expect(alert.drifted).toHaveLength(4);
  });

  test('dismissing removes that alert only', () => {
    const list = addDriftAlert(addDriftAlert([], drift(), 1), drift({ project_id: 2 }), 2);
    expect(dismissDriftAlert(list, 1).map((a) => a.seq)).toEqual([2]);
    expect(dismissDriftAlert(list, 9)).toEqual(list);
  });
});

test('Compare gets both files and the project drift share', () => {
  expect(alertComparison(drift({ max_share: 0.25 }))).toEqual({
    reference: '/home/ana/demo/data/reference.csv',
    current: '/home/ana/demo/data/current.csv',
    driftShareText: '0.25',
  });
});
