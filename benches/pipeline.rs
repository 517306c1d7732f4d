//! Criterion benches of each tagging step, on the training articles
//! (`training-data/articles/*.txt`, ~1 MB). Run: `cargo bench --bench pipeline`.
//! Not part of CI. The end-to-end comparison with scikit-learn and fastText is
//! `bench/compare.sh`; results are in `bench/RESULTS.md`.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use detente::model::LinearHead;
use detente::output::{Document, Format, Writer};
use detente::party::PartyTable;
use detente::segment::{self, Span};
use detente::tokenize::Scratch;
use detente::{Model, Tagger};
use std::path::Path;

/// The training articles, each as one string.
fn articles() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("training-data/articles");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("training-data/articles")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

fn sentences(articles: &[String]) -> Vec<&str> {
    articles
        .iter()
        .flat_map(|a| segment::segment(a).into_iter().map(move |s| s.of(a)))
        .collect()
}

fn bytes_of(articles: &[String]) -> u64 {
    articles.iter().map(|a| a.len() as u64).sum()
}

fn bench_segment(c: &mut Criterion) {
    let articles = articles();
    let mut g = c.benchmark_group("segment");
    g.throughput(Throughput::Bytes(bytes_of(&articles)));
    g.sample_size(20);
    let mut spans: Vec<Span> = Vec::new();
    g.bench_function("articles", |b| {
        b.iter(|| {
            let mut n = 0;
            for a in &articles {
                segment::segment_into(a, &mut spans);
                n += spans.len();
            }
            black_box(n)
        })
    });
    g.finish();
}

fn bench_features(c: &mut Criterion) {
    let articles = articles();
    let sents = sentences(&articles);
    let model = Model::builtin().unwrap();
    let mut g = c.benchmark_group("features");
    g.throughput(Throughput::Elements(sents.len() as u64));
    g.sample_size(20);
    let (mut scratch, mut ids) = (Scratch::default(), Vec::new());
    g.bench_function("stance_ids", |b| {
        b.iter(|| {
            let mut n = 0;
            for s in &sents {
                model.stance_ids_into(s, &[], &mut scratch, &mut ids);
                n += ids.len();
            }
            black_box(n)
        })
    });
    g.bench_function("tokenize_only", |b| {
        b.iter(|| {
            let mut n = 0;
            for s in &sents {
                model.tokenizer.features(s, &mut scratch, |f| n += f.len());
            }
            black_box(n)
        })
    });
    g.finish();
}

fn bench_stance(c: &mut Criterion) {
    let articles = articles();
    let sents = sentences(&articles);
    let model = Model::builtin().unwrap();
    let mut scratch = Scratch::default();
    let all_ids: Vec<Vec<u32>> = sents
        .iter()
        .map(|s| {
            let mut ids = Vec::new();
            model.stance_ids_into(s, &[], &mut scratch, &mut ids);
            ids
        })
        .collect();
    let mut g = c.benchmark_group("stance");
    g.throughput(Throughput::Elements(sents.len() as u64));
    let mut logits = vec![0.0f32; model.stance.classes.len()];
    g.bench_function("score_from_ids", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for ids in &all_ids {
                model.stance.logits_into(ids, &mut logits);
                LinearHead::softmax(&mut logits);
                acc += logits[0];
            }
            black_box(acc)
        })
    });
    if let Some(head) = &model.party {
        let party_ids: Vec<Vec<u32>> = sents
            .iter()
            .map(|s| {
                let mut ids = Vec::new();
                head.vocabulary
                    .ids_into(&model.tokenizer, s, &mut scratch, &mut ids);
                ids
            })
            .collect();
        let mut logits = vec![0.0f32; head.classes.len()];
        g.bench_function("party_head_from_ids", |b| {
            b.iter(|| {
                let mut acc = 0.0;
                for ids in &party_ids {
                    head.logits_into(ids, &mut logits);
                    LinearHead::softmax(&mut logits);
                    acc += logits[0];
                }
                black_box(acc)
            })
        });
    }
    g.finish();
}

fn bench_party(c: &mut Criterion) {
    let articles = articles();
    let table = PartyTable::builtin().unwrap();
    let mut g = c.benchmark_group("party");
    g.throughput(Throughput::Bytes(bytes_of(&articles)));
    g.sample_size(20);
    let per_article: Vec<(&str, Vec<Span>)> = articles
        .iter()
        .map(|a| (a.as_str(), segment::segment(a)))
        .collect();
    let mut mentions = Vec::new();
    g.bench_function("mentions", |b| {
        b.iter(|| {
            let mut n = 0;
            for (a, spans) in &per_article {
                for s in spans {
                    mentions.clear();
                    table.mentions_into(s.of(a), s.start, &mut mentions);
                    n += mentions.len();
                }
            }
            black_box(n)
        })
    });
    g.finish();
}

fn bench_load(c: &mut Criterion) {
    let mut g = c.benchmark_group("load");
    g.sample_size(20);
    g.bench_function("model_builtin", |b| {
        b.iter(|| black_box(Model::builtin().unwrap()))
    });
    let json =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/stance.json"))
            .unwrap();
    g.bench_function("model_from_json", |b| {
        b.iter(|| black_box(Model::from_json(&json, Path::new("stance.json")).unwrap()))
    });
    g.bench_function("parties_builtin", |b| {
        b.iter(|| black_box(PartyTable::builtin().unwrap()))
    });
    g.bench_function("tagger_builtin", |b| {
        b.iter(|| black_box(Tagger::builtin().unwrap()))
    });
    g.finish();
}

/// Prototype for `src/party.rs` (not edited here): what the lexicon's Aho-Corasick build
/// costs under other builder settings. The patterns are the built-in table's aliases.
fn bench_party_build_options(c: &mut Criterion) {
    use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
    let table = PartyTable::builtin().unwrap();
    let mut patterns: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for e in table.entries() {
        for a in std::iter::once(&e.name).chain(&e.aliases) {
            if seen.insert(a.clone()) {
                patterns.push(a.clone());
            }
        }
    }
    let mut g = c.benchmark_group("party_build");
    g.sample_size(20);
    let build = |kind: Option<AhoCorasickKind>, dense: usize, prefilter: bool| -> AhoCorasick {
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(kind)
            .dense_depth(dense)
            .prefilter(prefilter)
            .build(&patterns)
            .unwrap()
    };
    g.bench_function("default", |b| b.iter(|| black_box(build(None, 3, true))));
    g.bench_function("noncontiguous", |b| {
        b.iter(|| black_box(build(Some(AhoCorasickKind::NoncontiguousNFA), 3, true)))
    });
    g.bench_function("noncontiguous_dense0", |b| {
        b.iter(|| black_box(build(Some(AhoCorasickKind::NoncontiguousNFA), 0, true)))
    });
    g.bench_function("noncontiguous_dense0_noprefilter", |b| {
        b.iter(|| black_box(build(Some(AhoCorasickKind::NoncontiguousNFA), 0, false)))
    });
    g.finish();
}

fn bench_end_to_end(c: &mut Criterion) {
    let articles = articles();
    let mut tagger = Tagger::builtin().unwrap();
    let mut g = c.benchmark_group("end_to_end");
    g.throughput(Throughput::Bytes(bytes_of(&articles)));
    g.sample_size(10);
    g.bench_function("tag_and_write_jsonl", |b| {
        b.iter_batched_ref(
            || Vec::with_capacity(4 << 20),
            |out: &mut Vec<u8>| {
                let mut w = Writer::new(out, Format::Jsonl, false);
                for a in &articles {
                    let tagged = tagger.tag(a);
                    w.write(&Document {
                        file: "bench.txt",
                        text: a,
                        sentences: &tagged,
                        line_numbers: None,
                    })
                    .unwrap();
                }
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_segment,
    bench_features,
    bench_stance,
    bench_party,
    bench_load,
    bench_party_build_options,
    bench_end_to_end
);
criterion_main!(benches);
