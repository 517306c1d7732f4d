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
            self.add(zero_padded(rest));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// `rest` (1 to 7 bytes) as a zero-padded little-endian word, from two overlapping
/// loads: the second is shifted onto the bytes it shares with the first, and OR-ing a
/// byte with itself leaves it unchanged, so the word is the same as a byte-by-byte shift
/// loop makes (which cost ~5 instructions a byte on every token key; a variable-length
/// copy into a buffer was a `memcpy` call per token).
#[inline]
pub(crate) fn zero_padded(rest: &[u8]) -> u64 {
    debug_assert!((1..8).contains(&rest.len()));
    let n = rest.len();
    let u32_at = |i: usize| {
        u64::from(u32::from_le_bytes([
            rest[i],
            rest[i + 1],
            rest[i + 2],
            rest[i + 3],
        ]))
    };
    let u16_at = |i: usize| u64::from(u16::from_le_bytes([rest[i], rest[i + 1]]));
    match n {
        4.. => u32_at(0) | u32_at(n - 4) << (8 * (n - 4)),
        2.. => u16_at(0) | u16_at(n - 2) << (8 * (n - 2)),
        _ => u64::from(rest[0]),
    }
}

/// A hash map with [`FxHasher`]: for short string keys looked up on the hot path.
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The lookup key of a token: a 64-bit hash of its bytes and length.
#[inline]
pub fn token_key(token: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(token.as_bytes());
    h.add(token.len() as u64);
    h.hash
}

/// The lookup key of the bigram `first second`, from the keys of its tokens.
#[inline]
pub fn bigram_key(first: u64, second: u64) -> u64 {
    // A different mixing step from `token_key`, so a bigram does not land on a unigram.
    (first.rotate_left(23) ^ second ^ 0x9e37_79b9_7f4a_7c15).wrapping_mul(FX_SEED)
}

/// The lookup key of a feature string: a unigram, or two tokens joined by a space
/// (tokens never contain one).
pub fn feature_key(feature: &str) -> u64 {
    match feature.split_once(' ') {
        Some((first, second)) => bigram_key(token_key(first), token_key(second)),
        None => token_key(feature),
    }
}

/// Sorted terms; a term's id is its index. The key → id map is rebuilt on load.
///
/// Terms are looked up by a 64-bit key ([`feature_key`]) rather than by string, so
/// tagging forms bigrams from two token keys without building the bigram's text. Two
/// strings sharing a key is a ~n²/2⁶⁴ event (n ≈ 10⁵ distinct tokens a run: ~10⁻⁹); if
/// two terms of one vocabulary ever did, the first keeps the key.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    terms: Vec<String>,
    index: KeyTable,
}

/// Term key → id: open addressing with linear probing over a power-of-two table at most
/// half full, slots indexed by the key's top bits (the keys are already hashes). A probe
/// is a load and a compare, where the general hash map cost ~45 instructions a lookup
/// (two lookups per token, see bench/RESULTS.md).
#[derive(Clone, Debug)]
struct KeyTable {
    /// `(key, id)`; `id == EMPTY` marks a free slot. Never empty (at least two free
    /// slots), so a lookup needs no emptiness test.
    slots: Vec<(u64, u32)>,
    /// `64 - log2(slots.len())`.
    shift: u32,
}

const EMPTY: u32 = u32::MAX;

impl Default for KeyTable {
    /// A table that finds nothing: two free slots (one bit of the key picks one).
    fn default() -> Self {
        KeyTable {
            slots: vec![(0, EMPTY); 2],
            shift: 63,
        }
    }
}

impl KeyTable {
    /// A table of `keys` (with their ids); of two equal keys the first is kept.
    fn new(keys: &[(u64, u32)]) -> Self {
        let len = (keys.len() * 2).next_power_of_two().max(8);
        let mut table = KeyTable {
            slots: vec![(0, EMPTY); len],
            shift: 64 - len.trailing_zeros(),
        };
        for &(key, id) in keys {
            let mut i = table.slot(key);
            loop {
                let (k, old) = table.slots[i];
                if old == EMPTY {
                    table.slots[i] = (key, id);
                    break;
                }
                if k == key {
                    break;
                }
                i = (i + 1) & (len - 1);
            }
        }
        table
    }

    #[inline]
    fn slot(&self, key: u64) -> usize {
        (key >> self.shift) as usize
    }

    #[inline]
    fn get(&self, key: u64) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut i = self.slot(key);
        loop {
            let (k, id) = self.slots[i];
            if id == EMPTY {
                return None;
            }
            if k == key {
                return Some(id);
            }
            i = (i + 1) & mask;
        }
    }
}

impl Vocabulary {
    /// Builds a vocabulary from terms (sorted and deduplicated here).
    pub fn from_terms(mut terms: Vec<String>) -> Self {
        terms.sort_unstable();
        terms.dedup();
        let keys: Vec<(u64, u32)> = terms
            .iter()
            .enumerate()
            .map(|(i, t)| (feature_key(t), i as u32))
            .collect();
        let index = KeyTable::new(&keys);
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
        let id = self.index.get(feature_key(term))?;
        (self.terms[id as usize] == term).then_some(id)
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
        self.ids_with_keys(tokenizer, text, masks, scratch, ids, |_| {});
    }

    /// Like [`Vocabulary::ids_into_masked`], and also the key of every token, in order,
    /// into `keys` (cleared first): another vocabulary over the same tokenizer then finds
    /// its ids with [`Vocabulary::ids_of_keys`] without tokenizing the text again.
    pub fn ids_and_keys_into_masked(
        &self,
        tokenizer: &TokenizerConfig,
        text: &str,
        masks: &[(usize, usize)],
        scratch: &mut Scratch,
        ids: &mut Vec<u32>,
        keys: &mut Vec<u64>,
    ) {
        keys.clear();
        self.ids_with_keys(tokenizer, text, masks, scratch, ids, |key| keys.push(key));
    }

    /// The tokenizing lookup behind both: `on_key` sees each token's key (a no-op
    /// closure for the stance features alone, so that path pays nothing for it).
    #[inline]
    fn ids_with_keys(
        &self,
        tokenizer: &TokenizerConfig,
        text: &str,
        masks: &[(usize, usize)],
        scratch: &mut Scratch,
        ids: &mut Vec<u32>,
        mut on_key: impl FnMut(u64),
    ) {
        ids.clear();
        let mut previous: Option<u64> = None;
        // Read once: inside the loop the flag was loaded again for every token.
        let bigrams = tokenizer.bigrams;
        tokenizer.tokens_masked(text, masks, scratch, |token| {
            let key = token_key(token);
            on_key(key);
            if let Some(id) = self.index.get(key) {
                ids.push(id);
            }
            if let Some(first) = previous.filter(|_| bigrams) {
                if let Some(id) = self.index.get(bigram_key(first, key)) {
                    ids.push(id);
                }
            }
            previous = Some(key);
        });
        ids.sort_unstable();
        ids.dedup();
    }

    /// Sorted, deduplicated ids of the features of a text whose token keys, in order,
    /// are `keys` (from [`Vocabulary::ids_and_keys_into_masked`] with the same
    /// `bigrams` setting): the same ids as [`Vocabulary::ids_into_masked`] on that text,
    /// unigrams and bigrams of consecutive tokens alike.
    pub fn ids_of_keys(&self, bigrams: bool, keys: &[u64], ids: &mut Vec<u32>) {
        // The loop body is the one in `ids_with_keys`, written twice on purpose: a shared
        // helper, even `#[inline(always)]`, cost the tokenizing loop 1.9 M instructions on
        // 1.5 MB (bench/RESULTS.md, session 6).
        ids.clear();
        let mut previous: Option<u64> = None;
        for &key in keys {
            if let Some(id) = self.index.get(key) {
                ids.push(id);
            }
            if let Some(first) = previous.filter(|_| bigrams) {
                if let Some(id) = self.index.get(bigram_key(first, key)) {
                    ids.push(id);
                }
            }
            previous = Some(key);
        }
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

    /// Tagging looks features up by key; training and explanations by string. Both must
    /// give the same ids, bigrams, negation and masks included.
    #[test]
    fn key_lookup_finds_the_same_ids_as_string_lookup() {
        let model = crate::model::Model::builtin().unwrap();
        let text = concat!(
            include_str!("../examples/peace-talks-geneva.txt"),
            "Kyiv’s envoy didn’t rule out a truce — “we won’t back down,” he said. ",
            "Erdoğan’s long-range 3.5 percent U.S. offer: not now, but later."
        );
        for tokenizer in [
            model.tokenizer.clone(),
            TokenizerConfig {
                negation: true,
                bigrams: true,
                mask_parties: true,
            },
        ] {
            let v = &model.stance.vocabulary;
            let mut checked = 0;
            for sentence in text.split(['.', '\n']) {
                // The first word, as a party mention would be.
                let masks = [(0, sentence.find(' ').unwrap_or(0))];
                let mut by_key = Vec::new();
                v.ids_into_masked(
                    &tokenizer,
                    sentence,
                    &masks,
                    &mut Scratch::default(),
                    &mut by_key,
                );
                let by_string = v.ids_of(&tokenizer.feature_list_masked(sentence, &masks));
                assert_eq!(by_key, by_string, "{sentence}");
                checked += by_key.len();
            }
            assert!(
                checked > 100,
                "too few known features to compare: {checked}"
            );
        }
    }

    /// The party head looks up the token keys the stance features kept: the same ids as
    /// tokenizing the sentence again for the party vocabulary.
    #[test]
    fn party_ids_from_kept_keys_are_the_ids_of_the_text() {
        let model = crate::model::Model::builtin().unwrap();
        let party = &model.party.as_ref().unwrap().vocabulary;
        let text = concat!(
            include_str!("../examples/peace-talks-geneva.txt"),
            include_str!("../examples/prisoner-swap.txt"),
            "Kyiv’s envoy didn’t rule out a truce — “we won’t back down,” he said. ",
            "The rebels' 3.5 percent offer: not now, but later."
        );
        for bigrams in [true, false] {
            let tokenizer = TokenizerConfig {
                bigrams,
                ..model.tokenizer.clone()
            };
            let mut scratch = Scratch::default();
            let (mut stance_ids, mut keys, mut by_keys, mut by_text) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let mut found = 0;
            for sentence in text.split(['.', '\n']) {
                model.stance.vocabulary.ids_and_keys_into_masked(
                    &tokenizer,
                    sentence,
                    &[],
                    &mut scratch,
                    &mut stance_ids,
                    &mut keys,
                );
                let mut alone = Vec::new();
                model.stance.vocabulary.ids_into_masked(
                    &tokenizer,
                    sentence,
                    &[],
                    &mut scratch,
                    &mut alone,
                );
                assert_eq!(stance_ids, alone, "{sentence}");
                party.ids_of_keys(bigrams, &keys, &mut by_keys);
                party.ids_into(&tokenizer, sentence, &mut scratch, &mut by_text);
                assert_eq!(by_keys, by_text, "{sentence}");
                found += by_keys.len();
            }
            assert!(found > 50, "too few party features to compare: {found}");
        }
    }

    #[test]
    fn key_table_probes_past_collisions_and_keeps_the_first_of_equal_keys() {
        // Equal top bits: every key wants the last slot, so probing wraps around.
        let keys: Vec<(u64, u32)> = (0..6).map(|i| (u64::MAX - i, i as u32)).collect();
        let mut with_duplicate = keys.clone();
        with_duplicate.push((u64::MAX - 2, 99));
        let table = KeyTable::new(&with_duplicate);
        for &(key, id) in &keys {
            assert_eq!(table.get(key), Some(id));
        }
        assert_eq!(table.get(u64::MAX - 6), None);
        assert_eq!(table.get(0), None);
        assert_eq!(KeyTable::default().get(0), None);
        let v = crate::model::Model::builtin().unwrap().stance.vocabulary;
        for (i, term) in v.terms().iter().enumerate() {
            assert_eq!(v.id(term), Some(i as u32), "{term}");
        }
        assert_eq!(v.id("no such term here"), None);
    }

    proptest::proptest! {
        #[test]
        fn zero_padded_word_is_the_byte_shift_word(
            rest in proptest::collection::vec(proptest::num::u8::ANY, 1..8),
        ) {
            let mut expected = 0u64;
            for (i, &b) in rest.iter().enumerate() {
                expected |= u64::from(b) << (8 * i);
            }
            proptest::prop_assert_eq!(zero_padded(&rest), expected);
        }
    }

    #[test]
    fn dense_matrix_marks_presence() {
        let x = dense_matrix(&[vec![0, 2], vec![1]], 3);
        assert_eq!(x.row(0).to_vec(), vec![1.0, 0.0, 1.0]);
        assert_eq!(x.row(1).to_vec(), vec![0.0, 1.0, 0.0]);
    }
}
