// Times are shown in the machine's zone; vite.config.ts runs the tests in UTC.
import { describe, expect, test } from 'vitest';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatMetric,
  formatNumber,
  formatPercent,
  formatTimestamp,
  formatValueText,
  metricNumber,
  runDuration,
} from './format';

describe('formatNumber', () => {
  test.each([
    [0, '0'],
    [1, '1'],
    [-42, '-42'],
    [1234567, '1234567'],
    [0.912345, '0.9123'],
    [0.5, '0.5'],
    [12.3456, '12.35'],
    [999.96, '1000'],
    [1234.56, '1234.6'],
    [1000.04, '1000'],
    [123456.78, '123456.8'],
    [1.5e7, '15000000'],
    [1.23456e7 + 0.5, '1.235e7'],
    [0.00012345, '0.0001234'],
    [0.000012346, '1.235e-5'],
    [-0.5, '-0.5'],
    [NaN, 'NaN'],
    [Infinity, '∞'],
    [-Infinity, '−∞'],
  ])('%d -> %s', (value, expected) => {
    expect(formatNumber(value)).toBe(expected);
  });
});

test('metricNumber reads the spelled-out non-finite values', () => {
  expect(metricNumber(0.5)).toBe(0.5);
  expect(metricNumber('NaN')).toBeNaN();
  expect(metricNumber('Infinity')).toBe(Infinity);
  expect(metricNumber('-Infinity')).toBe(-Infinity);
  expect(metricNumber(null)).toBeNull();
  expect(metricNumber(undefined)).toBeNull();
  expect(metricNumber('garbage' as never)).toBeNull();
});

test('formatMetric', () => {
  expect(formatMetric(0.91234)).toBe('0.9123');
  expect(formatMetric('NaN')).toBe('NaN');
  expect(formatMetric('-Infinity')).toBe('−∞');
  expect(formatMetric(undefined)).toBe('');
});

describe('formatValueText: compare values arrive as text', () => {
  test.each([
    ['0.912345678', '0.9123'],
    ['3', '3'],
    ['1e-7', '1e-7'],
    ['NaN', 'NaN'],
    ['inf', '∞'],
    ['-inf', '−∞'],
    ['FINISHED', 'FINISHED'],
    ['0.1.2', '0.1.2'],
    ['', ''],
  ])('%j -> %j', (text, expected) => {
    expect(formatValueText(text)).toBe(expected);
  });
});

describe('formatBytes', () => {
  test.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1 KB'],
    [1500, '1.5 KB'],
    [52_000, '52 KB'],
    [3_400_000, '3.4 MB'],
    [12_345_678_901, '12 GB'],
    [-1, ''],
    [NaN, ''],
  ])('%d -> %s', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });
});

test('formatCount groups thousands', () => {
  expect(formatCount(10000)).toBe('10,000');
  expect(formatCount(7)).toBe('7');
  expect(formatCount(NaN)).toBe('');
});

describe('formatPercent', () => {
  test.each([
    [0, 100, '0%'],
    [1, 2000, '<0.1%'],
    [1, 100, '1%'],
    [85, 1000, '8.5%'],
    [500, 1000, '50%'],
    [995, 1000, '>99%'],
    [1000, 1000, '100%'],
    [1, 0, ''],
  ])('%d of %d -> %s', (part, whole, expected) => {
    expect(formatPercent(part, whole)).toBe(expected);
  });
});

describe('formatDuration', () => {
  test.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [1000, '1 s'],
    [12_340, '12.3 s'],
    [59_990, '60 s'],
    [60_000, '1m 00s'],
    [245_000, '4m 05s'],
    [3_600_000, '1h 00m'],
    [7_380_000, '2h 03m'],
    [86_400_000, '1d 0h'],
    [3 * 86_400_000 + 4 * 3_600_000 + 59_000, '3d 4h'],
    [-5, ''],
    [null, ''],
    [NaN, ''],
  ])('%s ms -> %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

test('runDuration needs both ends, in order', () => {
  expect(runDuration({ start_ms: 1000, end_ms: 4000 })).toBe(3000);
  expect(runDuration({ start_ms: 1000, end_ms: null })).toBeNull();
  expect(runDuration({ start_ms: null, end_ms: 4000 })).toBeNull();
  expect(runDuration({ start_ms: 5000, end_ms: 4000 })).toBeNull();
});

test('formatTimestamp shows local date and minutes', () => {
  expect(formatTimestamp(Date.UTC(2026, 2, 1, 9, 30, 59))).toBe('2026-03-01 09:30');
  expect(formatTimestamp(0)).toBe('1970-01-01 00:00');
  expect(formatTimestamp(null)).toBe('');
  expect(formatTimestamp(8.64e15 + 1)).toBe('');
});
