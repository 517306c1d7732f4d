//! Segmentation and tagging of arbitrary text: no panic, and the span invariants hold
//! (ordered, disjoint, on char boundaries, trimmed, capped, covering every non-space).
#![no_main]

use detente::segment::{segment, MAX_SENTENCE_BYTES};
use libfuzzer_sys::fuzz_target;
use std::sync::Mutex;

static TAGGER: Mutex<Option<detente::Tagger>> = Mutex::new(None);

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let spans = segment(&text);
    let mut last_end = 0;
    for s in &spans {
        assert!(s.start >= last_end && s.start < s.end, "{spans:?}");
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        assert!(s.end - s.start <= MAX_SENTENCE_BYTES);
        let sentence = &text[s.start..s.end];
        assert_eq!(sentence, sentence.trim());
        assert!(
            text[last_end..s.start].trim().is_empty(),
            "text between sentences"
        );
        last_end = s.end;
    }
    assert!(
        text[last_end..].trim().is_empty(),
        "text after the last sentence"
    );
    let mut guard = TAGGER.lock().unwrap();
    let tagger = guard.get_or_insert_with(|| detente::Tagger::builtin().unwrap());
    assert_eq!(tagger.tag(&text).len(), spans.len());
});
