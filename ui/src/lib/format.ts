/**
 * How numbers, sizes, times and durations read in the UI. Pure functions: the
 * one that needs "now" or a time zone takes it, so tests pin both.
 */
import type { MetricValue } from './backend';

/** A metric's value as a number: the three spelled-out non-finite values become real ones. */
export function metricNumber(value: MetricValue | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  switch (value) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    default:
      return null;
  }
}

/** Drops trailing zeros of a fixed or exponential decimal: "0.5000" -> "0.5", "1.200e+5" -> "1.2e5". */
function trimZeros(text: string): string {
  const [mantissa, exponent] = text.split('e');
  const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  if (exponent === undefined) return trimmed;
  return `${trimmed}e${Number(exponent)}`;
}

/**
 * A number for a table cell: short, with the full value left for a tooltip.
 * Integers are shown whole; other numbers with 4 significant digits, or one
 * decimal from 1000 up; very large or very small ones in exponent form.
 */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '−∞';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (Number.isInteger(value) && abs < 1e15) return String(value);
  if (abs >= 1e6 || abs < 1e-4) return trimZeros(value.toExponential(3));
  if (abs >= 1000) return trimZeros(value.toFixed(1));
  return trimZeros(value.toPrecision(4));
}

/** A metric for display; null (no value) is an empty string. */
export function formatMetric(value: MetricValue | null | undefined): string {
  const n = metricNumber(value);
  return n === null ? '' : formatNumber(n);
}

/**
 * A value the shell sent as text (compare rows): numbers are shortened like
 * metrics, anything else is shown as it is. Rust spells infinity `inf`.
 */
export function formatValueText(text: string): string {
  const trimmed = text.trim();
  if (trimmed === 'NaN') return 'NaN';
  if (/^[+-]?inf(inity)?$/i.test(trimmed)) return trimmed.startsWith('-') ? '−∞' : '∞';
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) return formatNumber(Number(trimmed));
  return text;
}

const SIZE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** Bytes in decimal units, as file managers show them: "512 B", "1.5 KB", "12 MB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) return `${bytes} B`;
  const digits = value < 10 ? 1 : 0;
  return `${trimZeros(value.toFixed(digits))} ${SIZE_UNITS[unit]}`;
}

/** A count with thousands separators: 12,345. */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '';
}

/** A share of a whole as a percentage: "0%", "0.4%", "12%", "100%"; empty when there is no whole. */
export function formatPercent(part: number, whole: number): string {
  if (!(whole > 0) || !Number.isFinite(part)) return '';
  const pct = (part / whole) * 100;
  if (pct === 0) return '0%';
  if (pct < 0.1) return '<0.1%';
  if (pct < 10) return `${trimZeros(pct.toFixed(1))}%`;
  if (pct > 99 && pct < 100) return '>99%';
  return `${Math.round(pct)}%`;
}

/** How long a run took: "850 ms", "12.3 s", "4m 05s", "2h 03m", "3d 4h"; empty when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${trimZeros(seconds.toFixed(1))} s`;
  const total = Math.floor(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (total < 3600) return `${Math.floor(total / 60)}m ${pad(total % 60)}s`;
  if (total < 86400) return `${Math.floor(total / 3600)}h ${pad(Math.floor((total % 3600) / 60))}m`;
  return `${Math.floor(total / 86400)}d ${Math.floor((total % 86400) / 3600)}h`;
}

/** A run's duration in ms, or null when it has not ended (or its times are unknown). */
export function runDuration(run: { start_ms: number | null; end_ms: number | null }): number | null {
  if (run.start_ms === null || run.end_ms === null) return null;
  const d = run.end_ms - run.start_ms;
  return d >= 0 ? d : null;
}

/**
 * A Unix-ms time as "2026-03-01 09:30" in the machine's local time zone (the
 * zone is the process's: tests set TZ).
 */
export function formatTimestamp(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
