// The Loader's logic: which answer is shown, what an error leaves, what a
// reload keeps. The shell is a fake whose answers the test releases one by
// one, in any order, so "a slow answer arrives after a fast one" is a step
// of the test, not a race; each step then waits for the load it ended.
// (The effect `reloadOn` makes needs a component; the browser tests cover
// it: a catalog-changed event reloads the view on screen.)
import { describe, expect, test } from 'vitest';
import type { AppError } from './backend';
import { Loader, type LoaderOptions } from './loader.svelte';

/** A fetch whose calls wait until the test answers or fails them, by index. */
function fakeShell<T, A extends unknown[] = []>() {
  const pending: { args: A; resolve: (value: T) => void; reject: (error: AppError) => void }[] = [];
  const fetch = (...args: A) =>
    new Promise<T>((resolve, reject) => {
      pending.push({ args, resolve, reject });
    });
  return {
    fetch,
    calls: () => pending.map((p) => p.args),
    answer: (index: number, value: T) => pending[index].resolve(value),
    fail: (index: number, error: AppError) => pending[index].reject(error),
  };
}

const NOT_FOUND: AppError = { code: 'not_found', message: 'no such dataset' };
const LOCKED: AppError = { code: 'catalog', message: 'database is locked' };

/** A loader over a fake shell, and what it told its callbacks. */
function setup(options: Pick<LoaderOptions<string>, 'clearOnLoad'> = {}) {
  const shell = fakeShell<string>();
  const told: AppError[] = [];
  const heard: string[] = [];
  const loader = new Loader(shell.fetch, { ...options, onerror: (e) => told.push(e), onload: (v) => heard.push(v) });
  /** What the loader shows: its answer, its error, whether it loads, whether it failed. */
  const shown = () => ({ data: loader.data, error: loader.error, loading: loader.loading, failed: loader.failed });
  return { shell, loader, told, heard, shown };
}

describe('Loader', () => {
  test('starts empty, loads, shows the answer', async () => {
    const { shell, loader, shown } = setup();
    expect(shown()).toEqual({ data: null, error: null, loading: false, failed: false });

    const load = loader.load();
    expect(shown().loading).toBe(true);
    shell.answer(0, 'a.csv');
    await load;
    expect(shown()).toEqual({ data: 'a.csv', error: null, loading: false, failed: false });
  });

  test('an answer to a replaced load is dropped, whatever order the answers come in', async () => {
    const { shell, loader, heard } = setup();
    const older = loader.load();
    const newer = loader.load();

    shell.answer(1, 'new');
    await newer;
    expect([loader.data, loader.loading]).toEqual(['new', false]);
    shell.answer(0, 'old');
    await older;
    expect(loader.data).toBe('new');
    expect(heard).toEqual(['new']);
  });

  test('the newest load keeps `loading` until its own answer', async () => {
    const { shell, loader } = setup();
    const older = loader.load();
    const newer = loader.load();

    shell.answer(0, 'old');
    await older;
    expect([loader.data, loader.loading]).toEqual([null, true]);
    shell.answer(1, 'new');
    await newer;
    expect([loader.data, loader.loading]).toEqual(['new', false]);
  });

  test('a failure of a replaced load is dropped too: no error shown, nobody told', async () => {
    const { shell, loader, told } = setup();
    const loads = [loader.load(), loader.load()];
    shell.answer(1, 'new');
    shell.fail(0, LOCKED);
    await Promise.all(loads);
    expect([loader.data, loader.error, told]).toEqual(['new', null, []]);
  });

  test('an error is kept as the AppError the shell sent, and told once', async () => {
    const { shell, loader, told, shown } = setup();
    const load = loader.load();
    shell.fail(0, NOT_FOUND);
    await load;
    expect(shown()).toEqual({ data: null, error: NOT_FOUND, loading: false, failed: true });
    expect(loader.error?.code).toBe('not_found');
    expect(told).toEqual([NOT_FOUND]);
  });

  test('a reload keeps the last answer on screen until the next, and a failed one keeps it too', async () => {
    const { shell, loader, shown } = setup();
    const steps: [number, 'answer' | 'fail', string | AppError][] = [
      [0, 'fail', LOCKED],
      [1, 'answer', 'listed'],
      [2, 'fail', LOCKED],
      [3, 'answer', 'listed again'],
    ];
    const seen = [];
    for (const [index, outcome, value] of steps) {
      const load = loader.load();
      seen.push(shown());
      if (outcome === 'answer') shell.answer(index, value as string);
      else shell.fail(index, value as AppError);
      await load;
      seen.push(shown());
    }
    expect(seen).toEqual([
      { data: null, error: null, loading: true, failed: false },
      { data: null, error: LOCKED, loading: false, failed: true },
      { data: null, error: LOCKED, loading: true, failed: true },
      { data: 'listed', error: null, loading: false, failed: false },
      { data: 'listed', error: null, loading: true, failed: false },
      // Not "could not be loaded": the list stays, the banner says what went wrong.
      { data: 'listed', error: LOCKED, loading: false, failed: false },
      { data: 'listed', error: LOCKED, loading: true, failed: false },
      { data: 'listed again', error: null, loading: false, failed: false },
    ]);
  });

  test('clearOnLoad forgets the last answer and error as soon as a load starts', async () => {
    const { shell, loader, shown } = setup({ clearOnLoad: true });
    let load = loader.load();
    shell.fail(0, LOCKED);
    await load;
    load = loader.load();
    expect(shown()).toEqual({ data: null, error: null, loading: true, failed: false });
    shell.answer(1, 'chart');
    await load;
    void loader.load();
    expect(shown()).toEqual({ data: null, error: null, loading: true, failed: false });
  });

  test('set shows an answer that came another way and drops the load under way', async () => {
    const { shell, loader, heard, shown } = setup();
    const failing = loader.load();
    shell.fail(0, LOCKED);
    await failing;
    const checking = loader.load();

    loader.set('decided');
    expect(shown()).toEqual({ data: 'decided', error: null, loading: false, failed: false });
    shell.answer(1, 'checked before the decision');
    await checking;
    expect(shown()).toEqual({ data: 'decided', error: null, loading: false, failed: false });
    expect(heard).toEqual(['decided']);
  });

  test('load passes its arguments to the fetch', () => {
    const shell = fakeShell<string, [number, string]>();
    const loader = new Loader(shell.fetch);
    void loader.load(7, 'auc');
    void loader.load(7, 'loss');
    expect(shell.calls()).toEqual([
      [7, 'auc'],
      [7, 'loss'],
    ]);
  });
});
