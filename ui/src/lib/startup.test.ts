import { expect, test } from 'vitest';
import { startupSignal, type PaintScheduler } from './startup';

/** Frames and tasks queued by hand: the test runs them in the browser's order. */
function fakeScheduler() {
  const frames: (() => void)[] = [];
  const tasks: (() => void)[] = [];
  const scheduler: PaintScheduler = { frame: (run) => frames.push(run), task: (run) => tasks.push(run) };
  const runAll = (queue: (() => void)[]) => {
    for (const run of queue.splice(0)) run();
  };
  return { scheduler, frames, tasks, runFrame: () => runAll(frames), runTasks: () => runAll(tasks) };
}

test('sends once, after the frame with the rows is painted', () => {
  const fake = fakeScheduler();
  let sent = 0;
  const signal = startupSignal(() => sent++, fake.scheduler);

  expect(fake.frames).toHaveLength(0);
  signal.shown();
  expect(sent).toBe(0);
  expect(fake.frames).toHaveLength(1);

  fake.runFrame(); // before the paint: not yet
  expect(sent).toBe(0);
  expect(signal.sent()).toBe(false);
  fake.runTasks(); // after the paint
  expect(sent).toBe(1);
  expect(signal.sent()).toBe(true);
});

test('later rows (another view, a reload, the empty state) send nothing more', () => {
  const fake = fakeScheduler();
  let sent = 0;
  const signal = startupSignal(() => sent++, fake.scheduler);
  signal.shown();
  signal.shown(); // while the first paint is pending
  expect(fake.frames).toHaveLength(1);
  fake.runFrame();
  fake.runTasks();
  signal.shown();
  signal.shown();
  expect(fake.frames).toHaveLength(0);
  expect(sent).toBe(1);
});

test('nothing is sent before anything is shown', () => {
  const fake = fakeScheduler();
  let sent = 0;
  const signal = startupSignal(() => sent++, fake.scheduler);
  fake.runFrame();
  fake.runTasks();
  expect(sent).toBe(0);
  expect(signal.sent()).toBe(false);
});
