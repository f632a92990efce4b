/**
 * The start-up signal. The shell's start-up benchmark stops its clock when
 * the UI says the first rows are on screen (`startup_ready`): the first
 * project rows, the first run rows, or the empty state when there is nothing
 * to show. "On screen" means painted: a requestAnimationFrame callback runs
 * just before the frame with the new rows is painted, and a task queued from
 * it runs just after, so the signal leaves from there. It is sent once.
 */

/** How the signal waits for the paint; injected so tests need no browser. */
export type PaintScheduler = {
  /** Runs before the next frame is painted (requestAnimationFrame). */
  frame: (run: () => void) => void;
  /** Runs as a new task (setTimeout 0). */
  task: (run: () => void) => void;
};

export const browserScheduler: PaintScheduler = {
  frame: (run) => void requestAnimationFrame(() => run()),
  task: (run) => void setTimeout(run, 0),
};

export type StartupSignal = {
  /** The first rows (or the empty state) are in the DOM; later calls do nothing. */
  shown: () => void;
  /** Whether `send` has run. */
  sent: () => boolean;
};

export function startupSignal(send: () => void, scheduler: PaintScheduler = browserScheduler): StartupSignal {
  let state: 'waiting' | 'painting' | 'sent' = 'waiting';
  return {
    shown: () => {
      if (state !== 'waiting') return;
      state = 'painting';
      scheduler.frame(() =>
        scheduler.task(() => {
          state = 'sent';
          send();
        }),
      );
    },
    sent: () => state === 'sent',
  };
}
