//! TFRecord framing: the container of TensorBoard event files.
//!
//! Each record is `u64 length | u32 masked CRC32C of the length bytes | data | u32 masked CRC32C
//! of the data`, little-endian. The reader streams: it holds one record in memory at a time,
//! and the record buffer grows only as data actually arrives, so a corrupt length can never
//! allocate more than the file holds.
//!
//! A file that ends inside a record (a writer is still appending, or was killed) ends the read
//! quietly: it is not damage. A checksum that does not match is damage, reported with the byte
//! offset of the record; nothing after it can be trusted, so reading stops there.

use std::io::{self, Read};

/// Bytes before a record's data: the length and its checksum.
const HEADER: usize = 12;
/// Bytes after a record's data: its checksum.
const FOOTER: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("the length of the record at byte {offset} does not match its checksum")]
    LengthChecksum { offset: u64 },
    #[error("the record at byte {offset} does not match its checksum")]
    DataChecksum { offset: u64 },
    #[error("cannot read the record at byte {offset}: {source}")]
    Io {
        offset: u64,
        #[source]
        source: io::Error,
    },
}

/// Reads the records of a TFRecord stream one at a time.
pub struct TfRecordReader<R> {
    input: R,
    /// File offset of the next record.
    offset: u64,
    data: Vec<u8>,
    done: bool,
}

impl<R: Read> TfRecordReader<R> {
    pub fn new(input: R) -> TfRecordReader<R> {
        TfRecordReader {
            input,
            offset: 0,
            data: Vec::new(),
            done: false,
        }
    }

    /// The next record's data and the byte offset it starts at, or `None` at the end of the
    /// stream (including an end inside a record). After an error, always `None`.
    pub fn next_record(&mut self) -> Result<Option<(u64, &[u8])>, FrameError> {
        if self.done {
            return Ok(None);
        }
        match self.read_one() {
            Ok(true) => Ok(Some((self.offset_of_current(), &self.data))),
            Ok(false) => {
                self.done = true;
                Ok(None)
            }
            Err(err) => {
                self.done = true;
                Err(err)
            }
        }
    }

    /// The offset of the record just returned (`self.offset` already points past it).
    fn offset_of_current(&self) -> u64 {
        self.offset - (HEADER + self.data.len() + FOOTER) as u64
    }

    /// Reads one record into `self.data`; `false` at the end of the stream.
    fn read_one(&mut self) -> Result<bool, FrameError> {
        let offset = self.offset;
        let io_err = |source| FrameError::Io { offset, source };
        let mut header = [0u8; HEADER];
        if read_full(&mut self.input, &mut header).map_err(io_err)? < HEADER {
            return Ok(false);
        }
        let (len_bytes, len_crc) = header.split_at(8);
        if masked_crc32c(len_bytes) != le_u32(len_crc) {
            return Err(FrameError::LengthChecksum { offset });
        }
        let len = u64::from_le_bytes(len_bytes.try_into().unwrap_or_default());
        self.data.clear();
        // `take` + `read_to_end` grows the buffer only as bytes arrive: bounded by the file.
        let got = (&mut self.input)
            .take(len)
            .read_to_end(&mut self.data)
            .map_err(io_err)?;
        if (got as u64) < len {
            return Ok(false);
        }
        let mut footer = [0u8; FOOTER];
        if read_full(&mut self.input, &mut footer).map_err(io_err)? < FOOTER {
            return Ok(false);
        }
        if masked_crc32c(&self.data) != u32::from_le_bytes(footer) {
            return Err(FrameError::DataChecksum { offset });
        }
        self.offset += (HEADER as u64) + len + (FOOTER as u64);
        Ok(true)
    }
}

/// TensorFlow's masked CRC32C: rotated and offset so that a CRC stored inside checksummed data
/// does not weaken the outer checksum.
pub fn masked_crc32c(data: &[u8]) -> u32 {
    crc32c::crc32c(data)
        .rotate_right(15)
        .wrapping_add(0xa282_ead8)
}

fn le_u32(bytes: &[u8]) -> u32 {
    u32::from_le_bytes(bytes.try_into().unwrap_or_default())
}

/// Fills `buf` as far as the input allows; returns how many bytes were read (less than
/// `buf.len()` only at the end of the input).
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

/// Frames `records` as a TFRecord stream (for tests that build event files by hand).
#[cfg(test)]
pub fn frame(records: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for data in records {
        let len = (data.len() as u64).to_le_bytes();
        out.extend_from_slice(&len);
        out.extend_from_slice(&masked_crc32c(&len).to_le_bytes());
        out.extend_from_slice(data);
        out.extend_from_slice(&masked_crc32c(data).to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads every record of `bytes`: the records read and the error that stopped the read.
    fn read(bytes: &[u8]) -> (Vec<(u64, Vec<u8>)>, Option<FrameError>) {
        let mut reader = TfRecordReader::new(bytes);
        let mut out = Vec::new();
        loop {
            match reader.next_record() {
                Ok(Some((offset, data))) => out.push((offset, data.to_vec())),
                Ok(None) => return (out, None),
                Err(err) => return (out, Some(err)),
            }
        }
    }

    fn sample() -> Vec<Vec<u8>> {
        vec![b"first".to_vec(), Vec::new(), vec![7u8; 300]]
    }

    #[test]
    fn reads_back_what_was_framed_with_offsets() {
        let (got, err) = read(&frame(&sample()));
        assert!(err.is_none());
        let offsets: Vec<u64> = got.iter().map(|(o, _)| *o).collect();
        assert_eq!(offsets, [0, 21, 37]);
        let data: Vec<Vec<u8>> = got.into_iter().map(|(_, d)| d).collect();
        assert_eq!(data, sample());
    }

    #[test]
    fn the_masked_crc_matches_tensorflow() {
        // The length record of a TensorFlow `brain.Event:2` file-version event (24 bytes), as
        // written by tensorboardX at the start of every event file.
        let len = 24u64.to_le_bytes();
        assert_eq!(masked_crc32c(&len), 0x224b_7fa3);
    }

    #[test]
    fn every_cut_ends_the_read_quietly_with_the_whole_records_before_it() {
        let bytes = frame(&sample());
        let (all, _) = read(&bytes);
        for cut in 0..bytes.len() {
            let (got, err) = read(&bytes[..cut]);
            assert!(err.is_none(), "cut at {cut}: {err:?}");
            let whole = all
                .iter()
                .filter(|(o, d)| *o as usize + HEADER + d.len() + FOOTER <= cut)
                .count();
            assert_eq!(got.len(), whole, "cut at {cut}");
        }
    }

    #[test]
    fn a_flipped_byte_is_reported_at_its_record_and_ends_the_read() {
        let bytes = frame(&sample());
        let (all, _) = read(&bytes);
        for at in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x10;
            let (got, err) = read(&damaged);
            let hit = all
                .iter()
                .rposition(|(o, _)| *o as usize <= at)
                .expect("every byte belongs to a record");
            assert_eq!(
                got.len(),
                hit,
                "flip at {at}: the records before the damaged one"
            );
            // CRC32C catches every single-bit error, in the length as in the data.
            let offset = match err {
                Some(
                    FrameError::LengthChecksum { offset } | FrameError::DataChecksum { offset },
                ) => offset,
                other => panic!("flip at {at}: {other:?}"),
            };
            assert_eq!(offset, all[hit].0, "flip at {at}");
        }
    }

    #[test]
    fn a_huge_length_with_a_valid_checksum_allocates_no_more_than_the_input() {
        let len = u64::MAX.to_le_bytes();
        let mut bytes = len.to_vec();
        bytes.extend_from_slice(&masked_crc32c(&len).to_le_bytes());
        bytes.extend_from_slice(b"short");
        let (got, err) = read(&bytes);
        assert!(got.is_empty() && err.is_none());
    }

    #[test]
    fn an_empty_stream_has_no_records() {
        let (got, err) = read(&[]);
        assert!(got.is_empty() && err.is_none());
    }
}
