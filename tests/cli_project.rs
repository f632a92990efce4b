//! The `driftdeck` binary on real folders and a real catalog file in scratch directories.

use std::path::Path;
use std::process::{Command, Output};

#[path = "support/cli.rs"]
mod cli;

use cli::{assert_exit, stderr, stdout};

fn driftdeck(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .args(args)
        .arg("--db")
        .arg(db)
        .env_remove("DRIFTDECK_DB")
        .output()
        .expect("the driftdeck binary runs")
}

/// `driftdeck ARGS` on a fresh catalog is refused (exit 2) with an error naming `named`.
fn check_refused(args: &[&str], named: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let out = driftdeck(&dir.path().join("catalog.sqlite"), args);
    assert_exit(&out, 2, &[named]);
    out
}

#[test]
fn version_and_help() {
    let out = Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        stdout(&out).trim(),
        format!("driftdeck {}", env!("CARGO_PKG_VERSION"))
    );

    let out = Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    for word in ["project", "--db", "DRIFTDECK_DB"] {
        assert!(
            stdout(&out).contains(word),
            "--help lacks {word}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn add_list_remove_round_trip_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("catalog.sqlite");
    let folder = dir.path().join("churn-model");
    std::fs::create_dir(&folder).unwrap();

    let out = driftdeck(&db, &["project", "add", folder.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let added: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(added["name"], "churn-model");
    assert_eq!(added["exists"], true);

    let out = driftdeck(&db, &["project", "list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = list.as_array().expect("a JSON array");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], added["id"]);
    assert_eq!(
        list[0]["path"],
        std::fs::canonicalize(&folder).unwrap().to_str().unwrap()
    );
    assert!(list[0]["added_at"].as_str().unwrap().ends_with('Z'));

    let out = driftdeck(&db, &["project", "remove", folder.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = driftdeck(&db, &["project", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list, serde_json::json!([]));
}

#[test]
fn adding_a_missing_folder_exits_2_and_names_it() {
    let out = check_refused(&["project", "add", "/no/such/dir"], "/no/such/dir");
    assert!(stdout(&out).is_empty());
}

#[test]
fn removing_an_unknown_project_exits_2() {
    check_refused(&["project", "remove", "/not/added"], "/not/added");
}

#[test]
fn bad_usage_exits_2() {
    check_refused(&["project", "frobnicate"], "frobnicate");
}

#[test]
fn the_catalog_location_comes_from_driftdeck_db_when_no_flag_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("from-env.sqlite");
    let out = Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .args(["project", "add", dir.path().to_str().unwrap()])
        .env("DRIFTDECK_DB", &db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(db.exists());
}

#[test]
fn the_settings_file_places_the_catalog_after_the_flag_and_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("config/settings.toml");
    let chosen = dir.path().join("team/catalog.sqlite");
    std::fs::create_dir_all(settings.parent().unwrap()).unwrap();
    std::fs::write(
        &settings,
        format!("catalog = {:?}\n", chosen.to_str().unwrap()),
    )
    .unwrap();
    let run = |env_db: Option<&Path>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_driftdeck"));
        cmd.args(["project", "add", dir.path().to_str().unwrap()])
            .env("DRIFTDECK_CONFIG", &settings)
            .env_remove("DRIFTDECK_DB");
        if let Some(db) = env_db {
            cmd.env("DRIFTDECK_DB", db);
        }
        cmd.output().unwrap()
    };
    let out = run(None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(chosen.exists(), "the settings file's catalog was not used");
    // DRIFTDECK_DB wins over the settings file.
    let env_db = dir.path().join("env.sqlite");
    assert!(run(Some(&env_db)).status.success());
    assert!(env_db.exists());
    // A broken settings file is an error naming it (exit 2), never silently ignored.
    std::fs::write(&settings, "catalog = \"relative.sqlite\"\n").unwrap();
    assert_exit(&run(None), 2, &["settings.toml"]);
}

#[test]
fn watching_a_project_can_be_turned_off_and_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("catalog.sqlite");
    let folder = dir.path().to_str().unwrap();
    assert!(driftdeck(&db, &["project", "add", folder]).status.success());
    let watch = |state: &str| {
        let out = driftdeck(&db, &["project", "watch", folder, state, "--json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["watch"].clone()
    };
    assert_eq!(watch("off"), false);
    let out = driftdeck(&db, &["project", "list"]);
    assert!(stdout(&out).contains("(not watched)"), "{}", stdout(&out));
    assert_eq!(watch("on"), true);
    let out = driftdeck(&db, &["project", "watch", folder, "maybe"]);
    assert_eq!(out.status.code(), Some(2));
    let missing = dir.path().join("nope");
    let out = driftdeck(&db, &["project", "watch", missing.to_str().unwrap(), "off"]);
    assert_exit(&out, 2, &["nope"]);
}

#[test]
fn a_catalog_from_a_newer_version_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("newer.sqlite");
    // Write a catalog as a future Driftdeck would: the real sqlite3 format, a higher user_version.
    write_catalog_from_the_future(&db);
    let before = std::fs::read(&db).unwrap();
    let out = driftdeck(&db, &["project", "list", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("newer Driftdeck"), "{err}");
    assert!(err.contains("newer.sqlite"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file was modified");
    assert!(!dir.path().join("newer.sqlite-wal").exists());
}

/// Makes a catalog with `user_version` far above ours by letting the binary create a real
/// catalog, then raising the version field in the database header (bytes 60..64, big-endian),
/// exactly where SQLite keeps `PRAGMA user_version`.
fn write_catalog_from_the_future(db: &Path) {
    let out = driftdeck(db, &["project", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Fold the WAL back so the header on disk is the one SQLite reads.
    let wal = db.with_extension("sqlite-wal");
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0);
    let mut bytes = std::fs::read(db).unwrap();
    bytes[60..64].copy_from_slice(&1000u32.to_be_bytes());
    std::fs::write(db, bytes).unwrap();
}

#[test]
fn the_engine_does_not_depend_on_tauri() {
    // Architecture invariant: the engine (package `driftdeck`) has no Tauri, webview or IPC
    // dependency, in any edge kind. `cargo tree` reads the lock file; no network is needed.
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--package",
            "driftdeck",
            "--edges",
            "normal,build,dev",
            "--prefix",
            "none",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let tree = stdout(&out);
    assert!(
        tree.contains("rusqlite"),
        "unexpected cargo tree output: {tree}"
    );
    for forbidden in ["tauri", "wry", "webkit2gtk", "tao "] {
        assert!(
            !tree.lines().any(|l| l.starts_with(forbidden)),
            "the engine depends on {forbidden}:\n{tree}"
        );
    }
}

#[test]
fn a_view_saved_from_the_command_line_is_listed_applied_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("catalog.sqlite");
    // The demo workspace: six MLflow runs, four of them gbm.
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    assert_exit(&driftdeck(&db, &["index", demo.to_str().unwrap()]), 0, &[]);
    let saved = driftdeck(
        &db,
        &[
            "runs",
            "--filter",
            "params.model = 'gbm'",
            "--sort",
            "metrics.val/auc:desc",
            "--save-view",
            "gbm",
            "--json",
        ],
    );
    assert_exit(&saved, 0, &[]);
    assert!(stderr(&saved).contains("saved view `gbm`"));
    let listed: serde_json::Value = serde_json::from_str(&stdout(&saved)).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 4);

    let applied = driftdeck(&db, &["runs", "--view", "gbm", "--json"]);
    let runs: serde_json::Value = serde_json::from_str(&stdout(&applied)).unwrap();
    let aucs: Vec<f64> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["metrics"]["val/auc"].as_f64().unwrap())
        .collect();
    assert_eq!(aucs.len(), 4, "the view's filter applies");
    assert!(
        aucs.windows(2).all(|w| w[0] >= w[1]),
        "and its sort: {aucs:?}"
    );
    // An option given beside the view overrides it.
    let all = driftdeck(
        &db,
        &[
            "runs",
            "--view",
            "gbm",
            "--filter",
            "status = 'FINISHED'",
            "--json",
        ],
    );
    let finished: serde_json::Value = serde_json::from_str(&stdout(&all)).unwrap();
    assert_eq!(finished.as_array().unwrap().len(), 5);

    let views: serde_json::Value =
        serde_json::from_str(&stdout(&driftdeck(&db, &["views", "list", "--json"]))).unwrap();
    assert_eq!(views[0]["name"], "gbm");
    assert_eq!(views[0]["spec"]["sort"], "metrics.val/auc:desc");
    let shown: serde_json::Value =
        serde_json::from_str(&stdout(&driftdeck(&db, &["views", "show", "gbm"]))).unwrap();
    assert_eq!(shown["spec"]["filter"], "params.model = 'gbm'");

    // The view's runs as a file: CSV (a header, then its four runs in its order) and Parquet.
    let dir = db.parent().unwrap();
    let csv = dir.join("gbm runs.csv");
    let wrote = driftdeck(
        &db,
        &["runs", "--view", "gbm", "--export", csv.to_str().unwrap()],
    );
    assert_exit(&wrote, 0, &[]);
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&header[..4], ["id", "project", "experiment", "name"]);
    let auc = header.iter().position(|h| *h == "metrics.val/auc").unwrap();
    let exported: Vec<f64> = lines
        .map(|l| l.split(',').nth(auc).unwrap().parse().unwrap())
        .collect();
    assert_eq!(exported, aucs, "the same runs, in the view's order");
    let parquet = dir.join("gbm.parquet");
    let wrote = driftdeck(
        &db,
        &[
            "runs",
            "--view",
            "gbm",
            "--export",
            parquet.to_str().unwrap(),
        ],
    );
    assert_exit(&wrote, 0, &[]);
    assert_eq!(&std::fs::read(&parquet).unwrap()[..4], b"PAR1");
    assert_exit(
        &driftdeck(
            &db,
            &["runs", "--export", dir.join("runs.xlsx").to_str().unwrap()],
        ),
        2,
        &["runs.xlsx", ".csv or .parquet"],
    );

    // A sweep of the same runs: the params that vary, the metric last, each param's importance.
    let swept = driftdeck(&db, &["runs", "sweep", "val/auc", "--json"]);
    assert_exit(&swept, 0, &[]);
    let sweep: serde_json::Value = serde_json::from_str(&stdout(&swept)).unwrap();
    let axes = sweep["axes"].as_array().unwrap();
    assert_eq!(axes.last().unwrap()["key"], "metrics.val/auc");
    assert!(
        axes.iter()
            .any(|a| a["key"] == "params.model" && a["kind"] == "categorical")
    );
    let runs_swept = sweep["run_ids"].as_array().unwrap().len();
    for a in axes {
        assert_eq!(
            a["values"].as_array().unwrap().len(),
            runs_swept,
            "{}",
            a["key"]
        );
    }
    assert_eq!(
        sweep["importance"].as_array().unwrap().len(),
        axes.len() - 1
    );
    let text = stdout(&driftdeck(&db, &["runs", "sweep", "val/auc"]));
    assert!(
        text.contains("IMPORTANCE") && text.contains("params.model"),
        "{text}"
    );
    assert_exit(
        &driftdeck(&db, &["runs", "sweep", "nope"]),
        2,
        &["`nope`", "val/auc"],
    );

    // A view that would not open is not saved; an unknown one is named with the known ones.
    assert_exit(
        &driftdeck(
            &db,
            &[
                "runs",
                "--filter",
                "metrics.rmse <",
                "--save-view",
                "broken",
            ],
        ),
        2,
        &["filter"],
    );
    assert_exit(
        &driftdeck(&db, &["runs", "--view", "nope"]),
        2,
        &["`nope`", "gbm"],
    );
    assert_exit(&driftdeck(&db, &["views", "delete", "gbm"]), 0, &[]);
    assert_exit(&driftdeck(&db, &["views", "delete", "gbm"]), 2, &["`gbm`"]);
    assert!(stdout(&driftdeck(&db, &["views"])).contains("no saved views"));
}
