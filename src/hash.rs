//! BLAKE3 content hashes: the one way Driftdeck names a file's bytes (catalog units, drift and
//! fairness reports, model content hashes, publish manifests).

use std::path::Path;

/// The size and BLAKE3 (lower-case hex) of a file's bytes, read in one streaming pass.
pub fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(path)?)?;
    Ok((hasher.count(), hasher.finalize().to_hex().to_string()))
}

/// BLAKE3 (lower-case hex) of bytes in memory.
pub fn hash_bytes(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_and_its_bytes_hash_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.bin");
        let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let (size, hex) = hash_file(&path).unwrap();
        assert_eq!(size, 100_000);
        assert_eq!(hex, hash_bytes(&bytes));
        assert_eq!(hex.len(), 64);
        // The empty input's BLAKE3, from the BLAKE3 specification's test vectors.
        assert_eq!(
            hash_bytes(b""),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
    }

    #[test]
    fn a_missing_file_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(hash_file(&dir.path().join("missing")).is_err());
    }
}
