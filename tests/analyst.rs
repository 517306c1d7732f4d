//! The analyst views of `detente-tag` (issue #7): `--explain`, `--summary`,
//! `--summary-only`, `--timeline`, `--uncertain` and the HTML report, the last one also
//! rendered in headless Chromium.

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod common;
use common::{tag, OkStdout};

const SWAP: &str = "examples/prisoner-swap.txt";
const GENEVA: &str = "examples/peace-talks-geneva.txt";

fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(cmd.ok_stdout()).unwrap()
}

fn jsonl(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn json_docs(text: &str) -> Vec<Value> {
    serde_json::Deserializer::from_str(text)
        .into_iter()
        .map(Result::unwrap)
        .collect()
}

fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A temp dir holding the examples dated three ways: a file-name prefix, a `date:` line,
/// and a second file-name prefix (the swap article again, a month later).
fn dated_examples() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(SWAP, dir.path().join("2026-01-05-swap.txt")).unwrap();
    let geneva = std::fs::read_to_string(GENEVA).unwrap();
    std::fs::write(
        dir.path().join("geneva.txt"),
        format!("date: 2026-02-26\n{geneva}"),
    )
    .unwrap();
    std::fs::copy(SWAP, dir.path().join("2026-02-04-swap-again.txt")).unwrap();
    dir
}

#[test]
fn explain_prints_features_for_and_against_and_the_party_rule() {
    let out = stdout(tag().args(["--explain", SWAP]));
    let lines: Vec<&str> = out.lines().skip(1).collect();
    let rows: Vec<usize> = (0..lines.len())
        .filter(|&i| !lines[i].starts_with("        "))
        .collect();
    assert!(rows.len() >= 20);
    for &i in &rows {
        let stance = lines[i].split_whitespace().nth(1).unwrap();
        assert!(
            lines[i + 1].starts_with(&format!("        for {stance} (vs ")),
            "{}",
            lines[i + 1]
        );
        assert!(lines[i + 2].starts_with("        against: "));
        let party = lines[i + 3];
        assert!(party.starts_with("        party "), "{party}");
    }
    // The Zelenskiy sentence is Ukraine's through the mention of its speaker.
    assert!(
        out.contains("party Ukraine: mention “Volodymyr Zelenskiy”"),
        "{out}"
    );
}

#[test]
fn explain_evidence_is_exact_for_the_linear_model() {
    let article = std::fs::read_to_string(GENEVA).unwrap();
    let records = jsonl(&stdout(tag().args([
        "--explain",
        "--format",
        "jsonl",
        GENEVA,
    ])));
    // ln(p_stance / p_versus) − Σ contributions is the bias difference of the pair: one
    // constant per (stance, versus), whatever the sentence.
    let mut bias: BTreeMap<(String, String), f64> = BTreeMap::new();
    for r in &records {
        let stance = r["stance"].as_str().unwrap().to_owned();
        let versus = r["versus"].as_str().unwrap().to_owned();
        assert_ne!(stance, versus);
        let evidence = r["evidence"].as_array().unwrap();
        assert!(!evidence.is_empty());
        let contributions: Vec<f64> = evidence
            .iter()
            .map(|e| e["contribution"].as_f64().unwrap())
            .collect();
        assert!(contributions.windows(2).all(|w| w[0] >= w[1]), "sorted");
        let log_odds =
            (r["scores"][&stance].as_f64().unwrap() / r["scores"][&versus].as_f64().unwrap()).ln();
        let b = log_odds - contributions.iter().sum::<f64>();
        let known = *bias.entry((stance, versus)).or_insert(b);
        assert!((known - b).abs() < 2e-3, "{known} vs {b} for {}", r["text"]);
        // The party's evidence points into the file.
        let party = &r["party_evidence"];
        if party["rule"] == "mention" {
            let (s, e) = (
                party["start"].as_u64().unwrap() as usize,
                party["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(&article[s..e], party["mention"].as_str().unwrap());
            assert!(party["cues"].as_array().is_some());
        }
    }
    assert!(bias.len() >= 2, "several stance pairs seen: {bias:?}");
}

#[test]
fn formats_without_analyst_flags_are_unchanged() {
    let plain = stdout(tag().args(["--format", "jsonl", SWAP]));
    for key in ["evidence", "versus", "party_evidence", "summary"] {
        assert!(!plain.contains(&format!("\"{key}\"")), "{key}");
    }
}

#[test]
fn summary_counts_postures_and_quotes_match_the_sentences() {
    let docs = json_docs(&stdout(tag().args([
        "--summary",
        "--format",
        "json",
        SWAP,
        GENEVA,
    ])));
    assert_eq!(docs.len(), 2);
    for doc in docs {
        let sentences = doc["sentences"].as_array().unwrap();
        let summary = doc["summary"].as_object().unwrap();
        let mut total = 0;
        for (party, s) in summary {
            let mine: Vec<&Value> = sentences.iter().filter(|r| r["party"] == *party).collect();
            let count = |stance: &str| mine.iter().filter(|r| r["stance"] == stance).count();
            let weight = |stance: &str| -> f64 {
                mine.iter()
                    .filter(|r| r["stance"] == stance)
                    .map(|r| r["confidence"].as_f64().unwrap())
                    .sum()
            };
            for stance in ["conciliatory", "hardline", "neutral"] {
                assert_eq!(s[stance], count(stance), "{party} {stance}");
                let quote = &s[format!("most_{stance}")];
                if count(stance) == 0 {
                    assert!(quote.is_null());
                } else {
                    let best = mine
                        .iter()
                        .filter(|r| r["stance"] == stance)
                        .map(|r| r["confidence"].as_f64().unwrap())
                        .fold(0.0, f64::max);
                    assert!((quote["confidence"].as_f64().unwrap() - best).abs() < 1e-6);
                    let i = quote["index"].as_u64().unwrap() as usize;
                    assert_eq!(
                        quote["text"].as_str().unwrap(),
                        flat(sentences[i]["text"].as_str().unwrap())
                    );
                }
            }
            let (c, h) = (weight("conciliatory"), weight("hardline"));
            if c + h == 0.0 {
                assert!(s["posture"].is_null());
            } else {
                let p = s["posture"].as_f64().unwrap();
                assert!((-1.0..=1.0).contains(&p));
                assert!((p - (c - h) / (c + h)).abs() < 1e-4, "{party}");
            }
            total += mine.len();
        }
        assert_eq!(total, sentences.len(), "every sentence counted once");
    }
}

#[test]
fn summary_follows_each_article_in_text() {
    let out = stdout(tag().args(["--summary", SWAP, GENEVA]));
    for file in [SWAP, GENEVA] {
        let at = out.find(&format!("summary of {file}")).unwrap();
        assert!(out[at..].contains("most hardline"));
    }
    // The summary of the first file comes before the second file's sentences.
    assert!(out.find(&format!("summary of {SWAP}")) < out.find(&format!("\n{GENEVA}\n")));
}

#[test]
fn summary_only_prints_one_summary_per_file() {
    let out = stdout(tag().args(["--summary-only", "examples/"]));
    assert!(!out.contains("     neutral  "), "no sentence rows");
    assert_eq!(out.matches("posture:").count(), 2);
    let csv = stdout(tag().args(["--summary-only", "--format", "csv", "examples/"]));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "file,party,conciliatory,hardline,neutral,posture,most_conciliatory,most_hardline"
    );
    let files: std::collections::BTreeSet<&str> =
        lines.map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(files.len(), 2, "{files:?}");
    let jsonl = jsonl(&stdout(tag().args([
        "--summary-only",
        "--format",
        "jsonl",
        "examples/",
    ])));
    assert_eq!(jsonl.len(), 2);
    assert!(jsonl[0]["summary"]["Russia"]["posture"].is_number());
}

#[test]
fn timeline_dates_articles_by_name_or_date_line() {
    let dir = dated_examples();
    let out = stdout(tag().arg("--timeline").arg(dir.path()));
    assert!(
        out.contains("3 articles, 3 periods, 2026-01-05 … 2026-02-26"),
        "{out}"
    );
    assert!(out.contains("01-05  02-04  02-26"), "{out}");
    let russia = out.lines().find(|l| l.starts_with("Russia ")).unwrap();
    let spark: String = russia.chars().rev().take(3).collect();
    assert!(spark.chars().all(|c| "▁▂▃▄▅▆▇█·".contains(c)), "{russia}");

    let json: Value = serde_json::from_str(&stdout(
        tag()
            .args(["--timeline", "--format", "json"])
            .arg(dir.path()),
    ))
    .unwrap();
    let periods: Vec<&str> = json["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    assert_eq!(periods, ["2026-01-05", "2026-02-04", "2026-02-26"]);
    // The same article on two days gives the same posture on both.
    let posture = |i: usize| {
        json["periods"][i]["parties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["party"] == "Russia")
            .unwrap()["posture"]
            .clone()
    };
    assert_eq!(posture(0), posture(1));

    let csv = stdout(
        tag()
            .args(["--timeline", "--period", "week", "--format", "csv"])
            .arg(dir.path()),
    );
    assert!(csv.starts_with("period,articles,party,conciliatory,hardline,neutral,posture\n"));
    for week in ["2026-W02", "2026-W06", "2026-W09"] {
        assert!(csv.contains(&format!("\n{week},1,Russia,")), "{csv}");
    }
}

#[test]
fn timeline_refuses_an_undated_file_and_names_it() {
    tag()
        .args(["--timeline", GENEVA])
        .assert()
        .code(1)
        .stderr(contains(
            "peace-talks-geneva.txt: no date (put `date: YYYY-MM-DD` on the first line",
        ));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "date: 2026-02-30\nKyiv welcomed the offer.\n").unwrap();
    tag()
        .arg("--timeline")
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(contains(
            "bad.txt:1: invalid date \"2026-02-30\" (expected YYYY-MM-DD)",
        ));
}

#[test]
fn mtime_dates_files_without_a_date_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("geneva.txt");
    std::fs::copy(GENEVA, &path).unwrap();
    // 2026-02-04T12:00:00Z
    let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_770_206_400);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(when)
        .unwrap();
    let out = stdout(
        tag()
            .args(["--timeline", "--date-from", "mtime"])
            .arg(&path),
    );
    assert!(out.contains("1 article, 1 period, 2026-02-04"), "{out}");
}

#[test]
fn date_line_is_not_tagged_and_offsets_stay_file_offsets() {
    let dir = dated_examples();
    let path = dir.path().join("geneva.txt");
    let file = std::fs::read_to_string(&path).unwrap();
    let records = jsonl(&stdout(tag().args(["--format", "jsonl"]).arg(&path)));
    assert!(records[0]["text"]
        .as_str()
        .unwrap()
        .starts_with("Ukraine and Russia end Geneva"));
    for r in &records {
        let (s, e) = (
            r["start"].as_u64().unwrap() as usize,
            r["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&file[s..e], r["text"].as_str().unwrap());
    }
}

#[test]
fn uncertain_lists_the_least_confident_sentences_as_trainable_csv() {
    let confidences: Vec<f64> = jsonl(&stdout(tag().args(["--format", "jsonl", "examples/"])))
        .iter()
        .map(|r| r["confidence"].as_f64().unwrap())
        .collect();
    let out = stdout(tag().args(["--uncertain", "5", "examples/"]));
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["text", "stance", "party", "source", "confidence"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5);
    let got: Vec<f64> = rows.iter().map(|r| r[4].parse().unwrap()).collect();
    assert!(got.windows(2).all(|w| w[0] <= w[1]), "{got:?}");
    let mut sorted = confidences.clone();
    sorted.sort_by(f64::total_cmp);
    for (g, want) in got.iter().zip(&sorted) {
        assert!((g - want).abs() < 1e-4, "{got:?} vs {:?}", &sorted[..5]);
    }
    for r in &rows {
        assert!(["conciliatory", "hardline", "neutral"].contains(&&r[1]));
        assert!(r[3].starts_with("examples/"));
    }
    // The file is a valid training CSV as it stands.
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("to-label.csv");
    std::fs::write(&csv_path, &out).unwrap();
    let examples = detente::dataset::load(&[csv_path]).unwrap();
    assert_eq!(examples.len(), 5);
}

fn html_report(args: &[&str], inputs: &[PathBuf]) -> String {
    stdout(tag().args(["--format", "html"]).args(args).args(inputs))
}

#[test]
fn html_report_is_self_contained_and_has_every_sentence() {
    let html = html_report(&[], &[PathBuf::from(SWAP)]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Content-Security-Policy"));
    for external in ["http://", "https://", "src=", "href=\"/", "@import", "url("] {
        assert!(!html.contains(external), "{external}");
    }
    let records = jsonl(&stdout(tag().args(["--format", "jsonl", SWAP])));
    for r in &records {
        let text = detente::report::esc(r["text"].as_str().unwrap());
        assert!(html.contains(&format!(">{text}</span>")), "{text}");
    }
    assert_eq!(
        html.matches("class=\"s ").count(),
        records.len() + 3,
        "+3 in the legend"
    );
}

// ---------------------------------------------------------------------------------------
// Headless browser

/// Chromium, installing Debian's package when running as root with apt; `None` (and a
/// visible message) when it cannot run here.
fn chromium() -> Option<PathBuf> {
    let find = || {
        ["chromium", "chromium-browser"].iter().find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(name))
                    .find(|p| p.is_file())
            })
        })
    };
    if let Some(p) = find() {
        return Some(p);
    }
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if root && Path::new("/usr/bin/apt-get").exists() {
        eprintln!("analyst: installing chromium with apt-get for the browser test…");
        // A fresh machine has no package lists yet: update first.
        for args in [
            &["update", "-q"][..],
            &["install", "-y", "-q", "chromium"][..],
        ] {
            let _ = std::process::Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status();
        }
    }
    let found = find();
    if found.is_none() {
        eprintln!(
            "SKIPPED html_report_renders_in_headless_chromium: chromium not found and not \
             installable here (run as root with apt-get, or install chromium)"
        );
    }
    found
}

fn headless(chromium: &Path, profile: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// Collects errors (script errors, `console.error`, blocked network or asset loads) and
/// the rendered text of every sentence into `<pre id="__probe">` once the page loaded.
const PROBE: &str = r#"<script>
window.__errors = [];
window.addEventListener("error", function (e) { __errors.push("error: " + e.message); });
window.addEventListener("securitypolicyviolation", function (e) { __errors.push("blocked: " + e.blockedURI + " " + e.violatedDirective); });
(function () { var ce = console.error; console.error = function () { __errors.push("console.error: " + Array.prototype.join.call(arguments, " ")); ce.apply(console, arguments); }; })();
window.addEventListener("load", function () {
  var p = document.createElement("pre");
  p.id = "__probe";
  p.textContent = JSON.stringify({
    errors: __errors,
    sentences: Array.prototype.map.call(document.querySelectorAll(".text .s"), function (s) { return s.textContent; }),
    timelines: document.querySelectorAll("svg.timeline").length,
    postureCharts: document.querySelectorAll("svg.posture").length,
    chips: document.querySelectorAll(".text .chip").length
  });
  document.body.appendChild(p);
});
</script>"#;

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = dated_examples();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    inputs.sort();
    let html = html_report(&[], &inputs);
    let work = tempfile::tempdir().unwrap();
    let page = work.path().join("report.html");
    std::fs::write(&page, &html).unwrap();
    let probed = work.path().join("probed.html");
    std::fs::write(
        &probed,
        html.replacen("<head>", &format!("<head>{PROBE}"), 1),
    )
    .unwrap();

    let out = headless(&chromium, &work.path().join("profile"))
        .args(["--virtual-time-budget=3000", "--dump-dom"])
        .arg(format!("file://{}", probed.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let start = dom
        .find("<pre id=\"__probe\">")
        .unwrap_or_else(|| panic!("no probe in the dumped DOM; chromium stderr:\n{stderr}"))
        + "<pre id=\"__probe\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let probe: Value = serde_json::from_str(&unescape(&dom[start..end])).unwrap();

    assert_eq!(probe["errors"], serde_json::json!([]), "errors in the page");
    assert!(!stderr.contains("Uncaught"), "{stderr}");
    let rendered: Vec<String> = probe["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| flat(s.as_str().unwrap()))
        .collect();
    let expected: Vec<String> = inputs
        .iter()
        .flat_map(|p| {
            jsonl(&stdout(tag().args(["--format", "jsonl"]).arg(p)))
                .into_iter()
                .map(|r| flat(r["text"].as_str().unwrap()))
        })
        .collect();
    assert_eq!(rendered, expected, "every sentence, in order, once");
    assert_eq!(probe["timelines"], 1, "three dates: a timeline chart");
    assert_eq!(probe["postureCharts"], 4, "one overall + one per article");
    assert!(probe["chips"].as_u64().unwrap() > 40);

    // A screenshot for people, with the tooltip of sentence 2 of the first article open.
    let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/detente-report.png");
    std::fs::create_dir_all(shot.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(&shot);
    let status = headless(&chromium, &work.path().join("profile2"))
        .args(["--window-size=1280,1800", "--virtual-time-budget=2000"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}#a0-s2", page.display()))
        .output()
        .unwrap();
    let png = std::fs::read(&shot).unwrap_or_else(|_| {
        panic!(
            "no screenshot; chromium stderr:\n{}",
            String::from_utf8_lossy(&status.stderr)
        )
    });
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 50_000);
    eprintln!("analyst: report screenshot at {}", shot.display());
}
