import { describe, expect, test } from 'vitest';
import { KNOWN_CODES, errorReport, errorTitle, isAppError, toAppError } from './errors';

describe('toAppError', () => {
  // [what the shell or the IPC layer rejected with, the AppError the UI sees]
  const cases: [string, unknown, { code: string; message: string }][] = [
    [
      'shell error passes through',
      { code: 'bad_input', message: 'not a folder: /tmp/x.csv' },
      { code: 'bad_input', message: 'not a folder: /tmp/x.csv' },
    ],
    [
      'extra fields are dropped',
      { code: 'catalog', message: 'database is locked', detail: 1 },
      { code: 'catalog', message: 'database is locked' },
    ],
    [
      'unknown code is kept',
      { code: 'quota', message: 'disk full' },
      { code: 'quota', message: 'disk full' },
    ],
    [
      'plain string from the IPC layer',
      'dialog.open not allowed',
      { code: 'internal', message: 'dialog.open not allowed' },
    ],
    [
      'JS exception',
      new TypeError('window.__TAURI_INTERNALS__ is undefined'),
      { code: 'internal', message: 'TypeError: window.__TAURI_INTERNALS__ is undefined' },
    ],
    [
      'code of the wrong type',
      { code: 404, message: 'gone' },
      { code: 'internal', message: '[object Object]' },
    ],
    ['message missing', { code: 'not_found' }, { code: 'internal', message: '[object Object]' }],
    ['null', null, { code: 'internal', message: 'null' }],
    ['undefined', undefined, { code: 'internal', message: 'undefined' }],
  ];

  test.each(cases)('%s', (_name, input, expected) => {
    expect(toAppError(input)).toStrictEqual(expected);
  });
});

test('isAppError needs a string code and a string message', () => {
  expect(isAppError({ code: 'x', message: 'y' })).toBe(true);
  expect(isAppError({ code: 'x' })).toBe(false);
  expect(isAppError({ message: 'y' })).toBe(false);
  expect(isAppError('x')).toBe(false);
  expect(isAppError(null)).toBe(false);
});

test('every known code has its own title, unknown codes a generic one', () => {
  const generic = errorTitle('no_such_code');
  const titles = KNOWN_CODES.filter((c) => c !== 'internal').map(errorTitle);
  expect(new Set(titles).size).toBe(titles.length);
  for (const title of titles) expect(title).not.toBe(generic);
  expect(errorTitle('internal')).toBe(generic);
});

describe('errorReport', () => {
  test('title, message, code, view, version and time, as plain lines', () => {
    const report = errorReport(
      { code: 'bad_input', message: 'project folder /home/ana/notes.txt is not a directory' },
      { place: 'Projects', version: '0.1.0', at: Date.UTC(2026, 2, 1, 9, 30, 5, 120) },
    );
    expect(report).toBe(
      [
        'Driftdeck error: Invalid input',
        'Message: project folder /home/ana/notes.txt is not a directory',
        'Code: bad_input',
        'View: Projects',
        'Version: Driftdeck 0.1.0',
        'Time: 2026-03-01T09:30:05.120Z',
        '',
      ].join('\n'),
    );
  });

  test('a message over several lines keeps them, indented; unknowns say so', () => {
    const report = errorReport(
      { code: 'bad_filter', message: 'invalid filter at column 13: expected a value\r\n  metrics.auc >\n              ^' },
      { place: null, version: null, at: NaN },
    );
    expect(report.split('\n')).toEqual([
      'Driftdeck error: Invalid filter',
      'Message:',
      '  invalid filter at column 13: expected a value',
      '    metrics.auc >',
      '                ^',
      'Code: bad_filter',
      'View: unknown',
      'Version: Driftdeck (version unknown)',
      'Time: unknown',
      '',
    ]);
  });

  test('an unknown code gets the generic title and is still reported', () => {
    expect(errorReport({ code: 'quota', message: 'x' }, { place: 'Models', version: '1.2.3', at: 0 })).toBe(
      'Driftdeck error: Something went wrong\nMessage: x\nCode: quota\nView: Models\nVersion: Driftdeck 1.2.3\nTime: 1970-01-01T00:00:00.000Z\n',
    );
  });
});
