//! Labeled CSV → examples. Validates the header and every label, and keeps each row's
//! file and line so errors and reports can point at it.
//!
//! Format (LABELING.md): UTF-8, RFC 4180, a header with `text` and `stance` (required),
//! `party` and `source` (optional); other columns are ignored. A row without `source`
//! is its own group in cross-validation.

// No panic on user input, enforced (issue 6): no `unwrap`, `expect` or indexing here
// outside tests.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use crate::error::{Error, Result};
use crate::stance::Stance;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Largest CSV file read, in bytes: a file is read whole, so a larger (or a sparse,
/// mis-sized) file is refused before any allocation.
pub const MAX_CSV_BYTES: u64 = 1 << 30;

/// Longest `text` of a row, in bytes: the tagger never sees a longer sentence
/// ([`crate::segment::MAX_SENTENCE_BYTES`]), so such a row is a mistake (a missing
/// closing quote that swallowed the file, or a whole article in one cell).
pub const MAX_TEXT_BYTES: usize = crate::segment::MAX_SENTENCE_BYTES;

/// One labeled sentence.
#[derive(Clone, Debug)]
pub struct Example {
    pub text: String,
    pub stance: Stance,
    /// Canonical party, `none`, or `None` when the data has no party for this row.
    pub party: Option<String>,
    /// Group id: sentences of one source stay on one side of a split.
    pub source: String,
    /// Where the row came from (for messages).
    pub file: Arc<Path>,
    /// 1-based line of the row's start.
    pub line: u64,
}

/// The CSV files behind `path`: the file itself, or a directory's `*.csv` files (sorted,
/// not recursive — `training-data/dev/` must never leak into training).
///
/// # Errors
/// Unreadable path, or a directory without CSV files.
pub fn csv_files(path: &Path) -> Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::read(path, e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| Error::read(path, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Error::NoCsvFiles { path: path.into() });
    }
    Ok(files)
}

/// Loads every CSV behind `paths` (files or directories), in order.
///
/// # Errors
/// The first problem found: unreadable file, malformed CSV, missing column, non-UTF-8
/// text, unknown stance or empty text — each naming the file and line.
pub fn load(paths: &[PathBuf]) -> Result<Vec<Example>> {
    let mut out = Vec::new();
    for path in paths {
        for file in csv_files(path)? {
            load_file(&file, &mut out)?;
        }
    }
    Ok(out)
}

/// Parses labeled CSV already in memory; `path` names it in errors and examples.
///
/// # Errors
/// As [`load`], except for reading.
pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Vec<Example>> {
    let mut out = Vec::new();
    parse(bytes, path, &mut out)?;
    Ok(out)
}

fn load_file(path: &Path, out: &mut Vec<Example>) -> Result<()> {
    let bytes = crate::input::read_bounded(path, MAX_CSV_BYTES)?;
    parse(&bytes, path, out)
}

fn parse(bytes: &[u8], path: &Path, out: &mut Vec<Example>) -> Result<()> {
    let file: Arc<Path> = Arc::from(path);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::EmptyCsv { path: path.into() });
    }
    // The csv crate does not count line breaks inside quoted fields; count them here so
    // messages point at the real line.
    let newlines: Vec<u64> = memchr_newlines(bytes);
    // A record's position may sit on the `\n` that ends the previous record.
    let line_at = |byte: u64| {
        let start = byte + u64::from(bytes.get(byte as usize) == Some(&b'\n'));
        1 + newlines.partition_point(|&n| n < start) as u64
    };
    let mut csv = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let csv_err = |line: u64, source: csv::Error| Error::Csv {
        path: path.into(),
        line,
        source,
    };
    let header = csv.byte_headers().map_err(|e| csv_err(1, e))?.clone();
    let names: Vec<String> = header
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_ascii_lowercase()
        })
        .collect();
    let column = |name: &'static str| names.iter().position(|n| n == name);
    let missing = |column: &'static str| Error::MissingColumn {
        path: path.into(),
        column,
        header: names.join(","),
    };
    let text_col = column("text").ok_or_else(|| missing("text"))?;
    let stance_col = column("stance").ok_or_else(|| missing("stance"))?;
    let party_col = column("party");
    let source_col = column("source");

    let mut record = csv::ByteRecord::new();
    loop {
        let line = line_at(csv.position().byte());
        match csv.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| line_at(p.byte()));
                return Err(csv_err(line, e));
            }
        }
        let line = record.position().map_or(line, |p| line_at(p.byte()));
        let field = |i: usize| -> Result<&str> {
            let bytes = record.get(i).unwrap_or_default();
            std::str::from_utf8(bytes).map_err(|_| Error::CsvNotUtf8 {
                path: path.into(),
                line,
                column: names.get(i).cloned().unwrap_or_default(),
                value: String::from_utf8_lossy(bytes).chars().take(60).collect(),
            })
        };
        let text = field(text_col)?.trim();
        if text.is_empty() {
            return Err(Error::EmptyText {
                path: path.into(),
                line,
            });
        }
        if text.len() > MAX_TEXT_BYTES {
            return Err(Error::TextTooLong {
                path: path.into(),
                line,
                len: text.len(),
                max: MAX_TEXT_BYTES,
            });
        }
        let stance_value = field(stance_col)?;
        let stance: Stance = stance_value.parse().map_err(|_| Error::UnknownStance {
            path: path.into(),
            line,
            value: stance_value.to_owned(),
        })?;
        let party = match party_col {
            Some(c) => Some(field(c)?.trim())
                .filter(|p| !p.is_empty())
                .map(str::to_owned),
            None => None,
        };
        let source = match source_col {
            Some(c) => field(c)?.trim().to_owned(),
            None => String::new(),
        };
        let source = if source.is_empty() {
            format!("{}#{line}", path.display())
        } else {
            source
        };
        out.push(Example {
            text: text.to_owned(),
            stance,
            party,
            source,
            file: file.clone(),
            line,
        });
    }
    Ok(())
}

fn memchr_newlines(bytes: &[u8]) -> Vec<u64> {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .map(|(i, _)| i as u64)
        .collect()
}

/// SHA-256 (hex) over the rows' text, stance, party and source, in order: what the
/// committed default model records, so a test can tell when `training-data/` changed.
pub fn data_hash(examples: &[Example]) -> String {
    let mut h = Sha256::new();
    for e in examples {
        for field in [
            e.text.as_str(),
            e.stance.as_str(),
            e.party.as_deref().unwrap_or(""),
            e.source.as_str(),
        ] {
            h.update(field.as_bytes());
            h.update([0x1f]);
        }
        h.update([0x1e]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Number of rows whose (text, stance) repeats an earlier row.
pub fn duplicate_rows(examples: &[Example]) -> usize {
    let mut seen = std::collections::HashSet::new();
    examples
        .iter()
        .filter(|e| !seen.insert((e.text.as_str(), e.stance)))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &Path, name: &str, body: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::File::create(&p).unwrap().write_all(body).unwrap();
        p
    }

    #[test]
    fn reads_quoted_fields_bom_and_crlf() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "a.csv",
            "\u{feff}text,stance,party,source\r\n\"He said, \"\"no\"\"\r\nand left.\",Hardline,Russia,s1\r\nok,neutral,,s1\r\n".as_bytes(),
        );
        let ex = load(&[p]).unwrap();
        assert_eq!(ex.len(), 2);
        assert_eq!(ex[0].text, "He said, \"no\"\r\nand left.");
        assert_eq!(ex[0].stance, Stance::Hardline);
        assert_eq!(ex[0].party.as_deref(), Some("Russia"));
        assert_eq!(ex[1].party, None);
        assert_eq!(ex[1].line, 4);
    }

    #[test]
    fn unknown_stance_names_file_line_and_value() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "b.csv",
            b"text,stance\nfine,neutral\nbad,hardlined\n",
        );
        let err = load(&[p]).unwrap_err().to_string();
        assert!(err.ends_with("b.csv:3: unknown stance \"hardlined\" (expected conciliatory, hardline or neutral)"), "{err}");
    }

    #[test]
    fn latin1_bytes_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "c.csv", b"text,stance\nS\xe3o Paulo,neutral\n");
        let err = load(&[p]).unwrap_err().to_string();
        assert!(
            err.contains("c.csv:2: the text field is not valid UTF-8"),
            "{err}"
        );
    }

    #[test]
    fn rows_without_source_are_their_own_group() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "d.csv", b"stance,text\nneutral,a\nneutral,b\n");
        let ex = load(&[p]).unwrap();
        assert_ne!(ex[0].source, ex[1].source);
    }

    #[test]
    fn directory_reads_only_its_own_csv_files() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "x.csv", b"text,stance\na,neutral\n");
        std::fs::create_dir(dir.path().join("dev")).unwrap();
        write(
            &dir.path().join("dev"),
            "y.csv",
            b"text,stance\nb,neutral\n",
        );
        assert_eq!(load(&[dir.path().to_path_buf()]).unwrap().len(), 1);
    }
}
