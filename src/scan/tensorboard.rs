//! The `tensorboard` reader: runs, scalar histories and hyperparameters from TensorBoard event
//! files.
//!
//! A run is a folder holding `*tfevents*` files, as TensorBoard itself sees it, with one
//! exception: tensorboardX's `add_hparams` writes the hyperparameters into a timestamped
//! subfolder of the run (`runs/adam/1795641696.117932/`), which belongs to the run around it.
//! The unit is the run folder with every event file of the run and of those subfolders.
//!
//! An event file is a TFRecord stream (see `tensorboard/tfrecord.rs`) of `tensorflow.Event`
//! protobufs (see `tensorboard/proto.rs`). What is read from them:
//! - scalars, as tensorboardX and TF1 write them (`simple_value`) and as TF2 writes them (a
//!   one-element numeric tensor under the `scalars` plugin). Writers put the plugin name only on
//!   the first value of a tag in a file, so the reader remembers it per tag and file;
//! - hyperparameters (`hparams` plugin, `session_start_info`), merged into the run's params, and
//!   the session's end status (`session_end_info`) as the run status;
//! - the first and last wall time, as the run's start and end.
//!
//! Histograms, images, audio, text and graphs are skipped without being decoded.

mod proto;
mod tfrecord;

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::BufReader;

use prost::Message;

use super::{FileSet, Reader, Records, UnitInput, WalkedFile, split_parent};
use crate::record::{MetricPoint, Problem, Run, source};
use tfrecord::TfRecordReader;

pub struct TensorBoard;

/// What names an event file: TensorBoard's own test is `"tfevents" in basename`.
const EVENT_FILE_MARK: &str = "tfevents";
/// The plugin of scalar summaries written as tensors (TF2).
const SCALARS_PLUGIN: &str = "scalars";
/// The plugin of hyperparameter summaries.
const HPARAMS_PLUGIN: &str = "hparams";
/// Event files are streamed through a buffer this size: event files with images can be large,
/// and one record at a time is all the reader keeps.
const READ_BUFFER: usize = 64 * 1024;

impl Reader for TensorBoard {
    fn name(&self) -> &'static str {
        "tensorboard"
    }

    fn unit_of(&self, file: &WalkedFile, project: &FileSet) -> Option<String> {
        let (dir, name) = split_parent(&file.path);
        is_event_file(name).then(|| run_folder(dir, project).to_string())
    }

    fn read(&self, unit: &UnitInput<'_>) -> Records {
        let mut data = RunData::default();
        let mut problems = Vec::new();
        for file in unit.files {
            read_event_file(unit, file, &mut data, &mut problems);
        }
        Records {
            runs: vec![data.into_run(unit)],
            problems,
            ..Records::default()
        }
    }
}

fn is_event_file(name: &str) -> bool {
    name.contains(EVENT_FILE_MARK)
}

/// The run folder of event files found in `dir`: `dir` itself, or its parent when `dir` is a
/// timestamped hparams subfolder and the parent holds event files of its own.
fn run_folder<'a>(dir: &'a str, project: &FileSet) -> &'a str {
    let (parent, name) = split_parent(dir);
    if !dir.is_empty() && is_timestamp(name) && holds_event_files(parent, project) {
        parent
    } else {
        dir
    }
}

/// Whether a folder name is a Python `str(time.time())`, such as `1795641696.117932`.
fn is_timestamp(name: &str) -> bool {
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    name.split_once('.')
        .is_some_and(|(secs, frac)| !secs.is_empty() && all_digits(secs) && all_digits(frac))
}

fn holds_event_files(dir: &str, project: &FileSet) -> bool {
    project.under(dir).any(|f| {
        let (parent, name) = split_parent(&f.path);
        parent == dir && is_event_file(name)
    })
}

/// What the event files of one run hold, accumulated file by file.
#[derive(Default)]
struct RunData {
    metrics: Vec<MetricPoint>,
    hparams: BTreeMap<String, String>,
    status: Option<&'static str>,
    first_ms: Option<i64>,
    last_ms: Option<i64>,
}

impl RunData {
    fn into_run(self, unit: &UnitInput<'_>) -> Run {
        // Event files right in the project folder make the project folder the run.
        let (id, name) = if unit.key.is_empty() {
            let name = unit
                .root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned());
            (".".to_string(), name)
        } else {
            (
                unit.key.to_string(),
                Some(split_parent(unit.key).1.to_string()),
            )
        };
        let mut run = Run::new(source::TENSORBOARD, id.clone());
        run.path = Some(id);
        run.name = name;
        run.status = self.status.map(str::to_string);
        run.start_ms = self.first_ms;
        run.end_ms = self.last_ms;
        run.params = self.hparams.into_iter().collect();
        run.metrics = self.metrics;
        run
    }

    fn saw_time(&mut self, ms: i64) {
        self.first_ms = Some(self.first_ms.map_or(ms, |t| t.min(ms)));
        self.last_ms = Some(self.last_ms.map_or(ms, |t| t.max(ms)));
    }
}

/// Records in one file that framed correctly but did not decode.
#[derive(Default)]
struct Undecodable {
    count: usize,
    first: Option<(u64, prost::DecodeError)>,
}

impl Undecodable {
    fn add(&mut self, offset: u64, err: prost::DecodeError) {
        self.count += 1;
        self.first.get_or_insert((offset, err));
    }
}

/// Reads one event file into `data`; what cannot be read becomes a problem.
fn read_event_file(
    unit: &UnitInput<'_>,
    file: &WalkedFile,
    data: &mut RunData,
    problems: &mut Vec<Problem>,
) {
    let problem = |message: String| Problem {
        path: file.path.clone(),
        message,
    };
    let input = match File::open(unit.abs(&file.path)) {
        Ok(f) => BufReader::with_capacity(READ_BUFFER, f),
        Err(err) => {
            problems.push(problem(format!("cannot read the event file: {err}")));
            return;
        }
    };
    let mut records = TfRecordReader::new(input);
    // Writers put a value's plugin on the first value of each tag in a file only.
    let mut plugins: HashMap<String, String> = HashMap::new();
    let mut undecodable = Undecodable::default();
    let mut read = 0usize;
    loop {
        match records.next_record() {
            Ok(Some((offset, bytes))) => {
                read += 1;
                match proto::Event::decode(bytes) {
                    Ok(event) => absorb(event, offset, &mut plugins, data, &mut undecodable),
                    Err(err) => undecodable.add(offset, err),
                }
            }
            Ok(None) => break,
            Err(err) => {
                problems.push(problem(format!(
                    "damaged event file: {err}; the {read} records before it were read and the rest was skipped"
                )));
                break;
            }
        }
    }
    if let Some((offset, err)) = undecodable.first {
        problems.push(problem(format!(
            "{} records are not TensorBoard events and were skipped (the first at byte {offset}: {err})",
            undecodable.count
        )));
    }
}

/// Takes what the reader wants from one event.
fn absorb(
    event: proto::Event,
    offset: u64,
    plugins: &mut HashMap<String, String>,
    data: &mut RunData,
    undecodable: &mut Undecodable,
) {
    let ts_ms = seconds_to_ms(event.wall_time);
    if let Some(ms) = ts_ms {
        data.saw_time(ms);
    }
    let Some(summary) = event.summary else {
        return;
    };
    for value in summary.value {
        if let Some(plugin) = value.metadata.and_then(|m| m.plugin_data) {
            if plugin.plugin_name == HPARAMS_PLUGIN
                && let Err(err) = absorb_hparams(&plugin.content, data)
            {
                undecodable.add(offset, err);
            }
            plugins.insert(value.tag.clone(), plugin.plugin_name);
        }
        let number = match (value.simple_value, &value.tensor) {
            (Some(v), _) => Some(f64::from(v)),
            (None, Some(tensor))
                if plugins.get(&value.tag).is_some_and(|p| p == SCALARS_PLUGIN) =>
            {
                scalar_of(tensor)
            }
            _ => None,
        };
        if let Some(value_f64) = number {
            data.metrics.push(MetricPoint {
                key: value.tag,
                step: event.step,
                ts_ms: ts_ms.unwrap_or(0),
                value: value_f64,
            });
        }
    }
}

/// Hyperparameters into params; the session end status into the run status.
fn absorb_hparams(content: &[u8], data: &mut RunData) -> Result<(), prost::DecodeError> {
    let plugin_data = proto::HParamsPluginData::decode(content)?;
    if let Some(start) = plugin_data.session_start_info {
        for (key, value) in start.hparams {
            if let Some(text) = hparam_text(&value) {
                data.hparams.insert(key, text);
            }
        }
    }
    if let Some(end) = plugin_data.session_end_info {
        data.status = match end.status {
            proto::STATUS_SUCCESS => Some("FINISHED"),
            proto::STATUS_FAILURE => Some("FAILED"),
            proto::STATUS_RUNNING => Some("RUNNING"),
            _ => data.status,
        };
    }
    Ok(())
}

/// A hyperparameter as a param string. Numbers are doubles on the wire (tensorboardX turns a
/// batch size of 32 into 32.0); integral ones are written without a fraction, as the user wrote
/// them.
fn hparam_text(value: &proto::Value) -> Option<String> {
    if let Some(s) = &value.string_value {
        return Some(s.clone());
    }
    if let Some(b) = value.bool_value {
        return Some(b.to_string());
    }
    value.number_value.map(number_text)
}

/// Largest magnitude written as an integer: beyond 2^53 doubles are not all integers anyway.
const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0;

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < EXACT_INTEGER_LIMIT {
        format!("{}", n as i64)
    } else if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        // Shortest round-trip form, with an exponent for tiny and huge values (`1e-7`).
        serde_json::Number::from_f64(n).map_or_else(|| n.to_string(), |x| x.to_string())
    }
}

/// The value of a one-element numeric tensor.
fn scalar_of(t: &proto::TensorProto) -> Option<f64> {
    fn one<T: Copy>(values: &[T]) -> Option<T> {
        match values {
            [x] => Some(*x),
            _ => None,
        }
    }
    fn raw<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
        bytes.try_into().ok()
    }
    let content = t.tensor_content.as_slice();
    match t.dtype {
        proto::DT_FLOAT => one(&t.float_val)
            .or_else(|| raw(content).map(f32::from_le_bytes))
            .map(f64::from),
        proto::DT_DOUBLE => one(&t.double_val).or_else(|| raw(content).map(f64::from_le_bytes)),
        proto::DT_INT32 => one(&t.int_val)
            .or_else(|| raw(content).map(i32::from_le_bytes))
            .map(f64::from),
        proto::DT_INT64 => one(&t.int64_val)
            .or_else(|| raw(content).map(i64::from_le_bytes))
            .map(|v| v as f64),
        _ => None,
    }
}

/// Unix seconds to milliseconds; `None` for a missing (zero) or impossible time.
fn seconds_to_ms(secs: f64) -> Option<i64> {
    (secs.is_finite() && secs > 0.0).then(|| (secs * 1000.0).round() as i64)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use serde_json::Value as Json;

    use super::*;
    use crate::scan::testing::{self, Framed, history, metric, project_root, same, same_value};

    fn manifest() -> Json {
        testing::fixture_manifest()["projects"]["tensorboard-project"].clone()
    }

    /// The folder of a manifest run: the event folder all its others are inside of.
    fn run_dir(expected: &Json) -> &str {
        expected["event_dirs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["dir"].as_str().unwrap())
            .min_by_key(|d| d.len())
            .unwrap()
    }

    #[test]
    fn runs_match_the_manifest() {
        let m = manifest();
        let runs = testing::read_runs(&TensorBoard, &m);

        let expected_runs = m["runs"].as_object().unwrap();
        assert_eq!(expected_runs.len(), runs.len());
        for (name, expected) in expected_runs {
            let run = runs
                .iter()
                .find(|r| r.name.as_deref() == Some(name))
                .unwrap_or_else(|| panic!("no run named {name}"));
            let dirs = expected["event_dirs"].as_array().unwrap();
            let run_dir = run_dir(expected);
            assert_eq!(run.external_id, run_dir);
            assert_eq!(run.path.as_deref(), Some(run_dir));
            assert_eq!(run.source, "tensorboard");

            let mut scalars: BTreeMap<&str, &Json> = BTreeMap::new();
            let mut hparams: BTreeMap<&str, &Json> = BTreeMap::new();
            for dir in dirs {
                scalars.extend(
                    dir["scalars"]
                        .as_object()
                        .unwrap()
                        .iter()
                        .map(|(k, v)| (k.as_str(), v)),
                );
                hparams.extend(
                    dir["hparams"]
                        .as_object()
                        .unwrap()
                        .iter()
                        .filter(|(k, _)| !k.starts_with('_'))
                        .map(|(k, v)| (k.as_str(), v)),
                );
            }
            let keys: BTreeSet<&str> = run.metrics.iter().map(|p| p.key.as_str()).collect();
            assert_eq!(
                keys,
                scalars.keys().copied().collect(),
                "{name}: metric keys"
            );
            for (key, s) in &scalars {
                testing::check_history(run, key, s, name);
                let max = history(&metric(run, key)).2;
                let final_step = s["final_step"].as_i64().unwrap();
                assert_eq!(max, final_step, "{name} {key}: final step");
            }
            testing::check_params(run, hparams, name);
            testing::check_times(run, name);
        }
    }

    #[test]
    fn every_event_file_belongs_to_its_runs_unit() {
        let m = manifest();
        let project = testing::walked(&project_root(&m));
        let mut listed = 0;
        for expected in m["runs"].as_object().unwrap().values() {
            let dirs = expected["event_dirs"].as_array().unwrap();
            let run_dir = run_dir(expected);
            for file in dirs
                .iter()
                .flat_map(|d| d["event_files"].as_array().unwrap())
            {
                let file = project
                    .get(file.as_str().unwrap())
                    .expect("listed files are walked");
                assert_eq!(
                    TensorBoard.unit_of(file, &project).as_deref(),
                    Some(run_dir),
                    "{}",
                    file.path
                );
                listed += 1;
            }
        }
        assert_eq!(listed, m["summary"]["num_event_files"].as_u64().unwrap());
        let claimed = project
            .iter()
            .filter(|f| TensorBoard.unit_of(f, &project).is_some())
            .count();
        assert_eq!(claimed as u64, listed, "no other file is claimed");
    }

    #[test]
    fn the_summary_finals_and_hparams_are_the_runs_own() {
        // The manifest's summary is a second, independent statement of the same truth.
        let m = manifest();
        let all = testing::read_merged(&TensorBoard, &project_root(&m));
        for (name, expected) in m["summary"]["runs"].as_object().unwrap() {
            let run = all
                .runs
                .iter()
                .find(|r| r.name.as_deref() == Some(name))
                .unwrap();
            for (key, value) in expected["final_scalars"].as_object().unwrap() {
                let last = history(&metric(run, key)).3;
                assert!(
                    same(last, value.as_f64().unwrap()),
                    "{name} {key}: {last} is not {value}"
                );
            }
            for (key, value) in expected["hparams"].as_object().unwrap() {
                let param = testing::value_of(&run.params, key);
                assert!(
                    param.is_some_and(|p| same_value(p, value)),
                    "{name} {key}: {param:?}"
                );
            }
            let finals = expected["final_scalars"].as_object().unwrap();
            let steps: BTreeSet<i64> = run
                .metrics
                .iter()
                .filter(|p| finals.contains_key(&p.key))
                .map(|p| p.step)
                .collect();
            assert_eq!(
                steps.len() as u64,
                expected["num_steps"].as_u64().unwrap(),
                "{name}: steps"
            );
        }
    }

    // Hand-made damage, on a copy of one real event file.

    /// The biggest real event file, and where its records start (walked by their lengths alone,
    /// without the reader).
    fn real_event_file() -> Framed {
        let root = project_root(&manifest());
        let walk = crate::scan::walk::walk(&root, &Default::default()).unwrap();
        let biggest = walk
            .files
            .iter()
            .filter(|f| f.path.contains(EVENT_FILE_MARK))
            .max_by_key(|f| f.size)
            .unwrap();
        let bytes = std::fs::read(root.join(&biggest.path)).unwrap();
        let mut starts = Vec::new();
        let mut at = 0usize;
        while at + 12 <= bytes.len() {
            starts.push(at);
            let len = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
            at += 12 + len + 4;
        }
        assert_eq!(at, bytes.len(), "the real file is whole");
        Framed {
            bytes,
            starts,
            read: read_file,
        }
    }

    const FILE: &str = "run/events.out.tfevents.1.test";

    /// Reads a project holding one event file with `bytes` in it.
    fn read_file(bytes: &[u8]) -> Records {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        testing::read_merged(&TensorBoard, dir.path())
    }

    #[test]
    fn a_file_cut_inside_a_record_reads_like_one_cut_before_it() {
        let file = real_event_file();
        let k = file.starts.len() / 2;
        // Inside the length, its checksum, the data, and the data's checksum.
        let (before, full) = file.check_cuts(k, &[3, 10, 14, file.record_len(k) - 1]);
        assert_eq!(
            before.runs[0].metrics[..],
            full.runs[0].metrics[..before.runs[0].metrics.len()]
        );
    }

    #[test]
    fn a_flipped_byte_is_a_problem_at_its_record_and_keeps_what_came_before() {
        let file = real_event_file();
        let k = file.starts.len() / 3;
        let at_record = format!("at byte {} ", file.starts[k]);
        file.check_flips(k, &[1, 9, 15, file.record_len(k) - 2], |at, problem| {
            assert_eq!(problem.path, FILE, "flip at {at}");
            assert!(problem.message.contains(&at_record), "{}", problem.message);
        });
    }

    #[test]
    fn an_empty_event_file_is_a_run_without_data() {
        let got = read_file(&[]);
        assert!(got.problems.is_empty());
        assert_eq!(got.runs.len(), 1);
        let run = &got.runs[0];
        assert_eq!(
            (run.external_id.as_str(), run.name.as_deref()),
            ("run", Some("run"))
        );
        assert!(run.metrics.is_empty() && run.params.is_empty());
        assert_eq!(
            (run.start_ms, run.end_ms, run.status.as_deref()),
            (None, None, None)
        );
    }

    #[test]
    fn a_record_that_is_not_an_event_is_a_problem_and_the_rest_is_read() {
        let good = event(2.0, 1, vec![simple("loss", 0.5)]).encode_to_vec();
        let file = tfrecord::frame(&[vec![0xff, 0xff, 0xff], good]);
        let got = read_file(&file);
        assert_eq!(got.runs[0].metrics.len(), 1);
        assert_eq!(got.problems.len(), 1);
        assert!(
            got.problems[0].message.contains("at byte 0:"),
            "{}",
            got.problems[0].message
        );
    }

    // TF2-style files, built by hand.

    fn event(wall_time: f64, step: i64, value: Vec<proto::SummaryValue>) -> proto::Event {
        proto::Event {
            wall_time,
            step,
            summary: Some(proto::Summary { value }),
        }
    }

    fn simple(tag: &str, v: f32) -> proto::SummaryValue {
        proto::SummaryValue {
            tag: tag.into(),
            simple_value: Some(v),
            tensor: None,
            metadata: None,
        }
    }

    fn tensor(tag: &str, plugin: Option<&str>, tensor: proto::TensorProto) -> proto::SummaryValue {
        proto::SummaryValue {
            tag: tag.into(),
            simple_value: None,
            tensor: Some(tensor),
            metadata: plugin.map(|name| proto::SummaryMetadata {
                plugin_data: Some(proto::PluginData {
                    plugin_name: name.into(),
                    content: Vec::new(),
                }),
            }),
        }
    }

    fn hparams(start: &[(&str, proto::Value)], status: Option<i32>) -> proto::SummaryValue {
        let data = proto::HParamsPluginData {
            session_start_info: Some(proto::SessionStartInfo {
                hparams: start
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            }),
            session_end_info: status.map(|status| proto::SessionEndInfo { status }),
        };
        proto::SummaryValue {
            tag: "_hparams_/session_start_info".into(),
            simple_value: None,
            tensor: Some(proto::TensorProto::default()),
            metadata: Some(proto::SummaryMetadata {
                plugin_data: Some(proto::PluginData {
                    plugin_name: HPARAMS_PLUGIN.into(),
                    content: data.encode_to_vec(),
                }),
            }),
        }
    }

    fn number(n: f64) -> proto::Value {
        proto::Value {
            number_value: Some(n),
            ..Default::default()
        }
    }

    #[test]
    fn tf2_scalar_tensors_are_read_and_the_plugin_is_remembered_per_tag() {
        let float = |v: f32| proto::TensorProto {
            dtype: proto::DT_FLOAT,
            float_val: vec![v],
            ..Default::default()
        };
        let events = [
            event(
                1.5,
                0,
                vec![tensor("loss", Some(SCALARS_PLUGIN), float(0.5))],
            ),
            event(
                2.0,
                0,
                vec![tensor(
                    "notes",
                    Some("text"),
                    proto::TensorProto {
                        dtype: 7,
                        ..Default::default()
                    },
                )],
            ),
            event(
                2.5,
                1,
                vec![
                    tensor(
                        "loss",
                        None,
                        proto::TensorProto {
                            dtype: proto::DT_FLOAT,
                            tensor_content: 0.25f32.to_le_bytes().to_vec(),
                            ..Default::default()
                        },
                    ),
                    // Numeric, but under the text plugin: not a scalar.
                    tensor("notes", None, float(1.0)),
                ],
            ),
            event(
                3.0,
                2,
                vec![tensor(
                    "loss",
                    None,
                    proto::TensorProto {
                        dtype: proto::DT_DOUBLE,
                        double_val: vec![0.125],
                        ..Default::default()
                    },
                )],
            ),
            // Two values where a scalar needs one.
            event(
                3.5,
                3,
                vec![tensor(
                    "loss",
                    None,
                    proto::TensorProto {
                        dtype: proto::DT_FLOAT,
                        float_val: vec![1.0, 2.0],
                        ..Default::default()
                    },
                )],
            ),
            event(
                4.0,
                3,
                vec![hparams(
                    &[
                        ("lr", number(0.001)),
                        ("batch_size", number(32.0)),
                        (
                            "optimizer",
                            proto::Value {
                                string_value: Some("adam".into()),
                                ..Default::default()
                            },
                        ),
                        (
                            "warmup",
                            proto::Value {
                                bool_value: Some(true),
                                ..Default::default()
                            },
                        ),
                    ],
                    Some(proto::STATUS_FAILURE),
                )],
            ),
        ];
        let bytes = tfrecord::frame(&events.iter().map(|e| e.encode_to_vec()).collect::<Vec<_>>());
        let got = read_file(&bytes);
        assert!(got.problems.is_empty(), "{:?}", got.problems);
        let run = &got.runs[0];
        assert_eq!(
            testing::points(run),
            [
                ("loss", 0, 1500, 0.5),
                ("loss", 1, 2500, 0.25),
                ("loss", 2, 3000, 0.125)
            ]
        );
        assert_eq!(
            testing::params(run),
            [
                ("batch_size", "32"),
                ("lr", "0.001"),
                ("optimizer", "adam"),
                ("warmup", "true")
            ]
        );
        assert_eq!(run.status.as_deref(), Some("FAILED"));
        assert_eq!((run.start_ms, run.end_ms), (Some(1500), Some(4000)));
    }

    #[test]
    fn numbers_are_written_as_people_write_them() {
        for (n, text) in [
            (32.0, "32"),
            (-3.0, "-3"),
            (0.003, "0.003"),
            (1e-7, "1e-7"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
            (1e300, "1e+300"),
        ] {
            assert_eq!(number_text(n), text, "{n}");
        }
    }

    #[test]
    fn hparams_subfolders_belong_to_their_run_and_other_folders_are_runs() {
        let files = [
            "runs/a/events.out.tfevents.1.host",
            "runs/a/1795641696.117932/events.out.tfevents.2.host",
            "logs/train/events.out.tfevents.1",
            "logs/validation/events.out.tfevents.1",
            "stamped/1700000000.5/events.out.tfevents.1",
            "events.out.tfevents.9",
            "runs/a/notes.txt",
        ];
        let project = FileSet::new(files.iter().map(|p| WalkedFile {
            path: p.to_string(),
            size: 1,
            mtime_ns: 0,
        }));
        let units: Vec<Option<String>> = files
            .iter()
            .map(|p| TensorBoard.unit_of(project.get(p).unwrap(), &project))
            .collect();
        let expect = [
            Some("runs/a"),
            Some("runs/a"),
            Some("logs/train"),
            Some("logs/validation"),
            // No event file beside it: a run of its own.
            Some("stamped/1700000000.5"),
            Some(""),
            None,
        ];
        assert_eq!(units, expect.map(|k| k.map(String::from)));
    }
}
