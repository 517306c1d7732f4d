//! Labeled CSV of arbitrary bytes: an error or examples, never a panic; every example has
//! non-empty text and a line inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(examples) = detente::dataset::from_bytes(data, Path::new("fuzz.csv")) {
        let lines = 1 + data.iter().filter(|&&b| b == b'\n').count() as u64;
        for e in &examples {
            assert!(!e.text.trim().is_empty());
            assert!(e.line >= 2 && e.line <= lines, "line {} of {lines}", e.line);
        }
        let _ = detente::dataset::duplicate_rows(&examples);
    }
});
