//! Generates the permission set for the app's own commands, so that capabilities/ can grant
//! exactly these and nothing else (least privilege: a command not listed is refused).

/// Every command the UI may call. Keep in step with `commands::handler()` in src/lib.rs.
const COMMANDS: &[&str] = &[
    "app_info",
    "list_projects",
    "add_project",
    "remove_project",
    "list_runs",
    "compare_runs",
    "chart_data",
    "export_chart",
    "export_runs",
    "sweep",
    "list_views",
    "save_view",
    "delete_view",
    "list_datasets",
    "list_models",
    "list_problems",
    "compare_datasets",
    "drift_methods",
    "drift_column_chart",
    "export_drift_report",
    "fairness_columns",
    "fairness_report",
    "fairness_chart",
    "export_fairness_report",
    "model_approval",
    "decide_model",
    "publish_model",
    "publish_jobs",
    "cancel_publish",
    "registry_connections",
    "registry_login",
    "registry_logout",
    "registry_pull",
    "remote_models",
    "move_alias",
    "audit_log",
    "settings",
    "set_theme",
    "set_catalog_location",
    "set_project_watch",
    "add_demo_project",
    "open_link",
    "startup_ready",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
