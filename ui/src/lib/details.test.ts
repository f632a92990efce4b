import { describe, expect, test } from 'vitest';
import { MAX_ENTRIES, MAX_INLINE, detailEntries, humanize, scalarText, type DetailEntry } from './details';

test.each([
  ['producer_name', 'Producer name'],
  ['ir_version', 'Ir version'],
  ['opsetVersion', 'Opset version'],
  ['keras-version', 'Keras version'],
  ['IR_version', 'IR version'],
  ['class', 'Class'],
  ['_', '_'],
])('humanize(%j) = %j', (key, expected) => {
  expect(humanize(key)).toBe(expected);
});

test('scalarText', () => {
  expect(scalarText(null)).toBe('—');
  expect(scalarText(true)).toBe('yes');
  expect(scalarText(124439808)).toBe('124,439,808');
  expect(scalarText(17)).toBe('17');
  expect(scalarText(0.123456)).toBe('0.1235');
  expect(scalarText('pytorch')).toBe('pytorch');
});

/** The tree as indented lines, to compare whole shapes at a glance. */
function lines(entries: DetailEntry[], more = 0, indent = ''): string[] {
  const out: string[] = [];
  for (const e of entries) {
    if (e.children) {
      out.push(`${indent}${e.label}:`);
      out.push(...lines(e.children, e.more, indent + '  '));
    } else {
      out.push(`${indent}${e.label}: ${e.text}`);
    }
  }
  if (more > 0) out.push(`${indent}… ${more} more`);
  return out;
}

describe('detailEntries', () => {
  test('an ONNX header reads as a list', () => {
    const { entries, more } = detailEntries({
      ir_version: 8,
      producer_name: 'pytorch',
      opset: [{ domain: '', version: 17 }],
      inputs: [{ name: 'x', elem_type: 'float', shape: [null, 12] }],
      ops: ['Gemm', 'Relu'],
      metadata: {},
      initializers: [],
    });
    expect(lines(entries, more)).toEqual([
      'Ir version: 8',
      'Producer name: pytorch',
      'Opset:',
      '  #1:',
      '    domain: ',
      '    version: 17',
      'Inputs:',
      '  x:',
      '    name: x',
      '    elem_type: float',
      '    shape: —, 12',
      'Ops: Gemm, Relu',
      'Metadata: none',
      'Initializers: none',
    ]);
  });

  test('nested keys are data and keep their spelling', () => {
    const { entries } = detailEntries({ flavors: { python_function: { loader_module: 'mlflow.sklearn' } } });
    expect(lines(entries)).toEqual(['Flavors:', '  python_function:', '    loader_module: mlflow.sklearn']);
  });

  test('long maps and lists are cut, saying how much is left', () => {
    const tensors = Object.fromEntries(Array.from({ length: MAX_ENTRIES + 5 }, (_, i) => [`t${i}`, { dtype: 'F32' }]));
    const { entries } = detailEntries({ tensors, shape: Array.from({ length: MAX_INLINE + 3 }, (_, i) => i) });
    expect(entries[0].children).toHaveLength(MAX_ENTRIES);
    expect(entries[0].more).toBe(5);
    expect(entries[1].text).toMatch(/… and 3 more$/);
  });

  test('not an object: one value, or nothing', () => {
    expect(detailEntries(null)).toEqual({ entries: [], more: 0 });
    expect(detailEntries(undefined)).toEqual({ entries: [], more: 0 });
    expect(detailEntries('text')).toEqual({ entries: [{ label: 'Value', text: 'text', children: null, more: 0 }], more: 0 });
    expect(detailEntries({})).toEqual({ entries: [{ label: 'Value', text: 'none', children: null, more: 0 }], more: 0 });
  });
});
