//! Why a sentence got its stance and its party.
//!
//! The stance head is linear, so an explanation is exact, not an approximation: the
//! log-odds of the chosen stance against the runner-up is
//! `bias[chosen] − bias[runner-up] + Σ (weight[f, chosen] − weight[f, runner-up])` over
//! the sentence's features `f` (each present feature has value 1.0). Each term of the sum
//! is a feature's *contribution*: positive pushes toward the chosen stance, negative
//! against it. Contributions are recomputed from the public [`Model`], with the same
//! tokenizer and vocabulary the tagger uses.
//!
//! The party's evidence is [`Tagged::party_reason`]: which mention, or the carry-over, or
//! the model, and the holder cues (see [`crate::holder::CUES`]) that chose it.

use crate::holder::CUES;
use crate::model::Model;
use crate::stance::Stance;
use crate::tag::{PartyReason, Tagged};
use serde::Serialize;

/// One feature's push toward the chosen stance (against the runner-up).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evidence {
    /// The feature as the tokenizer writes it: a token (`rejected`, `not_accept`,
    /// `<num>`) or a bigram (`red line`).
    pub feature: String,
    /// `weight[feature, chosen] − weight[feature, runner-up]`.
    pub contribution: f32,
}

/// A sentence's stance explanation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// The stance the contributions are measured against: the runner-up.
    pub versus: Stance,
    /// `bias[chosen] − bias[runner-up]`.
    pub bias: f32,
    /// Every in-vocabulary feature of the sentence, strongest push toward the chosen
    /// stance first, strongest push against it last.
    pub evidence: Vec<Evidence>,
}

impl Explanation {
    /// Up to `n` features pushing toward the chosen stance, strongest first.
    pub fn toward(&self, n: usize) -> impl Iterator<Item = &Evidence> {
        self.evidence
            .iter()
            .filter(|e| e.contribution > 0.0)
            .take(n)
    }

    /// Up to `n` features pushing against the chosen stance, strongest first.
    pub fn against(&self, n: usize) -> impl Iterator<Item = &Evidence> {
        self.evidence
            .iter()
            .rev()
            .filter(|e| e.contribution < 0.0)
            .take(n)
    }

    /// `bias + Σ contributions`: the log-odds of the chosen stance against `versus`.
    pub fn log_odds(&self) -> f32 {
        self.bias + self.evidence.iter().map(|e| e.contribution).sum::<f32>()
    }
}

/// Explains `tagged`, a sentence of `article` tagged with `model`.
///
/// Returns `None` when the model's stance head lacks the chosen or every other stance
/// (a one-class model has nothing to compare against).
pub fn explain(model: &Model, article: &str, tagged: &Tagged) -> Option<Explanation> {
    let head = &model.stance;
    let k = head.classes.len();
    let column = |s: Stance| head.classes.iter().position(|c| c == s.as_str());
    let chosen = tagged.stance;
    let versus = Stance::ALL
        .into_iter()
        .filter(|&s| s != chosen && column(s).is_some())
        .max_by(|a, b| tagged.scores[a.index()].total_cmp(&tagged.scores[b.index()]))?;
    let (c, r) = (column(chosen)?, column(versus)?);
    // The same masks as when tagging: the party mentions, relative to the sentence.
    let masks: Vec<(usize, usize)> = tagged
        .mentions
        .iter()
        .map(|m| (m.start - tagged.span.start, m.end - tagged.span.start))
        .collect();
    let mut features = model
        .tokenizer
        .feature_list_masked(tagged.span.of(article), &masks);
    features.sort_unstable();
    features.dedup(); // features are binary: a repeated one counts once
    let mut evidence: Vec<Evidence> = features
        .into_iter()
        .filter_map(|feature| {
            let id = head.vocabulary.id(&feature)? as usize;
            let row = &head.weights[id * k..(id + 1) * k];
            Some(Evidence {
                contribution: row[c] - row[r],
                feature,
            })
        })
        .collect();
    evidence.sort_by(|a, b| {
        b.contribution
            .total_cmp(&a.contribution)
            .then_with(|| a.feature.cmp(&b.feature))
    });
    Some(Explanation {
        versus,
        bias: head.bias[c] - head.bias[r],
        evidence,
    })
}

/// How the party was chosen, ready to print or serialise.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "lowercase")]
pub enum PartyEvidence {
    /// A party named in the sentence, chosen among the mentions by the holder cues.
    Mention {
        /// The alias as written (`Peskov`, `the Kremlin`).
        mention: String,
        start: usize,
        end: usize,
        probability: f32,
        cues: Vec<&'static str>,
    },
    /// Carried over from the previous sentence (`He added …`).
    Previous {
        probability: f32,
        cues: Vec<&'static str>,
    },
    /// No usable mention: the bag-of-words party head decided.
    Model { probability: f32 },
    /// Nothing decided the party.
    None,
}

fn cue_names(cues: u64) -> Vec<&'static str> {
    CUES.iter()
        .enumerate()
        .filter(|(i, _)| cues & (1u64 << i) != 0)
        .map(|(_, n)| *n)
        .collect()
}

impl PartyEvidence {
    /// The evidence of `tagged`'s party.
    pub fn of(tagged: &Tagged) -> Self {
        match tagged.party_reason {
            PartyReason::Mention {
                index,
                probability,
                cues,
            } => match tagged.mentions.get(index) {
                Some(m) => PartyEvidence::Mention {
                    mention: m.text.to_string(),
                    start: m.start,
                    end: m.end,
                    probability,
                    cues: cue_names(cues),
                },
                None => PartyEvidence::None,
            },
            PartyReason::Previous { probability, cues } => PartyEvidence::Previous {
                probability,
                cues: cue_names(cues),
            },
            PartyReason::Model { probability } => PartyEvidence::Model { probability },
            PartyReason::None => PartyEvidence::None,
        }
    }

    /// One line for people: `mention “Peskov” (p 0.93: speech_verb_after, first_mention)`.
    pub fn describe(&self) -> String {
        let cues = |c: &[&str]| {
            if c.is_empty() {
                String::new()
            } else {
                format!(": {}", c.join(", "))
            }
        };
        match self {
            PartyEvidence::Mention {
                mention,
                probability,
                cues: c,
                ..
            } => format!("mention “{mention}” (p {probability:.2}{})", cues(c)),
            PartyEvidence::Previous {
                probability,
                cues: c,
            } => format!(
                "carried over from the previous sentence (p {probability:.2}{})",
                cues(c)
            ),
            PartyEvidence::Model { probability } => {
                format!("party model, no usable mention (p {probability:.2})")
            }
            PartyEvidence::None => {
                "no holder: the cues favour no named party, nothing to carry over, party model unsure".into()
            }
        }
    }
}

/// Features per direction printed by [`write_text`].
pub const TEXT_FEATURES: usize = 3;

/// The `--explain` lines under a sentence in the text format: the strongest features for
/// and against its stance, and how its party was chosen.
///
/// # Errors
/// Write errors.
pub fn write_text(
    out: &mut impl std::io::Write,
    model: &Model,
    article: &str,
    tagged: &Tagged,
) -> std::io::Result<()> {
    let list = |it: &mut dyn Iterator<Item = &Evidence>| {
        let v: Vec<String> = it
            .map(|e| format!("{} {:+.2}", e.feature, e.contribution))
            .collect();
        if v.is_empty() {
            "(none)".to_owned()
        } else {
            v.join(" · ")
        }
    };
    if let Some(e) = explain(model, article, tagged) {
        writeln!(
            out,
            "        for {} (vs {}, bias {:+.2}): {}",
            tagged.stance,
            e.versus,
            e.bias,
            list(&mut e.toward(TEXT_FEATURES))
        )?;
        writeln!(
            out,
            "        against: {}",
            list(&mut e.against(TEXT_FEATURES))
        )?;
    }
    writeln!(
        out,
        "        party {}: {}",
        tagged.party_name(),
        PartyEvidence::of(tagged).describe()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::Tagger;

    #[test]
    fn contributions_add_up_to_the_log_odds_against_the_runner_up() {
        let mut tagger = Tagger::builtin().unwrap();
        let article = "The Kremlin rejected the proposal and warned of retaliation. \
                       Kyiv welcomed the offer of talks.";
        for t in tagger.tag(article) {
            let e = explain(tagger.model(), article, &t).unwrap();
            let expected = (t.confidence / t.scores[e.versus.index()]).ln();
            assert!(
                (e.log_odds() - expected).abs() < 1e-3,
                "{} vs {expected}",
                e.log_odds()
            );
            assert!(e
                .evidence
                .windows(2)
                .all(|w| w[0].contribution >= w[1].contribution));
        }
    }

    #[test]
    fn a_hardline_sentence_is_pushed_by_a_hardline_word() {
        let mut tagger = Tagger::builtin().unwrap();
        let article = "Russia rejected the ceasefire proposal and threatened to escalate.";
        let t = &tagger.tag(article)[0];
        assert_eq!(t.stance, Stance::Hardline);
        let e = explain(tagger.model(), article, t).unwrap();
        let top: Vec<&str> = e.toward(5).map(|e| e.feature.as_str()).collect();
        assert!(
            top.iter()
                .any(|f| f.contains("reject") || f.contains("threat") || f.contains("escalat")),
            "{top:?}"
        );
    }
}
