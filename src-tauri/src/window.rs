//! The window's size, position and maximised state, remembered between runs
//! (`tauri-plugin-window-state`, in the app's config folder). The plugin saves on a clean exit;
//! we also save shortly after the window stops moving or resizing, so a crash or a killed
//! process keeps them too.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tauri::{Manager, Runtime, Window, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// What is remembered: not visibility or decorations, which the app always sets itself.
fn flags() -> StateFlags {
    StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED
}

/// Quiet time after the last move or resize before the state is written.
const SETTLE: Duration = Duration::from_millis(600);

pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_window_state::Builder::new()
        .with_state_flags(flags())
        .build()
}

static PENDING: AtomicBool = AtomicBool::new(false);
static CHANGES: AtomicU64 = AtomicU64::new(0);

pub fn on_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if !matches!(event, WindowEvent::Moved(_) | WindowEvent::Resized(_)) {
        return;
    }
    CHANGES.fetch_add(1, Ordering::SeqCst);
    if PENDING.swap(true, Ordering::SeqCst) {
        return; // a save is already waiting for the window to settle
    }
    let app = window.app_handle().clone();
    let spawned = std::thread::Builder::new()
        .name("driftdeck-window-state".into())
        .spawn(move || {
            loop {
                let seen = CHANGES.load(Ordering::SeqCst);
                std::thread::sleep(SETTLE);
                if CHANGES.load(Ordering::SeqCst) == seen {
                    break;
                }
            }
            PENDING.store(false, Ordering::SeqCst);
            if let Err(e) = app.save_window_state(flags()) {
                eprintln!("driftdeck-app: the window's size and position were not saved: {e}");
            }
        });
    if spawned.is_err() {
        PENDING.store(false, Ordering::SeqCst);
    }
}
