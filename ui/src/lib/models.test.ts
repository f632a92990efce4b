import { expect, test } from 'vitest';
import type { Model, RegisteredModel } from './backend';
import { aliasesByVersion, registrationsOf, sortVersions, stringEntries } from './models';

test('stringEntries reads string (and number) values of an object, sorted; anything else is empty', () => {
  expect(stringEntries({ b: '2', a: 1, c: null, d: {} })).toEqual([
    ['a', '1'],
    ['b', '2'],
  ]);
  expect(stringEntries(null)).toEqual([]);
  expect(stringEntries(['x'])).toEqual([]);
});

test('aliasesByVersion', () => {
  expect(aliasesByVersion({ aliases: { champion: '3', prod: '3', challenger: '4' } })).toEqual(
    new Map([
      ['4', ['challenger']],
      ['3', ['champion', 'prod']],
    ]),
  );
  expect(aliasesByVersion({ aliases: null }).size).toBe(0);
});

const model = (fields: Partial<Model>): Model => ({
  id: 1,
  project: 'fraud',
  path: 'model',
  absolute_path: '/p/model',
  format: 'mlflow',
  name: null,
  model_id: null,
  run: null,
  bytes: 0,
  hash: null,
  details: null,
  runs: [],
  datasets: [],
  ...fields,
});

const REGISTERED: RegisteredModel[] = [
  {
    project: 'fraud',
    source: 'mlflow',
    name: 'fraud-gbm',
    description: null,
    aliases: { champion: '2' },
    tags: null,
    versions: [
      { version: '1', run_id: 'r-0', model_id: null, source: null, status: 'READY' },
      { version: '2', run_id: 'r-1', model_id: 'm-1', source: null, status: 'READY' },
      { version: '3', run_id: 'r-2', model_id: null, source: null, status: null },
    ],
  },
  {
    project: 'other',
    source: 'mlflow',
    name: 'same-run-elsewhere',
    description: null,
    aliases: null,
    tags: null,
    versions: [{ version: '1', run_id: 'r-2', model_id: null, source: null, status: null }],
  },
];

test('registrationsOf matches by model id or producing run, in the same project', () => {
  expect(registrationsOf(model({ model_id: 'm-1' }), REGISTERED)).toEqual([
    { name: 'fraud-gbm', version: '2', status: 'READY', aliases: ['champion'] },
  ]);
  expect(registrationsOf(model({ runs: [{ id: 5, name: null, run_id: 'r-2' }] }), REGISTERED)).toEqual([
    { name: 'fraud-gbm', version: '3', status: null, aliases: [] },
  ]);
  expect(registrationsOf(model({}), REGISTERED)).toEqual([]);
});

test('sortVersions: newest first, numerically', () => {
  expect(sortVersions([{ version: '2' }, { version: '10' }, { version: '1' }]).map((v) => v.version)).toEqual(['10', '2', '1']);
});
