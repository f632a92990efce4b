import { describe, expect, test } from 'vitest';
import { virtualWindow, type WindowInput } from './virtual';

const base: WindowInput = { scrollTop: 0, viewportHeight: 320, rowHeight: 32, count: 10_000, overscan: 5 };

describe('virtualWindow', () => {
  test.each<[string, Partial<WindowInput>, { start: number; end: number; before: number; after: number }]>([
    // 320 / 32 = 10 rows in view, +1 for a partly shown row, +5 overscan below.
    ['at the top', {}, { start: 0, end: 16, before: 0, after: (10_000 - 16) * 32 }],
    ['scrolled to row 100', { scrollTop: 3200 }, { start: 95, end: 116, before: 95 * 32, after: (10_000 - 116) * 32 }],
    ['halfway into a row', { scrollTop: 3216 }, { start: 95, end: 116, before: 95 * 32, after: (10_000 - 116) * 32 }],
    ['at the very end', { scrollTop: 9990 * 32 }, { start: 9985, end: 10_000, before: 9985 * 32, after: 0 }],
    ['past the end (elastic scroll)', { scrollTop: 1e9 }, { start: 9994, end: 10_000, before: 9994 * 32, after: 0 }],
    ['negative scroll', { scrollTop: -50 }, { start: 0, end: 16, before: 0, after: (10_000 - 16) * 32 }],
    ['fewer rows than fit', { count: 3 }, { start: 0, end: 3, before: 0, after: 0 }],
    ['no rows', { count: 0 }, { start: 0, end: 0, before: 0, after: 0 }],
    ['not laid out yet', { viewportHeight: 0 }, { start: 0, end: 6, before: 0, after: (10_000 - 6) * 32 }],
    ['no overscan', { overscan: 0, scrollTop: 320 }, { start: 10, end: 21, before: 320, after: (10_000 - 21) * 32 }],
    ['NaN scroll is the top', { scrollTop: NaN }, { start: 0, end: 16, before: 0, after: (10_000 - 16) * 32 }],
  ])('%s', (_name, input, expected) => {
    expect(virtualWindow({ ...base, ...input })).toEqual(expected);
  });

  test('the spacers and drawn rows always add up to the whole list', () => {
    for (const scrollTop of [0, 1, 31, 32, 33, 5000, 123_456, 319_680, 400_000]) {
      for (const viewportHeight of [0, 1, 100, 700]) {
        const w = virtualWindow({ ...base, scrollTop, viewportHeight });
        expect(w.before + (w.end - w.start) * base.rowHeight + w.after).toBe(base.count * base.rowHeight);
        expect(w.start).toBeGreaterThanOrEqual(0);
        expect(w.end).toBeLessThanOrEqual(base.count);
        expect(w.end - w.start).toBeLessThanOrEqual(Math.ceil(viewportHeight / 32) + 1 + 2 * base.overscan);
      }
    }
  });

  test('every row in the viewport is drawn', () => {
    const scrollTop = 777;
    const w = virtualWindow({ ...base, scrollTop });
    const firstVisible = Math.floor(scrollTop / 32);
    const lastVisible = Math.floor((scrollTop + base.viewportHeight - 1) / 32);
    expect(w.start).toBeLessThanOrEqual(firstVisible);
    expect(w.end).toBeGreaterThan(lastVisible);
  });
});
