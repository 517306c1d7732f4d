//! Fitting a model: parameters (builder → `check`), grouped k-fold cross-validation over
//! an alpha grid, the final fit, and the report printed by `detente-train`.
//!
//! linfa-logistic minimises the *summed* loss `−Σ log p + alpha/2 ‖W‖²`, so a good alpha
//! grows with the row count. Cross-validation walks the alpha grid from strong to weak,
//! warm-starting each fit from the previous one, in parallel over folds. Class imbalance
//! is handled by prior correction: after the fit each class's bias is lowered by the log
//! of its share of the training rows, which makes the decision rule that of a model
//! trained on balanced classes (linfa has no sample weights).

use crate::dataset::{data_hash, Example};
use crate::error::{Error, Result};
use crate::evaluation::{evaluate_tagger, Evaluation, TaggerEvaluation};
use crate::features::{dense_matrix, Vocabulary};
use crate::holder;
use crate::model::{argmax, LinearHead, Model, TrainingInfo};
use crate::party::PartyTable;
use crate::stance::Stance;
use crate::tag::{ArticleMemory, Tagger};
use crate::tokenize::TokenizerConfig;
use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2, Axis};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Training parameters. Build with the setters, then [`TrainParams::check`].
#[derive(Clone, Debug, serde::Serialize)]
pub struct TrainParams {
    /// L2 strengths tried by cross-validation (default 1, 2, 4, 8, 16, 32).
    pub alphas: Vec<f32>,
    /// Number of grouped folds (default 5; 2 ≤ folds).
    pub folds: usize,
    /// A term must occur in this many training sentences (default 2).
    pub min_df: usize,
    /// Stance vocabulary cap (default 3000).
    pub max_features: usize,
    /// Party vocabulary cap (default 2000).
    pub party_max_features: usize,
    /// A party needs this many rows to become a class of the party head (default 15).
    pub party_min_rows: usize,
    /// L2 strength of the party head (default 2).
    pub party_alpha: f32,
    /// L2 strength of the holder head (default 1).
    pub holder_alpha: f32,
    /// Sentence words the holder head's "nobody" candidate reads (default 1000; 0: none).
    pub holder_words: usize,
    /// The holder head also weighs pairs of cues (default true).
    pub holder_pairs: bool,
    /// A word next to party mentions this often in the training data is weighed by the
    /// holder head (default 4; a huge value: none).
    pub holder_neighbour_min: usize,
    /// Added to the holder logit of "nobody" after the fit (default 0.5; chosen by
    /// `detente-train --party-cv`): positive gives `none` more often.
    pub nobody_shift: f32,
    /// Solver iterations per fit (default 150).
    pub max_iterations: u64,
    /// Also cross-validate the bag-of-words party head alone (default false): a
    /// diagnostic that costs one party fit per fold, the bulk of a run on data with many
    /// parties; `--party-cv` measures the whole party decision instead.
    pub party_head_cv: bool,
    /// Correct class priors so rare stances are not drowned (default true).
    pub balance: bool,
    /// Tokenizer settings stored in the model.
    pub tokenizer: TokenizerConfig,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            alphas: vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0],
            folds: 5,
            min_df: 2,
            max_features: 3000,
            party_max_features: 2000,
            party_min_rows: 15,
            party_alpha: 2.0,
            holder_alpha: 1.0,
            holder_words: 1000,
            holder_pairs: true,
            nobody_shift: 0.5,
            holder_neighbour_min: 4,
            max_iterations: 150,
            party_head_cv: false,
            balance: true,
            // Chosen by grouped 5-fold CV on training-data (stance macro-F1, see README
            // "Feature choices"): masking party names helps (0.788 vs 0.783), bigrams help
            // (0.790 vs 0.781 without), negation marking does not (0.790 without vs 0.788).
            tokenizer: TokenizerConfig {
                negation: false,
                bigrams: true,
                mask_parties: true,
            },
        }
    }
}

macro_rules! setter {
    ($name:ident: $t:ty) => {
        #[doc = concat!("Sets `", stringify!($name), "`.")]
        pub fn $name(mut self, $name: $t) -> Self {
            self.$name = $name;
            self
        }
    };
}

impl TrainParams {
    setter!(alphas: Vec<f32>);
    setter!(folds: usize);
    setter!(min_df: usize);
    setter!(max_features: usize);
    setter!(party_max_features: usize);
    setter!(party_min_rows: usize);
    setter!(party_alpha: f32);
    setter!(holder_alpha: f32);
    setter!(holder_words: usize);
    setter!(holder_pairs: bool);
    setter!(nobody_shift: f32);
    setter!(holder_neighbour_min: usize);
    setter!(max_iterations: u64);
    setter!(party_head_cv: bool);
    setter!(balance: bool);
    setter!(tokenizer: TokenizerConfig);

    /// Validates the parameters.
    ///
    /// # Errors
    /// A non-positive or non-finite alpha, fewer than 2 folds, a zero cap or iteration count.
    pub fn check(self) -> Result<Self> {
        let invalid = |field, rule, value: String| Err(Error::InvalidParam { field, rule, value });
        if self.alphas.is_empty() {
            return invalid("alpha", "at least one value", "none".into());
        }
        if let Some(a) = self
            .alphas
            .iter()
            .chain([&self.party_alpha, &self.holder_alpha])
            .find(|a| !(a.is_finite() && **a > 0.0))
        {
            return invalid("alpha", "a positive, finite number", a.to_string());
        }
        if !self.nobody_shift.is_finite() {
            return invalid(
                "nobody-shift",
                "a finite number",
                self.nobody_shift.to_string(),
            );
        }
        if self.folds < 2 {
            return invalid("folds", "at least 2", self.folds.to_string());
        }
        if self.max_features == 0 || self.party_max_features == 0 {
            return invalid("max-features", "at least 1", "0".into());
        }
        if self.max_iterations == 0 {
            return invalid("max-iterations", "at least 1", "0".into());
        }
        Ok(self)
    }
}

/// What training measured.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    pub rows: usize,
    pub sources: usize,
    /// Folds actually used (fewer than asked when there are few sources).
    pub folds: usize,
    /// Grouped-CV macro-F1 of each alpha tried.
    pub alpha_scores: Vec<(f32, f64)>,
    pub chosen_alpha: f32,
    /// Grouped-CV stance results at the chosen alpha.
    pub cv_stance: Evaluation,
    /// Grouped-CV accuracy of the party head alone (bag of words), over rows with a party.
    pub cv_party_accuracy: Option<f64>,
    /// Things the user should know (non-convergence, dropped parties, duplicates).
    pub warnings: Vec<String>,
}

/// Progress messages from a long training run.
pub type Progress<'a> = &'a (dyn Fn(&str) + Sync);

/// Fits a model on `examples` with grouped cross-validation over `params.alphas`.
///
/// # Errors
/// No rows, a single stance class, or a failed fit.
pub fn train(
    examples: &[Example],
    params: &TrainParams,
    parties: &PartyTable,
    progress: Progress,
) -> Result<(Model, Report)> {
    if examples.is_empty() {
        return Err(Error::EmptyTrainingSet {
            inputs: "the input".into(),
        });
    }
    let stances: BTreeSet<Stance> = examples.iter().map(|e| e.stance).collect();
    if stances.len() < 2 {
        return Err(Error::OneClass {
            only: stances
                .iter()
                .next()
                .map_or("none".into(), |s| s.to_string()),
        });
    }
    let mut warnings = Vec::new();
    progress("tokenizing");
    let docs = stance_docs(examples, params, parties);
    // The party head always sees the names, masked or not for the stance head.
    let unmasked;
    let party_docs: &[Vec<String>] = if params.tokenizer.mask_parties {
        unmasked = examples
            .par_iter()
            .map(|e| params.tokenizer.feature_list(&e.text))
            .collect::<Vec<_>>();
        &unmasked
    } else {
        &docs
    };
    let stance_labels: Vec<usize> = examples.iter().map(|e| e.stance.index()).collect();
    let party = PartyLabels::new(examples, params.party_min_rows, &mut warnings);

    let groups = group_folds(examples, params.folds);
    let n_folds = groups.iter().copied().max().map_or(0, |m| m + 1);
    let mut alphas = params.alphas.clone();
    alphas.sort_by(|a, b| b.total_cmp(a)); // strong → weak, for warm starts
    alphas.dedup();

    let class_names: Vec<String> = Stance::ALL.iter().map(|s| s.to_string()).collect();
    let mut per_alpha: Vec<Evaluation> = vec![Evaluation::new(class_names.clone()); alphas.len()];
    let mut party_eval: Option<(usize, usize)> = None;
    if n_folds >= 2 {
        progress(&format!(
            "cross-validating {} alphas × {n_folds} folds",
            alphas.len()
        ));
        let fold_results: Vec<Result<FoldResult>> = (0..n_folds)
            .into_par_iter()
            .map(|fold| {
                let (train_idx, test_idx): (Vec<usize>, Vec<usize>) =
                    (0..examples.len()).partition(|&i| groups[i] != fold);
                let evals = cv_stance_fold(
                    &docs,
                    &stance_labels,
                    &train_idx,
                    &test_idx,
                    &alphas,
                    params,
                    &class_names,
                )?;
                let party = party
                    .as_ref()
                    .filter(|_| params.party_head_cv)
                    .map(|p| cv_party_fold(party_docs, p, &train_idx, &test_idx, params))
                    .transpose()?;
                progress(&format!("fold {} done", fold + 1));
                Ok((evals, party))
            })
            .collect();
        for r in fold_results {
            let (evals, p) = r?;
            for (acc, e) in per_alpha.iter_mut().zip(&evals) {
                acc.merge(e);
            }
            if let Some((c, n)) = p {
                let t = party_eval.get_or_insert((0, 0));
                t.0 += c;
                t.1 += n;
            }
        }
    } else {
        warnings.push("fewer than 2 sources: no cross-validation, the first alpha is used".into());
    }
    let alpha_scores: Vec<(f32, f64)> = alphas
        .iter()
        .copied()
        .zip(per_alpha.iter().map(Evaluation::macro_f1))
        .collect();
    // Best macro-F1; on a tie the stronger alpha (listed first) wins.
    let best = alpha_scores.iter().enumerate().fold(0, |best, (i, s)| {
        if s.1 > alpha_scores[best].1 + 1e-12 {
            i
        } else {
            best
        }
    });
    let chosen_alpha = alphas[best];

    progress("fitting the final model");
    let all: Vec<usize> = (0..examples.len()).collect();
    let (stance_head, converged) = fit_head(
        &docs,
        &stance_labels,
        &all,
        &class_names,
        chosen_alpha,
        params,
        params.max_features,
        None,
    )?;
    if !converged {
        warnings.push(format!(
            "stance fit did not converge in {} iterations; try --max-iterations",
            params.max_iterations
        ));
    }
    let party_head = match &party {
        Some(p) => {
            let (head, converged) = p.fit(party_docs, &all, params)?;
            if !converged {
                warnings.push("party fit did not converge".into());
            }
            Some(head)
        }
        None => None,
    };
    progress("fitting the holder model");
    let mut holder_head = fit_holder(examples, parties, params, &docs, &stance_head.vocabulary)?;
    if let Some(h) = &mut holder_head {
        shift_nobody(h, params.nobody_shift);
    }
    let sources = examples
        .iter()
        .map(|e| e.source.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    let report = Report {
        rows: examples.len(),
        sources,
        folds: n_folds,
        alpha_scores,
        chosen_alpha,
        cv_stance: per_alpha[best].clone(),
        cv_party_accuracy: party_eval.map(|(c, n)| c as f64 / n.max(1) as f64),
        warnings,
    };
    let training = TrainingInfo {
        rows: examples.len(),
        sources,
        data_hash: data_hash(examples),
        alpha: chosen_alpha,
        params: serde_json::to_value(params).unwrap_or_default(),
        cv: serde_json::json!({
            "folds": n_folds,
            "stance_macro_f1": round4(report.cv_stance.macro_f1()),
            "stance_accuracy": round4(report.cv_stance.accuracy()),
            "alpha_scores": report.alpha_scores.iter().map(|(a, s)| (a.to_string(), round4(*s))).collect::<BTreeMap<_, _>>(),
            "party_accuracy_bag_of_words": report.cv_party_accuracy.map(round4),
        }),
    };
    let model = Model {
        tokenizer: params.tokenizer.clone(),
        stance: stance_head,
        party: party_head,
        holder: holder_head,
        training,
    };
    Ok((model, report))
}

/// Grouped cross-validation of the whole party decision, the honest yardstick for party
/// changes: for each fold (the grouping by `source` of [`train`]), the bag-of-words party
/// head and the holder head are fitted on the other folds, then the held-out articles are
/// tagged in order (so carry-over sees the tagger's own previous party) and scored.
/// The stance head is not fitted (the returned stance figures are meaningless).
/// One evaluation per value of `nobody_shifts` (see [`TrainParams::nobody_shift`]), all
/// from the same fits.
///
/// # Errors
/// A failed fit.
pub fn party_cross_validation(
    examples: &[Example],
    params: &TrainParams,
    parties: &PartyTable,
    nobody_shifts: &[f32],
    progress: Progress,
) -> Result<Vec<TaggerEvaluation>> {
    let mut warnings = Vec::new();
    let party = PartyLabels::new(examples, params.party_min_rows, &mut warnings);
    let party_docs: Vec<Vec<String>> = match party {
        Some(_) => examples
            .par_iter()
            .map(|e| params.tokenizer.feature_list(&e.text))
            .collect(),
        None => Vec::new(),
    };
    let docs = stance_docs(examples, params, parties);
    let stance_labels: Vec<usize> = examples.iter().map(|e| e.stance.index()).collect();
    let groups = group_folds(examples, params.folds);
    let n_folds = groups.iter().copied().max().map_or(0, |m| m + 1);
    let class_names: Vec<String> = Stance::ALL.iter().map(|s| s.to_string()).collect();
    progress(&format!("party cross-validation, {n_folds} folds"));
    let folds: Vec<Result<Vec<TaggerEvaluation>>> = (0..n_folds)
        .into_par_iter()
        .map(|fold| {
            let (train_idx, test_idx): (Vec<usize>, Vec<usize>) =
                (0..examples.len()).partition(|&i| groups[i] != fold);
            let party_head = match &party {
                Some(p) => {
                    let (head, _) = p.fit(&party_docs, &train_idx, params)?;
                    Some(head)
                }
                None => None,
            };
            let train_rows: Vec<Example> = train_idx.iter().map(|&i| examples[i].clone()).collect();
            let test_rows: Vec<Example> = test_idx.iter().map(|&i| examples[i].clone()).collect();
            // The stance vocabulary the final fit would choose; its weights do not matter.
            let train_docs: Vec<Vec<String>> = train_idx.iter().map(|&i| docs[i].clone()).collect();
            let refs: Vec<&[String]> = train_docs.iter().map(Vec::as_slice).collect();
            let train_stances: Vec<usize> = train_idx.iter().map(|&i| stance_labels[i]).collect();
            let vocabulary = Vocabulary::fit(
                &refs,
                &train_stances,
                class_names.len(),
                params.min_df,
                params.max_features,
            );
            let holder_head = fit_holder(&train_rows, parties, params, &train_docs, &vocabulary)?;
            let stance = LinearHead {
                classes: class_names.clone(),
                weights: vec![0.0; vocabulary.len() * class_names.len()],
                vocabulary,
                bias: vec![0.0; class_names.len()],
            };
            nobody_shifts
                .iter()
                .map(|&shift| {
                    let mut holder = holder_head.clone();
                    if let Some(h) = &mut holder {
                        shift_nobody(h, shift);
                    }
                    let model = Model {
                        tokenizer: params.tokenizer.clone(),
                        stance: stance.clone(),
                        party: party_head.clone(),
                        holder,
                        training: TrainingInfo::default(),
                    };
                    let mut tagger = Tagger::new(model, parties.clone())?;
                    Ok(evaluate_tagger(&mut tagger, &test_rows))
                })
                .collect()
        })
        .collect();
    let mut total: Vec<TaggerEvaluation> = nobody_shifts
        .iter()
        .map(|_| TaggerEvaluation::new())
        .collect();
    for f in folds {
        for (t, e) in total.iter_mut().zip(f?) {
            t.merge(e);
        }
    }
    Ok(total)
}

/// Adds `shift` to the holder logit of the "nobody" candidate (through the weight of its
/// always-set `nobody` cue): positive makes `none` likelier.
fn shift_nobody(head: &mut LinearHead, shift: f32) {
    if let Some(id) = head.vocabulary.id("nobody") {
        head.weights[id as usize * head.classes.len() + HOLDER] += shift;
    }
}

/// The stance head's features of each example (party mentions masked when the
/// tokenizer masks them).
fn stance_docs(
    examples: &[Example],
    params: &TrainParams,
    parties: &PartyTable,
) -> Vec<Vec<String>> {
    examples
        .par_iter()
        .map(|e| {
            let masks: Vec<(usize, usize)> = if params.tokenizer.mask_parties {
                parties
                    .mentions(&e.text)
                    .iter()
                    .map(|m| (m.start, m.end))
                    .collect()
            } else {
                Vec::new()
            };
            params.tokenizer.feature_list_masked(&e.text, &masks)
        })
        .collect()
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Fits the holder head: one row per candidate party of every labeled sentence (the
/// parties it names, and the previous sentence's labeled party), positive when the
/// candidate is the labeled party. `None` when the data has no party labels.
fn fit_holder(
    examples: &[Example],
    parties: &PartyTable,
    params: &TrainParams,
    stance_docs: &[Vec<String>],
    stance_vocabulary: &Vocabulary,
) -> Result<Option<LinearHead>> {
    // The words the "nobody" candidate reads: stance-vocabulary terms that best tell
    // `none` rows from rows with a party (chi-square).
    let in_vocabulary: Vec<Vec<String>> = stance_docs
        .iter()
        .map(|d| {
            d.iter()
                .filter(|t| stance_vocabulary.id(t).is_some())
                .cloned()
                .collect()
        })
        .collect();
    // The `holder_words` terms that best tell apart (chi-square) the two sides of
    // `side` among `rows`.
    let fit_words = |rows: &[usize], side: &dyn Fn(usize) -> bool| {
        Vocabulary::fit(
            &rows
                .iter()
                .map(|&i| in_vocabulary[i].as_slice())
                .collect::<Vec<_>>(),
            &rows
                .iter()
                .map(|&i| usize::from(side(i)))
                .collect::<Vec<_>>(),
            2,
            params.min_df,
            params.holder_words,
        )
    };
    let labeled: Vec<usize> = (0..examples.len())
        .filter(|&i| examples[i].party.is_some())
        .collect();
    let words = fit_words(&labeled, &|i| examples[i].party.as_deref() == Some("none"));
    // The words the carried-over party reads: those that best tell a row keeping the
    // previous row's party (`The union said …`) from one that does not.
    let after_party: Vec<usize> = (1..examples.len())
        .filter(|&i| {
            examples[i].party.is_some()
                && examples[i - 1].source == examples[i].source
                && examples[i - 1]
                    .party
                    .as_deref()
                    .is_some_and(|p| p != "none")
        })
        .collect();
    let carry_words = fit_words(&after_party, &|i| {
        examples[i].party == examples[i - 1].party
    });
    // The words next to mentions that occur often enough to be weighed.
    let mut neighbours: BTreeMap<String, usize> = BTreeMap::new();
    for e in examples.iter().filter(|e| e.party.is_some()) {
        let mentions = parties.mentions(&e.text);
        let view = holder::SentenceView::whole(&e.text, &mentions);
        for m in &mentions {
            let (b, a) = holder::neighbour_words(&view, m);
            for (prefix, w) in [(holder::BEFORE_PREFIX, b), (holder::AFTER_PREFIX, a)] {
                if let Some(w) = w {
                    *neighbours
                        .entry(format!("{prefix}{}", w.to_ascii_lowercase()))
                        .or_default() += 1;
                }
            }
        }
    }
    neighbours.retain(|_, n| *n >= params.holder_neighbour_min);
    let empty = Vocabulary::default();
    let mut docs: Vec<Vec<String>> = Vec::new();
    let mut labels: Vec<usize> = Vec::new();
    let mut candidates = Vec::new();
    let mut row = 0;
    for group in examples.chunk_by(|a, b| a.source == b.source) {
        let mut immediate: Option<&str> = None;
        let mut last: Option<&str> = None;
        let mut memory = ArticleMemory::default();
        for e in group {
            let features = &in_vocabulary[row];
            row += 1;
            let mut mentions = parties.mentions(&e.text);
            let sentence_words = holder::SentenceWords::of(&e.text);
            memory.extend_mentions(&e.text, 0, &sentence_words, &mut mentions);
            let Some(gold) = e.party.as_deref() else {
                immediate = None;
                continue;
            };
            let previous = holder::carried(immediate, last, &e.text);
            holder::candidates_in_words(
                &e.text,
                0,
                e.text.len(),
                &sentence_words,
                &mentions,
                previous,
                &mut candidates,
            );
            for c in &candidates {
                let party = match c.kind {
                    holder::CandidateKind::Mention(i) => &*mentions[i].party,
                    holder::CandidateKind::Previous => previous.unwrap_or("none"),
                    holder::CandidateKind::Nobody => "none",
                };
                let mut doc: Vec<String> = Vec::new();
                holder::cue_terms(c.cues, params.holder_pairs, &mut doc);
                let (chosen, prefix) = match c.kind {
                    holder::CandidateKind::Nobody => (&words, holder::WORD_PREFIX),
                    holder::CandidateKind::Previous => (&carry_words, holder::CARRY_WORD_PREFIX),
                    holder::CandidateKind::Mention(_) => (&empty, ""),
                };
                doc.extend(
                    features
                        .iter()
                        .filter(|t| chosen.id(t).is_some())
                        .map(|t| format!("{prefix}{t}")),
                );
                if let holder::CandidateKind::Mention(i) = c.kind {
                    let view = holder::SentenceView::whole(&e.text, &mentions);
                    let (b, a) = holder::neighbour_words(&view, &mentions[i]);
                    for (prefix, w) in [(holder::BEFORE_PREFIX, b), (holder::AFTER_PREFIX, a)] {
                        if let Some(w) = w {
                            let term = format!("{prefix}{}", w.to_ascii_lowercase());
                            if neighbours.contains_key(&term) {
                                doc.push(term);
                            }
                        }
                    }
                }
                docs.push(doc);
                labels.push(if party == gold { HOLDER } else { OTHER });
            }
            immediate = Some(gold).filter(|g| *g != "none");
            last = immediate.or(last);
        }
    }
    if !labels.contains(&HOLDER) || !labels.contains(&OTHER) {
        return Ok(None);
    }
    let idx: Vec<usize> = (0..docs.len()).collect();
    let prepared = prepare(&docs, &labels, &idx, 2, params.min_df, usize::MAX);
    let classes = ["holder".to_owned(), "other".to_owned()];
    let (head, _) = fit_prepared(
        &prepared,
        &classes,
        params.holder_alpha,
        &unbalanced(params),
        None,
    )?;
    Ok(Some(head))
}

/// Parameters for the party and holder heads: their outputs are compared with
/// probability thresholds, so they keep the training priors (no balancing, which would
/// push rare parties over `none`).
fn unbalanced(params: &TrainParams) -> TrainParams {
    TrainParams {
        balance: false,
        ..params.clone()
    }
}

const HOLDER: usize = 0;
const OTHER: usize = 1;

/// Per fold: stance evaluation per alpha, and (correct, total) of the party head.
type FoldResult = (Vec<Evaluation>, Option<(usize, usize)>);

/// Party classes for the bag-of-words party head: parties with enough rows.
struct PartyLabels {
    classes: Vec<String>,
    /// Class index per example; `None` for rows without a party or with a rare one.
    labels: Vec<Option<usize>>,
    /// Rows that have a party at all (the denominator of party accuracy).
    has_party: Vec<bool>,
}

impl PartyLabels {
    /// Fits the bag-of-words party head on those of `rows` that have a (kept) party;
    /// the head and whether the solver converged.
    fn fit(
        &self,
        docs: &[Vec<String>],
        rows: &[usize],
        params: &TrainParams,
    ) -> Result<(LinearHead, bool)> {
        let idx: Vec<usize> = rows
            .iter()
            .copied()
            .filter(|&i| self.labels[i].is_some())
            .collect();
        let labels: Vec<usize> = self.labels.iter().map(|l| l.unwrap_or(0)).collect();
        fit_head(
            docs,
            &labels,
            &idx,
            &self.classes,
            params.party_alpha,
            &unbalanced(params),
            params.party_max_features,
            None,
        )
    }

    fn new(examples: &[Example], min_rows: usize, warnings: &mut Vec<String>) -> Option<Self> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for e in examples {
            if let Some(p) = &e.party {
                *counts.entry(p.as_str()).or_default() += 1;
            }
        }
        let classes: Vec<String> = counts
            .iter()
            .filter(|(_, &n)| n >= min_rows)
            .map(|(p, _)| p.to_string())
            .collect();
        if classes.len() < 2 {
            return None;
        }
        let rare = counts.len() - classes.len();
        if rare > 0 {
            warnings.push(format!(
                "{rare} parties have fewer than {min_rows} rows and are left to the party lexicon"
            ));
        }
        let labels = examples
            .iter()
            .map(|e| e.party.as_ref().and_then(|p| classes.binary_search(p).ok()))
            .collect();
        let has_party = examples.iter().map(|e| e.party.is_some()).collect();
        Some(PartyLabels {
            classes,
            labels,
            has_party,
        })
    }
}

/// Assigns each example's source to a fold: sources sorted by size (largest first, then
/// name) go to the fold with the fewest rows so far. Deterministic, and never splits a
/// source. Uses fewer folds than asked when there are fewer sources.
fn group_folds(examples: &[Example], folds: usize) -> Vec<usize> {
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for e in examples {
        *sizes.entry(e.source.as_str()).or_default() += 1;
    }
    let folds = folds.min(sizes.len()).max(1);
    let mut order: Vec<(&str, usize)> = sizes.into_iter().collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut load = vec![0usize; folds];
    let mut fold_of: BTreeMap<&str, usize> = BTreeMap::new();
    for (source, n) in order {
        let f = (0..folds).min_by_key(|&f| (load[f], f)).unwrap_or(0);
        load[f] += n;
        fold_of.insert(source, f);
    }
    examples
        .iter()
        .map(|e| fold_of[e.source.as_str()])
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn cv_stance_fold(
    docs: &[Vec<String>],
    labels: &[usize],
    train_idx: &[usize],
    test_idx: &[usize],
    alphas: &[f32],
    params: &TrainParams,
    classes: &[String],
) -> Result<Vec<Evaluation>> {
    let mut out = Vec::with_capacity(alphas.len());
    let mut warm: Option<Array2<f32>> = None;
    let prepared = prepare(
        docs,
        labels,
        train_idx,
        classes.len(),
        params.min_df,
        params.max_features,
    );
    for &alpha in alphas {
        let (head, _) = fit_prepared(&prepared, classes, alpha, params, warm.take())?;
        let mut eval = Evaluation::new(classes.to_vec());
        for &i in test_idx {
            eval.add(
                labels[i],
                argmax(&head.probabilities(&head.vocabulary.ids_of(&docs[i]))),
            );
        }
        warm = Some(head_to_params(&head));
        out.push(eval);
    }
    Ok(out)
}

/// (correct, total) of the party head on the test rows that have a party.
fn cv_party_fold(
    docs: &[Vec<String>],
    party: &PartyLabels,
    train_idx: &[usize],
    test_idx: &[usize],
    params: &TrainParams,
) -> Result<(usize, usize)> {
    let (head, _) = party.fit(docs, train_idx, params)?;
    let mut correct = 0;
    let mut total = 0;
    for &i in test_idx.iter().filter(|&&i| party.has_party[i]) {
        total += 1;
        let p = argmax(&head.probabilities(&head.vocabulary.ids_of(&docs[i])));
        if party.labels[i] == Some(p) {
            correct += 1;
        }
    }
    Ok((correct, total))
}

/// A head's weights as linfa's `(n_terms + 1) × n_classes` parameters for a warm start
/// (the intercept row restarts at zero: the stored bias carries the prior correction).
fn head_to_params(head: &LinearHead) -> Array2<f32> {
    let k = head.classes.len();
    let n = head.vocabulary.len();
    let mut p = Array2::zeros((n + 1, k));
    for (r, row) in head.weights.chunks(k).enumerate() {
        for (c, w) in row.iter().enumerate() {
            p[[r, c]] = *w;
        }
    }
    p
}

/// A head's training matrix: the vocabulary chosen on the rows `idx`, their binary
/// design matrix and labels.
struct Prepared {
    vocabulary: Vocabulary,
    x: Array2<f32>,
    labels: Vec<usize>,
}

fn prepare(
    docs: &[Vec<String>],
    labels: &[usize],
    idx: &[usize],
    n_classes: usize,
    min_df: usize,
    max_features: usize,
) -> Prepared {
    let sub_docs: Vec<&[String]> = idx.iter().map(|&i| docs[i].as_slice()).collect();
    let sub_labels: Vec<usize> = idx.iter().map(|&i| labels[i]).collect();
    let vocabulary = Vocabulary::fit(&sub_docs, &sub_labels, n_classes, min_df, max_features);
    let rows: Vec<Vec<u32>> = sub_docs.iter().map(|d| vocabulary.ids_of(d)).collect();
    let x = dense_matrix(&rows, vocabulary.len());
    Prepared {
        vocabulary,
        x,
        labels: sub_labels,
    }
}

/// Prepares and fits one head on the rows `idx`.
#[allow(clippy::too_many_arguments)]
fn fit_head(
    docs: &[Vec<String>],
    labels: &[usize],
    idx: &[usize],
    classes: &[String],
    alpha: f32,
    params: &TrainParams,
    max_features: usize,
    warm: Option<Array2<f32>>,
) -> Result<(LinearHead, bool)> {
    let prepared = prepare(
        docs,
        labels,
        idx,
        classes.len(),
        params.min_df,
        max_features,
    );
    fit_prepared(&prepared, classes, alpha, params, warm)
}

/// linfa multinomial logistic regression on a prepared matrix; weights copied out.
/// Returns the head and whether the solver's gradient got small.
///
/// `classes` are all class names; rows are labeled by index into them. Classes absent
/// from the rows get a very low bias, so they are never predicted.
fn fit_prepared(
    prepared: &Prepared,
    classes: &[String],
    alpha: f32,
    params: &TrainParams,
    warm: Option<Array2<f32>>,
) -> Result<(LinearHead, bool)> {
    // Named for error messages; the class list tells the heads apart.
    let head_name = match classes.first().map(String::as_str) {
        Some("conciliatory") => "stance",
        Some("holder") => "holder",
        _ => "party",
    };
    let Prepared {
        vocabulary,
        x,
        labels,
    } = prepared;
    let present: BTreeSet<usize> = labels.iter().copied().collect();
    if present.len() < 2 {
        return Err(Error::FitFailed {
            head: head_name,
            reason: "fewer than two classes in the training rows".into(),
        });
    }
    let dataset = DatasetView::new(x.view(), ndarray::ArrayView1::from(labels.as_slice()));
    let mut estimator = MultiLogisticRegression::<f32>::default()
        .alpha(alpha)
        .max_iterations(params.max_iterations)
        // scikit-learn's lbfgs stops when max |gradient| of the *mean* loss is ≤ 1e-4;
        // linfa's loss is summed over rows and its test is on the gradient's L2 norm,
        // so the same (slightly stricter) rule is 1e-4 × rows.
        .gradient_tolerance(1e-4 * labels.len().max(1) as f32);
    // A warm start only fits when the vocabulary and classes are unchanged (same fold).
    let warm = warm.filter(|w| w.nrows() == vocabulary.len() + 1 && w.ncols() == present.len());
    let warm_started = warm.is_some();
    if let Some(w) = warm {
        estimator = estimator.initial_params(w);
    }
    let fitted = estimator.fit(&dataset).map_err(|e| Error::FitFailed {
        head: head_name,
        reason: e.to_string(),
    })?;
    let fitted_params = fitted.params();
    let intercept = fitted.intercept();
    if !warm_started
        && fitted_params
            .iter()
            .chain(intercept.iter())
            .all(|w| *w == 0.0)
    {
        // linfa hands back its initial zero weights when the solver fails.
        return Err(Error::FitFailed {
            head: head_name,
            reason: "the solver returned its initial all-zero weights".into(),
        });
    }
    if fitted_params
        .iter()
        .chain(intercept.iter())
        .any(|w| !w.is_finite())
    {
        return Err(Error::FitFailed {
            head: head_name,
            reason: "non-finite weights".into(),
        });
    }
    let converged = gradient_is_small(x, labels, fitted.classes(), fitted_params, intercept, alpha);

    // Copy linfa's columns (its sorted class list) into our class order.
    let k = classes.len();
    let n = vocabulary.len();
    let mut weights = vec![0.0f32; n * k];
    let mut bias = vec![-1e4f32; k];
    let total = labels.len() as f32;
    for (col, &class) in fitted.classes().iter().enumerate() {
        for r in 0..n {
            weights[r * k + class] = fitted_params[[r, col]];
        }
        let share = labels.iter().filter(|&&l| l == class).count() as f32 / total;
        bias[class] = intercept[col] - if params.balance { share.ln() } else { 0.0 };
    }
    Ok((
        LinearHead {
            classes: classes.to_vec(),
            vocabulary: vocabulary.clone(),
            weights,
            bias,
        },
        converged,
    ))
}

/// True when the loss gradient at the solution is small relative to the row count.
fn gradient_is_small(
    x: &Array2<f32>,
    labels: &[usize],
    classes: &[usize],
    w: &Array2<f32>,
    b: &Array1<f32>,
    alpha: f32,
) -> bool {
    let mut p = x.dot(w) + b;
    for mut row in p.rows_mut() {
        let max = row.fold(f32::NEG_INFINITY, |m, v| m.max(*v));
        row.mapv_inplace(|v| (v - max).exp());
        let s = row.sum();
        row /= s;
    }
    for (r, &l) in labels.iter().enumerate() {
        if let Ok(c) = classes.binary_search(&l) {
            p[[r, c]] -= 1.0;
        }
    }
    let grad = x.t().dot(&p) + &(w * alpha);
    let bias_grad = p.sum_axis(Axis(0));
    let norm = grad
        .iter()
        .chain(bias_grad.iter())
        .fold(0.0f32, |m, g| m.max(g.abs()));
    norm <= 0.05 * (labels.len() as f32).sqrt().max(1.0)
}

#[cfg(test)]
mod tests;
