/**
 * Timing helpers with the clock injected, so their logic is tested without
 * waiting: a debouncer (type-ahead filtering, event bursts, resizes) and a
 * guard that drops answers to requests a newer one has replaced.
 */

export type Timers = {
  set: (run: () => void, ms: number) => unknown;
  clear: (handle: unknown) => void;
};

const realTimers: Timers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export type Debounced<A extends unknown[]> = {
  /** Runs `fn` with these arguments once `ms` passed without another call. */
  (...args: A): void;
  /** Runs the pending call now (Enter in a filter box); does nothing when none is pending. */
  flush: () => void;
  /** Forgets the pending call. */
  cancel: () => void;
  pending: () => boolean;
};

export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number, timers: Timers = realTimers): Debounced<A> {
  let handle: unknown = null;
  let pendingArgs: A | null = null;
  const fire = () => {
    const args = pendingArgs;
    handle = null;
    pendingArgs = null;
    if (args) fn(...args);
  };
  const debounced = ((...args: A) => {
    if (handle !== null) timers.clear(handle);
    pendingArgs = args;
    handle = timers.set(fire, ms);
  }) as Debounced<A>;
  debounced.flush = () => {
    if (handle === null) return;
    timers.clear(handle);
    fire();
  };
  debounced.cancel = () => {
    if (handle !== null) timers.clear(handle);
    handle = null;
    pendingArgs = null;
  };
  debounced.pending = () => handle !== null;
  return debounced;
}

/**
 * Numbers requests so that only the newest one's answer is used: answers can
 * arrive out of order (a slow filter, then a fast one).
 */
export function latestOnly() {
  let last = 0;
  return {
    /** A ticket for a new request; every older ticket stops being current. */
    next: (): number => ++last,
    isCurrent: (ticket: number): boolean => ticket === last,
  };
}
