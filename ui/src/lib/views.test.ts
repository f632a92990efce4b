import { expect, test } from 'vitest';
import { VIEWS, viewById } from './views';

test('the sidebar lists the six views in order, Projects first', () => {
  expect(VIEWS.map((v) => v.id)).toEqual([
    'projects',
    'runs',
    'datasets',
    'compare',
    'fairness',
    'models',
  ]);
});

test('Projects, Runs, Datasets, Compare, Fairness and Models work; every other view says what it holds and when it arrives', () => {
  const working = ['projects', 'runs', 'datasets', 'compare', 'fairness', 'models'];
  for (const view of VIEWS) {
    if (working.includes(view.id)) {
      expect(view.upcoming).toBeNull();
    } else {
      expect(view.upcoming?.summary.length).toBeGreaterThan(40);
      expect(['indexing', 'drift checks', 'fairness checks', 'publishing']).toContain(
        view.upcoming?.arrivesWith,
      );
    }
  }
});

test('viewById finds each view', () => {
  for (const view of VIEWS) expect(viewById(view.id)).toBe(view);
});
