//! The sentences the model is least sure of, as CSV to label: tag → correct → retrain.
//!
//! The output has the training CSV's columns (`text,stance,party,source`, see
//! `dataset.rs`) with the model's guesses filled in, so a person only fixes the labels
//! and adds the file to `training-data/`. `source` is the input file, so sentences of one
//! article stay in one cross-validation fold. Least confident first.

use crate::stance::Stance;
use std::io::{self, Write};

/// A sentence waiting for a label.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub text: String,
    pub stance: Stance,
    pub party: String,
    pub source: String,
    pub confidence: f32,
}

/// Keeps the `n` lowest-confidence sentences seen; ties keep the earlier one.
#[derive(Clone, Debug)]
pub struct Uncertain {
    n: usize,
    /// Sorted by confidence, then arrival.
    kept: Vec<(f32, u64, Candidate)>,
    seen: u64,
}

impl Uncertain {
    /// Keeps up to `n` sentences.
    pub fn new(n: usize) -> Self {
        Uncertain {
            n,
            kept: Vec::new(),
            seen: 0,
        }
    }

    /// Offers one sentence.
    pub fn offer(&mut self, candidate: Candidate) {
        self.seen += 1;
        if self.n == 0 {
            return;
        }
        let key = (candidate.confidence, self.seen);
        if self.kept.len() == self.n
            && self
                .kept
                .last()
                .is_some_and(|k| k.0.total_cmp(&key.0).then(k.1.cmp(&key.1)).is_lt())
        {
            return;
        }
        let at = self
            .kept
            .partition_point(|k| k.0.total_cmp(&key.0).then(k.1.cmp(&key.1)).is_lt());
        self.kept.insert(at, (key.0, key.1, candidate));
        self.kept.truncate(self.n);
    }

    /// The kept sentences, least confident first.
    pub fn candidates(&self) -> impl Iterator<Item = &Candidate> {
        self.kept.iter().map(|k| &k.2)
    }

    /// `text,stance,party,source,confidence` with a header.
    ///
    /// # Errors
    /// Write errors.
    pub fn write_csv(&self, out: &mut impl Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["text", "stance", "party", "source", "confidence"])?;
        for c in self.candidates() {
            w.write_record([
                c.text.as_str(),
                c.stance.as_str(),
                &c.party,
                &c.source,
                &format!("{:.4}", c.confidence),
            ])?;
        }
        w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(text: &str, confidence: f32) -> Candidate {
        Candidate {
            text: text.into(),
            stance: Stance::Neutral,
            party: "none".into(),
            source: "a.txt".into(),
            confidence,
        }
    }

    #[test]
    fn keeps_the_n_least_confident_in_order() {
        let mut u = Uncertain::new(2);
        for (t, c) in [("a", 0.9), ("b", 0.4), ("c", 0.6), ("d", 0.4), ("e", 0.35)] {
            u.offer(cand(t, c));
        }
        let got: Vec<&str> = u.candidates().map(|c| c.text.as_str()).collect();
        assert_eq!(got, ["e", "b"]);
    }
}
