/**
 * What a view shows from the shell, loaded and loaded again: the list of
 * datasets, a model's checks, a chart. One `Loader` holds the last answer,
 * the last error and whether a load is under way, and drops every answer a
 * newer load has replaced (answers can arrive out of order: a slow list
 * asked before a catalog change, then a fast one after it).
 *
 * Views create one while they initialise and call `reloadOn` with what
 * should load it again: the `reload` counter App bumps on `catalog-changed`,
 * a chosen project, the ids shown. Between two loads the last answer stays
 * on screen, so a live reload does not flash "Loading…".
 */
import { untrack } from 'svelte';
import type { AppError } from './backend';
import { latestOnly } from './debounce';

export type LoaderOptions<T> = {
  /** Told of each failure (the app's error banner); the error is kept in `error` either way. */
  onerror?: (error: AppError) => void;
  /** Told of each answer that is shown (a model's checks also update its status badge). */
  onload?: (value: T) => void;
  /**
   * Forget the last answer when a load starts, not when the next one
   * arrives: a chart asked for other inputs must not show the old picture.
   */
  clearOnLoad?: boolean;
};

export class Loader<T, A extends unknown[] = []> {
  /** The last answer shown; null until the first arrives (or, with `clearOnLoad`, while loading). */
  data = $state.raw<T | null>(null);
  /** The last load's error; null once a load succeeds. */
  error = $state.raw<AppError | null>(null);
  /** A load is under way (the newest one: a replaced load's end does not clear it). */
  loading = $state(false);

  readonly #fetch: (...args: A) => Promise<T>;
  readonly #options: LoaderOptions<T>;
  readonly #latest = latestOnly();

  constructor(fetch: (...args: A) => Promise<T>, options: LoaderOptions<T> = {}) {
    this.#fetch = fetch;
    this.#options = options;
  }

  /** Nothing to show: the load failed before any answer arrived ("could not be loaded", not "Loading…"). */
  get failed(): boolean {
    return this.data === null && this.error !== null;
  }

  /** Asks again; resolves once this load's answer is shown or dropped. Never rejects: errors land in `error`. */
  async load(...args: A): Promise<void> {
    const ticket = this.#latest.next();
    this.loading = true;
    if (this.#options.clearOnLoad) {
      this.data = null;
      this.error = null;
    }
    try {
      const value = await this.#fetch(...args);
      if (!this.#latest.isCurrent(ticket)) return;
      this.data = value;
      this.error = null;
      this.#options.onload?.(value);
    } catch (err) {
      if (!this.#latest.isCurrent(ticket)) return;
      this.error = err as AppError;
      this.#options.onerror?.(this.error);
    } finally {
      if (this.#latest.isCurrent(ticket)) this.loading = false;
    }
  }

  /**
   * Shows an answer that came another way (a decision returns the checks it
   * ran): it replaces any load still under way, whose answer would be older.
   */
  set(value: T) {
    this.#latest.next();
    this.data = value;
    this.error = null;
    this.loading = false;
    this.#options.onload?.(value);
  }

  /**
   * Loads now, and again whenever something `deps` reads changes. It makes
   * an effect, so call it while a component initialises; the effect ends
   * with the component. (For loaders whose fetch takes no arguments: the
   * others are loaded by their caller, with the arguments of the moment.)
   */
  reloadOn(this: Loader<T>, deps: () => unknown) {
    $effect(() => {
      deps();
      untrack(() => void this.load());
    });
  }
}
