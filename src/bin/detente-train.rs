//! `detente-train`: fit a stance (and party) model from labeled CSV.

use anyhow::Result;
use clap::Parser;
use detente::dataset;
use detente::party::PartyTable;
use detente::tokenize::TokenizerConfig;
use detente::train::{self, TrainParams};
use detente::{Error, Tagger};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Train a detente model from labeled sentences.
///
/// Input: CSV files (or directories of them, not recursive) with a header and the
/// columns `text` and `stance` (conciliatory, hardline or neutral), optionally `party`
/// (canonical party name or none) and `source` (article id: sentences of one source
/// never straddle a cross-validation split). Other columns are ignored.
///
/// The L2 strength is chosen by k-fold cross-validation grouped by source; the report
/// (chosen alpha, macro-F1, per-class precision/recall/F1, confusion matrix) goes to
/// stderr. The model file is written atomically: it is either the old file or the
/// complete new one.
///
/// Examples:
///   detente-train --output my.model training-data/
///   detente-train --output my.model training-data/ --test training-data/dev/
///   detente-tag --model my.model article.txt
///
/// Exit status: 0 on success, 1 on bad data or a failed fit, 2 on a usage error.
#[derive(Parser, Debug)]
#[command(name = "detente-train", version, verbatim_doc_comment)]
struct Args {
    /// Labeled CSV files or directories of them.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,

    /// Where to write the model (optional with --party-cv, which then only measures).
    #[arg(short, long, value_name = "PATH", required_unless_present = "party_cv")]
    output: Option<PathBuf>,

    /// Held-out labeled CSV (a file or directory) to evaluate the trained model on; repeat
    /// for several, each reported on its own.
    #[arg(long, value_name = "PATH")]
    test: Vec<PathBuf>,

    /// L2 strengths to try, comma-separated (the loss is summed over rows, so larger
    /// data wants larger values).
    #[arg(long, value_delimiter = ',', default_values_t = TrainParams::default().alphas)]
    alpha: Vec<f32>,

    /// Cross-validation folds (grouped by source).
    #[arg(long, default_value_t = TrainParams::default().folds)]
    folds: usize,

    /// Keep terms seen in at least this many sentences.
    #[arg(long, default_value_t = TrainParams::default().min_df)]
    min_df: usize,

    /// Keep at most this many stance terms (the most informative by chi-square).
    #[arg(long, default_value_t = TrainParams::default().max_features)]
    max_features: usize,

    /// Parties with fewer labeled rows are left to the party lexicon.
    #[arg(long, default_value_t = TrainParams::default().party_min_rows)]
    party_min_rows: usize,

    /// L2 strength of the holder model (picks the party among a sentence's candidates).
    #[arg(long, default_value_t = TrainParams::default().holder_alpha)]
    holder_alpha: f32,

    /// Sentence words the holder model reads to tell background (`none`) sentences; 0: none.
    #[arg(long, default_value_t = TrainParams::default().holder_words)]
    holder_words: usize,

    /// Added to the holder model's score of "nobody" (positive: `none` more often).
    #[arg(long, default_value_t = TrainParams::default().nobody_shift, allow_hyphen_values = true)]
    nobody_shift: f32,

    /// With --party-cv: evaluate each of these --nobody-shift values (comma-separated)
    /// from the same fits.
    #[arg(
        long,
        value_delimiter = ',',
        allow_hyphen_values = true,
        requires = "party_cv"
    )]
    party_cv_shifts: Vec<f32>,

    /// The holder model weighs a word next to party mentions seen this often in training
    /// (a huge value: none).
    #[arg(long, default_value_t = TrainParams::default().holder_neighbour_min)]
    holder_neighbour_min: usize,

    /// The holder model weighs single cues only, not pairs of cues.
    #[arg(long)]
    no_holder_pairs: bool,

    /// Solver iterations per fit.
    #[arg(long, default_value_t = TrainParams::default().max_iterations)]
    max_iterations: u64,

    /// Also report the grouped-CV accuracy of the bag-of-words party head alone: one
    /// more party fit per fold, often the longest part of a run.
    #[arg(long)]
    party_head_cv: bool,

    /// Mark negation scope: tokens after `not`, `never`, `no`, `n’t`, … up to the next
    /// punctuation get a `not_` prefix. Off by default: grouped CV on the shipped corpus
    /// found no gain from it.
    #[arg(long)]
    negation: bool,

    /// Unigrams only.
    #[arg(long)]
    no_bigrams: bool,

    /// Keep party names in the stance features (by default each mention becomes one
    /// `<party>` token, so a name does not decide a stance by itself).
    #[arg(long)]
    no_mask_parties: bool,

    /// Do not correct for class imbalance.
    #[arg(long)]
    no_balance: bool,

    /// Measure the whole party decision (party head, holder, carry-over) by grouped
    /// cross-validation on the training data and print it; without --output, stop there.
    #[arg(long)]
    party_cv: bool,

    /// With --party-cv: write the rows whose party was wrong to this CSV
    /// (`source,text,gold,predicted,rule,named,gold_named`).
    #[arg(long, value_name = "PATH", requires = "party_cv")]
    party_cv_misses: Option<PathBuf>,

    /// Extra party lexicon (as in detente-tag), used to train the holder model and for --test.
    #[arg(long, value_name = "PATH")]
    parties: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("detente-train: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<()> {
    let params = TrainParams::default()
        .alphas(args.alpha.clone())
        .folds(args.folds)
        .min_df(args.min_df)
        .max_features(args.max_features)
        .party_min_rows(args.party_min_rows)
        .holder_alpha(args.holder_alpha)
        .holder_words(args.holder_words)
        .holder_pairs(!args.no_holder_pairs)
        .nobody_shift(args.nobody_shift)
        .holder_neighbour_min(args.holder_neighbour_min)
        .max_iterations(args.max_iterations)
        .party_head_cv(args.party_head_cv)
        .balance(!args.no_balance)
        .tokenizer(TokenizerConfig {
            negation: args.negation,
            bigrams: !args.no_bigrams,
            mask_parties: !args.no_mask_parties,
        })
        .check()?;
    let started = Instant::now();
    let examples = dataset::load(&args.inputs)?;
    if examples.is_empty() {
        return Err(Error::EmptyTrainingSet {
            inputs: join(&args.inputs),
        }
        .into());
    }
    let duplicates = dataset::duplicate_rows(&examples);
    if duplicates > 0 {
        eprintln!(
            "detente-train: warning: {duplicates} rows repeat an earlier row's text and stance"
        );
    }
    // Each --test path is loaded up front (bad data fails before a long fit) and
    // reported on its own.
    let tests = args
        .test
        .iter()
        .map(|p| Ok((p, dataset::load(std::slice::from_ref(p))?)))
        .collect::<Result<Vec<_>>>()?;

    let spinner = indicatif::ProgressBar::new_spinner();
    if std::io::stderr().is_terminal() {
        spinner.enable_steady_tick(Duration::from_millis(120));
    } else {
        spinner.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let progress = |msg: &str| spinner.set_message(msg.to_owned());
    let mut parties = PartyTable::builtin()?;
    if let Some(path) = &args.parties {
        parties = parties.merged(&PartyTable::from_path(path)?)?;
    }
    if args.party_cv {
        let shifts = if args.party_cv_shifts.is_empty() {
            vec![params.nobody_shift]
        } else {
            args.party_cv_shifts.clone()
        };
        let cvs = train::party_cross_validation(&examples, &params, &parties, &shifts, &progress)?;
        eprintln!(
            "party, grouped {}-fold cross-validation of the whole party decision ({:.1}s):",
            params.folds,
            started.elapsed().as_secs_f64(),
        );
        for (shift, cv) in shifts.iter().zip(&cvs) {
            eprint!("nobody shift {shift}:\n{}", cv.party_table());
        }
        if let (Some(path), Some(cv)) = (&args.party_cv_misses, cvs.first()) {
            write_misses(path, &cv.party_misses)?;
        }
    }
    let Some(output) = &args.output else {
        spinner.finish_and_clear();
        return Ok(());
    };
    let (model, report) = train::train(&examples, &params, &parties, &progress)?;
    spinner.finish_and_clear();

    eprintln!(
        "trained on {} rows from {} sources in {:.1}s",
        report.rows,
        report.sources,
        started.elapsed().as_secs_f64()
    );
    for w in &report.warnings {
        eprintln!("detente-train: warning: {w}");
    }
    eprintln!("alpha (grouped {}-fold CV macro-F1):", report.folds);
    for (a, s) in &report.alpha_scores {
        let mark = if *a == report.chosen_alpha {
            "  <- chosen"
        } else {
            ""
        };
        eprintln!("  {a:>8} {s:.3}{mark}");
    }
    eprintln!(
        "stance, grouped cross-validation at alpha {}:\n{}",
        report.chosen_alpha, report.cv_stance
    );
    if let Some(acc) = report.cv_party_accuracy {
        eprintln!("party head alone (bag of words), grouped CV accuracy: {acc:.3}");
    }
    model.save_atomic(output)?;
    eprintln!("wrote {}", output.display());

    if !tests.is_empty() {
        let mut tagger = Tagger::new(model, parties)?;
        for (path, test) in &tests {
            let result = detente::evaluation::evaluate_tagger(&mut tagger, test);
            eprintln!(
                "test set {} ({} rows):\n{}",
                path.display(),
                test.len(),
                result.stance
            );
            eprint!("{}", result.party_table());
        }
    }
    Ok(())
}

fn write_misses(path: &std::path::Path, misses: &[detente::evaluation::PartyMiss]) -> Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "source",
        "text",
        "gold",
        "predicted",
        "rule",
        "named",
        "gold_named",
    ])?;
    for m in misses {
        w.write_record([
            m.source.as_str(),
            m.text.as_str(),
            m.gold.as_str(),
            m.predicted.as_str(),
            m.rule,
            &m.named.to_string(),
            if m.gold_named { "yes" } else { "no" },
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn join(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn verify_cli() {
        use clap::CommandFactory;
        super::Args::command().debug_assert();
    }
}
