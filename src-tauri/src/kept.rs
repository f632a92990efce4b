//! Results kept in memory by id for the commands that follow them (charts, exports): the last
//! few of a kind, oldest out.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::dto::ErrorDto;

/// How many results of a kind are kept (each holds aggregates only: a few hundred KiB).
pub const KEPT: usize = 8;

pub struct Kept<T> {
    next: u64,
    items: VecDeque<(u64, Arc<T>)>,
}

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept {
            next: 0,
            items: VecDeque::new(),
        }
    }
}

impl<T> Kept<T> {
    /// Keeps `item` under a new id.
    pub fn insert(&mut self, item: T) -> (u64, Arc<T>) {
        self.next += 1;
        let item = Arc::new(item);
        self.items.push_back((self.next, item.clone()));
        while self.items.len() > KEPT {
            self.items.pop_front();
        }
        (self.next, item)
    }

    /// The item `id`, or a `not_found` error saying to run `what` again.
    pub fn get(&self, id: u64, what: &str) -> Result<Arc<T>, ErrorDto> {
        self.items
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, item)| item.clone())
            .ok_or_else(|| ErrorDto {
                code: "not_found",
                message: format!("report {id} is no longer in memory: run the {what} again"),
            })
    }
}

/// Locks a store; a poisoned lock only means a command panicked while reading it.
pub fn lock<T>(store: &Mutex<Kept<T>>) -> MutexGuard<'_, Kept<T>> {
    store.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_go_first() {
        let mut k = Kept::default();
        let ids: Vec<u64> = (0..KEPT + 2).map(|i| k.insert(i).0).collect();
        assert_eq!(*k.get(ids[KEPT + 1], "x").unwrap(), KEPT + 1);
        let err = k.get(ids[0], "comparison").unwrap_err();
        assert_eq!(err.code, "not_found");
        assert!(err.message.contains("comparison"));
    }
}
