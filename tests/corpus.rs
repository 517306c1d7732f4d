//! The training corpus and dev set (training-data/): format, alignment with the article
//! files, the minimum counts of issue #3, near-duplicates, and the default model's
//! freshness.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

#[derive(Debug)]
struct Row {
    text: String,
    stance: String,
    party: String,
    source: String,
    dispute: String,
}

fn rows(dir: &str) -> Vec<Row> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let mut r = csv::Reader::from_path(&f).unwrap();
        for rec in r.deserialize::<BTreeMap<String, String>>() {
            let rec = rec.unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            out.push(Row {
                text: rec["text"].clone(),
                stance: rec["stance"].clone(),
                party: rec["party"].clone(),
                source: rec["source"].clone(),
                dispute: rec["dispute"].clone(),
            });
        }
    }
    out
}

/// Checks that each source's rows are exact substrings of its article, in order, and
/// that nothing but whitespace lies between them. Returns the number of articles.
fn check_alignment(rows: &[Row], articles: &str) -> usize {
    let mut sources = Vec::new();
    for group in rows.chunk_by(|a, b| a.source == b.source) {
        let source = &group[0].source;
        let path = Path::new(articles).join(format!("{source}.txt"));
        let article =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut pos = 0;
        for r in group {
            let at = article[pos..]
                .find(&r.text)
                .unwrap_or_else(|| panic!("{source}: not found in order: {:?}", r.text))
                + pos;
            assert!(
                article[pos..at].trim().is_empty(),
                "{source}: unlabeled text {:?}",
                &article[pos..at]
            );
            pos = at + r.text.len();
        }
        assert!(article[pos..].trim().is_empty(), "{source}: unlabeled tail");
        assert!(
            (10..=30).contains(&group.len()),
            "{source}: {} sentences",
            group.len()
        );
        sources.push(source.clone());
    }
    let unique: HashSet<_> = sources.iter().collect();
    assert_eq!(
        unique.len(),
        sources.len(),
        "a source's rows are split across the CSV"
    );
    sources.len()
}

/// A sentence's skeleton: capitalised words and numbers masked, case folded.
fn skeleton(text: &str) -> String {
    let mut out = String::new();
    for w in text.split_whitespace() {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        let token = if w.chars().next().is_some_and(|c| c.is_uppercase()) {
            "X"
        } else if w.chars().next().is_some_and(|c| c.is_numeric()) {
            "0"
        } else {
            w
        };
        if !(token == "X" && out.ends_with("X ")) {
            out.push_str(&token.to_lowercase());
            out.push(' ');
        }
    }
    out
}

fn near_duplicate_share(rows: &[Row]) -> f64 {
    let mut seen = HashSet::new();
    let dups = rows
        .iter()
        .filter(|r| !seen.insert(skeleton(&r.text)))
        .count();
    dups as f64 / rows.len() as f64
}

const EUROPE_DISPUTES: &[&str] = &[
    "russia-ukraine",
    "russia-nato-tensions",
    "russia-us-relations",
];

#[test]
fn training_corpus_meets_its_minimums() {
    let train = rows("training-data");
    for r in &train {
        assert!(
            ["conciliatory", "hardline", "neutral"].contains(&r.stance.as_str()),
            "{r:?}"
        );
        assert!(!r.party.is_empty() && !r.dispute.is_empty(), "{r:?}");
    }
    let articles = check_alignment(&train, "training-data/articles");
    let n = train.len() as f64;
    let share = |s: &str| train.iter().filter(|r| r.stance == s).count() as f64 / n;
    let disputes: BTreeSet<&str> = train.iter().map(|r| r.dispute.as_str()).collect();
    let parties: BTreeSet<&str> = train
        .iter()
        .map(|r| r.party.as_str())
        .filter(|p| *p != "none")
        .collect();
    let europe = train
        .iter()
        .filter(|r| EUROPE_DISPUTES.contains(&r.dispute.as_str()))
        .count() as f64
        / n;
    assert!(articles >= 200, "{articles} articles");
    assert!(train.len() >= 4000, "{} rows", train.len());
    assert!(share("conciliatory") >= 0.25 && share("hardline") >= 0.25);
    assert!(disputes.len() >= 15, "{} disputes", disputes.len());
    assert!(parties.len() >= 60, "{} parties", parties.len());
    assert!(europe >= 0.25, "Russia–Ukraine–US–Europe share {europe:.3}");
}

#[test]
fn dev_set_is_apart_and_has_unseen_disputes() {
    let train = rows("training-data");
    let dev = rows("training-data/dev");
    let articles = check_alignment(&dev, "training-data/dev/articles");
    assert!(
        articles >= 40 && dev.len() >= 600,
        "{articles} articles, {} rows",
        dev.len()
    );
    let train_text: HashSet<&str> = train.iter().map(|r| r.text.as_str()).collect();
    let shared: Vec<&str> = dev
        .iter()
        .map(|r| r.text.as_str())
        .filter(|t| train_text.contains(t))
        .collect();
    assert!(
        shared.is_empty(),
        "sentences in both train and dev: {shared:?}"
    );
    let train_sources: HashSet<&str> = train.iter().map(|r| r.source.as_str()).collect();
    assert!(dev
        .iter()
        .all(|r| !train_sources.contains(r.source.as_str())));
    let train_disputes: HashSet<&str> = train.iter().map(|r| r.dispute.as_str()).collect();
    let unseen: BTreeSet<&str> = dev
        .iter()
        .map(|r| r.dispute.as_str())
        .filter(|d| !train_disputes.contains(d))
        .collect();
    assert!(
        unseen.len() >= 4,
        "dev disputes unseen in training: {unseen:?}"
    );
}

#[test]
fn near_duplicates_stay_under_two_percent() {
    for dir in ["training-data", "training-data/dev"] {
        let share = near_duplicate_share(&rows(dir));
        println!("{dir}: near-duplicate share {:.2}%", share * 100.0);
        assert!(
            share <= 0.02,
            "{dir}: {:.2}% of rows share a skeleton with an earlier row",
            share * 100.0
        );
    }
}

#[test]
fn skeleton_masks_names_and_numbers() {
    assert_eq!(
        skeleton("Russia rejected the 28-point plan, Peskov said."),
        skeleton("Hamas rejected the 20-point plan, Naim said.")
    );
    assert_ne!(
        skeleton("Russia rejected the plan."),
        skeleton("Russia welcomed the plan.")
    );
}

#[test]
fn default_model_was_trained_on_the_current_training_data() {
    let examples = detente::dataset::load(&["training-data".into()]).unwrap();
    let model = detente::Model::builtin().unwrap();
    assert_eq!(
        model.training.data_hash,
        detente::dataset::data_hash(&examples),
        "training-data/ changed since models/stance.json was trained; regenerate it with:\n  \
         cargo run --release --bin detente-train -- --output models/stance.json training-data/\n\
         then refresh the example snapshot: UPDATE_SNAPSHOTS=1 cargo test --test cli snapshot"
    );
    assert_eq!(model.training.rows, examples.len());
}
