//! `detente-tag --jobs N`: same output, same order, as one job.

use assert_cmd::Command;

fn tag(args: &[&str]) -> Vec<u8> {
    let out = Command::cargo_bin("detente-tag")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn parallel_jobs_print_exactly_what_one_job_prints() {
    let files = [
        "examples/prisoner-swap.txt",
        "examples/peace-talks-geneva.txt",
        "examples/prisoner-swap.txt",
        "bench/data/article-25.txt",
    ];
    for format in ["jsonl", "csv", "text"] {
        let mut one = vec!["--format", format];
        one.extend(files);
        let mut three = vec!["--jobs", "3"];
        three.extend(&one);
        let expected = tag(&one);
        assert!(!expected.is_empty());
        assert_eq!(tag(&three), expected, "--format {format}");
    }
}
