//! Reading article text in bounded memory.
//!
//! An article is read in *chunks* of about [`CHUNK_BYTES`], each cut where segmentation
//! would cut anyway, so tagging chunk by chunk gives the same sentences as tagging the
//! whole text, and memory stays a small multiple of the chunk whatever the file size
//! (a 200 MB file without punctuation, a 10-million-character line). Cut points, in order
//! of preference, the last one inside the first [`CHUNK_BYTES`] of what is left:
//! 1. after a blank line (segmentation never joins across one);
//! 2. after a line break before a line that does not start with a lowercase letter (the
//!    end of a block, see [`crate::segment::segment`]);
//! 3. after `.`, `?` or `!` followed by a space;
//! 4. after whitespace;
//! 5. at a char boundary (text without any whitespace).
//!
//! An article shorter than [`CHUNK_BYTES`] is one chunk. Chunks carry their byte offset and
//! first line, so sentence offsets stay offsets into the file.
//!
//! Bad bytes, decided once here for every entry point:
//! - invalid UTF-8 (Latin-1, Windows-1252) is refused with file, line and byte offset,
//!   unless `lossy`, which replaces each invalid sequence with U+FFFD (offsets are then
//!   into the repaired text);
//! - a NUL byte means a binary file, refused even with `lossy` (it is not text with a few
//!   bad bytes); a UTF-16 byte-order mark gets its own message;
//! - a UTF-8 byte-order mark is skipped (offsets still count it).

// No panic on user input, enforced (issue 6): no `unwrap`, `expect` or indexing here
// outside tests.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use crate::error::{Error, Result};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

/// Target chunk size in bytes: 32 sentence caps
/// ([`crate::segment::MAX_SENTENCE_BYTES`]). The read buffer never holds more than
/// `CHUNK_BYTES + READ_BYTES`.
pub const CHUNK_BYTES: usize = 64 * 1024;

/// Bytes asked of the reader per read.
const READ_BYTES: usize = 16 * 1024;

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// A piece of an article, cut at a sentence or paragraph boundary.
#[derive(Debug, PartialEq, Eq)]
pub struct Chunk<'a> {
    /// The text (valid UTF-8, lossily repaired if asked).
    pub text: &'a str,
    /// Byte offset of `text` in the article (in the repaired text with `lossy`).
    pub offset: usize,
    /// 0-based line number of the first line of `text` (a chunk can start mid-line when
    /// a line is longer than [`CHUNK_BYTES`]).
    pub line: usize,
}

/// Reads an article chunk by chunk; see the module docs.
pub struct ArticleReader<R> {
    path: PathBuf,
    reader: R,
    lossy: bool,
    /// `CHUNK_BYTES + READ_BYTES` bytes, zeroed once: the reader reads straight into it
    /// and a valid chunk is handed out from it, where a zeroed block per fill, a copy
    /// into the buffer and another into `text` cost ~3.4 M instructions a pass over
    /// 1.5 MB (see bench/RESULTS.md).
    buf: Box<[u8]>,
    /// `buf[..filled]` holds read bytes not yet handed out, after the first `consumed`
    /// (the last chunk, dropped at the next call: the chunk borrows them until then).
    filled: usize,
    consumed: usize,
    eof: bool,
    started: bool,
    /// Whether to count line breaks (`Chunk::line` and the line of an invalid byte); the
    /// check pass of [`ArticleReader::open`] does not, see there.
    count_lines: bool,
    /// Bytes of the source consumed so far (for messages).
    raw_offset: u64,
    /// Bytes of text handed out so far (plus a skipped BOM).
    offset: usize,
    /// Line breaks handed out so far.
    line: usize,
    /// A lossily repaired chunk (valid chunks are handed out from `buf`).
    text: String,
}

impl ArticleReader<Box<dyn Read>> {
    /// Opens an article: a file, or standard input for `-`. A regular file is checked in
    /// full first (one streaming pass), so a bad byte near its end is reported before any
    /// of its sentences are written; standard input and pipes are checked as they are
    /// read.
    ///
    /// # Errors
    /// Unreadable file; with a regular file, also the errors of [`ArticleReader::next_chunk`].
    pub fn open(path: &Path, lossy: bool) -> Result<Self> {
        if path == Path::new("-") {
            return Ok(ArticleReader::new(
                Box::new(io::stdin().lock()),
                path,
                lossy,
            ));
        }
        let open = || -> Result<File> { File::open(path).map_err(|e| Error::read(path, e)) };
        let file = open()?;
        let meta = file.metadata().map_err(|e| Error::read(path, e))?;
        if meta.is_dir() {
            let source = io::Error::new(io::ErrorKind::InvalidInput, "is a directory");
            return Err(Error::read(path, source));
        }
        if meta.is_file() {
            // The check counts no lines: only the message of an invalid byte needs them,
            // and then a second reading counts them (a count over the whole text
            // otherwise; the reading that tags counts them anyway).
            let mut check = ArticleReader::new(BufReader::new(file), path, lossy);
            check.count_lines = false;
            let checked = (|| {
                while check.next_chunk()?.is_some() {}
                Ok(())
            })();
            if let Err(err) = checked {
                if matches!(err, Error::NotUtf8 { .. }) {
                    let mut again = ArticleReader::new(BufReader::new(open()?), path, lossy);
                    while again.next_chunk()?.is_some() {}
                }
                return Err(err);
            }
            return Ok(ArticleReader::new(
                Box::new(BufReader::new(open()?)),
                path,
                lossy,
            ));
        }
        Ok(ArticleReader::new(
            Box::new(BufReader::new(file)),
            path,
            lossy,
        ))
    }
}

impl<R: Read> ArticleReader<R> {
    /// Reads from `reader`; `path` names the input in errors (`-` for standard input).
    pub fn new(reader: R, path: impl Into<PathBuf>, lossy: bool) -> Self {
        ArticleReader {
            path: path.into(),
            reader,
            lossy,
            buf: vec![0; CHUNK_BYTES + READ_BYTES].into_boxed_slice(),
            filled: 0,
            consumed: 0,
            eof: false,
            started: false,
            count_lines: true,
            raw_offset: 0,
            offset: 0,
            line: 0,
            text: String::new(),
        }
    }

    /// The next chunk, or `None` at the end of the article.
    ///
    /// # Errors
    /// A read error; invalid UTF-8 without `lossy` ([`Error::NotUtf8`], with the 1-based
    /// line and the byte offset); a NUL byte ([`Error::Binary`]); a UTF-16 file
    /// ([`Error::Utf16`]).
    pub fn next_chunk(&mut self) -> Result<Option<Chunk<'_>>> {
        self.consume();
        self.fill()?;
        if !self.started {
            self.started = true;
            let head = self.buf.get(..self.filled).unwrap_or_default();
            if head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff") {
                return Err(Error::Utf16 {
                    path: self.path.clone(),
                });
            }
            if head.starts_with(UTF8_BOM) {
                self.consumed = UTF8_BOM.len();
                self.consume();
                self.raw_offset += UTF8_BOM.len() as u64;
                self.offset += UTF8_BOM.len();
            }
        }
        let pending = self.buf.get(..self.filled).unwrap_or_default();
        if pending.is_empty() {
            return Ok(None);
        }
        let cut = if self.eof && pending.len() <= CHUNK_BYTES {
            pending.len()
        } else {
            cut_point(pending, CHUNK_BYTES)
        };
        let bytes = pending.get(..cut).unwrap_or_default();
        // `contains` on bytes is a word-at-a-time memchr; the position only on error.
        if let Some(nul) = bytes
            .contains(&0)
            .then(|| bytes.iter().position(|&b| b == 0))
            .flatten()
        {
            return Err(Error::Binary {
                path: self.path.clone(),
                offset: self.raw_offset + nul as u64,
            });
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(s) => s,
            Err(_) if self.lossy => {
                self.text.clear();
                self.text.push_str(&String::from_utf8_lossy(bytes));
                &self.text
            }
            Err(e) => {
                let valid = bytes.get(..e.valid_up_to()).unwrap_or_default();
                let newlines = valid.iter().filter(|&&b| b == b'\n').count();
                return Err(Error::NotUtf8 {
                    path: self.path.clone(),
                    line: (self.line + newlines + 1) as u64,
                    offset: self.raw_offset + e.valid_up_to() as u64,
                });
            }
        };
        self.consumed = cut;
        self.raw_offset += cut as u64;
        let chunk = Chunk {
            text,
            offset: self.offset,
            line: self.line,
        };
        self.offset += text.len();
        if self.count_lines {
            self.line += count_newlines(text.as_bytes());
        }
        Ok(Some(chunk))
    }

    /// Drops the bytes handed out last from the front of the buffer.
    fn consume(&mut self) {
        if self.consumed > 0 {
            self.buf.copy_within(self.consumed..self.filled, 0);
            self.filled -= self.consumed;
            self.consumed = 0;
        }
    }

    /// Reads until the buffer holds more than a chunk, or the input ends.
    fn fill(&mut self) -> Result<()> {
        while !self.eof && self.filled <= CHUNK_BYTES {
            // `filled <= CHUNK_BYTES`, so a whole read fits in the buffer.
            let space = self
                .buf
                .get_mut(self.filled..self.filled + READ_BYTES)
                .unwrap_or_default();
            match self.reader.read(space) {
                Ok(0) => self.eof = true,
                Ok(n) => self.filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::read(&self.path, e)),
            }
        }
        Ok(())
    }
}

/// Where to end a chunk of `buf` (longer than `max`): a position in `1..=max` chosen as
/// the module docs say. Never splits a UTF-8 sequence.
fn cut_point(buf: &[u8], max: usize) -> usize {
    let window = buf.get(..max.min(buf.len())).unwrap_or_default();
    // 1. After a blank line (only spaces, tabs or `\r` between two `\n`).
    let mut next_newline: Option<usize> = None;
    let mut blank_between = false;
    for (i, &b) in window.iter().enumerate().rev() {
        match b {
            b'\n' => {
                if let (Some(end), true) = (next_newline, blank_between) {
                    return end + 1;
                }
                next_newline = Some(i);
                blank_between = true;
            }
            b' ' | b'\t' | b'\r' => {}
            _ => blank_between = false,
        }
    }
    // 2. After a line break before a line that does not start with a lowercase letter.
    let block_end = window
        .iter()
        .enumerate()
        .rev()
        .filter(|&(i, &b)| b == b'\n' && i + 1 < window.len())
        .map(|(i, _)| i + 1)
        .find(|&start| !starts_lowercase(buf.get(start..).unwrap_or_default()));
    if let Some(cut) = block_end {
        return cut;
    }
    // 3. After a sentence terminator followed by a space.
    if let Some(i) = window
        .windows(2)
        .rposition(|w| matches!(w, [b'.' | b'?' | b'!', b' ']))
    {
        return i + 1;
    }
    // 4. After whitespace.
    if let Some(i) = window.iter().rposition(u8::is_ascii_whitespace) {
        return i + 1;
    }
    // 5. Before the last char that starts inside the window (never a continuation byte).
    match window.iter().rposition(|&b| b & 0xc0 != 0x80) {
        Some(i) if i > 0 => i,
        _ => window.len().max(1),
    }
}

/// The number of `\n` in `bytes`, eight bytes at a time (a byte-per-iteration count
/// was a tenth of reading the input, see bench/RESULTS.md).
fn count_newlines(bytes: &[u8]) -> usize {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const NEWLINES: u64 = 0x0a0a_0a0a_0a0a_0a0a;
    let mut words = bytes.chunks_exact(8);
    let mut n = 0;
    for word in &mut words {
        let x = u64::from_le_bytes(word.try_into().unwrap_or_default()) ^ NEWLINES;
        // The high bit of each byte of `zero` is set exactly when that byte of `x` is 0.
        let zero = !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
        n += zero.count_ones() as usize;
    }
    n + words.remainder().iter().filter(|&&b| b == b'\n').count()
}

/// Whether the line starting `bytes` starts (after spaces) with a lowercase letter: then
/// segmentation joins it to the line before (a soft wrap), so no cut there.
fn starts_lowercase(bytes: &[u8]) -> bool {
    let head = bytes.get(..bytes.len().min(256)).unwrap_or_default();
    let text = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) => {
            std::str::from_utf8(head.get(..e.valid_up_to()).unwrap_or_default()).unwrap_or_default()
        }
    };
    text.trim_start()
        .chars()
        .next()
        .is_some_and(char::is_lowercase)
}

/// Reads a whole file after checking its size, so an absurd file (or a sparse one that
/// claims terabytes) is refused before anything is allocated.
///
/// # Errors
/// The file cannot be read, or is larger than `max` bytes ([`Error::TooLarge`]).
pub(crate) fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>> {
    let size = std::fs::metadata(path)
        .map_err(|e| Error::read(path, e))?
        .len();
    if size > max {
        return Err(Error::TooLarge {
            path: path.into(),
            size,
            max,
        });
    }
    std::fs::read(path).map_err(|e| Error::read(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(bytes: &[u8], lossy: bool) -> Result<Vec<(String, usize, usize)>> {
        let mut r = ArticleReader::new(bytes, "a.txt", lossy);
        let mut out = Vec::new();
        while let Some(c) = r.next_chunk()? {
            out.push((c.text.to_owned(), c.offset, c.line));
        }
        Ok(out)
    }

    #[test]
    fn short_article_is_one_chunk() {
        let got = chunks(b"One. Two.\n\nThree.", false).unwrap();
        assert_eq!(got, vec![("One. Two.\n\nThree.".to_owned(), 0, 0)]);
    }

    #[test]
    fn chunks_reassemble_the_text_with_offsets_and_lines() {
        let para = "Moscow rejected the plan. Kyiv welcomed it.\nthe talks went on.\n\n";
        let text = para.repeat(5000);
        let got = chunks(text.as_bytes(), false).unwrap();
        assert!(got.len() > 3);
        let mut offset = 0;
        let mut line = 0;
        for (t, o, l) in &got {
            assert_eq!((*o, *l), (offset, line));
            assert!(t.len() <= CHUNK_BYTES);
            assert!(t.ends_with("\n\n"), "cut after a blank line");
            offset += t.len();
            line += t.matches('\n').count();
        }
        assert_eq!(got.iter().map(|c| c.0.as_str()).collect::<String>(), text);
    }

    #[test]
    fn text_without_whitespace_is_cut_on_char_boundaries() {
        let text = "é".repeat(100_000) + "x";
        let got = chunks(text.as_bytes(), false).unwrap();
        assert!(got.iter().all(|c| c.0.len() <= CHUNK_BYTES));
        assert_eq!(got.iter().map(|c| c.0.as_str()).collect::<String>(), text);
    }

    #[test]
    fn latin1_names_line_and_offset_unless_lossy() {
        let err = chunks(b"ok\nS\xe3o Paulo", false).unwrap_err().to_string();
        assert_eq!(
            err,
            "a.txt:2: text is not valid UTF-8 (byte offset 4); convert the file to UTF-8 or pass --lossy"
        );
        let got = chunks(b"ok\nS\xe3o Paulo", true).unwrap();
        assert_eq!(got[0].0, "ok\nS\u{fffd}o Paulo");
    }

    #[test]
    fn nul_byte_is_a_binary_file_even_when_lossy() {
        let err = chunks(b"abc\0def", true).unwrap_err().to_string();
        assert!(
            err.contains("a.txt: binary file (NUL byte at byte offset 3)"),
            "{err}"
        );
    }

    proptest::proptest! {
        #[test]
        fn newlines_are_counted_exactly(bytes in proptest::collection::vec(
            proptest::prop_oneof![proptest::num::u8::ANY, proptest::strategy::Just(b'\n')],
            0..100,
        )) {
            let naive = bytes.iter().filter(|&&b| b == b'\n').count();
            proptest::prop_assert_eq!(count_newlines(&bytes), naive);
        }
    }

    #[test]
    fn utf16_and_bom() {
        assert!(matches!(
            chunks(b"\xff\xfeh\0i\0", false),
            Err(Error::Utf16 { .. })
        ));
        let got = chunks(b"\xef\xbb\xbfHello.", false).unwrap();
        assert_eq!(got, vec![("Hello.".to_owned(), 3, 0)]);
    }

    #[test]
    fn bad_byte_deep_in_a_long_file_counts_earlier_chunks() {
        let mut bytes = "word\n".repeat(30_000).into_bytes();
        bytes.extend_from_slice(b"bad \xff\n");
        let err = chunks(&bytes, false).unwrap_err().to_string();
        assert!(
            err.contains("a.txt:30001: text is not valid UTF-8 (byte offset 150004)"),
            "{err}"
        );
    }
}
