import { describe, expect, test } from 'vitest';
import { debounce, latestOnly, type Timers } from './debounce';

/** Timers driven by hand: `advance(ms)` runs what is due, in order. */
function manualTimers() {
  let now = 0;
  let nextId = 1;
  const pending = new Map<number, { at: number; run: () => void }>();
  const timers: Timers = {
    set: (run, ms) => {
      const id = nextId++;
      pending.set(id, { at: now + ms, run });
      return id;
    },
    clear: (id) => void pending.delete(id as number),
  };
  function advance(ms: number) {
    const until = now + ms;
    for (;;) {
      const due = [...pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      pending.delete(due[0]);
      now = due[1].at;
      due[1].run();
    }
    now = until;
  }
  return { timers, advance, count: () => pending.size };
}

describe('debounce', () => {
  test('typing in bursts applies the last text once the pause is long enough', () => {
    const clock = manualTimers();
    const applied: string[] = [];
    const apply = debounce((text: string) => applied.push(text), 400, clock.timers);
    apply('m');
    clock.advance(100);
    apply('me');
    clock.advance(399);
    expect(applied).toEqual([]);
    apply('met');
    clock.advance(400);
    expect(applied).toEqual(['met']);
    clock.advance(10_000);
    expect(applied).toEqual(['met']);
    expect(clock.count()).toBe(0);
  });

  test('flush (Enter) applies at once, and the pause then has nothing left to do', () => {
    const clock = manualTimers();
    const applied: string[] = [];
    const apply = debounce((text: string) => applied.push(text), 400, clock.timers);
    apply('status = "FAILED"');
    expect(apply.pending()).toBe(true);
    apply.flush();
    expect(applied).toEqual(['status = "FAILED"']);
    expect(apply.pending()).toBe(false);
    clock.advance(1000);
    expect(applied).toHaveLength(1);
    apply.flush(); // nothing pending: nothing happens
    expect(applied).toHaveLength(1);
  });

  test('cancel forgets the pending call', () => {
    const clock = manualTimers();
    let calls = 0;
    const reload = debounce(() => calls++, 150, clock.timers);
    reload();
    reload.cancel();
    clock.advance(500);
    expect(calls).toBe(0);
    expect(reload.pending()).toBe(false);
  });

  test('a burst of events is one call; a later one is another', () => {
    const clock = manualTimers();
    let calls = 0;
    const reload = debounce(() => calls++, 150, clock.timers);
    for (let i = 0; i < 5; i++) reload();
    clock.advance(150);
    expect(calls).toBe(1);
    reload();
    clock.advance(149);
    expect(calls).toBe(1);
    clock.advance(1);
    expect(calls).toBe(2);
  });
});

test('latestOnly: only the newest ticket is current', () => {
  const latest = latestOnly();
  const slow = latest.next();
  const fast = latest.next();
  expect(latest.isCurrent(fast)).toBe(true);
  expect(latest.isCurrent(slow)).toBe(false);
});
