//! The one error type of the library. Every variant names what the user must fix:
//! the file, the 1-based line, the offending value and what was expected.

// No panic on user input, enforced (issue 6): no `unwrap`, `expect` or indexing here
// outside tests.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use std::io;
use std::path::PathBuf;

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in detente, phrased for the person who supplied the input.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write {}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}:{line}: text is not valid UTF-8 (byte offset {offset}); convert the file to UTF-8 or pass --lossy", .path.display())]
    NotUtf8 {
        path: PathBuf,
        line: u64,
        offset: u64,
    },
    #[error("{}:{line}: the {column} field is not valid UTF-8 ({value:?}); save the file as UTF-8", .path.display())]
    CsvNotUtf8 {
        path: PathBuf,
        line: u64,
        column: String,
        value: String,
    },
    #[error("{}: binary file (NUL byte at byte offset {offset}); detente reads UTF-8 text", .path.display())]
    Binary { path: PathBuf, offset: u64 },
    #[error("{}: text is UTF-16 (byte-order mark); convert the file to UTF-8", .path.display())]
    Utf16 { path: PathBuf },
    #[error("{}:{line}: malformed CSV", .path.display())]
    Csv {
        path: PathBuf,
        line: u64,
        #[source]
        source: csv::Error,
    },
    #[error("{}: empty file (expected a CSV header with text and stance columns)", .path.display())]
    EmptyCsv { path: PathBuf },
    #[error("{}: the CSV header has no {column:?} column (header: {header}; the first row must name the columns)", .path.display())]
    MissingColumn {
        path: PathBuf,
        column: &'static str,
        header: String,
    },
    #[error("{}:{line}: unknown stance {value:?} (expected conciliatory, hardline or neutral)", .path.display())]
    UnknownStance {
        path: PathBuf,
        line: u64,
        value: String,
    },
    #[error("{}:{line}: text is {len} bytes; a labeled sentence is at most {max} (an unclosed quote, or a whole article in one cell?)", .path.display())]
    TextTooLong {
        path: PathBuf,
        line: u64,
        len: usize,
        max: usize,
    },
    #[error("{}: {size} bytes is larger than detente reads ({max} bytes)", .path.display())]
    TooLarge { path: PathBuf, size: u64, max: u64 },
    #[error("{}:{line}: empty text", .path.display())]
    EmptyText { path: PathBuf, line: u64 },
    #[error("{}: no CSV files found (a directory is read for *.csv files, not recursively)", .path.display())]
    NoCsvFiles { path: PathBuf },
    #[error("no labeled rows in {inputs}")]
    EmptyTrainingSet { inputs: String },
    #[error("the training data has only one stance ({only}); at least two are needed")]
    OneClass { only: String },
    #[error("{}: not a detente model (expected \"format\": \"detente-model\")", .path.display())]
    NotAModel { path: PathBuf },
    #[error("{}: model format version {found} was written by a newer detente (this build reads up to {supported})", .path.display())]
    ModelTooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("{}: invalid model file", .path.display())]
    ModelJson {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{}: invalid model: {reason}", .path.display())]
    ModelShape { path: PathBuf, reason: String },
    #[error("{}: invalid party table", .path.display())]
    PartiesJson {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{}: invalid party table: {reason}", .path.display())]
    PartiesShape { path: PathBuf, reason: String },
    #[error("{field} must be {rule} (got {value})")]
    InvalidParam {
        field: &'static str,
        rule: &'static str,
        value: String,
    },
    #[error("the {head} fit failed: {reason}")]
    FitFailed { head: &'static str, reason: String },
    #[error("{}:{line}: invalid date {value:?} (expected YYYY-MM-DD)", .path.display())]
    BadDate {
        path: PathBuf,
        line: u64,
        value: String,
    },
    #[error("{}: no date (put `date: YYYY-MM-DD` on the first line, start the file name with YYYY-MM-DD, or pass --date-from mtime)", .path.display())]
    NoDate { path: PathBuf },
}

impl Error {
    pub(crate) fn read(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Read {
            path: path.into(),
            source,
        }
    }
}
