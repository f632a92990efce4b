//! `make bench` (index): the catalog on a generated busy workspace, release build.
//!
//! Workspace: 1,000 MLflow runs x 20 metrics x 100 steps + 200 CSV datasets (tests/support).
//! Measures: cold index, no-op re-index, and the latency from appending a metric line to the
//! value being visible in the catalog while watching (reported with and without the debounce).
//! Targets (DESIGN.md): cold < 10 s, no-op < 1 s, change visible < 0.5 s after the debounce.

#[path = "../tests/support/workspace.rs"]
mod workspace;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use driftdeck::catalog::Catalog;
use driftdeck::scan::index::index_project;
use driftdeck::watch::{self, DEBOUNCE};

fn main() {
    let shape = workspace::Shape {
        runs: 1000,
        metrics: 20,
        steps: 100,
        datasets: 200,
        dataset_rows: 500,
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("workspace");
    std::fs::create_dir(&root).unwrap();
    let t = Instant::now();
    workspace::generate(&root, shape);
    let files = walk_count(&root);
    println!(
        "workspace: {} runs x {} metrics x {} steps + {} datasets ({} files), generated in {:.1} s",
        shape.runs,
        shape.metrics,
        shape.steps,
        shape.datasets,
        files,
        t.elapsed().as_secs_f64()
    );
    let db = dir.path().join("catalog.sqlite");
    let mut catalog = Catalog::open(&db).unwrap();
    let project = catalog.add_project(&root, 0).unwrap();
    let never = AtomicBool::new(false);
    let now = || driftdeck::time::now_ms();

    let t = Instant::now();
    let cold = index_project(&mut catalog, &project, &never, &mut |_| {}, &now).unwrap();
    let cold_s = t.elapsed().as_secs_f64();
    let counts = catalog.counts(project.id).unwrap();
    assert_eq!(counts.runs as usize, shape.runs, "every run indexed");
    assert_eq!(
        counts.metric_points as usize,
        shape.runs * shape.metrics * shape.steps
    );

    let mut noop = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let s = index_project(&mut catalog, &project, &never, &mut |_| {}, &now).unwrap();
        assert_eq!(s.units_read, 0);
        noop.push(t.elapsed().as_secs_f64());
    }
    noop.sort_by(f64::total_cmp);

    // Change latency: a watcher in a thread, a reader polling its own connection.
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let stop = stop.clone();
        let db = db.clone();
        let project = project.clone();
        std::thread::spawn(move || {
            let mut catalog = Catalog::open(&db).unwrap();
            watch::watch(&mut catalog, &[project], &stop, None, &mut |_| {}).unwrap();
        })
    };
    let reader = Catalog::open(&db).unwrap();
    // Let the watcher's start-up index (a no-op) finish.
    std::thread::sleep(Duration::from_secs(2));
    let mut latencies = Vec::new();
    for i in 0..10 {
        let run = i * 37 % shape.runs;
        let path = root.join(workspace::run_dir(run)).join("metrics/m00");
        let value = 0.5 + i as f64 / 1000.0;
        let run_row = reader.find_run(&workspace::run_id(run)).unwrap();
        let t = Instant::now();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        writeln!(f, "1796000000000 {value} {}", shape.steps + i).unwrap();
        drop(f);
        loop {
            let h = reader.metric_history(run_row.id, "m00").unwrap();
            if h.last().is_some_and(|p| p.value == value) {
                break;
            }
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "change never became visible"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        latencies.push(t.elapsed().as_secs_f64());
        std::thread::sleep(Duration::from_millis(400));
    }
    stop.store(true, Ordering::SeqCst);
    watcher.join().unwrap();
    latencies.sort_by(f64::total_cmp);
    let median = latencies[latencies.len() / 2];
    let worst = latencies[latencies.len() - 1];
    let debounce = DEBOUNCE.as_secs_f64();

    println!();
    println!("| measure | result | target |");
    println!("|---|---|---|");
    println!(
        "| cold index ({} units, {} metric points) | {cold_s:.2} s | < 10 s |",
        cold.units, counts.metric_points
    );
    println!(
        "| no-op re-index (median of 5) | {:.3} s | < 1 s |",
        noop[2]
    );
    println!(
        "| change -> visible while watching (median / worst of 10) | {median:.3} s / {worst:.3} s | debounce {debounce:.2} s + < 0.5 s |"
    );
    println!(
        "| ... after the debounce (median / worst) | {:.3} s / {:.3} s | < 0.5 s |",
        median - debounce,
        worst - debounce
    );
}

fn walk_count(root: &std::path::Path) -> usize {
    let mut n = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                n += 1;
            }
        }
    }
    n
}
