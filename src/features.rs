//! Feature strings → ids: the vocabulary, its selection, and the dense matrix linfa needs.
//!
//! Features are binary (present or not). The vocabulary keeps terms seen in at least
//! `min_df` training sentences, then the `max_features` most informative by chi-square
//! against the labels: linfa fits on dense matrices, so a narrow matrix is what keeps
//! training fast.

use crate::tokenize::{Scratch, TokenizerConfig};
use ndarray::Array2;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash (rustc's hasher): a multiply-rotate over 8-byte words. Term lookup is the
/// inner loop of tagging and SipHash cost as much as the tokenizer (see
/// bench/RESULTS.md); the keys are the model's own terms, so flooding is not a concern.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A hash map with [`FxHasher`]: for short string keys looked up on the hot path.
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Sorted terms; a term's id is its index. The term → id map is rebuilt on load.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    terms: Vec<String>,
    index: FxMap<String, u32>,
}

impl Vocabulary {
    /// Builds a vocabulary from terms (sorted and deduplicated here).
    pub fn from_terms(mut terms: Vec<String>) -> Self {
        terms.sort_unstable();
        terms.dedup();
        let index = terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        Vocabulary { terms, index }
    }

    /// Selects terms from tokenized documents: document frequency ≥ `min_df`, then the
    /// `max_features` highest chi-square scores against `labels` (class index per
    /// document, `n_classes` classes). Ties break by term, so the result is deterministic.
    pub fn fit(
        docs: &[&[String]],
        labels: &[usize],
        n_classes: usize,
        min_df: usize,
        max_features: usize,
    ) -> Self {
        // Per term: document frequency per class.
        let mut counts: HashMap<&str, Vec<u32>> = HashMap::new();
        let mut class_totals = vec![0u32; n_classes];
        for (doc, &label) in docs.iter().zip(labels) {
            class_totals[label] += 1;
            let mut seen: Vec<&str> = doc.iter().map(String::as_str).collect();
            seen.sort_unstable();
            seen.dedup();
            for term in seen {
                counts.entry(term).or_insert_with(|| vec![0; n_classes])[label] += 1;
            }
        }
        let n = docs.len() as f64;
        let mut scored: Vec<(f64, &str)> = counts
            .into_iter()
            .filter(|(_, c)| c.iter().sum::<u32>() as usize >= min_df)
            .map(|(term, c)| (chi_square(&c, &class_totals, n), term))
            .collect();
        scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored.truncate(max_features);
        Vocabulary::from_terms(scored.into_iter().map(|(_, t)| t.to_owned()).collect())
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True when there are no terms.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Terms in id order.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The id of `term`, if known.
    pub fn id(&self, term: &str) -> Option<u32> {
        self.index.get(term).copied()
    }

    /// Sorted, deduplicated ids of the features of `text`, into a caller-owned buffer.
    pub fn ids_into(
        &self,
        tokenizer: &TokenizerConfig,
        text: &str,
        scratch: &mut Scratch,
        ids: &mut Vec<u32>,
    ) {
        self.ids_into_masked(tokenizer, text, &[], scratch, ids);
    }

    /// Like [`Vocabulary::ids_into`], with party mentions masked (see
    /// [`TokenizerConfig::features_masked`]).
    pub fn ids_into_masked(
        &self,
        tokenizer: &TokenizerConfig,
        text: &str,
        masks: &[(usize, usize)],
        scratch: &mut Scratch,
        ids: &mut Vec<u32>,
    ) {
        ids.clear();
        tokenizer.features_masked(text, masks, scratch, |f| {
            if let Some(&id) = self.index.get(f) {
                ids.push(id);
            }
        });
        ids.sort_unstable();
        ids.dedup();
    }

    /// Ids of already-tokenized features (sorted, deduplicated).
    pub fn ids_of(&self, features: &[String]) -> Vec<u32> {
        let mut ids: Vec<u32> = features.iter().filter_map(|f| self.id(f)).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// A binary design matrix: one row per document, 1.0 where the term is present.
pub fn dense_matrix(rows: &[Vec<u32>], n_terms: usize) -> Array2<f32> {
    let mut x = Array2::zeros((rows.len(), n_terms));
    for (r, ids) in rows.iter().enumerate() {
        for &id in ids {
            x[[r, id as usize]] = 1.0;
        }
    }
    x
}

/// Chi-square statistic of a term's presence against the classes.
fn chi_square(term_by_class: &[u32], class_totals: &[u32], n: f64) -> f64 {
    let df: f64 = term_by_class.iter().map(|&c| c as f64).sum();
    let mut chi = 0.0;
    for (&a, &total) in term_by_class.iter().zip(class_totals) {
        let total = total as f64;
        for (observed, expected) in [
            (a as f64, df * total / n),
            (total - a as f64, (n - df) * total / n),
        ] {
            if expected > 0.0 {
                chi += (observed - expected).powi(2) / expected;
            }
        }
    }
    chi
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(texts: &[&str]) -> Vec<Vec<String>> {
        texts
            .iter()
            .map(|t| TokenizerConfig::default().feature_list(t))
            .collect()
    }

    #[test]
    fn keeps_informative_terms_above_min_df() {
        let d = docs(&[
            "we reject it",
            "we reject that",
            "we welcome it",
            "we welcome that",
        ]);
        let d: Vec<&[String]> = d.iter().map(Vec::as_slice).collect();
        let v = Vocabulary::fit(&d, &[0, 0, 1, 1], 2, 2, 4);
        assert_eq!(v.terms(), ["reject", "we reject", "we welcome", "welcome"]);
    }

    #[test]
    fn ids_are_sorted_and_unique() {
        let v = Vocabulary::from_terms(vec!["b".into(), "a".into(), "a b".into()]);
        let mut ids = Vec::new();
        v.ids_into(
            &TokenizerConfig::default(),
            "b a",
            &mut Scratch::default(),
            &mut ids,
        );
        assert_eq!(ids, vec![0, 2]);
        assert_eq!(v.id("a b"), Some(1));
    }

    #[test]
    fn dense_matrix_marks_presence() {
        let x = dense_matrix(&[vec![0, 2], vec![1]], 3);
        assert_eq!(x.row(0).to_vec(), vec![1.0, 0.0, 1.0]);
        assert_eq!(x.row(1).to_vec(), vec![0.0, 1.0, 0.0]);
    }
}
