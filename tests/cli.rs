//! The two binaries as a user runs them, in a clean environment.

use predicates::prelude::*;
use predicates::str::contains;
use std::path::Path;

mod common;
use common::{tag, train, OkStdout};

const EXAMPLE: &str = "examples/peace-talks-geneva.txt";

fn jsonl(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8(stdout.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn tags_every_sentence_of_the_example_articles() {
    for example in [
        "examples/peace-talks-geneva.txt",
        "examples/prisoner-swap.txt",
    ] {
        let out = tag().arg(example).ok_stdout();
        let text = String::from_utf8(out).unwrap();
        let rows: Vec<&str> = text.lines().skip(1).collect();
        assert!(rows.len() >= 20, "{example}: {} rows", rows.len());
        for row in rows {
            let stance = row.split_whitespace().nth(1).unwrap();
            assert!(
                ["conciliatory", "hardline", "neutral"].contains(&stance),
                "{row}"
            );
        }
    }
}

#[test]
fn jsonl_contract_offsets_scores_and_party() {
    let article = std::fs::read_to_string(EXAMPLE).unwrap();
    let out = tag().args(["--format", "jsonl", EXAMPLE]).ok_stdout();
    let records = jsonl(&out);
    assert!(records.len() >= 20);
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r["file"], EXAMPLE);
        assert_eq!(r["index"], i);
        let (s, e) = (
            r["start"].as_u64().unwrap() as usize,
            r["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&article[s..e], r["text"].as_str().unwrap());
        let scores = &r["scores"];
        let sum: f64 = ["conciliatory", "hardline", "neutral"]
            .iter()
            .map(|k| scores[k].as_f64().unwrap())
            .sum();
        assert!((sum - 1.0).abs() < 1e-4);
        let stance = r["stance"].as_str().unwrap();
        assert_eq!(r["confidence"], scores[stance]);
        assert!(r["party"].is_string());
        for m in r["mentions"].as_array().unwrap() {
            let (ms, me) = (
                m["start"].as_u64().unwrap() as usize,
                m["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(&article[ms..me], m["text"].as_str().unwrap());
        }
    }
    // Sentences with a pronoun subject carry the party of the one before.
    let he = records
        .iter()
        .position(|r| {
            r["text"]
                .as_str()
                .unwrap()
                .starts_with("He said the two teams")
        })
        .unwrap();
    assert_eq!(records[he]["party"], records[he - 1]["party"]);
    assert_eq!(records[he]["party"], "United States");
}

#[test]
fn json_is_one_document_per_input() {
    let out = tag()
        .args(["--format", "json", EXAMPLE, "examples/prisoner-swap.txt"])
        .ok_stdout();
    let docs: Vec<serde_json::Value> = serde_json::Deserializer::from_slice(&out)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[1]["file"], "examples/prisoner-swap.txt");
    assert!(docs[0]["sentences"].as_array().unwrap().len() >= 20);
}

#[test]
fn stdin_dash_and_lines_mode_index_by_line() {
    let out = tag()
        .args(["--lines", "--format", "jsonl", "-"])
        .write_stdin("Moscow rejected the plan.\n\nHe said it was an ultimatum.\n")
        .ok_stdout();
    let r = jsonl(&out);
    assert_eq!(r.len(), 2);
    assert_eq!(
        (r[0]["index"].as_u64(), r[1]["index"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(r[0]["file"], "-");
    assert_eq!(r[1]["party"], "Russia", "carry-over works in --lines mode");
}

#[test]
fn a_common_noun_for_a_party_named_before_is_a_marked_mention() {
    let out = tag()
        .args(["--format", "jsonl", "-"])
        .write_stdin(
            "Boeing machinists represented by the IAM walked out on Sunday.\n\
             The union said its members would stay out “as long as it takes.”\n",
        )
        .ok_stdout();
    let r = jsonl(&out);
    let iam = "International Association of Machinists";
    assert_eq!(r[1]["party"], iam);
    let m = &r[1]["mentions"][0];
    assert_eq!(
        (&m["party"], &m["text"], &m["reference"]),
        (&iam.into(), &"union".into(), &true.into())
    );
    // Offsets are into the input, like a name's; names carry no `reference` field.
    let text = r[1]["text"].as_str().unwrap();
    let at = m["start"].as_u64().unwrap() - r[1]["start"].as_u64().unwrap();
    assert_eq!(&text[at as usize..at as usize + 5], "union");
    assert!(r[0]["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m.get("reference").is_none()));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let plain = tag().arg(EXAMPLE).ok_stdout();
    assert!(!plain.contains(&0x1b), "no escape codes when piped");
    let always = tag().args(["--color", "always", EXAMPLE]).ok_stdout();
    assert!(always.contains(&0x1b));
    let no_color = tag()
        .env("NO_COLOR", "1")
        .args(["--color", "auto", EXAMPLE])
        .ok_stdout();
    assert!(!no_color.contains(&0x1b));
}

#[test]
fn csv_output_can_be_trained_on() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("tagged.csv");
    let out = tag()
        .args(["--format", "csv", EXAMPLE, "examples/prisoner-swap.txt"])
        .ok_stdout();
    assert!(out.starts_with(b"text,stance,party,confidence\n"));
    std::fs::write(&csv, &out).unwrap();
    let model = dir.path().join("m.json");
    train()
        .args(["--folds", "2", "--alpha", "1", "--min-df", "1", "--output"])
        .arg(&model)
        .arg(&csv)
        .assert()
        .success();
    assert!(model.exists());
}

#[test]
fn trains_on_a_fixture_and_tags_with_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("small.model");
    train()
        .args([
            "--folds",
            "3",
            "--alpha",
            "2,8",
            "--party-min-rows",
            "20",
            "--output",
        ])
        .arg(&model)
        .arg("tests/data/train_small.csv")
        .args(["--test", "training-data/dev/ruua-a.csv"])
        .assert()
        .success()
        .stderr(contains("trained on 310 rows from 16 sources"))
        .stderr(contains("<- chosen"))
        .stderr(contains("macro-F1"))
        .stderr(contains("confusion (rows: true, columns: predicted)"))
        .stderr(contains("test set training-data/dev/ruua-a.csv"))
        .stderr(contains("party accuracy"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(json["format"], "detente-model");
    assert_eq!(json["training"]["rows"], 310);
    assert_eq!(json["training"]["data_hash"].as_str().unwrap().len(), 64);
    tag()
        .arg("--model")
        .arg(&model)
        .arg(EXAMPLE)
        .assert()
        .success()
        .stdout(contains("Geneva"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left: {leftovers:?}");
}

/// Runs `detente-train` on a bad input; asserts exit 1, the message and that nothing was written.
#[track_caller]
fn train_fails(input: &str, message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    train()
        .arg("--output")
        .arg(&model)
        .arg(input)
        .assert()
        .code(1)
        .stderr(contains(message))
        .stderr(contains("panicked").not());
    assert!(
        !model.exists(),
        "{input}: a failed run wrote {}",
        model.display()
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "{input}: temporary file left behind"
    );
}

#[test]
fn training_errors_name_file_line_and_value() {
    train_fails("tests/data/bad_stance.csv", "bad_stance.csv:4: unknown stance \"hardlined\" (expected conciliatory, hardline or neutral)");
    train_fails("tests/data/one_class.csv", "only one stance (neutral)");
    train_fails(
        "tests/data/no_text_column.csv",
        "no_text_column.csv: the CSV header has no \"text\" column",
    );
    train_fails(
        "tests/data/header_only.csv",
        "no labeled rows in tests/data/header_only.csv",
    );
    train_fails(
        "tests/data/unbalanced_quote.csv",
        "unbalanced_quote.csv:2: malformed CSV",
    );
    train_fails("tests/data/ragged.csv", "ragged.csv:3: malformed CSV");
    train_fails(
        "tests/data/no-such-file.csv",
        "cannot read tests/data/no-such-file.csv",
    );
    train_fails("src/bin", "src/bin: no CSV files found");
}

#[test]
fn an_existing_model_survives_a_failed_training_run() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    std::fs::write(&model, "old model").unwrap();
    train()
        .arg("--output")
        .arg(&model)
        .arg("tests/data/bad_stance.csv")
        .assert()
        .code(1);
    assert_eq!(std::fs::read_to_string(&model).unwrap(), "old model");
}

#[test]
fn tagging_errors_are_one_line_with_exit_1() {
    tag()
        .arg("no/such/article.txt")
        .assert()
        .code(1)
        .stderr(contains(
            "detente-tag: error: cannot read no/such/article.txt",
        ));
    tag()
        .arg("tests/data/latin1_article.txt")
        .assert()
        .code(1)
        .stderr(contains(
            "latin1_article.txt:1: text is not valid UTF-8 (byte offset 40)",
        ));
    tag()
        .args(["--lossy", "tests/data/latin1_article.txt"])
        .assert()
        .success()
        .stdout(contains("S\u{fffd}o Paulo"));
}

#[test]
fn bad_model_files_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let builtin = std::fs::read_to_string("models/stance.json").unwrap();
    let cases = [
        (
            "wrong.json",
            r#"{"format":"something-else","version":1}"#.to_owned(),
            "not a detente model",
        ),
        (
            "newer.json",
            builtin.replacen("\"version\":1", "\"version\":7", 1),
            "model format version 7 was written by a newer detente",
        ),
        (
            "truncated.json",
            builtin[..builtin.len() / 3].to_owned(),
            "truncated.json: invalid model file",
        ),
        (
            "nan.json",
            builtin.replacen("\"bias\":[", "\"bias\":[1e999,", 1),
            "invalid model file",
        ),
    ];
    for (name, body, message) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        tag()
            .arg("--model")
            .arg(&path)
            .arg(EXAMPLE)
            .assert()
            .code(1)
            .stderr(contains(message))
            .stderr(contains("panicked").not());
    }
}

#[test]
fn usage_errors_exit_2() {
    tag().arg("--format").arg("yaml").assert().code(2);
    train().assert().code(2);
}

#[test]
fn help_teaches_formats_and_stdin() {
    tag()
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("--format"))
        .stdout(contains("reads standard"))
        .stdout(contains("Exit status"));
    train()
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("--test"))
        .stdout(contains("atomically"));
}

#[test]
fn broken_pipe_is_not_an_error() {
    // `detente-tag big | head -1`: stdout closes early; the tool must exit 0 quietly.
    let big = "Moscow rejected the plan. Kyiv welcomed the talks.\n".repeat(20_000);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_detente-tag"))
        .args(["--format", "jsonl", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end first: detente-tag streams, so it writes while it reads, and
    // the first write after this gets EPIPE.
    drop(child.stdout.take());
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        // The child may exit before taking all input; a failed write here is expected.
        let _ = stdin.write_all(big.as_bytes());
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn snapshot_of_the_shipped_example() {
    // If the model or the tagger changes on purpose, regenerate with:
    //   UPDATE_SNAPSHOTS=1 cargo test --test cli snapshot
    let out = tag().arg(EXAMPLE).ok_stdout();
    let path = Path::new("tests/snapshots/peace-talks-geneva.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &out).unwrap();
    }
    let expected =
        std::fs::read_to_string(path).expect("snapshot missing: run with UPDATE_SNAPSHOTS=1");
    assert_eq!(
        String::from_utf8(out).unwrap(),
        expected,
        "tagged output changed; if intended, regenerate (see comment)"
    );
}
