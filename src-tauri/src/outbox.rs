//! The outbox worker: a thread that sends queued publish jobs (retrying with backoff) and emits
//! `publish-progress` with the whole job on every change. Jobs live in the catalog, so a job
//! interrupted by closing the app resumes at the next start.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

use driftdeck::catalog::Catalog;
use driftdeck::registry::publish;
use driftdeck::registry::secret::SecretStore;
use tauri::AppHandle;
use tauri_specta::Event;

use crate::events::PublishProgress;

/// How often an idle worker looks for jobs queued by another process (`driftdeck publish
/// --no-wait`). Jobs queued in the app poke it at once.
const IDLE_LOOK: Duration = Duration::from_secs(300);

enum Wake {
    /// A job was queued.
    Poke,
    /// The app switched to another catalog.
    Catalog(PathBuf),
}

/// The outbox worker: a thread that sends due jobs, then sleeps until the next is due, it is
/// poked (a new job), or the catalog changes. When nothing is queued it wakes only every
/// [`IDLE_LOOK`], and opens the keyring only when a job is due.
pub struct Worker {
    app: AppHandle,
    wake: Mutex<Option<Sender<Wake>>>,
}

impl Worker {
    /// A worker with no thread yet: [`Worker::set_catalog`] starts it.
    pub fn new(app: AppHandle) -> Worker {
        Worker {
            app,
            wake: Mutex::new(None),
        }
    }

    /// Sends the jobs of the catalog at `db` from now on (starting the thread on first use).
    pub fn set_catalog(&self, db: PathBuf) {
        let mut wake = self.wake.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = wake.as_ref()
            && tx.send(Wake::Catalog(db.clone())).is_ok()
        {
            return;
        }
        let (tx, rx) = mpsc::channel::<Wake>();
        let app = self.app.clone();
        let spawned = std::thread::Builder::new()
            .name("driftdeck-outbox".into())
            .spawn(move || work(app, db, rx));
        match spawned {
            Ok(_) => *wake = Some(tx),
            Err(e) => eprintln!("driftdeck-app: cannot start the outbox worker: {e}"),
        }
    }

    /// Wakes the worker (a job was queued).
    pub fn poke(&self) {
        if let Ok(guard) = self.wake.lock()
            && let Some(tx) = guard.as_ref()
        {
            let _ = tx.send(Wake::Poke);
        }
    }
}

fn work(app: AppHandle, mut db: PathBuf, rx: mpsc::Receiver<Wake>) {
    let mut catalog: Option<Catalog> = None;
    loop {
        if catalog.as_ref().is_none_or(|c| c.path() != db) {
            catalog = Catalog::open(&db)
                .map_err(|e| eprintln!("driftdeck-app: outbox: {e}"))
                .ok();
        }
        // None: sleep until woken (no catalog to work on).
        let mut wait = None;
        if let Some(catalog) = catalog.as_mut() {
            wait = Some(IDLE_LOOK);
            let now = driftdeck::time::now_ms();
            match catalog.next_job_due_ms() {
                Ok(Some(due)) if due <= now => {
                    match SecretStore::open() {
                        Ok(store) => {
                            let sent = publish::drain(catalog, &store, None, false, &mut |job| {
                                let _ = PublishProgress(job.clone()).emit(&app);
                            });
                            if let Err(e) = sent {
                                eprintln!("driftdeck-app: outbox: {e}");
                            }
                        }
                        Err(e) => eprintln!("driftdeck-app: outbox: {e}"),
                    }
                    // Look again at once: what is left decides the next wait.
                    wait = match catalog.next_job_due_ms() {
                        Ok(Some(due)) => Some(Duration::from_millis(
                            (due - driftdeck::time::now_ms()).clamp(100, 30_000) as u64,
                        )),
                        _ => Some(IDLE_LOOK),
                    };
                }
                Ok(Some(due)) => {
                    wait = Some(Duration::from_millis((due - now).clamp(100, 30_000) as u64));
                }
                Ok(None) => {}
                Err(e) => eprintln!("driftdeck-app: outbox: {e}"),
            }
        }
        let woken = match wait {
            Some(wait) => rx.recv_timeout(wait),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match woken {
            Ok(Wake::Catalog(path)) => db = path,
            Ok(Wake::Poke) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}
