//! Reading what a pickle names without unpickling it: the protocol and the classes its
//! `GLOBAL`/`STACK_GLOBAL` opcodes import, from the first bytes of the stream.
//!
//! Unpickling runs arbitrary code, so it is never done. Instead the opcodes are walked (each
//! opcode's argument layout is fixed by the pickle format), with just enough of a stack and memo
//! to know the two strings a `STACK_GLOBAL` takes. The walk stops where it cannot go on: at the
//! end of the window it was given, or where joblib has written raw array bytes into the stream
//! (after a `NumpyArrayWrapper`), which are not opcodes. From there on, classes are found by
//! their byte pattern (`SHORT_BINUNICODE module, SHORT_BINUNICODE name, STACK_GLOBAL`, or
//! `GLOBAL module\nname\n`), which is how the estimator after a fitted imputer's arrays is still
//! seen.

use std::collections::HashMap;

/// At most this many classes are listed (a forest pickles the same few over and over).
const MAX_CLASSES: usize = 64;
/// Memo entries kept; the window is small, so this is only a guard against crafted input.
const MAX_MEMO: usize = 1 << 16;

/// What the first bytes of a pickle say.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PickleFacts {
    /// From the `PROTO` opcode; `None` for protocols 0 and 1, which have none.
    pub protocol: Option<u8>,
    /// Distinct `(module, name)` pairs in the order they first appear.
    pub classes: Vec<(String, String)>,
    /// The walk reached a `STOP` opcode.
    pub stopped: bool,
}

impl PickleFacts {
    /// The class of the pickled object: the first class named that is not one of the helpers
    /// pickle uses to rebuild objects (those take the real class as an argument).
    pub fn top_class(&self) -> Option<&(String, String)> {
        self.classes.iter().find(|(m, n)| !is_rebuild_helper(m, n))
    }
}

fn is_rebuild_helper(module: &str, name: &str) -> bool {
    matches!(
        (module, name),
        (
            "copyreg" | "copy_reg",
            "_reconstructor" | "__newobj__" | "__newobj_ex__"
        ) | ("builtins" | "__builtin__", "getattr")
    ) || name == "_reconstruct" && module.starts_with("numpy")
}

/// Why `bytes` is not the start of a pickle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PickleError {
    #[error(
        "expected a pickle stream (PROTO opcode 0x80, or a protocol-0 opcode) at byte 0, found {0:#04x}"
    )]
    NotPickle(u8),
    #[error("empty file; expected a pickle stream")]
    Empty,
    #[error(
        "the pickle stream ends at byte {at} inside opcode {opcode:#04x}, before its STOP opcode"
    )]
    Truncated { at: usize, opcode: u8 },
    #[error("the pickle stream ends at byte {at} before its STOP opcode")]
    NoStop { at: usize },
    #[error("unknown pickle opcode {opcode:#04x} at byte {at}")]
    BadOpcode { at: usize, opcode: u8 },
}

#[derive(Debug, Clone)]
enum Item {
    Str(String),
    Other,
}

/// Scans the pickle at the start of `bytes`. `whole` says that `bytes` is the whole file (so an
/// early end is a truncation); `multi` continues past `STOP` into the next pickle (legacy
/// `torch.save` writes several in a row).
pub fn scan(bytes: &[u8], whole: bool, multi: bool) -> Result<PickleFacts, PickleError> {
    let Some(&first) = bytes.first() else {
        return Err(PickleError::Empty);
    };
    if first != 0x80 && !is_protocol0_start(first) {
        return Err(PickleError::NotPickle(first));
    }
    let mut facts = PickleFacts::default();
    let mut walk = Walk {
        bytes,
        pos: 0,
        stack: Vec::new(),
        memo: HashMap::new(),
        facts: &mut facts,
        raw_data_next: false,
    };
    let stop = walk.run(multi);
    let end = walk.pos;
    match stop {
        Stop::Done => {}
        Stop::Ended { opcode } if whole => {
            return Err(match opcode {
                Some(opcode) => PickleError::Truncated { at: end, opcode },
                None => PickleError::NoStop { at: end },
            });
        }
        Stop::Ended { .. } => {}
        // An unknown opcode before any class was named: not a pickle we can say anything about.
        Stop::Lost { at, opcode } if facts.classes.is_empty() => {
            return Err(PickleError::BadOpcode { at, opcode });
        }
        // Raw array bytes (joblib) or an unknown opcode: the rest is searched by pattern.
        Stop::Lost { .. } => {}
    }
    // The whole window is searched by pattern too: a walk that went astray in raw bytes that
    // happened to parse as opcodes must not hide the classes after them.
    find_by_pattern(bytes, &mut facts);
    Ok(facts)
}

fn is_protocol0_start(b: u8) -> bool {
    // The opcodes a protocol 0/1 pickle of an object, list, dict or tuple starts with.
    matches!(
        b,
        b'(' | b'c'
            | b']'
            | b'}'
            | b')'
            | b'N'
            | b'I'
            | b'S'
            | b'V'
            | b'F'
            | b'L'
            | b'X'
            | b'K'
            | b'J'
            | b'M'
            | b'U'
            | b'T'
            | b'G'
    )
}

enum Stop {
    /// A `STOP` opcode (and, for `multi`, no further pickle).
    Done,
    /// The bytes ended; `opcode` is the one whose argument was cut, if any.
    Ended { opcode: Option<u8> },
    /// Bytes that are not an opcode.
    Lost { at: usize, opcode: u8 },
}

struct Walk<'a, 'f> {
    bytes: &'a [u8],
    pos: usize,
    /// The top of the stack, roughly: only strings matter (for `STACK_GLOBAL`).
    stack: Vec<Item>,
    memo: HashMap<u64, Item>,
    facts: &'f mut PickleFacts,
    /// joblib's `NumpyArrayWrapper` was named: the next `BUILD` is followed by raw bytes (or is
    /// one inside the wrapper's state, a little early, which is harmless: the rest of the window
    /// is searched by pattern).
    raw_data_next: bool,
}

impl Walk<'_, '_> {
    fn run(&mut self, multi: bool) -> Stop {
        loop {
            let at = self.pos;
            let Some(&op) = self.bytes.get(at) else {
                return Stop::Ended { opcode: None };
            };
            self.pos += 1;
            match self.step(op) {
                Ok(Step::Continue) => {}
                Ok(Step::Stop) => {
                    if multi && self.pos < self.bytes.len() && self.bytes[self.pos] == 0x80 {
                        continue;
                    }
                    self.facts.stopped = true;
                    return Stop::Done;
                }
                Ok(Step::RawData) => {
                    return Stop::Lost {
                        at: self.pos,
                        opcode: op,
                    };
                }
                Err(Short) => return Stop::Ended { opcode: Some(op) },
                Ok(Step::Unknown) => return Stop::Lost { at, opcode: op },
            }
        }
    }

    fn take(&mut self, n: usize) -> Result<&[u8], Short> {
        let end = self.pos.checked_add(n).ok_or(Short)?;
        let s = self.bytes.get(self.pos..end).ok_or(Short)?;
        self.pos = end;
        Ok(s)
    }

    fn uint(&mut self, n: usize) -> Result<u64, Short> {
        let b = self.take(n)?;
        let mut v = 0u64;
        for (i, byte) in b.iter().enumerate() {
            v |= u64::from(*byte) << (8 * i);
        }
        Ok(v)
    }

    fn line(&mut self) -> Result<&[u8], Short> {
        let rest = self.bytes.get(self.pos..).ok_or(Short)?;
        let n = rest.iter().position(|&b| b == b'\n').ok_or(Short)?;
        self.pos += n + 1;
        Ok(&rest[..n])
    }

    /// Reads `len` bytes of string data, pushing them as a string if they are UTF-8.
    fn push_data(&mut self, len: u64) -> Result<(), Short> {
        let len = usize::try_from(len).map_err(|_| Short)?;
        let data = self.take(len)?;
        let item = match std::str::from_utf8(data) {
            Ok(s) => Item::Str(s.to_string()),
            Err(_) => Item::Other,
        };
        self.push(item);
        Ok(())
    }

    fn push(&mut self, item: Item) {
        // Only the top few entries are ever looked at.
        if self.stack.len() >= 32 {
            self.stack.drain(..16);
        }
        self.stack.push(item);
    }

    fn memo_put(&mut self, index: u64) {
        if self.memo.len() < MAX_MEMO {
            let top = self.stack.last().cloned().unwrap_or(Item::Other);
            self.memo.insert(index, top);
        }
    }

    fn memo_get(&mut self, index: u64) {
        let item = self.memo.get(&index).cloned().unwrap_or(Item::Other);
        self.push(item);
    }

    fn global(&mut self, module: &str, name: &str) {
        // Cleared by the next BUILD only: the wrapper's state (a dtype) names classes too.
        if name == "NumpyArrayWrapper" && module.ends_with("numpy_pickle") {
            self.raw_data_next = true;
        }
        add_class(self.facts, module, name);
        self.push(Item::Other);
    }

    fn step(&mut self, op: u8) -> Result<Step, Short> {
        match op {
            // STOP
            b'.' => return Ok(Step::Stop),
            // No argument, pushes a value.
            b'N' | b')' | b']' | b'}' | 0x88 | 0x89 | 0x8f | b'(' => self.push(Item::Other),
            // No argument; pops or rebuilds (the rough stack needs no update).
            b'0' | b'1' | b'2' | b'Q' | b'R' | b'a' | b'd' | b'e' | b'l' | b'o' | b's' | b't'
            | b'u' | 0x81 | 0x85 | 0x86 | 0x87 | 0x90 | 0x91 | 0x92 | 0x97 | 0x98 => {
                self.push(Item::Other)
            }
            b'b' => {
                // BUILD; joblib writes an array's raw bytes right after its wrapper's BUILD.
                if self.raw_data_next {
                    return Ok(Step::RawData);
                }
            }
            // Newline-terminated arguments.
            b'F' | b'I' | b'L' | b'P' | b'S' => {
                let text = self.line()?;
                let item = if op == b'S' {
                    let t = String::from_utf8_lossy(text);
                    Item::Str(t.trim_matches(|c| c == '\'' || c == '"').to_string())
                } else {
                    Item::Other
                };
                self.push(item);
            }
            b'V' => {
                let text = String::from_utf8_lossy(self.line()?).into_owned();
                self.push(Item::Str(text));
            }
            b'c' | b'i' => {
                let module = String::from_utf8_lossy(self.line()?).into_owned();
                let name = String::from_utf8_lossy(self.line()?).into_owned();
                self.global(&module, &name);
            }
            b'g' => {
                let index = parse_index(self.line()?);
                self.memo_get(index);
            }
            b'p' => {
                let index = parse_index(self.line()?);
                self.memo_put(index);
            }
            // Fixed-size arguments.
            b'K' | 0x82 => {
                self.take(1)?;
                self.push(Item::Other);
            }
            b'M' | 0x83 => {
                self.take(2)?;
                self.push(Item::Other);
            }
            b'J' | 0x84 => {
                self.take(4)?;
                self.push(Item::Other);
            }
            b'G' => {
                self.take(8)?;
                self.push(Item::Other);
            }
            0x80 => {
                let v = self.uint(1)? as u8;
                self.facts.protocol.get_or_insert(v);
            }
            0x95 => {
                self.take(8)?; // FRAME: its length only
            }
            b'h' => {
                let i = self.uint(1)?;
                self.memo_get(i);
            }
            b'j' => {
                let i = self.uint(4)?;
                self.memo_get(i);
            }
            b'q' => {
                let i = self.uint(1)?;
                self.memo_put(i);
            }
            b'r' => {
                let i = self.uint(4)?;
                self.memo_put(i);
            }
            0x94 => {
                let i = self.memo.len() as u64;
                self.memo_put(i);
            }
            // Length-prefixed data.
            b'U' | b'C' | 0x8c => {
                let n = self.uint(1)?;
                self.push_data(n)?;
            }
            b'T' | b'X' | b'B' => {
                let n = self.uint(4)?;
                self.push_data(n)?;
            }
            0x8d | 0x8e | 0x96 => {
                let n = self.uint(8)?;
                self.push_data(n)?;
            }
            0x8a => {
                let n = self.uint(1)?;
                self.take(n as usize)?;
                self.push(Item::Other);
            }
            0x8b => {
                let n = self.uint(4)?;
                self.take(n as usize)?;
                self.push(Item::Other);
            }
            0x93 => {
                let name = self.stack.pop();
                let module = self.stack.pop();
                if let (Some(Item::Str(module)), Some(Item::Str(name))) = (module, name) {
                    self.global(&module, &name);
                } else {
                    self.push(Item::Other);
                }
            }
            _ => return Ok(Step::Unknown),
        }
        Ok(Step::Continue)
    }
}

enum Step {
    Continue,
    Stop,
    RawData,
    Unknown,
}

/// The bytes ran out inside an opcode's argument.
struct Short;

fn parse_index(text: &[u8]) -> u64 {
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(u64::MAX)
}

fn add_class(facts: &mut PickleFacts, module: &str, name: &str) {
    if !is_dotted_identifier(module) || !is_dotted_identifier(name) {
        return;
    }
    if facts.classes.len() < MAX_CLASSES
        && !facts.classes.iter().any(|(m, n)| m == module && n == name)
    {
        facts.classes.push((module.to_string(), name.to_string()));
    }
}

fn is_dotted_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// Finds classes by their byte patterns in bytes that are not walkable as opcodes.
fn find_by_pattern(bytes: &[u8], facts: &mut PickleFacts) {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            0x8c => {
                if let Some((module, name, next)) = stack_global_at(bytes, i) {
                    add_class(facts, &module, &name);
                    i = next;
                    continue;
                }
            }
            b'c' => {
                if let Some((module, name, next)) = global_at(bytes, i) {
                    add_class(facts, &module, &name);
                    i = next;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// `0x8c len module [0x94] 0x8c len name [0x94] 0x93` at `i`.
fn stack_global_at(b: &[u8], i: usize) -> Option<(String, String, usize)> {
    let short = |at: usize| -> Option<(&str, usize)> {
        if *b.get(at)? != 0x8c {
            return None;
        }
        let len = usize::from(*b.get(at + 1)?);
        let s = std::str::from_utf8(b.get(at + 2..at + 2 + len)?).ok()?;
        let mut next = at + 2 + len;
        if b.get(next) == Some(&0x94) {
            next += 1;
        }
        Some((s, next))
    };
    let (module, next) = short(i)?;
    let (name, next) = short(next)?;
    (b.get(next) == Some(&0x93) && is_dotted_identifier(module) && is_dotted_identifier(name))
        .then(|| (module.to_string(), name.to_string(), next + 1))
}

/// `c module\nname\n` at `i`.
fn global_at(b: &[u8], i: usize) -> Option<(String, String, usize)> {
    let rest = b.get(i + 1..)?;
    let window = &rest[..rest.len().min(512)];
    let first = window.iter().position(|&c| c == b'\n')?;
    let second = window[first + 1..].iter().position(|&c| c == b'\n')? + first + 1;
    let module = std::str::from_utf8(&window[..first]).ok()?;
    let name = std::str::from_utf8(&window[first + 1..second]).ok()?;
    // The module must look like one (a dot or a known root), or random bytes would match.
    (is_dotted_identifier(module) && is_dotted_identifier(name) && module.len() > 1)
        .then(|| (module.to_string(), name.to_string(), i + 1 + second + 1))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A protocol-4 pickle of `module.name()` with an empty state, built by hand.
    pub(crate) fn object_pickle(module: &str, name: &str) -> Vec<u8> {
        let mut b = vec![0x80, 4];
        for s in [module, name] {
            b.push(0x8c);
            b.push(s.len() as u8);
            b.extend_from_slice(s.as_bytes());
            b.push(0x94);
        }
        b.extend_from_slice(&[0x93, 0x94, b')', 0x81, 0x94, b'}', 0x94, b'b', b'.']);
        b
    }

    #[test]
    fn protocol_4_stack_global() {
        let facts = scan(&object_pickle("sklearn.pipeline", "Pipeline"), true, false).unwrap();
        assert_eq!(facts.protocol, Some(4));
        assert!(facts.stopped);
        assert_eq!(
            facts.top_class(),
            Some(&("sklearn.pipeline".to_string(), "Pipeline".to_string()))
        );
    }

    #[test]
    fn protocol_2_global_through_copyreg() {
        let b = b"\x80\x02ccopy_reg\n_reconstructor\nq\x00cmy.models\nNet\nq\x01c__builtin__\nobject\nq\x02N\x87q\x03Rq\x04.";
        let facts = scan(b, true, false).unwrap();
        assert_eq!(facts.protocol, Some(2));
        assert_eq!(
            facts.top_class(),
            Some(&("my.models".to_string(), "Net".to_string()))
        );
    }

    #[test]
    fn memoised_module_names_are_resolved() {
        // STACK_GLOBAL of (memo[0], "B") after "a.mod" was memoised.
        let b = b"\x80\x04\x8c\x05a.mod\x94\x8c\x01A\x94\x93\x94h\x00\x8c\x01B\x94\x93\x94.";
        let facts = scan(b, true, false).unwrap();
        let names: Vec<String> = facts
            .classes
            .iter()
            .map(|(m, n)| format!("{m}.{n}"))
            .collect();
        assert_eq!(names, ["a.mod.A", "a.mod.B"]);
    }

    #[test]
    fn truncated_and_garbage_input_are_errors_not_panics() {
        let full = object_pickle("sklearn.pipeline", "Pipeline");
        for cut in 1..full.len() {
            let err = scan(&full[..cut], true, false).unwrap_err();
            assert!(
                matches!(
                    err,
                    PickleError::Truncated { .. } | PickleError::NoStop { .. }
                ),
                "{cut}: {err}"
            );
            // A window of a longer file is fine.
            assert!(scan(&full[..cut], false, false).is_ok());
        }
        assert_eq!(scan(b"", true, false), Err(PickleError::Empty));
        assert_eq!(
            scan(b"\x00\x01garbage", true, false),
            Err(PickleError::NotPickle(0))
        );
        assert!(matches!(
            scan(b"\x80\x04\xff", true, false),
            Err(PickleError::BadOpcode { at: 2, .. })
        ));
    }
}
