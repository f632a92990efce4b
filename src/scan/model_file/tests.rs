use std::collections::BTreeSet;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::*;
use crate::scan::testing;

fn manifest(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn fixtures_manifest() -> Value {
    manifest(&testing::fixtures().join("MANIFEST.json"))
}

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo")
}

/// The model files a fixture project's manifest lists (an MLflow model is listed as its
/// `MLmodel` file; the reader's model is the folder).
fn listed_model_files(project: &Value) -> BTreeSet<String> {
    let list = project["model_files"]
        .as_array()
        .or_else(|| project["summary"]["model_files"].as_array());
    list.into_iter()
        .flatten()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

fn model_files_found(records: &Records) -> BTreeSet<String> {
    records
        .models
        .iter()
        .map(|m| match m.format {
            "mlflow" => format!("{}/{MLMODEL}", m.path),
            _ => m.path.clone(),
        })
        .collect()
}

fn model<'r>(records: &'r Records, path: &str) -> &'r Model {
    records
        .models
        .iter()
        .find(|m| m.path == path)
        .unwrap_or_else(|| {
            panic!(
                "no model {path} in {:?}",
                records.models.iter().map(|m| &m.path).collect::<Vec<_>>()
            )
        })
}

#[test]
fn model_files_of_every_fixture_project_match_the_manifests() {
    let manifest = fixtures_manifest();
    for (name, project) in manifest["projects"].as_object().unwrap() {
        let records = testing::read_merged(&ModelFile, &testing::fixtures().join(name));
        assert!(
            records.problems.is_empty(),
            "{name}: {:?}",
            records.problems
        );
        assert_eq!(
            model_files_found(&records),
            listed_model_files(project),
            "{name}"
        );
    }
}

#[test]
fn plain_project_models_match_the_manifest() {
    let manifest = fixtures_manifest();
    let project = &manifest["projects"]["plain-project"];
    let records = testing::read_merged(&ModelFile, &testing::fixtures().join("plain-project"));
    let models = project["models"].as_array().unwrap();
    assert!(!models.is_empty());
    for want in models {
        let path = want["path"].as_str().unwrap();
        let m = model(&records, path);
        assert_eq!(m.format, want["format"].as_str().unwrap(), "{path}");
        assert_eq!(Some(m.bytes), want["bytes"].as_u64(), "{path}");
        if let Some(class) = want["class"].as_str() {
            assert_eq!(m.details["class"], class, "{path}: {}", m.details);
        }
        if let Some(estimator) = want["estimator"].as_str() {
            let classes = m.details["classes"].as_array().unwrap();
            assert!(
                classes
                    .iter()
                    .any(|c| c.as_str().unwrap().ends_with(&format!(".{estimator}"))),
                "{path}: {estimator} not in {classes:?}"
            );
        }
        if m.format == "onnx" {
            let d = &m.details;
            assert_eq!(d["ir_version"], want["ir_version"], "{path}");
            assert_eq!(
                format!(
                    "{} {}",
                    d["producer_name"].as_str().unwrap(),
                    d["producer_version"].as_str().unwrap()
                ),
                want["producer"].as_str().unwrap()
            );
            let opset = |v: &Value| -> Vec<(String, i64)> {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|o| {
                        (
                            o["domain"].as_str().unwrap().to_string(),
                            o["version"].as_i64().unwrap(),
                        )
                    })
                    .collect()
            };
            let (opset, want_opset) = (opset(&d["opset"]), opset(&want["opset"]));
            assert_eq!(opset, want_opset);
            let inputs = d["inputs"].as_array().unwrap();
            let want_inputs = want["inputs"].as_array().unwrap();
            assert_eq!(inputs.len(), want_inputs.len());
            for (got, want) in inputs.iter().zip(want_inputs) {
                assert_eq!(got["name"], want["name"]);
                assert_eq!(got["elem_type"], want["elem_type"]);
                // The manifest writes an unknown dimension as null; ONNX may name it instead.
                let dims = |s: &Value| -> Vec<Option<i64>> {
                    s.as_array().unwrap().iter().map(Value::as_i64).collect()
                };
                assert_eq!(dims(&got["shape"]), dims(&want["shape"]), "{got}");
            }
            let outputs: Vec<&Value> = d["outputs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| &o["name"])
                .collect();
            let want_outputs: Vec<&Value> = want["outputs"].as_array().unwrap().iter().collect();
            assert_eq!(outputs, want_outputs);
        }
    }
}

#[test]
fn mlflow_logged_models_match_the_manifests() {
    let manifest = fixtures_manifest();
    let mut checked = 0;
    for name in ["mlflow-filestore-project", "mlflow-sqlite-project"] {
        let root = testing::fixtures().join(name);
        let records = testing::read_merged(&ModelFile, &root);
        for want in manifest["projects"][name]["logged_models"]
            .as_array()
            .unwrap()
        {
            let files: Vec<&str> = want["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect();
            let folder = split_parent(files.iter().find(|f| f.ends_with("/MLmodel")).unwrap()).0;
            let m = model(&records, folder);
            assert_eq!(m.format, "mlflow");
            assert_eq!(m.external_id.as_deref(), want["model_id"].as_str());
            assert_eq!(
                m.run,
                Some((
                    source::MLFLOW,
                    want["source_run_id"].as_str().unwrap().to_string()
                ))
            );
            let size: u64 = files
                .iter()
                .map(|f| std::fs::metadata(root.join(f)).unwrap().len())
                .sum();
            assert_eq!(m.bytes, size, "{folder}");
            let mlmodel = &want["mlmodel"];
            let flavors: Vec<&String> = m.details["flavors"].as_object().unwrap().keys().collect();
            let mut want_flavors: Vec<&str> = mlmodel["flavors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect();
            want_flavors.sort();
            assert_eq!(flavors, want_flavors);
            assert_eq!(m.details["mlflow_version"], mlmodel["mlflow_version"]);
            let pickled = mlmodel["pickled_model"].as_str().unwrap();
            assert_eq!(m.details["flavors"]["sklearn"]["pickled_model"], pickled);
            assert!(
                m.details["signature"]["inputs"].is_array(),
                "{}",
                m.details["signature"]
            );
            // The pickled model is a model of its own format too.
            let inner = model(&records, &format!("{folder}/{pickled}"));
            let expected_format = match mlmodel["sklearn_serialization_format"].as_str().unwrap() {
                "cloudpickle" | "pickle" => "pickle",
                other => other,
            };
            assert_eq!(inner.format, expected_format);
            assert_eq!(inner.details["class"], "Pipeline", "{}", inner.details);
            if inner.format == "skops" {
                let steps: Vec<&Value> = inner.details["steps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| &s["name"])
                    .collect();
                assert_eq!(
                    steps,
                    [&json!("impute"), &json!("scale"), &json!("clf")],
                    "{}",
                    inner.details
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 4);
}

#[test]
fn demo_safetensors_and_mlflow_model_match_the_demo_manifest() {
    let manifest = manifest(&demo().join("MANIFEST.json"));
    let want = &manifest["model"];
    let records = testing::read_merged(&ModelFile, &demo());
    assert!(records.problems.is_empty(), "{:?}", records.problems);
    for path in [&want["path"], &want["also_at"]] {
        let m = model(&records, path.as_str().unwrap());
        assert_eq!(m.format, want["format"].as_str().unwrap());
        assert_eq!(Some(m.bytes), want["bytes"].as_u64());
        assert_eq!(m.details["tensors"], want["tensors"]);
        assert_eq!(m.details["metadata"], want["metadata"]);
        assert_eq!(
            Some(m.details["header_bytes"].as_u64().unwrap()),
            want["header_bytes"].as_u64()
        );
        let params: u64 = want["tensors"]
            .as_object()
            .unwrap()
            .values()
            .map(|t| {
                t["shape"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d.as_u64().unwrap())
                    .product::<u64>()
            })
            .sum();
        assert_eq!(m.details["parameters"], params);
    }
    let logged = &manifest["mlflow"]["logged_models"][0];
    let folder = format!("{}/artifacts", logged["model_dir"].as_str().unwrap());
    let m = model(&records, &folder);
    assert_eq!(m.external_id.as_deref(), logged["model_id"].as_str());
    assert_eq!(
        m.run,
        Some((
            source::MLFLOW,
            logged["source_run_id"].as_str().unwrap().to_string()
        ))
    );
    assert_eq!(m.details["model_size_bytes"], logged["model_size_bytes"]);
    let flavors: BTreeSet<&str> = m.details["flavors"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let want_flavors: BTreeSet<&str> = logged["flavors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(flavors, want_flavors);
    let features = &m.details["flavors"]["churn_logreg"]["feature_names"];
    assert_eq!(features, &want["feature_names"]);
}

/// A zip archive of `entries`, as the tools write them.
fn zip_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn safetensors_bytes(header: &Value, data: usize) -> Vec<u8> {
    let header = header.to_string();
    let mut b = (header.len() as u64).to_le_bytes().to_vec();
    b.extend_from_slice(header.as_bytes());
    b.resize(b.len() + data, 0);
    b
}

/// What a hand-made file should yield: a model whose details hold `facts`, or a problem whose
/// message contains `message`.
enum Expect {
    Model(Value),
    Problem(&'static str),
}

/// Writes `bytes` as `name` in a fresh project, reads it, and checks the outcome.
fn check(name: &str, bytes: &[u8], expect: Expect) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    let records = testing::read_merged(&ModelFile, dir.path());
    match expect {
        Expect::Model(facts) => {
            assert!(
                records.problems.is_empty(),
                "{name}: {:?}",
                records.problems
            );
            assert_eq!(records.models.len(), 1, "{name}");
            let details = &records.models[0].details;
            for (k, v) in facts.as_object().unwrap() {
                assert_eq!(&details[k], v, "{name}: {k} in {details}");
            }
        }
        Expect::Problem(message) => {
            assert!(records.models.is_empty(), "{name}: {:?}", records.models);
            assert_eq!(records.problems.len(), 1, "{name}");
            let p = &records.problems[0];
            assert_eq!(p.path, name);
            assert!(
                p.message.contains(message),
                "{name}: {:?} lacks {message:?}",
                p.message
            );
        }
    }
}

#[test]
fn safetensors_edge_cases() {
    let header = json!({"w": {"dtype": "F16", "shape": [2, 3], "data_offsets": [0, 12]}, "__metadata__": {"k": "v"}});
    check(
        "ok.safetensors",
        &safetensors_bytes(&header, 12),
        Expect::Model(json!({"tensor_count": 1, "parameters": 6, "metadata": {"k": "v"}})),
    );
    let full = safetensors_bytes(&header, 12);
    check(
        "cut_header.safetensors",
        &full[..20],
        Expect::Problem("truncated safetensors file"),
    );
    check(
        "cut_data.safetensors",
        &full[..full.len() - 1],
        Expect::Problem("ends at data byte 12"),
    );
    check(
        "tiny.safetensors",
        b"\x01\x00",
        Expect::Problem("8-byte header length"),
    );
    check(
        "huge_len.safetensors",
        &u64::MAX.to_le_bytes(),
        Expect::Problem("exceeds the format's limit"),
    );
    let mut not_json = 4u64.to_le_bytes().to_vec();
    not_json.extend_from_slice(b"\xff\xfe{]");
    check(
        "not_json.safetensors",
        &not_json,
        Expect::Problem("not a JSON object"),
    );
    let bad_entry = json!({"w": {"dtype": "F32", "shape": "big", "data_offsets": [0, 0]}});
    check(
        "bad_entry.safetensors",
        &safetensors_bytes(&bad_entry, 0),
        Expect::Problem("`shape`"),
    );
}

#[test]
fn zip_based_formats() {
    let config = json!({"module": "keras", "class_name": "Sequential", "config": {"name": "seq", "layers": [{}, {}]}});
    let metadata = json!({"keras_version": "3.6.0", "date_saved": "2026-01-01@00:00:00"});
    let keras = zip_bytes(&[
        ("metadata.json", metadata.to_string().as_bytes()),
        ("config.json", config.to_string().as_bytes()),
        ("model.weights.h5", b"\x89HDF\r\n\x1a\n"),
    ]);
    check(
        "m.keras",
        &keras,
        Expect::Model(json!({"class": "Sequential", "keras_version": "3.6.0", "layers": 2})),
    );
    check(
        "other.keras",
        &zip_bytes(&[("readme.txt", b"hi")]),
        Expect::Problem("without config.json; expected a Keras archive (found readme.txt)"),
    );
    check(
        "plain.keras",
        b"not a zip at all",
        Expect::Problem("expected a zip archive"),
    );
    check(
        "broken.keras",
        &zip_bytes(&[("config.json", b"{oops")]),
        Expect::Problem("config.json is not JSON"),
    );

    let schema = json!({"__class__": "LogisticRegression", "__module__": "sklearn.linear_model._logistic", "protocol": 2, "_skops_version": "0.10", "content": {}});
    check(
        "m.skops",
        &zip_bytes(&[("schema.json", schema.to_string().as_bytes())]),
        Expect::Model(json!({"class": "LogisticRegression", "protocol": 2})),
    );
    check(
        "m2.skops",
        &zip_bytes(&[("x.npy", b"")]),
        Expect::Problem("without schema.json"),
    );

    let data_pkl = pickle::tests::object_pickle("collections", "OrderedDict");
    let torch = zip_bytes(&[
        ("model/data.pkl", &data_pkl),
        ("model/version", b"3\n"),
        ("model/data/0", b"\0\0\0\0"),
        ("model/data/1", b"\0\0\0\0"),
    ]);
    check(
        "m.pt",
        &torch,
        Expect::Model(
            json!({"container": "zip", "class": "OrderedDict", "storages": 2, "archive_version": "3", "torchscript": false}),
        ),
    );
    check(
        "other.pt",
        &zip_bytes(&[("a.txt", b"")]),
        Expect::Problem("without data.pkl"),
    );
    check(
        "garbage.pth",
        b"\x00\x01\x02",
        Expect::Problem("expected a zip archive (PK\\x03\\x04) or a pickle stream"),
    );
    // Legacy torch.save: magic number, protocol, system info, then the object.
    let mut legacy =
        b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.\x80\x02M\xe9\x03.\x80\x02}q\x00.".to_vec();
    legacy.extend_from_slice(&pickle::tests::object_pickle("my.nets", "ResNet"));
    check(
        "legacy.pth",
        &legacy,
        Expect::Model(
            json!({"container": "legacy pickle", "class": "ResNet", "module": "my.nets"}),
        ),
    );
}

#[test]
fn pickle_joblib_and_hdf5_edge_cases() {
    let full = pickle::tests::object_pickle("sklearn.pipeline", "Pipeline");
    check(
        "m.pkl",
        &full,
        Expect::Model(json!({"class": "Pipeline", "module": "sklearn.pipeline", "protocol": 4})),
    );
    check(
        "cut.pkl",
        &full[..full.len() - 3],
        Expect::Problem("truncated pickle file"),
    );
    check(
        "empty.pickle",
        b"",
        Expect::Problem("not a pickle file: empty file"),
    );
    check(
        "text.joblib",
        b"hello world",
        Expect::Problem("not a joblib file"),
    );
    check(
        "z.joblib",
        b"\x78\x9c\x01\x02\x03\x04",
        Expect::Model(json!({"compression": "zlib", "class": null})),
    );
    check(
        "g.pkl",
        b"\x1f\x8b\x08\x00",
        Expect::Model(json!({"compression": "gzip"})),
    );

    let mut h5 = b"\x89HDF\r\n\x1a\n\x00\x00\x00\x00".to_vec();
    h5.extend_from_slice(
        b"\x01\x00model_config\x00\x00\x13\x00{\"class_name\": \"Functional\", \"config\": {}}",
    );
    h5.extend_from_slice(
        b"\x00\x00keras_version\x00\x00\x00\x10\x00\x05\x002.15.0\x00backend\x00\x00tensorflow",
    );
    check(
        "m.h5",
        &h5,
        Expect::Model(
            json!({"keras": true, "class": "Functional", "keras_version": "2.15.0", "backend": "tensorflow"}),
        ),
    );
    let mut user_block = vec![0u8; 512];
    user_block.extend_from_slice(b"\x89HDF\r\n\x1a\n\x02");
    check(
        "data.hdf5",
        &user_block,
        Expect::Model(json!({"keras": false, "superblock_offset": 512, "superblock_version": 2})),
    );
    check(
        "fake.h5",
        b"PK\x03\x04 not hdf5",
        Expect::Problem("expected the HDF5 signature"),
    );
}

#[test]
fn onnx_edge_cases() {
    let bytes = onnx::tests::model_bytes(16);
    check(
        "m.onnx",
        &bytes,
        Expect::Model(
            json!({"ir_version": 9, "producer_name": "hand", "nodes": 1, "initializers": 1}),
        ),
    );
    check(
        "cut.onnx",
        &bytes[..bytes.len() - 4],
        Expect::Problem("truncated onnx file"),
    );
    check("empty.onnx", b"", Expect::Problem("empty file"));
    check(
        "text.onnx",
        b"this is not protobuf at all",
        Expect::Problem("onnx file"),
    );
    check(
        "zero.onnx",
        &[0u8; 64],
        Expect::Problem("invalid onnx file"),
    );
}

#[test]
fn mlmodel_edge_cases() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "good/MLmodel",
        "flavors:\n  python_function:\n    loader_module: m\n    env: {conda: conda.yaml}\nrun_id: r1\nsignature:\n  inputs: '[{\"name\": \"a\", \"type\": \"long\"}]'\n  outputs: 'not json'\n",
    );
    write("good/conda.yaml", "x: 1\n");
    write("bad/MLmodel", "flavors:\n  sklearn: [1,\n");
    write("MLmodel", "- just\n- a list\n");
    let all = testing::read_all(&ModelFile, root);
    let keys: Vec<&str> = all.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, [".", "bad", "good"]);

    let top = &all[0].1;
    assert!(top.models.is_empty());
    assert!(
        top.problems[0].message.contains("expected a YAML mapping"),
        "{:?}",
        top.problems
    );

    let bad = &all[1].1;
    assert!(bad.models.is_empty());
    assert_eq!(bad.problems[0].path, "bad/MLmodel");
    assert!(
        bad.problems[0].message.contains("YAML at line"),
        "{:?}",
        bad.problems
    );

    let good = &all[2].1;
    let m = &good.models[0];
    assert_eq!(
        (m.path.as_str(), m.format, m.external_id.as_deref()),
        ("good", "mlflow", None)
    );
    assert_eq!(m.run, Some((source::MLFLOW, "r1".to_string())));
    assert_eq!(
        m.bytes,
        std::fs::metadata(root.join("good/MLmodel")).unwrap().len() + 5
    );
    assert_eq!(
        m.details["flavors"],
        json!({"python_function": {"loader_module": "m"}})
    );
    assert_eq!(
        m.details["signature"]["inputs"],
        json!([{"name": "a", "type": "long"}])
    );
    assert_eq!(m.details["signature"]["outputs"], "not json");
    assert_eq!(good.problems.len(), 1);
    assert!(
        good.problems[0]
            .message
            .contains("signature outputs is not JSON")
    );
}

/// Multi-gigabyte files are read by their headers only: sparse files of 3 GiB read instantly
/// and in little memory, or the test runs out of it.
#[test]
fn huge_files_are_read_by_their_headers() {
    const HUGE: u64 = 3 << 30;
    let dir = tempfile::tempdir().unwrap();
    let header =
        json!({"w": {"dtype": "F32", "shape": [HUGE / 4 - 64], "data_offsets": [0, HUGE - 256]}});
    let st = safetensors_bytes(&header, 0);
    let path = dir.path().join("big.safetensors");
    std::fs::write(&path, &st).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(HUGE)
        .unwrap();

    // An ONNX model whose graph holds one initializer that fills nearly all of the file.
    let onnx_path = dir.path().join("big.onnx");
    let mut graph = Vec::new();
    graph.push((5 << 3) | 2);
    let mut len = Vec::new();
    onnx_varint(&mut len, HUGE - 64);
    graph.extend_from_slice(&len);
    let mut proto = vec![0x08, 0x09]; // ir_version 9
    proto.push((7 << 3) | 2);
    onnx_varint(&mut proto, graph.len() as u64 + HUGE - 64);
    proto.extend_from_slice(&graph);
    let data_start = proto.len() as u64;
    std::fs::write(&onnx_path, &proto).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&onnx_path)
        .unwrap()
        .set_len(data_start + HUGE - 64)
        .unwrap();

    let records = testing::read_merged(&ModelFile, dir.path());
    assert!(records.problems.is_empty(), "{:?}", records.problems);
    let st = model(&records, "big.safetensors");
    assert_eq!(st.bytes, HUGE);
    assert_eq!(st.details["parameters"], HUGE / 4 - 64);
    let onnx = model(&records, "big.onnx");
    assert_eq!(onnx.details["initializer_bytes"], HUGE - 64);
}

fn onnx_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[test]
fn format_by_extension() {
    for (path, format) in [
        ("a/b/model.ONNX", Some("onnx")),
        ("m.pkl", Some("pickle")),
        ("m.joblib", Some("joblib")),
        ("ckpt.pth", Some("torch")),
        ("w.safetensors", Some("safetensors")),
        ("m.keras", Some("keras")),
        ("m.skops", Some("skops")),
        ("m.h5", Some("hdf5")),
        ("train.csv", None),
        ("pkl", None),
        ("dir.onnx/readme", None),
    ] {
        assert_eq!(format_of(path), format, "{path}");
    }
}
