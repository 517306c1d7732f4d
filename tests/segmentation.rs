//! Sentence segmentation measured on two tables: the 52 pragmatic_segmenter Golden Rules
//! (MIT, tests/data/golden_rules_en.*) and 46 news cases written for detente
//! (tests/data/segmentation_news.jsonl). A case passes when the trimmed sentences equal
//! the expected ones exactly.

use detente::segment::{segment, MAX_SENTENCE_BYTES};
use proptest::prelude::*;

struct Case {
    id: u64,
    text: String,
    sentences: Vec<String>,
}

fn load(path: &str) -> Vec<Case> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Case {
                id: v["id"].as_u64().unwrap(),
                text: v["text"].as_str().unwrap().to_owned(),
                sentences: v["sentences"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_owned())
                    .collect(),
            }
        })
        .collect()
}

fn failures(cases: &[Case]) -> Vec<u64> {
    cases
        .iter()
        .filter(|c| {
            let got: Vec<&str> = segment(&c.text)
                .iter()
                .map(|s| s.of(&c.text).trim())
                .collect();
            got != c.sentences
        })
        .map(|c| c.id)
        .collect()
}

/// The news cases detente gets wrong today, each for a stated reason. The test fails if
/// one of them starts passing (update the list) or another case breaks.
const NEWS_KNOWN_MISSES: &[u64] = &[
    3, // "from the U.S. Moscow did not comment": U.S. + capital is usually "U.S. President"
];

#[test]
fn news_cases_pass_except_known_misses() {
    let cases = load("tests/data/segmentation_news.jsonl");
    assert!(cases.len() >= 40);
    assert_eq!(
        failures(&cases),
        NEWS_KNOWN_MISSES,
        "news cases failing (ids)"
    );
}

/// Golden Rules missed: 35, 36, 38, 39 are inline lists ("1. The first item 2. The
/// second item"), rare in news; 40, 41 need a newline inside a sentence turned into a
/// space, which byte spans cannot do; 42 is a list of lowercase items on separate lines,
/// which detente joins on purpose (a line starting lowercase continues a hard-wrapped
/// sentence); 51 is a spaced ellipsis at a sentence start.
const GOLDEN_KNOWN_MISSES: &[u64] = &[35, 36, 38, 39, 40, 41, 42, 51];

#[test]
fn golden_rules_pass_44_of_52() {
    let cases = load("tests/data/golden_rules_en.jsonl");
    assert_eq!(cases.len(), 52);
    assert_eq!(
        failures(&cases),
        GOLDEN_KNOWN_MISSES,
        "golden rules failing (ids)"
    );
}

#[test]
fn every_training_article_splits_into_its_labeled_sentences_mostly() {
    // The corpus labels were written one sentence per row; the segmenter should agree on
    // nearly all of them (it is not told where the boundaries are).
    let mut total = 0;
    let mut agree = 0;
    for entry in std::fs::read_dir("training-data/articles").unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let spans = segment(&text);
        let got: std::collections::HashSet<&str> = spans.iter().map(|s| s.of(&text)).collect();
        let source = path.file_stem().unwrap().to_str().unwrap().to_owned();
        for row in labeled_rows(&source) {
            total += 1;
            agree += got.contains(row.as_str()) as usize;
        }
    }
    let share = agree as f64 / total as f64;
    assert!(
        share > 0.97,
        "segmenter agrees with {agree} of {total} labeled sentences ({share:.3})"
    );
}

fn labeled_rows(source: &str) -> Vec<String> {
    use std::sync::OnceLock;
    static ROWS: OnceLock<std::collections::HashMap<String, Vec<String>>> = OnceLock::new();
    let rows = ROWS.get_or_init(|| {
        let mut map: std::collections::HashMap<String, Vec<String>> = Default::default();
        for e in detente::dataset::load(&["training-data".into()]).unwrap() {
            map.entry(e.source).or_default().push(e.text);
        }
        map
    });
    rows.get(source).cloned().unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn spans_are_ordered_disjoint_on_boundaries_and_cover_all_text(text in "(\\PC|[ .?!“”\"’\n—…]){0,400}") {
        let spans = segment(&text);
        let mut last_end = 0;
        for s in &spans {
            prop_assert!(s.start >= last_end && s.start < s.end && s.end <= text.len());
            prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            prop_assert!(s.end - s.start <= MAX_SENTENCE_BYTES);
            prop_assert!(text[last_end..s.start].trim().is_empty(), "gap with text: {:?}", &text[last_end..s.start]);
            last_end = s.end;
        }
        prop_assert!(text[last_end..].trim().is_empty());
    }
}
