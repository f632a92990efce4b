//! Running the real `driftdeck` binary from the integration tests: a command line built from
//! plain words and whole arguments, and what its output says.
//!
//! `#[path]`-included by the integration tests that use it (it needs `CARGO_BIN_EXE_driftdeck`,
//! so never by the unit tests or the benchmarks). The report commands (`drift`, `fairness`)
//! share one contract: `--format json` writes the report on stdout and exits 0, or 1 when a
//! check failed; bad input exits 2 with an error that names what was wrong.

#![allow(dead_code)] // each includer uses a part

use std::ffi::{OsStr, OsString};
use std::process::{Command, Output};

use serde_json::Value;

/// One `driftdeck` command line, built up by a test. It never reaches the user's catalog by
/// accident: `DRIFTDECK_DB` is removed from its environment.
pub struct Cli {
    args: Vec<OsString>,
}

impl Cli {
    /// `driftdeck SUBCOMMAND`.
    pub fn new(subcommand: &str) -> Cli {
        Cli {
            args: vec![subcommand.into()],
        }
    }

    /// One argument, kept whole: a path, which may hold a space.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Cli {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// An option and its value, the value kept whole (`--charts DIR`).
    pub fn opt(self, flag: &str, value: impl AsRef<OsStr>) -> Cli {
        self.arg(flag).arg(value)
    }

    /// Flags and plain values split on white space (`--method psi --drift-share 0.25`): never a
    /// path, which goes through [`Cli::arg`] or [`Cli::opt`].
    pub fn args(mut self, words: &str) -> Cli {
        self.args
            .extend(words.split_whitespace().map(OsString::from));
        self
    }

    pub fn output(&self) -> Output {
        Command::new(env!("CARGO_BIN_EXE_driftdeck"))
            .args(&self.args)
            .env_remove("DRIFTDECK_DB")
            .output()
            .expect("the driftdeck binary runs")
    }

    /// Runs it with `--format json` and returns the report (see [`report`]).
    pub fn report(self) -> Value {
        report(&self.args("--format json").output())
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The JSON report on stdout of a run that exited 0, or 1 (a check failed, the report is
/// still written).
pub fn report(out: &Output) -> Value {
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {}",
        out.status.code(),
        stderr(out)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// `out` comes from a command that succeeded; else its stderr is the failure message.
pub fn assert_success(out: &Output, what: &str) {
    assert!(out.status.success(), "{what} failed: {}", stderr(out));
}

/// The run exited with `code` (2: bad input; 3: the registry refused or failed), and stderr
/// says each of `says`.
pub fn assert_exit(out: &Output, code: i32, says: &[&str]) {
    assert_eq!(out.status.code(), Some(code), "{}", stderr(out));
    let err = stderr(out);
    for words in says {
        assert!(err.contains(words), "{words:?} not in: {err}");
    }
}

/// The string at JSON pointer `pointer` (`/info/status`) in every entry of the JSON array `items`.
pub fn strings<'a>(items: &'a Value, pointer: &str) -> Vec<&'a str> {
    let at = |item: &'a Value| item.pointer(pointer).and_then(Value::as_str);
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|item| at(item).unwrap_or_else(|| panic!("no string at {pointer} in {item}")))
        .collect()
}

/// The entry of the JSON array `items` whose `key` is `value`.
pub fn find<'a>(items: &'a Value, key: &str, value: &str) -> Option<&'a Value> {
    items.as_array()?.iter().find(|item| item[key] == value)
}
