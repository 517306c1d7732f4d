//! Confusion matrices and the scores read off them: accuracy, per-class precision,
//! recall and F1, macro-F1. Used by cross-validation, `--test` and the dev-set checks.

use std::fmt;

/// Counts of (true class, predicted class).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Evaluation {
    pub classes: Vec<String>,
    /// `confusion[true][predicted]`.
    pub confusion: Vec<Vec<usize>>,
}

/// Precision, recall, F1 and support of one class.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct ClassScores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

impl Evaluation {
    /// An empty matrix over `classes`.
    pub fn new(classes: Vec<String>) -> Self {
        let k = classes.len();
        Evaluation {
            classes,
            confusion: vec![vec![0; k]; k],
        }
    }

    /// Counts one prediction (class indices).
    pub fn add(&mut self, truth: usize, predicted: usize) {
        self.confusion[truth][predicted] += 1;
    }

    /// Adds another matrix over the same classes.
    pub fn merge(&mut self, other: &Evaluation) {
        for (a, b) in self.confusion.iter_mut().zip(&other.confusion) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }

    /// Number of predictions counted.
    pub fn total(&self) -> usize {
        self.confusion.iter().flatten().sum()
    }

    /// Share of correct predictions (0 when empty).
    pub fn accuracy(&self) -> f64 {
        let correct: usize = (0..self.classes.len()).map(|i| self.confusion[i][i]).sum();
        ratio(correct, self.total())
    }

    /// Scores of each class, in class order.
    pub fn per_class(&self) -> Vec<ClassScores> {
        (0..self.classes.len())
            .map(|i| {
                let tp = self.confusion[i][i];
                let predicted: usize = self.confusion.iter().map(|r| r[i]).sum();
                let support: usize = self.confusion[i].iter().sum();
                let precision = ratio(tp, predicted);
                let recall = ratio(tp, support);
                let f1 = if precision + recall > 0.0 {
                    2.0 * precision * recall / (precision + recall)
                } else {
                    0.0
                };
                ClassScores {
                    precision,
                    recall,
                    f1,
                    support,
                }
            })
            .collect()
    }

    /// Unweighted mean F1 over classes that occur in the truth or the predictions.
    pub fn macro_f1(&self) -> f64 {
        let scores = self.per_class();
        let present: Vec<f64> = scores
            .iter()
            .enumerate()
            .filter(|(i, s)| s.support > 0 || self.confusion.iter().any(|r| r[*i] > 0))
            .map(|(_, s)| s.f1)
            .collect();
        if present.is_empty() {
            0.0
        } else {
            present.iter().sum::<f64>() / present.len() as f64
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl fmt::Display for Evaluation {
    /// A per-class table and the confusion matrix (rows: truth, columns: predicted).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = self
            .classes
            .iter()
            .map(String::len)
            .max()
            .unwrap_or(5)
            .max(12);
        writeln!(
            f,
            "  {:<w$} {:>9} {:>9} {:>9} {:>8}",
            "class", "precision", "recall", "f1", "support"
        )?;
        for (c, s) in self.classes.iter().zip(self.per_class()) {
            writeln!(
                f,
                "  {:<w$} {:>9.3} {:>9.3} {:>9.3} {:>8}",
                c, s.precision, s.recall, s.f1, s.support
            )?;
        }
        writeln!(
            f,
            "  macro-F1 {:.3}, accuracy {:.3} over {} sentences",
            self.macro_f1(),
            self.accuracy(),
            self.total()
        )?;
        writeln!(f, "  confusion (rows: true, columns: predicted)")?;
        write!(f, "  {:<w$}", "")?;
        for c in &self.classes {
            write!(f, " {:>12}", truncate(c, 12))?;
        }
        writeln!(f)?;
        for (c, row) in self.classes.iter().zip(&self.confusion) {
            write!(f, "  {:<w$}", c)?;
            for n in row {
                write!(f, " {:>12}", n)?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

fn truncate(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_a_hand_checked_matrix() {
        let mut e = Evaluation::new(vec!["a".into(), "b".into()]);
        for (t, p) in [(0, 0), (0, 0), (0, 1), (1, 1)] {
            e.add(t, p);
        }
        assert_eq!(e.accuracy(), 0.75);
        let s = e.per_class();
        assert_eq!((s[0].precision, s[0].recall), (1.0, 2.0 / 3.0));
        assert_eq!((s[1].precision, s[1].recall), (0.5, 1.0));
        let f_a = 2.0 * (2.0 / 3.0) / (1.0 + 2.0 / 3.0);
        let f_b = 2.0 * 0.5 / 1.5;
        assert!((e.macro_f1() - (f_a + f_b) / 2.0).abs() < 1e-12);
    }
}

/// What the full tagger (stance head, party lexicon, holder, carry-over) gets right on
/// labeled rows.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TaggerEvaluation {
    pub stance: Evaluation,
    /// Rows with a party label, and how many got it right.
    pub party_total: usize,
    pub party_correct: usize,
    /// The same over rows whose sentence names two or more distinct parties.
    pub multi_party_total: usize,
    pub multi_party_correct: usize,
    /// Baselines over the same rows: the first party mentioned (else `none`), and the
    /// bag-of-words party head alone (its best class, `none` included).
    pub first_mention_correct: usize,
    pub first_mention_multi_correct: usize,
    pub bag_of_words_correct: usize,
    pub bag_of_words_multi_correct: usize,
    /// The rows whose party was wrong, for error analysis.
    #[serde(skip)]
    pub party_misses: Vec<PartyMiss>,
}

impl Default for TaggerEvaluation {
    fn default() -> Self {
        Self::new()
    }
}

/// A row whose party the tagger got wrong.
#[derive(Clone, Debug)]
pub struct PartyMiss {
    pub source: String,
    pub text: String,
    pub gold: String,
    pub predicted: String,
    /// How the party was chosen: `mention`, `previous`, `model` or `none`.
    pub rule: &'static str,
    /// Distinct parties the sentence names.
    pub named: usize,
    /// Whether the gold party is among them.
    pub gold_named: bool,
}

impl TaggerEvaluation {
    /// Nothing counted yet.
    pub fn new() -> Self {
        use crate::stance::Stance;
        TaggerEvaluation {
            stance: Evaluation::new(Stance::ALL.iter().map(|s| s.to_string()).collect()),
            party_total: 0,
            party_correct: 0,
            multi_party_total: 0,
            multi_party_correct: 0,
            first_mention_correct: 0,
            first_mention_multi_correct: 0,
            bag_of_words_correct: 0,
            bag_of_words_multi_correct: 0,
            party_misses: Vec::new(),
        }
    }

    /// Adds the counts of another evaluation (another fold).
    pub fn merge(&mut self, other: TaggerEvaluation) {
        self.stance.merge(&other.stance);
        self.party_total += other.party_total;
        self.party_correct += other.party_correct;
        self.multi_party_total += other.multi_party_total;
        self.multi_party_correct += other.multi_party_correct;
        self.first_mention_correct += other.first_mention_correct;
        self.first_mention_multi_correct += other.first_mention_multi_correct;
        self.bag_of_words_correct += other.bag_of_words_correct;
        self.bag_of_words_multi_correct += other.bag_of_words_multi_correct;
        self.party_misses.extend(other.party_misses);
    }

    pub fn party_accuracy(&self) -> f64 {
        ratio(self.party_correct, self.party_total)
    }
    pub fn multi_party_accuracy(&self) -> f64 {
        ratio(self.multi_party_correct, self.multi_party_total)
    }
    /// Party accuracy lines (overall, two or more parties named) for detente and the
    /// baselines.
    pub fn party_table(&self) -> String {
        let row = |name: &str, all: usize, multi: usize| {
            format!(
                "  {name:<22} {:>8.3} {:>14.3}\n",
                ratio(all, self.party_total),
                ratio(multi, self.multi_party_total)
            )
        };
        format!(
            "  {:<22} {:>8} {:>14}\n{}{}{}",
            "party accuracy",
            format!("all ({})", self.party_total),
            format!("2+ named ({})", self.multi_party_total),
            row("detente", self.party_correct, self.multi_party_correct),
            row(
                "first mention",
                self.first_mention_correct,
                self.first_mention_multi_correct
            ),
            row(
                "bag of words only",
                self.bag_of_words_correct,
                self.bag_of_words_multi_correct
            ),
        )
    }
}

/// Tags `examples` source by source, in order (so carry-over sees the previous
/// sentence), and scores stance and party against the labels.
pub fn evaluate_tagger(
    tagger: &mut crate::tag::Tagger,
    examples: &[crate::dataset::Example],
) -> TaggerEvaluation {
    use crate::segment::Span;
    use crate::tag::PartyReason;
    let mut result = TaggerEvaluation::new();
    for group in examples.chunk_by(|a, b| a.source == b.source) {
        let mut article = String::new();
        let mut spans = Vec::with_capacity(group.len());
        for e in group {
            let start = article.len();
            article.push_str(&e.text);
            spans.push(Span {
                start,
                end: article.len(),
            });
            article.push('\n');
        }
        let tagged = tagger.tag_spans(&article, &spans);
        for (e, t) in group.iter().zip(&tagged) {
            result.stance.add(e.stance.index(), t.stance.index());
            if let Some(gold) = &e.party {
                let ok = usize::from(gold == t.party_name());
                // Baselines and the "2+ named" subset count names, not references (`the union`).
                let named = || t.mentions.iter().filter(|m| !m.reference);
                let first = named().next().map_or("none", |m| &*m.party);
                let first_ok = usize::from(gold == first);
                let bow = tagger.party_head_best(&e.text).map_or("none", |(p, _)| p);
                let bow_ok = usize::from(gold == bow);
                result.party_total += 1;
                result.party_correct += ok;
                result.first_mention_correct += first_ok;
                result.bag_of_words_correct += bow_ok;
                let mut distinct: Vec<&str> = named().map(|m| &*m.party).collect();
                distinct.sort_unstable();
                distinct.dedup();
                if distinct.len() >= 2 {
                    result.multi_party_total += 1;
                    result.multi_party_correct += ok;
                    result.first_mention_multi_correct += first_ok;
                    result.bag_of_words_multi_correct += bow_ok;
                }
                if ok == 0 {
                    result.party_misses.push(PartyMiss {
                        source: e.source.clone(),
                        text: e.text.clone(),
                        gold: gold.clone(),
                        predicted: t.party_name().to_owned(),
                        rule: match t.party_reason {
                            PartyReason::Mention { .. } => "mention",
                            PartyReason::Previous { .. } => "previous",
                            PartyReason::Model { .. } => "model",
                            PartyReason::None => "none",
                        },
                        named: distinct.len(),
                        gold_named: distinct.contains(&gold.as_str()),
                    });
                }
            }
        }
    }
    result
}
