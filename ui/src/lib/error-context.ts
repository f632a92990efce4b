/**
 * What an error banner needs to know about where it is, for its "Copy
 * details" report: the place on screen and the app's version. App provides
 * it (Svelte context) to every banner below it.
 */
import { getContext, setContext } from 'svelte';

export type ErrorContext = {
  /** The place on screen now, e.g. "Compare". */
  place: () => string | null;
  version: () => string | null;
};

const KEY = Symbol('error-context');

export function provideErrorContext(context: ErrorContext) {
  setContext(KEY, context);
}

/** The context App provides; undefined outside it (a banner then reports what it knows). */
export function errorContext(): ErrorContext | undefined {
  return getContext<ErrorContext | undefined>(KEY);
}
