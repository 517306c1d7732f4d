//! Article input of arbitrary bytes through the chunked reader: chunks reassemble the
//! (lossily repaired) text exactly, each within the chunk size, offsets consistent.
#![no_main]

use detente::input::{ArticleReader, CHUNK_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for lossy in [false, true] {
        let mut reader = ArticleReader::new(data, "fuzz.txt", lossy);
        let mut joined = String::new();
        let mut offset = None;
        let mut refused = false;
        loop {
            match reader.next_chunk() {
                Ok(Some(c)) => {
                    assert!(c.text.len() <= CHUNK_BYTES * 3 + 4); // U+FFFD may grow bytes
                    let start = *offset.get_or_insert(c.offset);
                    assert_eq!(c.offset, start + joined.len());
                    joined.push_str(c.text);
                }
                Ok(None) => break,
                Err(_) => {
                    refused = true;
                    break;
                }
            }
        }
        if refused {
            continue;
        }
        let body = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
        assert_eq!(joined, String::from_utf8_lossy(body));
    }
});
