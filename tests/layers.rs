//! The engine's layer rules, stated once and checked on the source: which top-level module may
//! use which, and that no two files of the engine use each other in a circle.
//!
//! A module is a file or folder directly under `src/` (`src/catalog/`, `src/time.rs`). Uses are
//! read from the text: every `crate::NAME`, and in `src/cli/` (the binary) every `driftdeck::NAME`.
//! Comments and string literals are skipped, so a doc link does not count. The same reading
//! finds the file a path names (`crate::drift::sample::X` is `src/drift/sample.rs`, `super::x`
//! is resolved from the file it stands in), and the files are checked for circles.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What each engine module may use, lowest layers first. A module not listed here fails the test,
/// so a new one has to be placed deliberately.
const LAYERS: &[(&str, &[&str])] = &[
    // The floor: no engine imports at all.
    ("time", &[]),
    ("error", &[]),
    ("hash", &[]),
    ("parallel", &[]),
    ("record", &[]),
    ("json", &[]),
    ("settings", &["error"]),
    // Reading tabular files.
    ("data", &["error", "hash", "parallel"]),
    // Analysis: pure functions of data.
    (
        "drift",
        &["data", "error", "hash", "json", "parallel", "time"],
    ),
    ("fairness", &["data", "error", "hash", "json", "parallel"]),
    // Metric histories: x axes, smoothing, groups.
    ("series", &["error"]),
    ("sweep", &[]),
    // Renderers of analysis results.
    ("report", &["drift", "error", "fairness", "json", "time"]),
    // The project's policy file, driftdeck.toml.
    ("policy", &["drift", "error", "fairness"]),
    // The catalog stores records and the drift reference cache.
    (
        "catalog",
        &[
            "data", "drift", "error", "hash", "json", "parallel", "record", "report", "series",
            "sweep", "settings", "time",
        ],
    ),
    // Readers and the index over them.
    (
        "scan",
        &[
            "catalog", "data", "error", "hash", "parallel", "record", "time",
        ],
    ),
    // The live loop, and the drift alerts beside it.
    (
        "watch",
        &["catalog", "drift", "error", "policy", "scan", "time"],
    ),
    // Approval and publishing.
    (
        "registry",
        &[
            "catalog", "data", "drift", "error", "fairness", "hash", "policy", "report", "time",
        ],
    ),
];

/// The binary (`src/main.rs`, `src/cli/`) uses the engine only through its public API.
const BINARY: &[&str] = &["main.rs", "cli"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without comments, string and char literals (their contents become spaces), so
/// that only code is read.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if b[i] == b'r' && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#')) {
            // Raw strings: r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push(b[i] as char);
                i += 1;
                continue;
            }
            j += 1;
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            while j < b.len() && !b[j..].starts_with(&close) {
                j += 1;
            }
            i = (j + close.len()).min(b.len());
            out.push(' ');
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push(' ');
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            i += 3; // 'x'
        } else if b[i] == b'\'' && b.get(i + 1) == Some(&b'\\') {
            i += 2;
            while i < b.len() && b[i] != b'\'' {
                i += 1;
            }
            i += 1;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// Every path in `code` that starts with `root::` (`crate`, `driftdeck`, `super`), as its
/// segments after the root; a `use` group (`crate::{a, b::{c, d}}`) gives one path per item.
fn paths(code: &str, root: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let pattern = format!("{root}::");
    let mut at = 0;
    while let Some(found) = code[at..].find(&pattern) {
        let start = at + found;
        at = start + pattern.len();
        let before = code[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut pos = at;
        tree(code.as_bytes(), &mut pos, &mut Vec::new(), &mut out);
    }
    out
}

/// Reads one use tree at `pos`: `a::b`, `a::{…}`, `{…}`; pushes each complete path.
fn tree(code: &[u8], pos: &mut usize, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let depth = prefix.len();
    loop {
        while code.get(*pos).is_some_and(|c| c.is_ascii_whitespace()) {
            *pos += 1;
        }
        if code.get(*pos) == Some(&b'{') {
            *pos += 1;
            loop {
                tree(code, pos, prefix, out);
                while code.get(*pos).is_some_and(|c| c.is_ascii_whitespace()) {
                    *pos += 1;
                }
                match code.get(*pos) {
                    Some(b',') => *pos += 1,
                    Some(b'}') => {
                        *pos += 1;
                        break;
                    }
                    _ => break,
                }
                while code.get(*pos).is_some_and(|c| c.is_ascii_whitespace()) {
                    *pos += 1;
                }
                if code.get(*pos) == Some(&b'}') {
                    *pos += 1;
                    break;
                }
            }
            prefix.truncate(depth);
            return;
        }
        let start = *pos;
        while code
            .get(*pos)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            *pos += 1;
        }
        if *pos == start {
            break;
        }
        prefix.push(String::from_utf8_lossy(&code[start..*pos]).into_owned());
        if code[*pos..].starts_with(b"::") {
            *pos += 2;
        } else {
            break;
        }
    }
    if prefix.len() > depth {
        out.push(prefix.clone());
    }
    prefix.truncate(depth);
}

/// The module path of a file under `src/` (`src/drift/stats/tests.rs` is `drift::stats::tests`).
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).unwrap();
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// The engine file that `module` (a module path) is defined in, if any: the longest prefix that
/// names a file.
fn file_of(module: &[String], files: &BTreeMap<Vec<String>, PathBuf>) -> Option<PathBuf> {
    (1..=module.len())
        .rev()
        .find_map(|n| files.get(&module[..n]).cloned())
}

#[test]
fn every_engine_module_uses_only_the_layers_below_it() {
    let allowed: BTreeMap<&str, BTreeSet<&str>> = LAYERS
        .iter()
        .map(|(m, uses)| (*m, uses.iter().copied().collect()))
        .collect();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut broken = Vec::new();
    let mut modules_seen = BTreeSet::new();
    for file in &files {
        let rel = file.strip_prefix(src()).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let top = top.trim_end_matches(".rs").to_string();
        if top == "lib"
            || BINARY.contains(&top.as_str())
            || BINARY.contains(&format!("{top}.rs").as_str())
        {
            continue;
        }
        modules_seen.insert(top.clone());
        let Some(may_use) = allowed.get(top.as_str()) else {
            broken.push(format!(
                "{}: module `{top}` has no place in LAYERS",
                rel.display()
            ));
            continue;
        };
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        for path in paths(&code, "crate") {
            let used = path[0].as_str();
            // `test_data` is the test-only path helper (tests/support/test_data.rs); an item of
            // the crate root (`crate::VERSION`) belongs to no layer.
            let root_item = used.starts_with(|c: char| c.is_ascii_uppercase());
            if used == top || used == "test_data" || root_item || may_use.contains(used) {
                continue;
            }
            broken.push(format!(
                "{}: uses crate::{}",
                rel.display(),
                path.join("::")
            ));
        }
    }
    for (m, _) in LAYERS {
        assert!(
            modules_seen.contains(*m),
            "LAYERS names `{m}`, which is not a module of src/ (keep the table true)"
        );
    }
    assert!(
        broken.is_empty(),
        "layer rules broken (see LAYERS in tests/layers.rs):\n  {}",
        broken.join("\n  ")
    );
}

#[test]
fn no_two_engine_files_use_each_other_in_a_circle() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let engine: Vec<&PathBuf> = files
        .iter()
        .filter(|f| {
            let rel = f
                .strip_prefix(src())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            !BINARY
                .iter()
                .any(|b| rel == *b || rel.starts_with(&format!("{b}/")))
        })
        .collect();
    let by_module: BTreeMap<Vec<String>, PathBuf> = engine
        .iter()
        .map(|f| (module_of(f), (*f).clone()))
        .collect();
    // file -> the engine files it uses. Tests (`tests.rs`, `*_tests.rs`) use their parent by
    // design and are left out.
    let mut edges: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    for file in &engine {
        let name = file.file_name().unwrap().to_string_lossy();
        if name == "tests.rs" || name.ends_with("_tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        // Unit tests inside a file may use anything; only the code above them counts.
        let text = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        let code = code_only(text);
        let here = module_of(file);
        // `super::` from `a/b.rs` (module a::b) means `a`; from `a/mod.rs` (module a) the parent.
        let parent: Vec<String> = here[..here.len().saturating_sub(1)].to_vec();
        let mut uses = BTreeSet::new();
        for path in paths(&code, "crate") {
            if let Some(f) = file_of(&path, &by_module) {
                uses.insert(f);
            }
        }
        for path in paths(&code, "super") {
            let mut full = parent.clone();
            full.extend(path);
            if let Some(f) = file_of(&full, &by_module) {
                uses.insert(f);
            }
        }
        uses.remove(*file);
        // A parent module declares its children (`mod x;`) and may re-export them: that is
        // not a use, and a child using its parent's types is the normal direction.
        edges.insert((*file).clone(), uses);
    }
    // A module file (`mod.rs`, or `a.rs` with an `a/` folder) and its own children: children may
    // use the parent; the parent using a child is the declaring direction. Count only edges
    // between files that are not parent and child.
    let is_ancestor = |a: &Path, b: &Path| {
        let (ma, mb) = (module_of(a), module_of(b));
        mb.len() > ma.len() && mb[..ma.len()] == ma[..]
    };
    let mut circles = Vec::new();
    for (a, uses) in &edges {
        for b in uses {
            if is_ancestor(a, b) || is_ancestor(b, a) {
                continue;
            }
            if reaches(&edges, b, a, &is_ancestor) {
                circles.push(format!(
                    "{} and {}",
                    a.strip_prefix(src()).unwrap().display(),
                    b.strip_prefix(src()).unwrap().display()
                ));
            }
        }
    }
    assert!(
        circles.is_empty(),
        "files that use each other, directly or through others:\n  {}",
        circles.join("\n  ")
    );
}

/// Whether `to` is reachable from `from` over uses between files that are not parent and child.
fn reaches(
    edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>,
    from: &Path,
    to: &Path,
    is_ancestor: &dyn Fn(&Path, &Path) -> bool,
) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_path_buf()];
    while let Some(f) = stack.pop() {
        if f == to {
            return true;
        }
        if !seen.insert(f.clone()) {
            continue;
        }
        for g in edges.get(&f).into_iter().flatten() {
            if !is_ancestor(&f, g) && !is_ancestor(g, &f) {
                stack.push(g.clone());
            }
        }
    }
    false
}

/// Where the engine may read the clock (ARCHITECTURE.md, `src/time.rs`): `time.rs` itself; to
/// measure durations (a report's `elapsed_ms`, the watcher's debounce and polling, a retry
/// deadline); to stamp what it writes (the drift cache's last use); and the registry's work
/// against a server (retries, leases, audit entries). Everything that decides from a date takes
/// `now` from its caller instead, so tests are deterministic.
const READS_THE_CLOCK: &[(&str, &str)] = &[
    ("time.rs", "the clock itself"),
    (
        "catalog/mod.rs",
        "the busy-retry deadline when a new file switches to WAL",
    ),
    (
        "catalog/drift_cache.rs",
        "stamps a cached reference's last use (least recently used out)",
    ),
    ("drift/compare.rs", "the report's elapsed_ms"),
    ("fairness/check.rs", "the report's elapsed_ms"),
    ("fairness/regression_check.rs", "the report's elapsed_ms"),
    ("watch/mod.rs", "debounce, polling and re-check intervals"),
    ("registry/aliases.rs", "audit entries of alias moves"),
    ("registry/connection.rs", "audit entries of logins"),
    (
        "registry/publish.rs",
        "the outbox's retries, leases and audit entries",
    ),
    ("registry/remote.rs", "when registry models were pulled"),
];

#[test]
fn the_clock_is_read_only_where_the_architecture_says() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut readers = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(src())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let name = file.file_name().unwrap().to_string_lossy();
        if rel.starts_with("cli/")
            || rel == "main.rs"
            || name == "tests.rs"
            || name.ends_with("_tests.rs")
        {
            continue; // the binary is an edge; tests may time themselves
        }
        let text = std::fs::read_to_string(file).unwrap();
        let code = code_only(text.split("#[cfg(test)]\nmod tests").next().unwrap());
        if ["now_ms()", "SystemTime::now", "Instant::now"]
            .iter()
            .any(|c| code.contains(c))
        {
            readers.push(rel);
        }
    }
    readers.sort();
    let mut allowed: Vec<String> = READS_THE_CLOCK.iter().map(|(f, _)| f.to_string()).collect();
    allowed.sort();
    assert_eq!(
        readers, allowed,
        "files reading the clock differ from READS_THE_CLOCK (pass `now` in, or say why here and in ARCHITECTURE.md)"
    );
}

#[test]
fn the_reader_of_uses_finds_what_it_should() {
    let code = code_only(
        "use crate::{drift::sample::X, data::{self, scan}};\n// crate::catalog in a comment\nlet s = \"crate::registry\";\nuse super::model::ModelRef;\nfn f() { crate::time::now_ms() }",
    );
    assert_eq!(
        paths(&code, "crate"),
        vec![
            vec!["drift".to_string(), "sample".into(), "X".into()],
            vec!["data".to_string(), "self".into()],
            vec!["data".to_string(), "scan".into()],
            vec!["time".to_string(), "now_ms".into()],
        ]
    );
    assert_eq!(
        paths(&code, "super"),
        vec![vec!["model".to_string(), "ModelRef".into()]]
    );
}
