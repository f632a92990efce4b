//! The catalog stays live and safe: `driftdeck watch` picks up a metric line appended by a
//! training loop, and `kill -9` in the middle of an index leaves a catalog that opens and that
//! the next index completes. Real binary, real files, real SQLite; waits are on conditions.

#[path = "support/workspace.rs"]
mod workspace;

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn driftdeck(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_driftdeck"));
    cmd.arg("--db").arg(db).env_remove("DRIFTDECK_DB");
    cmd
}

fn runs(db: &Path) -> Vec<Value> {
    let out = driftdeck(db).args(["runs", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Polls `condition` until it holds; panics after `timeout` (generous: CI machines are busy).
fn wait_until(what: &str, timeout: Duration, mut condition: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if condition() {
            return start.elapsed();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out after {timeout:?} waiting for {what}");
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn an_appended_metric_line_shows_up_while_watching() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    workspace::generate(
        &project,
        workspace::Shape {
            runs: 3,
            metrics: 2,
            steps: 10,
            datasets: 1,
            dataset_rows: 50,
        },
    );
    let db = dir.path().join("catalog.sqlite");
    let log = dir.path().join("watch.log");
    let mut watch = KillOnDrop(
        driftdeck(&db)
            .arg("watch")
            .arg(&project)
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until("the first index", Duration::from_secs(60), || {
        runs(&db).len() == 3
    });

    // A training loop appends a line for step 10 to run 1's metric m00.
    let metric = project.join(workspace::run_dir(1)).join("metrics/m00");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&metric)
        .unwrap();
    writeln!(file, "1795000099999 0.123456 10").unwrap();
    drop(file);
    let appended = Instant::now();
    let id = workspace::run_id(1);
    wait_until("the appended metric value", Duration::from_secs(30), || {
        runs(&db)
            .iter()
            .any(|r| r["run_id"] == id.as_str() && r["metrics"]["m00"].as_f64() == Some(0.123456))
    });
    // The latency target (debounce + 0.5 s) is measured by `make bench`, not asserted here.
    eprintln!("metric visible {:?} after the append", appended.elapsed());

    // A training loop writing a line every 10 ms: the burst is folded, the last value arrives.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&metric)
        .unwrap();
    for step in 11..61 {
        writeln!(
            file,
            "{} {} {step}",
            1_795_000_100_000i64 + step,
            0.5 + step as f64 / 1000.0
        )
        .unwrap();
        file.flush().unwrap();
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(file);
    let id = workspace::run_id(1);
    wait_until(
        "the last value of the burst",
        Duration::from_secs(30),
        || {
            runs(&db)
                .iter()
                .any(|r| r["run_id"] == id.as_str() && r["metrics"]["m00"].as_f64() == Some(0.56))
        },
    );

    // An editor's atomic save (write a temporary file, rename over) is picked up too.
    let param = project.join(workspace::run_dir(2)).join("params/lr");
    let tmp = project.join(workspace::run_dir(2)).join("params/.lr.tmp");
    std::fs::write(&tmp, "0.777").unwrap();
    std::fs::rename(&tmp, &param).unwrap();
    let id = workspace::run_id(2);
    wait_until("the renamed param", Duration::from_secs(30), || {
        runs(&db)
            .iter()
            .any(|r| r["run_id"] == id.as_str() && r["params"]["lr"] == "0.777")
    });

    // Deleting a run folder removes the run.
    std::fs::remove_dir_all(project.join(workspace::run_dir(0))).unwrap();
    wait_until("the deleted run to go", Duration::from_secs(30), || {
        runs(&db).len() == 2
    });

    // The watched folder itself is deleted: the watch says so, keeps running, keeps the entries,
    // and picks the folder up again when it comes back.
    std::fs::remove_dir_all(&project).unwrap();
    wait_until(
        "the watch to report the folder gone",
        Duration::from_secs(30),
        || {
            std::fs::read_to_string(&log)
                .unwrap_or_default()
                .contains("is gone")
        },
    );
    assert!(
        watch.0.try_wait().unwrap().is_none(),
        "the watch stopped when its folder went"
    );
    assert_eq!(
        runs(&db).len(),
        2,
        "entries are kept while the folder is gone"
    );
    std::fs::create_dir(&project).unwrap();
    workspace::generate(
        &project,
        workspace::Shape {
            runs: 4,
            metrics: 2,
            steps: 10,
            datasets: 0,
            dataset_rows: 0,
        },
    );
    wait_until(
        "the folder to be picked up again",
        Duration::from_secs(60),
        || runs(&db).len() == 4,
    );
}

#[test]
fn the_polling_fallback_sees_changes_too() {
    // The fallback used where the inotify watch limit is reached, forced on here.
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    workspace::generate(
        &project,
        workspace::Shape {
            runs: 2,
            metrics: 1,
            steps: 5,
            datasets: 0,
            dataset_rows: 0,
        },
    );
    let db = dir.path().join("catalog.sqlite");
    let out = dir.path().join("watch.log");
    let _watch = KillOnDrop(
        driftdeck(&db)
            .arg("watch")
            .arg(&project)
            .env("DRIFTDECK_WATCH_POLL", "1")
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until("the first index", Duration::from_secs(60), || {
        runs(&db).len() == 2
    });
    let log = std::fs::read_to_string(&out).unwrap();
    assert!(log.contains("polling"), "no polling warning shown: {log}");
    let metric = project.join(workspace::run_dir(0)).join("metrics/m00");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&metric)
        .unwrap();
    writeln!(file, "1795000099999 0.654321 5").unwrap();
    drop(file);
    let id = workspace::run_id(0);
    wait_until("the polled change", Duration::from_secs(30), || {
        runs(&db)
            .iter()
            .any(|r| r["run_id"] == id.as_str() && r["metrics"]["m00"].as_f64() == Some(0.654321))
    });
}

#[test]
fn kill_9_during_an_index_leaves_a_catalog_the_next_index_completes() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("big");
    std::fs::create_dir(&project).unwrap();
    let shape = workspace::Shape {
        runs: 1500,
        metrics: 4,
        steps: 40,
        datasets: 0,
        dataset_rows: 0,
    };
    workspace::generate(&project, shape);
    let db = dir.path().join("catalog.sqlite");

    let mut index = KillOnDrop(
        driftdeck(&db)
            .arg("index")
            .arg(&project)
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Kill it once some, but not all, runs are written: the catalog is readable meanwhile (WAL).
    let mut seen = 0;
    wait_until(
        "the index to write some runs",
        Duration::from_secs(120),
        || {
            if let Ok(Some(_)) = index.0.try_wait() {
                return true; // finished before we could kill it: still a valid (weaker) run of the test
            }
            seen = runs(&db).len();
            seen > 0
        },
    );
    let finished_early = index.0.try_wait().unwrap().is_some();
    index.0.kill().unwrap(); // SIGKILL
    index.0.wait().unwrap();
    eprintln!(
        "killed with {seen} of {} runs written (finished early: {finished_early})",
        shape.runs
    );

    // The catalog opens and answers.
    let partial = runs(&db).len();
    assert!(partial <= shape.runs);
    // The next index completes it.
    let out = driftdeck(&db)
        .arg("index")
        .arg(&project)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = runs(&db);
    assert_eq!(all.len(), shape.runs);
    assert!(
        all.iter()
            .all(|r| r["metrics"].as_object().unwrap().len() == shape.metrics)
    );
}
