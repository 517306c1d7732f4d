//! Each party's posture in an article: stance counts, a posture score and the most
//! confident sentence of each stance.
//!
//! **Posture** of a party = `(C − H) / (C + H)`, where `C` is the sum of the confidences
//! of its conciliatory sentences and `H` that of its hardline ones: `+1` only
//! conciliatory, `−1` only hardline, `0` balanced. Neutral sentences do not move it;
//! a party with no conciliatory or hardline sentence has no posture (`null`). Weighting
//! by confidence keeps a sentence the model is unsure of from counting as much as a clear
//! one.

use crate::stance::Stance;
use crate::tag::Tagged;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// A sentence quoted in a summary.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Quote {
    /// Sentence index in its file.
    pub index: usize,
    pub confidence: f32,
    pub text: String,
}

/// One party's tally; add sentences with [`PartySummary::add`].
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize)]
pub struct PartySummary {
    #[serde(skip)]
    pub party: String,
    pub conciliatory: usize,
    pub hardline: usize,
    pub neutral: usize,
    /// See the module docs; `None` without conciliatory or hardline sentences.
    pub posture: Option<f32>,
    /// Sum of the confidences of the conciliatory sentences.
    #[serde(skip)]
    pub conciliatory_weight: f32,
    /// Sum of the confidences of the hardline sentences.
    #[serde(skip)]
    pub hardline_weight: f32,
    /// Most confident sentence of each stance, if any.
    pub most_conciliatory: Option<Quote>,
    pub most_hardline: Option<Quote>,
    pub most_neutral: Option<Quote>,
}

/// `(c − h) / (c + h)`, or `None` when both are zero.
pub fn posture(conciliatory_weight: f32, hardline_weight: f32) -> Option<f32> {
    let total = conciliatory_weight + hardline_weight;
    (total > 0.0).then(|| (conciliatory_weight - hardline_weight) / total)
}

impl PartySummary {
    /// An empty tally for `party`.
    pub fn new(party: &str) -> Self {
        PartySummary {
            party: party.to_owned(),
            ..Default::default()
        }
    }

    /// Counts one sentence (`text` is its text, `index` its index in the file).
    pub fn add(&mut self, index: usize, text: &str, stance: Stance, confidence: f32) {
        let (count, best) = match stance {
            Stance::Conciliatory => {
                self.conciliatory_weight += confidence;
                (&mut self.conciliatory, &mut self.most_conciliatory)
            }
            Stance::Hardline => {
                self.hardline_weight += confidence;
                (&mut self.hardline, &mut self.most_hardline)
            }
            Stance::Neutral => (&mut self.neutral, &mut self.most_neutral),
        };
        *count += 1;
        if best.as_ref().is_none_or(|q| confidence > q.confidence) {
            *best = Some(Quote {
                index,
                confidence,
                text: text.split_whitespace().collect::<Vec<_>>().join(" "),
            });
        }
        self.posture = posture(self.conciliatory_weight, self.hardline_weight);
    }

    /// All sentences counted.
    pub fn sentences(&self) -> usize {
        self.conciliatory + self.hardline + self.neutral
    }

    /// The most confident sentence of `stance`.
    pub fn quote(&self, stance: Stance) -> Option<&Quote> {
        match stance {
            Stance::Conciliatory => self.most_conciliatory.as_ref(),
            Stance::Hardline => self.most_hardline.as_ref(),
            Stance::Neutral => self.most_neutral.as_ref(),
        }
    }
}

/// Per-party summaries of one article, built sentence by sentence (so an article tagged
/// in pieces sums up as a whole).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    parties: Vec<PartySummary>,
}

impl Summary {
    /// Adds tagged sentences of `text`; `index(i)` is the file index of sentence `i`.
    pub fn add(&mut self, text: &str, tagged: &[Tagged], index: impl Fn(usize) -> usize) {
        for (i, t) in tagged.iter().enumerate() {
            let name = t.party_name();
            let at = match self.parties.iter().position(|p| p.party == name) {
                Some(at) => at,
                None => {
                    self.parties.push(PartySummary::new(name));
                    self.parties.len() - 1
                }
            };
            self.parties[at].add(index(i), t.span.of(text), t.stance, t.confidence);
        }
    }

    /// The parties, most sentences with a stance first, then most sentences, then by
    /// name; `none` last.
    pub fn parties(&self) -> Vec<&PartySummary> {
        let mut v: Vec<&PartySummary> = self.parties.iter().collect();
        v.sort_by(|a, b| {
            (a.party == "none")
                .cmp(&(b.party == "none"))
                .then((b.conciliatory + b.hardline).cmp(&(a.conciliatory + a.hardline)))
                .then(b.sentences().cmp(&a.sentences()))
                .then(a.party.cmp(&b.party))
        });
        v
    }

    /// True when no sentence was added.
    pub fn is_empty(&self) -> bool {
        self.parties.is_empty()
    }
}

/// Longest quote printed by [`Summary::write_text`], in characters.
const QUOTE_CHARS: usize = 110;

fn clip(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(n - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

impl Summary {
    /// The summary as an indented table for people: counts and posture per party, then
    /// the most confident conciliatory and hardline sentence of each.
    ///
    /// # Errors
    /// Write errors.
    pub fn write_text(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let parties = self.parties();
        let width = parties
            .iter()
            .map(|p| p.party.chars().count())
            .max()
            .unwrap_or(5)
            .clamp(5, 24);
        writeln!(
            out,
            "  {:<width$}  {:>4}  {:>4}  {:>4}  {:>7}   (posture: −1 hardline … +1 conciliatory)",
            "party", "conc", "hard", "neut", "posture"
        )?;
        for p in parties {
            let name: String = p.party.chars().take(width).collect();
            writeln!(
                out,
                "  {name:<width$}  {:>4}  {:>4}  {:>4}  {:>7}",
                p.conciliatory,
                p.hardline,
                p.neutral,
                p.posture.map_or("·".into(), |v| format!("{v:+.2}"))
            )?;
            for stance in [Stance::Conciliatory, Stance::Hardline] {
                if let Some(q) = p.quote(stance) {
                    writeln!(
                        out,
                        "      most {:<12} {:.2}  #{:<3} “{}”",
                        stance.as_str(),
                        q.confidence,
                        q.index,
                        clip(&q.text, QUOTE_CHARS)
                    )?;
                }
            }
        }
        Ok(())
    }

    /// Rows `file,party,conciliatory,hardline,neutral,posture,most_conciliatory,
    /// most_hardline` (no header; see [`CSV_HEADER`]).
    ///
    /// # Errors
    /// Write errors.
    pub fn write_csv<W: std::io::Write>(
        &self,
        file: &str,
        w: &mut csv::Writer<W>,
    ) -> std::io::Result<()> {
        for p in self.parties() {
            let quote = |s| p.quote(s).map_or("", |q: &Quote| q.text.as_str());
            w.write_record([
                file,
                &p.party,
                &p.conciliatory.to_string(),
                &p.hardline.to_string(),
                &p.neutral.to_string(),
                &p.posture.map_or(String::new(), |v| format!("{v:.4}")),
                quote(Stance::Conciliatory),
                quote(Stance::Hardline),
            ])?;
        }
        Ok(())
    }
}

/// Header of [`Summary::write_csv`].
pub const CSV_HEADER: [&str; 8] = [
    "file",
    "party",
    "conciliatory",
    "hardline",
    "neutral",
    "posture",
    "most_conciliatory",
    "most_hardline",
];

/// Serialises as an object keyed by party, in [`Summary::parties`] order.
impl Serialize for Summary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let parties = self.parties();
        let mut map = serializer.serialize_map(Some(parties.len()))?;
        for p in parties {
            map.serialize_entry(&p.party, p)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posture_is_confidence_weighted_and_bounded() {
        let mut p = PartySummary::new("Russia");
        assert_eq!(p.posture, None);
        p.add(0, "a", Stance::Neutral, 0.9);
        assert_eq!(p.posture, None);
        p.add(1, "b", Stance::Hardline, 0.9);
        assert_eq!(p.posture, Some(-1.0));
        p.add(2, "c", Stance::Conciliatory, 0.3);
        let expected = (0.3 - 0.9) / 1.2;
        assert!((p.posture.unwrap() - expected).abs() < 1e-6);
        assert_eq!((p.conciliatory, p.hardline, p.neutral), (1, 1, 1));
    }

    #[test]
    fn keeps_the_most_confident_quote_of_each_stance() {
        let mut p = PartySummary::new("Hamas");
        p.add(0, "weak  offer", Stance::Conciliatory, 0.4);
        p.add(3, "strong offer", Stance::Conciliatory, 0.8);
        p.add(5, "another", Stance::Conciliatory, 0.7);
        let q = p.quote(Stance::Conciliatory).unwrap();
        assert_eq!((q.index, q.text.as_str()), (3, "strong offer"));
        assert!(p.quote(Stance::Hardline).is_none());
    }
}
