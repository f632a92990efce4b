//! Work spread over every core with scoped threads: the one parallel map of the engine (the
//! index hashes and reads files with it, drift tests columns, the cache loads samples).
//!
//! No thread pool: each call starts as many scoped threads as there are cores (at most one per
//! item), which take the next item from a shared counter, so a slow item never holds up the rest.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// How often [`map_watched`] reports progress while the workers run.
const PROGRESS_EVERY: Duration = Duration::from_millis(50);

/// The number of cores to use (2 when the system does not say).
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// `f` over `items` on every core; results in input order.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if threads().min(items.len()) <= 1 {
        return items.iter().map(f).collect();
    }
    map_watched(items, &AtomicBool::new(false), &mut |_| {}, f)
        .into_iter()
        .map(|r| r.expect("nothing is skipped without a cancel"))
        .collect()
}

/// `f` over `items` on every core, in input order, for long work: `done(n)` is called from the
/// calling thread as items finish (at most every [`PROGRESS_EVERY`], and once at the end), and
/// setting `cancel` stops the workers after their current item; items not started are `None`.
pub fn map_watched<T: Sync, R: Send>(
    items: &[T],
    cancel: &AtomicBool,
    done: &mut dyn FnMut(usize),
    f: impl Fn(&T) -> R + Sync,
) -> Vec<Option<R>> {
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads().min(items.len().max(1)) {
            scope.spawn(|| {
                while !cancel.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    // A worker that panicked poisons the lock; the others still deliver theirs.
                    slots.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
                    finished.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        let mut last = usize::MAX;
        loop {
            let n = finished.load(Ordering::Relaxed);
            if n != last {
                done(n);
                last = n;
            }
            if n >= items.len() || cancel.load(Ordering::Relaxed) {
                break;
            }
            std::thread::sleep(PROGRESS_EVERY);
        }
    });
    slots.into_inner().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_input_order() {
        let items: Vec<u64> = (0..1000).collect();
        assert_eq!(
            parallel_map(&items, |x| x * x),
            items.iter().map(|x| x * x).collect::<Vec<_>>()
        );
        assert_eq!(parallel_map(&[] as &[u8], |x| *x), Vec::<u8>::new());
    }

    #[test]
    fn progress_ends_at_the_total_and_a_cancel_skips_the_rest() {
        let items: Vec<u32> = (0..50).collect();
        let mut seen = Vec::new();
        let out = map_watched(
            &items,
            &AtomicBool::new(false),
            &mut |n| seen.push(n),
            |x| x + 1,
        );
        assert_eq!(seen.last(), Some(&50));
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
        assert!(out.iter().all(Option::is_some));

        let cancel = AtomicBool::new(false);
        let out = map_watched(&items, &cancel, &mut |_| {}, |x| {
            cancel.store(true, Ordering::Relaxed);
            *x
        });
        let ran = out.iter().filter(|r| r.is_some()).count();
        assert!(
            (1..=threads()).contains(&ran),
            "{ran} items ran after the cancel"
        );
    }
}
