//! `.h5`/`.hdf5`: the HDF5 signature, and the Keras attributes when they are cheaply found.
//!
//! Decoding HDF5 (B-trees, heaps, object headers) is out of proportion for a catalog. Keras
//! stores `model_config` (JSON), `keras_version` and `backend` as small attributes of the root
//! group, written inline in its object header near the start of the file; so the first
//! [`WINDOW`] bytes are searched for them. What is not found there is simply not reported.

use std::io::Read;
use std::path::Path;

use serde_json::{Value, json};

use super::ModelError;

const FORMAT: &str = "hdf5";
const SIGNATURE: &[u8; 8] = b"\x89HDF\r\n\x1a\n";
/// Bytes searched for the signature and the Keras attributes.
const WINDOW: u64 = 1 << 20;

pub fn read(path: &Path) -> Result<Value, ModelError> {
    let mut head = Vec::new();
    std::fs::File::open(path)?
        .take(WINDOW)
        .read_to_end(&mut head)?;
    // The signature is at 0, or after a user block of 512, 1024, 2048, ... bytes.
    let offset = std::iter::once(0)
        .chain((9..20).map(|p| 1usize << p))
        .find(|&at| head.get(at..at + SIGNATURE.len()) == Some(SIGNATURE));
    let Some(offset) = offset else {
        return Err(ModelError::NotFormat {
            format: FORMAT,
            detail:
                "expected the HDF5 signature \\x89HDF\\r\\n\\x1a\\n at byte 0 (or 512, 1024, ...)"
                    .into(),
        });
    };
    let superblock_version = head.get(offset + 8).copied();
    let class = find(&head, b"model_config")
        .and_then(|at| json_string_after(&head[at..], b"\"class_name\""));
    let keras_version = find(&head, b"keras_version").and_then(|at| version_after(&head[at..]));
    let backend = find(&head, b"backend").and_then(|at| {
        let near = &head[at..head.len().min(at + 256)];
        ["tensorflow", "jax", "torch", "theano", "numpy"]
            .into_iter()
            .find(|b| find(near, b.as_bytes()).is_some())
    });
    Ok(json!({
        "superblock_offset": offset,
        "superblock_version": superblock_version,
        "keras": class.is_some() || keras_version.is_some(),
        "class": class,
        "keras_version": keras_version,
        "backend": backend,
    }))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The JSON string value after `key` (`"class_name": "Sequential"` -> `Sequential`).
fn json_string_after(hay: &[u8], key: &[u8]) -> Option<String> {
    let at = find(hay, key)? + key.len();
    let rest = &hay[at..hay.len().min(at + 256)];
    let open = rest.iter().position(|&b| b == b'"')?;
    let len = rest[open + 1..].iter().position(|&b| b == b'"')?;
    let value = std::str::from_utf8(&rest[open + 1..open + 1 + len]).ok()?;
    (!value.is_empty()).then(|| value.to_string())
}

/// The first `1.2` or `2.13.1`-like run of ASCII in the bytes after an attribute name.
fn version_after(hay: &[u8]) -> Option<String> {
    let near = &hay[..hay.len().min(256)];
    let mut i = 0;
    while i < near.len() {
        if near[i].is_ascii_digit() && (i == 0 || !near[i - 1].is_ascii_alphanumeric()) {
            let len = near[i..]
                .iter()
                .position(|b| !(b.is_ascii_digit() || *b == b'.'))
                .unwrap_or(near.len() - i);
            let run = std::str::from_utf8(&near[i..i + len]).ok()?;
            let parts: Vec<&str> = run.split('.').collect();
            if (2..=4).contains(&parts.len()) && parts.iter().all(|p| !p.is_empty()) {
                return Some(run.to_string());
            }
            i += len.max(1);
        } else {
            i += 1;
        }
    }
    None
}
