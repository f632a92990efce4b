//! Reports kept in memory by id for the commands that follow them (charts, exports): the last
//! few of a kind, oldest out.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use driftdeck::error::{Error, ErrorCode};
use serde::Serialize;

/// How many reports of a kind are kept (each holds aggregates only: a few hundred KiB).
pub const KEPT: usize = 8;

/// A report with the id later commands name it by; it crosses IPC as the report's own fields
/// plus `id`.
#[derive(Debug, Serialize, specta::Type)]
pub struct Kept<T> {
    pub id: u32,
    #[serde(flatten)]
    pub report: Arc<T>,
}

/// The last id given, and the reports kept by id (oldest first).
type Shelf<T> = (u32, VecDeque<(u32, Arc<T>)>);

pub struct ReportStore<T> {
    /// What the reports are, for the error when one is gone ("run the comparison again").
    what: &'static str,
    inner: Mutex<Shelf<T>>,
}

impl<T> ReportStore<T> {
    pub fn new(what: &'static str) -> ReportStore<T> {
        ReportStore {
            what,
            inner: Mutex::new((0, VecDeque::new())),
        }
    }

    /// Keeps `report` under a new id.
    pub fn keep(&self, report: T) -> Kept<T> {
        // A poisoned lock only means a command panicked while reading: the list is intact.
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.0 += 1;
        let (id, report) = (inner.0, Arc::new(report));
        inner.1.push_back((id, report.clone()));
        while inner.1.len() > KEPT {
            inner.1.pop_front();
        }
        Kept { id, report }
    }

    /// The report `id`, or a `not_found` error saying to run it again.
    pub fn get(&self, id: u32) -> Result<Arc<T>, Error> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner
            .1
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, r)| r.clone())
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::NotFound,
                    format!(
                        "report {id} is no longer in memory: run the {} again",
                        self.what
                    ),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_go_first() {
        let store = ReportStore::new("comparison");
        let ids: Vec<u32> = (0..KEPT + 2).map(|i| store.keep(i).id).collect();
        assert_eq!(*store.get(ids[KEPT + 1]).unwrap(), KEPT + 1);
        let err = store.get(ids[0]).unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound);
        assert!(err.message.contains("comparison"));
    }
}
