//! The native menu bar and its keyboard shortcuts. Items the UI acts on are sent to it as a
//! `menu` event carrying the item's id; quitting and the clipboard are handled natively.

use tauri::menu::{Menu, MenuBuilder, MenuItemBuilder, SubmenuBuilder};
use tauri::{AppHandle, Runtime};
use tauri_specta::Event;

/// Ids the UI handles, with their labels and shortcuts, by submenu.
const FILE: &[(&str, &str, Option<&str>)] = &[
    ("add-folder", "Add Project Folder…", Some("CmdOrCtrl+O")),
    ("open-demo", "Open the Demo Workspace", None),
    ("settings", "Settings…", Some("CmdOrCtrl+Comma")),
];
const VIEW: &[(&str, &str, Option<&str>)] = &[
    ("view-projects", "Projects", Some("CmdOrCtrl+1")),
    ("view-runs", "Runs", Some("CmdOrCtrl+2")),
    ("view-datasets", "Datasets", Some("CmdOrCtrl+3")),
    ("view-compare", "Compare", Some("CmdOrCtrl+4")),
    ("view-fairness", "Fairness", Some("CmdOrCtrl+5")),
    ("view-models", "Models", Some("CmdOrCtrl+6")),
];
const FILTER: (&str, &str, Option<&str>) = ("filter", "Filter Runs…", Some("CmdOrCtrl+F"));
const HELP: &[(&str, &str, Option<&str>)] = &[
    ("docs", "&Documentation", Some("F1")),
    ("about", "&About Driftdeck", None),
];
const QUIT: &str = "quit";

/// Every id the UI is sent, for tests and docs.
pub fn ui_ids() -> Vec<&'static str> {
    FILE.iter()
        .chain(VIEW)
        .chain(std::iter::once(&FILTER))
        .chain(HELP)
        .map(|(id, _, _)| *id)
        .collect()
}

fn item<R: Runtime>(
    app: &AppHandle<R>,
    (id, label, shortcut): (&str, &str, Option<&str>),
) -> tauri::Result<tauri::menu::MenuItem<R>> {
    let mut builder = MenuItemBuilder::with_id(id, label);
    if let Some(shortcut) = shortcut {
        builder = builder.accelerator(shortcut);
    }
    builder.build(app)
}

pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let mut file = SubmenuBuilder::new(app, "&File");
    for &entry in FILE {
        file = file.item(&item(app, entry)?);
    }
    let file = file
        .separator()
        .item(&item(app, (QUIT, "Quit", Some("CmdOrCtrl+Q")))?)
        .build()?;
    let edit = SubmenuBuilder::new(app, "&Edit")
        .undo()
        .redo()
        .separator()
        .cut()
        .copy()
        .paste()
        .select_all()
        .separator()
        .item(&item(app, FILTER)?)
        .build()?;
    let mut view = SubmenuBuilder::new(app, "&View");
    for &entry in VIEW {
        view = view.item(&item(app, entry)?);
    }
    let view = view.build()?;
    let mut help = SubmenuBuilder::new(app, "&Help");
    for &entry in HELP {
        help = help.item(&item(app, entry)?);
    }
    let help = help.build()?;
    MenuBuilder::new(app)
        .items(&[&file, &edit, &view, &help])
        .build()
}

/// Handles a chosen item: quit here, everything else in the UI.
pub fn on_event<R: Runtime>(app: &AppHandle<R>, id: &str) {
    if id == QUIT {
        app.exit(0);
    } else if ui_ids().contains(&id) {
        let _ = crate::events::Menu { id: id.to_string() }.emit(app);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_the_ui_contract_is_covered() {
        let ids = ui_ids();
        let unique: std::collections::BTreeSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        for needed in [
            "add-folder",
            "filter",
            "settings",
            "view-runs",
            "about",
            "docs",
        ] {
            assert!(ids.contains(&needed), "{needed} missing from {ids:?}");
        }
        assert!(!ids.contains(&QUIT), "quit is handled natively");
    }
}
