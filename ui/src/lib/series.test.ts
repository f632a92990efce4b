import { describe, expect, test } from 'vitest';
import { RUN_PALETTE, type ChartHeader } from './backend';
import {
  align,
  decimate,
  decodeChartData,
  formatNumber,
  formatSeconds,
  formatX,
  isSorted,
  nearestIndex,
  outlierRange,
  parseStoredColors,
  runColor,
  serializeColors,
  withAlpha,
} from './series';

/** A buffer laid out as the engine's `series::pack` writes it. */
function pack(header: ChartHeader, arrays: number[][]): ArrayBuffer {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((8 + json.length) / 8) * 8;
  const total = start + 8 * arrays.reduce((n, a) => n + a.length, 0);
  const buf = new ArrayBuffer(total);
  const bytes = new Uint8Array(buf);
  bytes.set(new TextEncoder().encode('DDS1'), 0);
  new DataView(buf).setUint32(4, json.length, true);
  bytes.set(json, 8);
  let at = start;
  const view = new DataView(buf);
  for (const a of arrays) for (const v of a) (view.setFloat64(at, v, true), (at += 8));
  return buf;
}

const header = (points: number, arrays: string[]): ChartHeader => ({
  key: 'loss',
  x: 'epoch',
  smoothing: 'ema:0.5',
  series: [
    { run_id: 7, name: 'a', points, arrays, spread: null, missing: null },
    { run_id: 8, name: 'b', points: 0, arrays, spread: null, missing: 'run b has no metric `loss`' },
  ],
  groups: [],
});

describe('decodeChartData', () => {
  test('reads every array in place, in the header order', () => {
    const buf = pack(header(2, ['x', 'value', 'smoothed', 'step']), [
      [0, 1],
      [1.5, Number.NaN],
      [1.5, 1.5],
      [10, 20],
    ]);
    const data = decodeChartData(buf);
    expect(data.series).toHaveLength(2);
    const [a, b] = data.series;
    expect([...a.x]).toEqual([0, 1]);
    expect(a.value[0]).toBe(1.5);
    expect(Number.isNaN(a.value[1])).toBe(true);
    expect([...a.smoothed]).toEqual([1.5, 1.5]);
    expect([...a.step!]).toEqual([10, 20]);
    expect(a.x.buffer).toBe(buf);
    expect(b.x.length).toBe(0);
    expect(b.header.missing).toContain('`loss`');
  });

  test('without smoothing the smoothed line is the values; groups come with their bands', () => {
    const h: ChartHeader = {
      key: 'loss',
      x: 'step',
      smoothing: 'none',
      series: [],
      groups: [{ label: '0.1', run_ids: [1, 2], points: 1, arrays: ['x', 'center', 'low', 'high', 'runs'], spread: null }],
    };
    const data = decodeChartData(pack(h, [[0], [2], [1], [3], [2]]));
    expect(data.groups[0].low[0]).toBe(1);
    expect(data.groups[0].runs[0]).toBe(2);
    const plain = decodeChartData(pack(header(1, ['x', 'value']), [[3], [4]]));
    expect(plain.series[0].smoothed).toBe(plain.series[0].value);
    expect(plain.series[0].step).toBeNull();
  });

  test('a buffer that is not chart data, or cut short, is refused', () => {
    expect(() => decodeChartData(new ArrayBuffer(4))).toThrow(/format/);
    const good = pack(header(2, ['x', 'value']), [
      [0, 1],
      [2, 3],
    ]);
    expect(() => decodeChartData(good.slice(0, good.byteLength - 8))).toThrow(/cut short/);
  });
});

describe('decimate', () => {
  const n = 100_000;
  const x = Float64Array.from({ length: n }, (_, i) => i);
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 1000) + (i === 54_321 ? 50 : 0));

  test('keeps each column’s first, lowest, highest and last point, and the spike', () => {
    const d = decimate(x, y, 0, n - 1, 500);
    expect(d.x.length).toBeLessThanOrEqual(4 * 501 + 2);
    expect(d.x.length).toBeGreaterThan(500);
    expect(Math.max(...d.y)).toBe(Math.max(...y));
    expect(Math.min(...d.y)).toBe(Math.min(...y));
    expect(isSorted(d.x)).toBe(true);
    expect(d.x[0]).toBe(0);
    expect(d.x[d.x.length - 1]).toBe(n - 1);
  });

  test('zoomed in far enough, every point comes back, with one beyond each edge', () => {
    const d = decimate(x, y, 1000, 1100, 500);
    expect(d.x).toEqual(Array.from({ length: 103 }, (_, i) => 999 + i));
    expect(d.y[1]).toBe(y[1000]);
  });

  test('a non-finite value stays, so the line breaks there', () => {
    const yy = Float64Array.from(y);
    yy[50_000] = Number.NaN;
    const d = decimate(x, yy, 0, n - 1, 100);
    expect(d.y.some((v) => Number.isNaN(v))).toBe(true);
    expect(d.x[d.y.findIndex((v) => Number.isNaN(v))]).toBe(50_000);
  });

  test('nothing in, nothing out', () => {
    expect(decimate([], [], 0, 1, 10)).toEqual({ x: [], y: [] });
  });
});

test('nearestIndex finds the closest point, searching sorted x and scanning the rest', () => {
  const x = [0, 10, 20, 30];
  expect(nearestIndex(x, -5)).toBe(0);
  expect(nearestIndex(x, 14)).toBe(1);
  expect(nearestIndex(x, 16)).toBe(2);
  expect(nearestIndex(x, 99)).toBe(3);
  expect(nearestIndex([], 1)).toBe(-1);
  expect(nearestIndex([5, 1, 9], 2, false)).toBe(1);
  expect(nearestIndex(x, Number.NaN)).toBe(-1);
});

test('align puts lines on the union of their x, null where a line has no point', () => {
  expect(
    align([
      { x: [0, 1, 2], y: [1, 2, Number.NaN] },
      { x: [1, 3], y: [5, 6] },
    ]),
  ).toEqual([
    [0, 1, 2, 3],
    [1, 2, null, null],
    [null, 5, null, 6],
  ]);
});

test('outlierRange spans the lowest 5th and the highest 95th percentile', () => {
  expect(outlierRange([{ min: 0, max: 100, p5: 5, p95: 95 }, null, { min: -1, max: 9, p5: 1, p95: 8 }])).toEqual([1, 95]);
  expect(outlierRange([null])).toBeNull();
  expect(outlierRange([{ min: 2, max: 2, p5: 2, p95: 2 }])).toEqual([1, 3]);
});

describe('colours', () => {
  test('a run keeps its colour by id; a chosen one wins; neighbours differ', () => {
    expect(runColor(3)).toBe(RUN_PALETTE[3]);
    expect(runColor(3 + RUN_PALETTE.length)).toBe(RUN_PALETTE[3]);
    expect(runColor(4)).not.toBe(runColor(5));
    expect(runColor(3, new Map([[3, '#123456']]))).toBe('#123456');
    expect(withAlpha('#0072B2', 0.25)).toBe('#0072B240');
  });

  test('stored colours survive a round trip and bad entries are dropped', () => {
    const colors = new Map([
      [1, '#aabbcc'],
      [22, '#000000'],
    ]);
    expect(parseStoredColors(serializeColors(colors))).toEqual(colors);
    expect(parseStoredColors('{"1":"red","x":"#000000","2":"#00ff00"}')).toEqual(new Map([[2, '#00ff00']]));
    expect(parseStoredColors('not json')).toEqual(new Map());
    expect(parseStoredColors(null)).toEqual(new Map());
  });
});

test('x values read as steps, dates, durations and numbers', () => {
  expect(formatX('step', 12.0)).toBe('12');
  expect(formatX('time', Date.UTC(2026, 0, 5, 10, 0, 0))).toBe('2026-01-05 10:00:00');
  expect(formatX('relative', 3723)).toBe('1h 02m 03s');
  expect(formatX('epoch', 1.5)).toBe('1.5');
  expect(formatSeconds(6.54)).toBe('6.5s');
  expect(formatSeconds(245)).toBe('4m 05s');
  expect(formatNumber(0.123456789)).toBe('0.123457');
  expect(formatNumber(1e-7)).toBe('1.0000e-7');
  expect(formatNumber(Number.NEGATIVE_INFINITY)).toBe('−∞');
});
