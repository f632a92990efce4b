/**
 * A model's `details` (JSON of any shape, one per format) as a tree of
 * labelled entries for a key/value list: people read "Producer name: pytorch",
 * not `{"producer_name":"pytorch"}`. Long lists and maps are cut, saying how
 * much was left out (a safetensors header can name thousands of tensors).
 */
import { formatCount, formatNumber } from './format';

export type DetailEntry = {
  label: string;
  /** The value as text, for scalars and short lists of scalars; null when `children` hold it. */
  text: string | null;
  children: DetailEntry[] | null;
  /** Entries left out after `children`. */
  more: number;
};

/** Entries shown per object or list. */
export const MAX_ENTRIES = 40;
/** Scalars of a list joined on one line. */
export const MAX_INLINE = 16;

/** "producer_name" -> "Producer name", "opsetVersion" -> "Opset version"; keeps acronyms ("IR"). */
export function humanize(key: string): string {
  const spaced = key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .trim()
    .replace(/\s+/g, ' ');
  if (spaced === '') return key;
  const words = spaced.split(' ').map((w, i) => (i === 0 || /[A-Z]{2}/.test(w) ? w : w.toLowerCase()));
  return words[0].charAt(0).toUpperCase() + words[0].slice(1) + (words.length > 1 ? ' ' + words.slice(1).join(' ') : '');
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

export function scalarText(value: string | number | boolean | null): string {
  if (value === null) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) >= 10000 ? formatCount(value) : formatNumber(value);
  return value;
}

/** The label of a list item: its `name` (ONNX inputs, steps) when it has one, else its position. */
function itemLabel(item: unknown, index: number): string {
  if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
    const name = (item as Record<string, unknown>).name;
    if (typeof name === 'string' && name !== '') return name;
  }
  return `#${index + 1}`;
}

function entry(label: string, value: unknown, depth: number): DetailEntry {
  if (isScalar(value)) return { label, text: scalarText(value), children: null, more: 0 };
  if (Array.isArray(value)) {
    if (value.length === 0) return { label, text: 'none', children: null, more: 0 };
    if (value.every(isScalar)) {
      const shown = value.slice(0, MAX_INLINE).map(scalarText).join(', ');
      const more = value.length - Math.min(value.length, MAX_INLINE);
      return { label, text: more > 0 ? `${shown} … and ${more} more` : shown, children: null, more: 0 };
    }
    return {
      label,
      text: null,
      children: value.slice(0, MAX_ENTRIES).map((item, i) => entry(itemLabel(item, i), item, depth + 1)),
      more: Math.max(0, value.length - MAX_ENTRIES),
    };
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    if (keys.length === 0) return { label, text: 'none', children: null, more: 0 };
    return {
      label,
      text: null,
      children: keys.slice(0, MAX_ENTRIES).map((k) => entry(depth === 0 ? humanize(k) : k, (value as Record<string, unknown>)[k], depth + 1)),
      more: Math.max(0, keys.length - MAX_ENTRIES),
    };
  }
  return { label, text: String(value), children: null, more: 0 };
}

/**
 * The top-level entries of a details value. Top-level keys are the reader's
 * own (humanised); keys further down are data (tensor names, flavours) and
 * are kept as they are.
 */
export function detailEntries(details: unknown): { entries: DetailEntry[]; more: number } {
  if (details === null || details === undefined) return { entries: [], more: 0 };
  const root = entry('', details, 0);
  if (root.children) return { entries: root.children, more: root.more };
  return { entries: [{ label: 'Value', text: root.text, children: null, more: 0 }], more: 0 };
}
