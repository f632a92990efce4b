//! Start-up: the process start time, and the UI's mark that its first rows are on screen, which
//! the watcher's first index waits for and the start-up benchmark reads.

use std::path::PathBuf;
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use driftdeck::error::{Error, ErrorCode};

/// Names a file the app writes when its first rows are on screen (the start-up benchmark).
pub const STARTUP_FILE_ENV: &str = "DRIFTDECK_STARTUP_FILE";

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Set once the UI's first rows are painted (see [`mark_first_paint`]).
static FIRST_PAINT: (Mutex<bool>, Condvar) = (Mutex::new(false), Condvar::new());

/// Marks the start of the process (called first thing in `run`).
pub fn mark_start() {
    STARTED.get_or_init(Instant::now);
}

/// Waits until the UI's first rows are painted, at most `max`. The watcher's start-up index walks
/// and hashes every project on both cores; started after the first paint it no longer competes
/// with the window for them (it is incremental, so a late start loses nothing).
pub fn wait_for_first_paint(max: Duration) {
    let (lock, painted) = &FIRST_PAINT;
    let guard = lock.lock().unwrap_or_else(|p| p.into_inner());
    let _ = painted.wait_timeout_while(guard, max, |done| !*done);
}

/// The UI's first rows are on screen (the first call counts). With `$DRIFTDECK_STARTUP_FILE` set,
/// writes the wall clock (Unix ms) and the time since the process started, for `make bench-app`.
pub fn mark_first_paint() -> Result<(), Error> {
    static DONE: OnceLock<()> = OnceLock::new();
    if DONE.set(()).is_err() {
        return Ok(());
    }
    {
        let (lock, painted) = &FIRST_PAINT;
        *lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
        painted.notify_all();
    }
    let Some(file) = std::env::var_os(STARTUP_FILE_ENV) else {
        return Ok(());
    };
    let since_main = STARTED.get().map(|s| s.elapsed().as_millis()).unwrap_or(0);
    let line = serde_json::json!({
        "unix_ms": driftdeck::time::now_ms(),
        "since_main_ms": since_main,
    });
    std::fs::write(&file, format!("{line}\n")).map_err(|e| {
        Error::new(
            ErrorCode::Internal,
            format!("cannot write {}: {e}", PathBuf::from(&file).display()),
        )
    })
}

/// The UI's first rows are on screen (called once, after the first paint).
#[tauri::command]
#[specta::specta]
pub async fn startup_ready() -> Result<(), Error> {
    mark_first_paint()
}
