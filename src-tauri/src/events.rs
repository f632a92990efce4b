//! Every event the shell sends to the UI, declared once: tauri-specta names each after its type
//! (`CatalogChanged` is `catalog-changed`) and writes its TypeScript listener into
//! `ui/src/lib/ipc.ts`.

use driftdeck::catalog::registry::JobRow;
use driftdeck::watch::DriftAlert;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri_specta::Event;

/// Something in the catalog changed: views showing `project_id` reload. `project_id` is
/// [`CATALOG_REPLACED`] when another catalog was opened (everything reloads).
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct CatalogChanged {
    pub project_id: i64,
    pub units_read: u32,
    pub units_removed: u32,
}

/// `project_id` of the [`CatalogChanged`] sent after the catalog moved.
pub const CATALOG_REPLACED: i64 = -1;

/// What the watcher is doing, for the status bar.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct CatalogActivity {
    /// `watching`, or `walking`, `hashing`, `reading` while an index runs.
    pub state: String,
    pub project_id: Option<i64>,
    /// Projects watched (for `watching`), or files/units done and total (for an index).
    pub done: u32,
    pub total: u32,
}

/// A warning for the status bar (polling fallback, a folder gone, a failed re-index).
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct CatalogWarning {
    pub project_id: Option<i64>,
    pub message: String,
}

/// A publish job after each change (the whole job), from the outbox worker.
#[derive(Debug, Clone, Serialize, Type, Event)]
#[serde(transparent)]
pub struct PublishProgress(pub JobRow);

/// A native menu item (or its shortcut) was chosen; the UI acts on its id.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct Menu {
    pub id: String,
}

/// A watched project's datasets drifted past its policy (a desktop notification shows too).
#[derive(Debug, Clone, Serialize, Type, Event)]
#[serde(transparent)]
pub struct DatasetDrifted(pub DriftAlert);
