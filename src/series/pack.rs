//! Series for the window in one binary buffer, not JSON arrays: a JSON header that says what
//! the arrays are, then the arrays as little-endian `f64`, each starting on an 8-byte boundary
//! so the window reads them in place as `Float64Array`s.
//!
//! Layout: `DDS1` (4 bytes), the header's length in bytes (`u32`, little-endian), the header
//! (UTF-8 JSON), zero bytes up to a multiple of 8, then the arrays one after the other, in the
//! order and with the lengths the header gives.

use serde::Serialize;

/// The buffer's first four bytes (and its version).
pub const MAGIC: &[u8; 4] = b"DDS1";

/// The buffer of `header` and `arrays`.
pub fn pack<H: Serialize>(header: &H, arrays: &[&[f64]]) -> Vec<u8> {
    let json = serde_json::to_vec(header).expect("a series header serialises");
    let start = (8 + json.len()).div_ceil(8) * 8;
    let total = start + 8 * arrays.iter().map(|a| a.len()).sum::<usize>();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    out.resize(start, 0);
    for a in arrays {
        for v in *a {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// The header and the arrays of a buffer made by [`pack`], given each array's length (what a
/// reader takes from the header). For tests and tools; the window has its own reader.
pub fn unpack(buffer: &[u8], lengths: &[usize]) -> Option<(serde_json::Value, Vec<Vec<f64>>)> {
    if buffer.get(..4)? != MAGIC {
        return None;
    }
    let len = u32::from_le_bytes(buffer.get(4..8)?.try_into().ok()?) as usize;
    let header = serde_json::from_slice(buffer.get(8..8 + len)?).ok()?;
    let mut at = (8 + len).div_ceil(8) * 8;
    let mut arrays = Vec::with_capacity(lengths.len());
    for &n in lengths {
        let bytes = buffer.get(at..at + 8 * n)?;
        arrays.push(
            bytes
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
                .collect(),
        );
        at += 8 * n;
    }
    (at == buffer.len()).then_some((header, arrays))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_start_on_8_byte_boundaries_and_read_back_bit_for_bit() {
        for name in ["", "a", "loss/train", "a longer header name"] {
            let header = serde_json::json!({ "name": name });
            let (a, b) = ([1.5, f64::NAN, -0.0], [f64::INFINITY, 1e-300]);
            let buf = pack(&header, &[&a, &b]);
            assert_eq!(&buf[..4], MAGIC);
            let len = u32::from_le_bytes(buf[4..8].try_into().unwrap()) as usize;
            let start = (8 + len).div_ceil(8) * 8;
            assert_eq!(start % 8, 0);
            assert_eq!(buf.len(), start + 8 * 5);
            let (h, arrays) = unpack(&buf, &[3, 2]).unwrap();
            assert_eq!(h, header);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&arrays[0]), bits(&a));
            assert_eq!(bits(&arrays[1]), bits(&b));
        }
        assert!(unpack(b"XXXX\0\0\0\0", &[]).is_none());
        assert!(
            unpack(&pack(&1, &[&[1.0]]), &[2]).is_none(),
            "lengths must match"
        );
    }
}
