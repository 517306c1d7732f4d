//! The segmenter alone, as a program: `segment_only FILE` reads FILE, splits it into
//! sentences with `detente::segment` and prints `sentences bytes seconds`. It is the
//! floor `bench/compare.sh` measures `detente-tag` against (not a criterion bench).

use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().skip(1).find(|a| !a.starts_with("--")) else {
        eprintln!("usage: segment_only FILE");
        std::process::exit(2);
    };
    let start = Instant::now();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("segment_only: {path}: {e}");
        std::process::exit(1);
    });
    let mut spans = Vec::new();
    let mut sentences = 0usize;
    // Article by article (blank-line-separated blocks are independent anyway), as
    // detente-tag's reader hands it chunks.
    for article in text.split("\n\n\n") {
        detente::segment::segment_into(article, &mut spans);
        sentences += spans.len();
    }
    let secs = start.elapsed().as_secs_f64();
    println!("{sentences} {} {secs:.3}", text.len());
}
