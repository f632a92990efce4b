//! The record log of a `.wandb` file: LevelDB's log format behind a 7-byte W&B header.
//!
//! As found in files written by wandb 0.31 (and as wandb's `core/pkg/leveldb` writes them):
//! - the file starts with `:W&B`, the magic number `0xBEE1` (u16 little-endian) and a version
//!   byte (0);
//! - then 32 KiB blocks, the first one counting the file header. A block holds chunks, each a
//!   7-byte header (u32 checksum, u16 little-endian payload length, u8 type) and its payload.
//!   A chunk never crosses a block; fewer than 7 bytes left at the end of a block are zeros.
//!   A record is one FULL chunk, or a FIRST, any MIDDLE and a LAST chunk;
//! - the checksum is the plain CRC-32 (IEEE, as zlib's `crc32`) of the type byte and the
//!   payload, *not* masked and *not* CRC32C as in LevelDB proper.
//!
//! A file that ends inside a chunk or a record (wandb is still writing) ends the read quietly.
//! Damage (a checksum mismatch, a chunk running past its block, an unknown type) skips the rest
//! of its block, as LevelDB's own reader does, and reading resumes at the next record that
//! starts in a later block: one flipped byte costs at most one block of history. The reader
//! streams one block at a time.

use std::io::{self, Read};

/// Bytes per block.
pub const BLOCK: usize = 32 * 1024;
/// Bytes of a chunk header.
const CHUNK_HEADER: usize = 7;
/// Bytes of the file header.
const FILE_HEADER: usize = 7;
const IDENT: &[u8; 4] = b":W&B";
pub const MAGIC: u16 = 0xBEE1;
pub const VERSION: u8 = 0;

const FULL: u8 = 1;
const FIRST: u8 = 2;
const MIDDLE: u8 = 3;
const LAST: u8 = 4;

/// The file header's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileHeader {
    pub magic: u16,
    pub version: u8,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot read the file: {0}")]
    Io(#[from] io::Error),
    #[error("not a W&B run file: it does not start with \":W&B\" and the magic number 0xBEE1")]
    NotWandb,
    #[error(
        "W&B run file format version {0} is not supported (this reader knows version {VERSION})"
    )]
    Version(u8),
}

/// Where a file was damaged, and how many times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// File offset of the first damaged chunk.
    pub offset: u64,
    pub reason: &'static str,
    /// Places damaged, each costing the rest of its block (or an unfinished record).
    pub count: usize,
}

/// Reads the records of a `.wandb` file one at a time.
pub struct LogReader<R> {
    input: R,
    /// The current block (shorter than [`BLOCK`] only at the end of the input).
    block: Vec<u8>,
    /// File offset of the current block.
    block_start: u64,
    /// Next chunk in the block.
    pos: usize,
    record: Vec<u8>,
    record_start: u64,
    /// A FIRST chunk was read and its LAST is still to come.
    assembling: bool,
    /// After damage: MIDDLE and LAST chunks of a record whose start was lost are expected.
    recovering: bool,
    damage: Option<Damage>,
}

/// The file header at the start of `bytes`: `None` when `bytes` is too short to hold one but
/// holds the start of one (wandb has just created the file).
pub fn check_header(bytes: &[u8]) -> Result<Option<FileHeader>, OpenError> {
    let mut expected = IDENT.to_vec();
    expected.extend_from_slice(&MAGIC.to_le_bytes());
    let known = bytes.len().min(expected.len());
    if bytes.get(..known) != expected.get(..known) {
        return Err(OpenError::NotWandb);
    }
    match bytes.get(FILE_HEADER - 1) {
        None => Ok(None),
        Some(&version) if version != VERSION => Err(OpenError::Version(version)),
        Some(&version) => Ok(Some(FileHeader {
            magic: MAGIC,
            version,
        })),
    }
}

impl<R: Read> LogReader<R> {
    /// Checks the file header (see [`check_header`]); a file too short to hold one is an empty
    /// log.
    pub fn open(input: R) -> Result<LogReader<R>, OpenError> {
        let mut reader = LogReader {
            input,
            block: Vec::with_capacity(BLOCK),
            block_start: 0,
            pos: 0,
            record: Vec::new(),
            record_start: 0,
            assembling: false,
            recovering: false,
            damage: None,
        };
        reader.fill_block()?;
        reader.pos = match check_header(&reader.block)? {
            Some(_) => FILE_HEADER,
            None => reader.block.len(),
        };
        Ok(reader)
    }

    /// Damage met so far.
    pub fn damage(&self) -> Option<&Damage> {
        self.damage.as_ref()
    }

    /// The next whole record and the file offset of its first chunk, or `None` at the end.
    pub fn next_record(&mut self) -> io::Result<Option<(u64, &[u8])>> {
        loop {
            if self.pos + CHUNK_HEADER > self.block.len() {
                if self.block.len() < BLOCK {
                    // The end of the input; a record still being assembled was cut off.
                    return Ok(None);
                }
                self.block_start += BLOCK as u64;
                self.fill_block()?;
                self.pos = 0;
                continue;
            }
            let at = self.pos;
            let offset = self.block_start + at as u64;
            let head = &self.block[at..at + CHUNK_HEADER];
            let checksum = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
            let len = usize::from(u16::from_le_bytes([head[4], head[5]]));
            let kind = head[6];
            if checksum == 0 && len == 0 && kind == 0 {
                // Zeros: the unused rest of a block (or a preallocated file).
                self.pos = self.block.len();
                continue;
            }
            let end = at + CHUNK_HEADER + len;
            if end > self.block.len() {
                if self.block.len() < BLOCK && end <= BLOCK {
                    return Ok(None); // the input ends inside this chunk
                }
                self.damaged(offset, "a chunk runs past the end of its block");
                continue;
            }
            // The checksum covers the type byte and the payload, which follow each other.
            if crc32(&self.block[at + CHUNK_HEADER - 1..end]) != checksum {
                self.damaged(offset, "a chunk does not match its checksum");
                continue;
            }
            self.pos = end;
            let payload = at + CHUNK_HEADER..end;
            match kind {
                FULL | FIRST => {
                    if self.assembling {
                        self.note(self.record_start, "a record is missing its last chunk");
                    }
                    self.record.clear();
                    self.record.extend_from_slice(&self.block[payload]);
                    self.record_start = offset;
                    self.recovering = false;
                    self.assembling = kind == FIRST;
                    if kind == FULL {
                        return Ok(Some((self.record_start, &self.record)));
                    }
                }
                MIDDLE | LAST if self.assembling => {
                    self.record.extend_from_slice(&self.block[payload]);
                    if kind == LAST {
                        self.assembling = false;
                        return Ok(Some((self.record_start, &self.record)));
                    }
                }
                // The rest of a record whose start was lost to damage.
                MIDDLE | LAST if self.recovering => {}
                MIDDLE | LAST => {
                    self.damaged(offset, "a chunk continues a record that never started")
                }
                _ => self.damaged(offset, "a chunk has an unknown type"),
            }
        }
    }

    /// Reads the next block (or what is left of the input) into `self.block`.
    fn fill_block(&mut self) -> io::Result<()> {
        self.block.clear();
        (&mut self.input)
            .take(BLOCK as u64)
            .read_to_end(&mut self.block)?;
        Ok(())
    }

    fn note(&mut self, offset: u64, reason: &'static str) {
        match &mut self.damage {
            Some(d) => d.count += 1,
            None => {
                self.damage = Some(Damage {
                    offset,
                    reason,
                    count: 1,
                })
            }
        }
    }

    /// Notes damage and skips the rest of the block: nothing in it can be trusted.
    fn damaged(&mut self, offset: u64, reason: &'static str) {
        self.note(offset, reason);
        self.pos = self.block.len();
        self.assembling = false;
        self.recovering = true;
    }
}

/// CRC-32 (IEEE 802.3, reflected, as zlib's `crc32`) lookup table.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            bit += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32 as zlib computes it. (The `crc32c` crate is the Castagnoli polynomial, which W&B
/// does not use; a table is all this needs.)
pub fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c = CRC_TABLE[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

/// Writes `records` as a `.wandb` log, as wandb's writer does (for tests that build files by
/// hand). Returns the file and the offset of each record's first chunk.
#[cfg(test)]
pub fn frame(records: &[Vec<u8>]) -> (Vec<u8>, Vec<u64>) {
    let mut out = IDENT.to_vec();
    out.extend_from_slice(&MAGIC.to_le_bytes());
    out.push(VERSION);
    let mut starts = Vec::new();
    for record in records {
        let mut rest = record.as_slice();
        let mut first = true;
        loop {
            let left = BLOCK - out.len() % BLOCK;
            if left < CHUNK_HEADER {
                out.resize(out.len() + left, 0);
                continue;
            }
            if first {
                starts.push(out.len() as u64);
            }
            let (chunk, tail) = rest.split_at(rest.len().min(left - CHUNK_HEADER));
            let last = tail.is_empty();
            let kind = match (first, last) {
                (true, true) => FULL,
                (true, false) => FIRST,
                (false, true) => LAST,
                (false, false) => MIDDLE,
            };
            let mut covered = vec![kind];
            covered.extend_from_slice(chunk);
            out.extend_from_slice(&crc32(&covered).to_le_bytes());
            out.extend_from_slice(&(chunk.len() as u16).to_le_bytes());
            out.extend_from_slice(&covered);
            rest = tail;
            first = false;
            if last {
                break;
            }
        }
    }
    (out, starts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of `bytes`, with offsets, and the damage seen.
    fn read(bytes: &[u8]) -> (Vec<(u64, Vec<u8>)>, Option<Damage>) {
        let mut reader = LogReader::open(bytes).unwrap();
        let mut out = Vec::new();
        while let Some((offset, data)) = reader.next_record().unwrap() {
            out.push((offset, data.to_vec()));
        }
        (out, reader.damage().cloned())
    }

    /// Records of assorted sizes: tiny, empty, and several spanning blocks.
    fn sample() -> Vec<Vec<u8>> {
        (0..40u8)
            .map(|i| vec![i; (usize::from(i) * 2_719) % (3 * BLOCK / 2)])
            .collect()
    }

    #[test]
    fn crc32_is_zlibs() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn reads_back_what_was_framed_across_blocks() {
        let (bytes, starts) = frame(&sample());
        assert!(bytes.len() > 10 * BLOCK, "the sample spans many blocks");
        let (got, damage) = read(&bytes);
        assert_eq!(damage, None);
        assert_eq!(got.iter().map(|(o, _)| *o).collect::<Vec<_>>(), starts);
        assert_eq!(
            got.into_iter().map(|(_, d)| d).collect::<Vec<_>>(),
            sample()
        );
    }

    #[test]
    fn every_cut_ends_the_read_quietly_after_the_whole_records_before_it() {
        let records: Vec<Vec<u8>> = sample().into_iter().take(8).collect();
        let (bytes, _) = frame(&records);
        let whole_ends: Vec<usize> = (1..=records.len())
            .map(|n| frame(&records[..n]).0.len())
            .collect();
        for cut in (0..bytes.len())
            .step_by(97)
            .chain([7, 8, 13, 14, bytes.len() - 1])
        {
            let (got, damage) = read(&bytes[..cut]);
            assert_eq!(damage, None, "cut at {cut}");
            let expected = whole_ends.iter().filter(|&&end| end <= cut).count();
            assert_eq!(got.len(), expected, "cut at {cut}");
        }
    }

    #[test]
    fn damage_skips_the_rest_of_its_block_and_reading_resumes_after_it() {
        let records = sample();
        let (bytes, starts) = frame(&records);
        // A record that starts in block 2 (not at its very start).
        let k = starts
            .iter()
            .position(|&s| s as usize > 2 * BLOCK + 100)
            .unwrap();
        let mut damaged = bytes.clone();
        damaged[starts[k] as usize + 9] ^= 0x40;
        let (got, damage) = read(&damaged);
        let damage = damage.expect("damage is noted");
        assert_eq!(damage.offset, starts[k]);
        assert_eq!(damage.count, 1);
        let block_end = (starts[k] as usize / BLOCK + 1) * BLOCK;
        let expected: Vec<u64> = starts
            .iter()
            .copied()
            .filter(|&s| s < starts[k] || s as usize >= block_end)
            .collect();
        assert_eq!(got.iter().map(|(o, _)| *o).collect::<Vec<_>>(), expected);
        for (offset, data) in got {
            let i = starts.iter().position(|&s| s == offset).unwrap();
            assert_eq!(data, records[i]);
        }
    }

    #[test]
    fn an_empty_or_half_written_header_is_an_empty_log() {
        let (bytes, _) = frame(&[]);
        for cut in 0..=bytes.len() {
            let mut reader = LogReader::open(&bytes[..cut]).unwrap();
            assert!(reader.next_record().unwrap().is_none());
            let header = check_header(&bytes[..cut]).unwrap();
            assert_eq!(header.is_some(), cut == bytes.len());
        }
    }

    #[test]
    fn other_files_are_refused() {
        assert!(matches!(
            LogReader::open(&b"hello, world"[..]),
            Err(OpenError::NotWandb)
        ));
        assert!(LogReader::open(&b":W&"[..]).is_ok());
        assert!(matches!(
            LogReader::open(&b":W&B\xe1\xbe\x01"[..]),
            Err(OpenError::Version(1))
        ));
    }

    #[test]
    fn zeroed_tails_are_not_damage() {
        let (mut bytes, _) = frame(&[b"one".to_vec()]);
        bytes.resize(BLOCK + 10, 0);
        let (got, damage) = read(&bytes);
        assert_eq!((got.len(), damage), (1, None));
    }
}
