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

    /// Where to write the model.
    #[arg(short, long, value_name = "PATH")]
    output: PathBuf,

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

    /// Solver iterations per fit.
    #[arg(long, default_value_t = TrainParams::default().max_iterations)]
    max_iterations: u64,

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
        .max_iterations(args.max_iterations)
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
    model.save_atomic(&args.output)?;
    eprintln!("wrote {}", args.output.display());

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
