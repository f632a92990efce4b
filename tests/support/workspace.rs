//! A generated project folder shaped like a busy team's: MLflow file-store runs with metric
//! histories, and CSV datasets. Shared by the integration tests and `make bench`
//! (`#[path]`-included, so it has no dependencies beyond std).

#![allow(dead_code)] // each includer uses a part

use std::fmt::Write as _;
use std::path::Path;

/// The shape of a generated workspace.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub runs: usize,
    pub metrics: usize,
    pub steps: usize,
    pub datasets: usize,
    pub dataset_rows: usize,
}

/// Deterministic pseudo-random numbers (xorshift), so every generated workspace is the same.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub const EXPERIMENT: &str = "424242";

/// The folder of run `i` relative to the project.
pub fn run_dir(i: usize) -> String {
    format!("mlruns/{EXPERIMENT}/{}", run_id(i))
}

pub fn run_id(i: usize) -> String {
    // Hex with letters, as MLflow's uuid4().hex ids are: an all-digit id would read as a YAML number.
    format!(
        "{:032x}",
        0xabcd_ef00_0000_0000_0000_0000_0000_0000u128 + i as u128
    )
}

/// Writes the workspace into `root` (which must exist).
pub fn generate(root: &Path, shape: Shape) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let exp = root.join("mlruns").join(EXPERIMENT);
    std::fs::create_dir_all(&exp).unwrap();
    std::fs::write(
        exp.join("meta.yaml"),
        format!(
            "artifact_location: file:///elsewhere/mlruns/{EXPERIMENT}\ncreation_time: 1795000000000\nexperiment_id: '{EXPERIMENT}'\n\
             last_update_time: 1795000000000\nlifecycle_stage: active\nname: generated\n"
        ),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("mlruns/0")).unwrap();
    std::fs::write(
        root.join("mlruns/0/meta.yaml"),
        "artifact_location: file:///elsewhere/mlruns/0\nexperiment_id: '0'\nlifecycle_stage: active\nname: Default\n",
    )
    .unwrap();
    for i in 0..shape.runs {
        let dir = root.join(run_dir(i));
        std::fs::create_dir_all(dir.join("metrics")).unwrap();
        std::fs::create_dir_all(dir.join("params")).unwrap();
        std::fs::create_dir_all(dir.join("tags")).unwrap();
        let start = 1_795_000_000_000i64 + i as i64 * 60_000;
        std::fs::write(
            dir.join("meta.yaml"),
            format!(
                "artifact_uri: file:///elsewhere/mlruns/{EXPERIMENT}/{id}/artifacts\nend_time: {end}\nentry_point_name: ''\n\
                 experiment_id: '{EXPERIMENT}'\nlifecycle_stage: active\nrun_id: {id}\nrun_name: run-{i}\nsource_name: ''\n\
                 source_type: 4\nsource_version: ''\nstart_time: {start}\nstatus: 3\ntags: []\nuser_id: bench\n",
                id = run_id(i),
                end = start + 50_000
            ),
        )
        .unwrap();
        std::fs::write(
            dir.join("params/lr"),
            format!("{:.4}", 0.001 + rng.next() * 0.1),
        )
        .unwrap();
        std::fs::write(
            dir.join("params/depth"),
            format!("{}", 2 + (rng.next() * 8.0) as u32),
        )
        .unwrap();
        std::fs::write(dir.join("tags/mlflow.runName"), format!("run-{i}")).unwrap();
        for m in 0..shape.metrics {
            let mut text = String::with_capacity(shape.steps * 32);
            for step in 0..shape.steps {
                let value = 1.0 / (1.0 + step as f64 * 0.05) + rng.next() * 0.01;
                let _ = writeln!(text, "{} {value} {step}", start + step as i64 * 100);
            }
            std::fs::write(dir.join("metrics").join(format!("m{m:02}")), text).unwrap();
        }
    }
    let data = root.join("data");
    std::fs::create_dir_all(&data).unwrap();
    for d in 0..shape.datasets {
        let mut text = String::from("id,x,y,group\n");
        for r in 0..shape.dataset_rows {
            let _ = writeln!(
                text,
                "{r},{:.5},{:.5},{}",
                rng.next(),
                rng.next() * 10.0,
                ["a", "b", "c"][r % 3]
            );
        }
        std::fs::write(data.join(format!("part-{d:03}.csv")), text).unwrap();
    }
}
