//! Sentence → feature strings: the one place text is normalised.
//!
//! Rules (stored in the model as [`TokenizerConfig`] so training and tagging agree):
//! - a token is a run of letters and digits (any script); an apostrophe or hyphen between
//!   two of them stays inside (`long-range`, `o'brien` → `obrien`);
//! - lowercase; curly apostrophes count as straight ones; possessive `’s` is dropped;
//! - `n’t` becomes the token `not` (`won’t` → `will not`, `can’t` → `can not`);
//! - a number becomes `<num>`, so `3.5 percent` and `28 points` share a feature;
//! - negation scope: after `not`, `no`, `never`, `n’t`, … every token up to the next
//!   punctuation mark or `but` is prefixed `not_` (`did not rule out` → `not_rule`,
//!   `not_out`), so the model can tell a refusal from its negation;
//! - bigrams join adjacent tokens with a space (`red line`).
//!
//! Features are produced through a callback into caller-owned buffers: tagging allocates
//! nothing per sentence once the buffers have grown.

use serde::{Deserialize, Serialize};

/// Tokenizer settings; part of the model file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenizerConfig {
    /// Mark tokens in a negation scope with `not_` (default true).
    pub negation: bool,
    /// Add bigrams of adjacent tokens (default true).
    pub bigrams: bool,
    /// Replace each party mention with the token `<party>`, so that names (`Putin`,
    /// `Hamas`) do not decide a stance by themselves (default false; see issue #4).
    #[serde(default)]
    pub mask_parties: bool,
}

impl Default for TokenizerConfig {
    fn default() -> Self {
        TokenizerConfig {
            negation: true,
            bigrams: true,
            mask_parties: false,
        }
    }
}

/// A word that opens a negation scope (a `match`, compiled to a length switch: this
/// runs once per token).
#[inline(always)]
fn is_negator(word: &str) -> bool {
    // Most words fail on the first byte, inline; the word list is a call (it was one
    // for every token, ~12 instructions, when the first-byte test was inside it).
    matches!(word.as_bytes().first(), Some(b'n' | b'c' | b'w')) && is_negator_word(word)
}

/// The negators themselves (see [`is_negator`]).
#[inline(never)]
fn is_negator_word(word: &str) -> bool {
    matches!(
        word,
        "not"
            | "no"
            | "never"
            | "nor"
            | "cannot"
            | "without"
            | "neither"
            | "nothing"
            | "none"
            | "nobody"
    )
}

/// `c.is_alphanumeric()`, with General Punctuation (U+2000–U+206F: curly quotes,
/// dashes, special spaces; no letter or digit among them) answered without the Unicode
/// tables, whose search cost ~300 instructions for each `“`, `”` and `’` of news text.
#[inline]
pub fn is_alphanumeric(c: char) -> bool {
    !('\u{2000}'..='\u{206f}').contains(&c) && c.is_alphanumeric()
}

/// `word` without the characters other than letters and digits it starts with. Most
/// words start with an ASCII letter or digit: decided on that byte, without the `char`
/// trim (~50 instructions).
pub(crate) fn trim_start_punctuation(word: &str) -> &str {
    if word
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphanumeric)
    {
        return word;
    }
    word.trim_start_matches(|c: char| !is_alphanumeric(c))
}

/// `word` without the characters other than letters and digits it ends with (as
/// [`trim_start_punctuation`], at the other end). ASCII marks (`said,` `talks.`) are
/// dropped byte by byte, and the `char` trim (~70 instructions) runs only from a
/// non-ASCII character on (`talks.”`): an ASCII byte is a whole character, and no ASCII
/// mark is a letter or a digit.
pub(crate) fn trim_end_punctuation(word: &str) -> &str {
    let bytes = word.as_bytes();
    let mut end = bytes.len();
    while let Some(&b) = bytes[..end].last() {
        if ASCII_ALPHANUMERIC[usize::from(b)] {
            return &word[..end];
        }
        if !b.is_ascii() {
            return word[..end].trim_end_matches(|c: char| !is_alphanumeric(c));
        }
        end -= 1;
    }
    // Empty, but still a slice of `word` (callers take offsets from it).
    &word[..0]
}

/// `u8::is_ascii_alphanumeric` as a table: one load per byte in the word loop.
pub(crate) static ASCII_ALPHANUMERIC: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

/// Bytes of an ASCII word for the tokenizer's run loop: `LOWER` for a lower-case letter
/// or digit, `UPPER` for an upper-case letter, 0 otherwise. One load tells both whether
/// the run goes on and whether it needs lower-casing (the loop took 13 instructions a
/// byte with a separate upper-case test and a bounds check).
static ASCII_WORD_BYTE: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if byte.is_ascii_uppercase() {
            table[b] = UPPER;
        } else if byte.is_ascii_alphanumeric() {
            table[b] = LOWER;
        }
        b += 1;
    }
    table
};
const LOWER: u8 = 1;
const UPPER: u8 = 2;

/// Reusable buffers for [`TokenizerConfig::features`].
#[derive(Debug, Default)]
pub struct Scratch {
    word: String,
    token: String,
    previous: String,
    bigram: String,
}

impl TokenizerConfig {
    /// Calls `emit` with every feature of `text`: unigrams, then (if enabled) the bigram
    /// each unigram closes. A feature may repeat; callers dedupe ids.
    pub fn features(&self, text: &str, scratch: &mut Scratch, emit: impl FnMut(&str)) {
        self.features_masked(text, &[], scratch, emit);
    }

    /// Like [`TokenizerConfig::features`], with the byte ranges `masks` (party mentions,
    /// ordered, relative to `text`) read as the single token `<party>` when
    /// `mask_parties` is set; ignored otherwise.
    pub fn features_masked(
        &self,
        text: &str,
        masks: &[(usize, usize)],
        scratch: &mut Scratch,
        mut emit: impl FnMut(&str),
    ) {
        let mut previous = std::mem::take(&mut scratch.previous);
        let mut bigram = std::mem::take(&mut scratch.bigram);
        previous.clear();
        let mut has_previous = false;
        self.tokens_masked(text, masks, scratch, |token| {
            emit(token);
            if self.bigrams && has_previous {
                bigram.clear();
                bigram.push_str(&previous);
                bigram.push(' ');
                bigram.push_str(token);
                emit(&bigram);
            }
            previous.clear();
            previous.push_str(token);
            has_previous = true;
        });
        scratch.previous = previous;
        scratch.bigram = bigram;
    }

    /// The unigrams of [`TokenizerConfig::features_masked`] alone, in order: bigrams are
    /// pairs of consecutive tokens, so a caller can form them without building strings
    /// (see [`crate::features::Vocabulary::ids_into_masked`]).
    pub fn tokens_masked(
        &self,
        text: &str,
        masks: &[(usize, usize)],
        scratch: &mut Scratch,
        mut emit: impl FnMut(&str),
    ) {
        let masks = if self.mask_parties { masks } else { &[] };
        let mut next_mask = masks.iter().peekable();
        let mut negated = false;
        let Scratch { word, token, .. } = scratch;
        word.clear();
        // Whether `word` holds an apostrophe (only then can it be `n't`, `'s` or `o'brien`).
        let mut apostrophe = false;
        // A word that is one run of lowercase ASCII letters and digits (most words) is
        // not copied: `borrowed` is its range in `text`, and `word` stays empty until
        // something else joins it.
        let mut borrowed: Option<(usize, usize)> = None;
        // Bytes, not `char_indices`: ASCII (most of news text) takes one table test per
        // byte, and only other characters are decoded.
        let bytes = text.as_bytes();
        let char_at = |i: usize| text.get(i..).and_then(|s| s.chars().next());
        let skip_to = |i: usize, end: usize| skip_chars_to(text, i, end);
        // The word so far as an owned string, to extend it.
        let own = |word: &mut String, borrowed: &mut Option<(usize, usize)>| {
            if let Some((from, to)) = borrowed.take() {
                word.push_str(&text[from..to]);
            }
        };
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if let Some(&&(start, end)) = next_mask.peek() {
                if i >= start {
                    next_mask.next();
                    if let Some((from, to)) = borrowed.take() {
                        self.finish_plain(&text[from..to], token, &mut negated, &mut emit);
                    } else if !word.is_empty() {
                        self.finish_word(word, apostrophe, token, &mut negated, &mut emit);
                        apostrophe = false;
                    }
                    self.emit_token("<party>", token, &mut negated, &mut emit);
                    i = skip_to(i, end);
                    // A possessive belongs to the masked name (`Kyiv’s` → `<party>`).
                    let rest = text.get(end..).unwrap_or("");
                    let possessive = ["’s", "'s"].iter().find(|p| rest.starts_with(**p));
                    if let Some(p) = possessive {
                        if !rest[p.len()..].starts_with(char::is_alphanumeric) {
                            i = skip_to(i, end + p.len());
                        }
                    }
                    continue;
                }
            }
            let (c, width) = if b.is_ascii() {
                if ASCII_ALPHANUMERIC[usize::from(b)] {
                    // The whole ASCII run at once, up to the next mask if it starts inside.
                    let limit = next_mask
                        .peek()
                        .map_or(bytes.len(), |m| m.0.min(bytes.len()));
                    let from = i;
                    let mut classes = 0;
                    for &byte in &bytes[from..limit] {
                        let class = ASCII_WORD_BYTE[usize::from(byte)];
                        if class == 0 {
                            break;
                        }
                        classes |= class;
                        i += 1;
                    }
                    if classes & UPPER == 0 && borrowed.is_none() && word.is_empty() {
                        // Most words: lower-case, and followed by an ASCII separator that
                        // is not a joiner, or by the end. The separator would finish the
                        // word, so it is finished here (the loop still reads the separator
                        // for the negation scope), and a space is passed over: it ends no
                        // scope, and no mask starts before `limit`. Other words are carried
                        // on in `borrowed` to the next character (−8 M instructions on
                        // 1.5 MB, with `is_number` out of line).
                        let ends = bytes.get(i).is_none_or(|&b| {
                            b.is_ascii()
                                && !ASCII_ALPHANUMERIC[usize::from(b)]
                                && b != b'\''
                                && b != b'-'
                        });
                        if ends {
                            self.finish_plain(&text[from..i], token, &mut negated, &mut emit);
                            if i < limit && bytes.get(i) == Some(&b' ') {
                                i += 1;
                            }
                        } else {
                            borrowed = Some((from, i));
                        }
                    } else {
                        own(word, &mut borrowed);
                        let at = word.len();
                        word.push_str(&text[from..i]);
                        word[at..].make_ascii_lowercase();
                    }
                    continue;
                }
                (char::from(b), 1)
            } else {
                let Some(c) = char_at(i) else { break };
                if is_alphanumeric(c) {
                    own(word, &mut borrowed);
                    word.extend(c.to_lowercase());
                    i += c.len_utf8();
                    continue;
                }
                (c, c.len_utf8())
            };
            i += width;
            let joiner = matches!(c, '\'' | '’' | '‘' | '-' | '‐');
            let in_word = borrowed.is_some() || !word.is_empty();
            if joiner && in_word && char_at(i).is_some_and(is_alphanumeric) {
                own(word, &mut borrowed);
                if c == '-' || c == '‐' {
                    word.push('-');
                } else {
                    word.push('\'');
                    apostrophe = true;
                }
                continue;
            }
            if let Some((from, to)) = borrowed.take() {
                self.finish_plain(&text[from..to], token, &mut negated, &mut emit);
            } else if !word.is_empty() {
                self.finish_word(word, apostrophe, token, &mut negated, &mut emit);
                apostrophe = false;
            }
            if ends_scope(c) {
                negated = false;
            }
        }
        if let Some((from, to)) = borrowed {
            self.finish_plain(&text[from..to], token, &mut negated, &mut emit);
        } else if !word.is_empty() {
            self.finish_word(word, apostrophe, token, &mut negated, &mut emit);
        }
    }

    /// The features of `text` as owned strings (for tests and explanations).
    pub fn feature_list(&self, text: &str) -> Vec<String> {
        self.feature_list_masked(text, &[])
    }

    /// [`TokenizerConfig::features_masked`] as owned strings.
    pub fn feature_list_masked(&self, text: &str, masks: &[(usize, usize)]) -> Vec<String> {
        let mut out = Vec::new();
        self.features_masked(text, masks, &mut Scratch::default(), |f| {
            out.push(f.to_owned())
        });
        out
    }

    /// Emits the token(s) of the finished `word` and clears it; `apostrophe` says whether
    /// it holds a `'` (the contraction and possessive rules need one).
    #[inline(always)]
    fn finish_word(
        &self,
        word: &mut String,
        apostrophe: bool,
        token: &mut String,
        negated: &mut bool,
        emit: &mut impl FnMut(&str),
    ) {
        if apostrophe {
            if let Some(stem) = word.strip_suffix("n't") {
                let stem = match stem {
                    "wo" => "will",
                    "ca" => "can",
                    "sha" => "shall",
                    s => s,
                };
                if !stem.is_empty() {
                    let stem = stem.to_owned();
                    self.emit_token(&stem, token, negated, emit);
                }
                self.emit_token("not", token, negated, emit);
                word.clear();
                return;
            }
            if word.ends_with("'s") {
                word.truncate(word.len() - 2);
            }
            if word.contains('\'') {
                word.retain(|c| c != '\'');
            }
        }
        self.finish_plain(word, token, negated, emit);
        word.clear();
    }

    /// Emits the word `word` (no apostrophe left in it): `<num>` for a number.
    #[inline(always)]
    fn finish_plain(
        &self,
        word: &str,
        token: &mut String,
        negated: &mut bool,
        emit: &mut impl FnMut(&str),
    ) {
        // A word that starts with a letter is no number (most words).
        let number = match word.as_bytes().first() {
            Some(b) if b.is_ascii_alphabetic() => false,
            _ => is_number(word),
        };
        if number {
            self.emit_token("<num>", token, negated, emit);
        } else {
            self.emit_token(word, token, negated, emit);
        }
    }

    #[inline(always)]
    fn emit_token(
        &self,
        base: &str,
        token: &mut String,
        negated: &mut bool,
        emit: &mut impl FnMut(&str),
    ) {
        if base == "but" {
            *negated = false;
        }
        if self.negation && *negated {
            token.clear();
            token.push_str("not_");
            token.push_str(base);
            emit(token);
        } else {
            emit(base);
        }
        if is_negator(base) {
            *negated = true;
        }
    }
}

/// From the character boundary `i`, whole characters are skipped until `end` is reached:
/// the first character boundary at or after `end` (`end` itself past the text), or `i`
/// if already there. Found by looking at the bytes from `end` on, not by walking every
/// character of the masked mention (~13 instructions a character).
#[inline]
fn skip_chars_to(text: &str, i: usize, end: usize) -> usize {
    if i >= end {
        return i;
    }
    let mut j = end;
    while j < text.len() && !text.is_char_boundary(j) {
        j += 1;
    }
    j
}

/// Whether `word` is all digits and hyphens (`2022`, `1-0`, `٣`). Not inlined: inlined
/// into the word loop, the setup of its vectorised scans was hoisted to the top of the
/// loop and ran for every token (~22 instructions), though the test runs for few words.
#[inline(never)]
fn is_number(word: &str) -> bool {
    if word.is_ascii() {
        word.bytes().all(|b| b.is_ascii_digit() || b == b'-')
    } else {
        word.chars().all(|c| c.is_numeric() || c == '-')
    }
}

fn ends_scope(c: char) -> bool {
    matches!(
        c,
        '.' | ',' | ';' | ':' | '!' | '?' | '—' | '–' | '(' | ')' | '"' | '“' | '”'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The tokenizer as it was before the byte-run and borrowed-word fast paths
    /// (bench/RESULTS.md, session 3), kept as the reference they must agree with.
    struct Reference(TokenizerConfig);

    impl std::ops::Deref for Reference {
        type Target = TokenizerConfig;
        fn deref(&self) -> &TokenizerConfig {
            &self.0
        }
    }

    impl Reference {
        fn tokens_masked(
            &self,
            text: &str,
            masks: &[(usize, usize)],
            scratch: &mut Scratch,
            mut emit: impl FnMut(&str),
        ) {
            let masks = if self.mask_parties { masks } else { &[] };
            let mut next_mask = masks.iter().peekable();
            let mut negated = false;
            let Scratch { word, token, .. } = scratch;
            word.clear();
            // Bytes, not `char_indices`: ASCII (most of news text) takes one table test per
            // byte, and only other characters are decoded.
            let bytes = text.as_bytes();
            let char_at = |i: usize| text.get(i..).and_then(|s| s.chars().next());
            let skip_to = |mut i: usize, end: usize| {
                while i < end {
                    i += char_at(i).map_or(1, char::len_utf8);
                }
                i
            };
            let mut i = 0;
            while let Some(&b) = bytes.get(i) {
                if let Some(&&(start, end)) = next_mask.peek() {
                    if i >= start {
                        next_mask.next();
                        if !word.is_empty() {
                            self.finish_word(word, token, &mut negated, &mut emit);
                        }
                        self.emit_token("<party>", token, &mut negated, &mut emit);
                        i = skip_to(i, end);
                        // A possessive belongs to the masked name (`Kyiv’s` → `<party>`).
                        let rest = text.get(end..).unwrap_or("");
                        let possessive = ["’s", "'s"].iter().find(|p| rest.starts_with(**p));
                        if let Some(p) = possessive {
                            if !rest[p.len()..].starts_with(char::is_alphanumeric) {
                                i = skip_to(i, end + p.len());
                            }
                        }
                        continue;
                    }
                }
                let (c, width) = if b.is_ascii() {
                    if b.is_ascii_alphanumeric() {
                        word.push(char::from(b.to_ascii_lowercase()));
                        i += 1;
                        continue;
                    }
                    (char::from(b), 1)
                } else {
                    let Some(c) = char_at(i) else { break };
                    if c.is_alphanumeric() {
                        word.extend(c.to_lowercase());
                        i += c.len_utf8();
                        continue;
                    }
                    (c, c.len_utf8())
                };
                i += width;
                let joiner = matches!(c, '\'' | '’' | '‘' | '-' | '‐');
                if joiner && !word.is_empty() && char_at(i).is_some_and(char::is_alphanumeric) {
                    word.push(if c == '-' || c == '‐' { '-' } else { '\'' });
                    continue;
                }
                if !word.is_empty() {
                    self.finish_word(word, token, &mut negated, &mut emit);
                }
                if ends_scope(c) {
                    negated = false;
                }
            }
            if !word.is_empty() {
                self.finish_word(word, token, &mut negated, &mut emit);
            }
        }

        fn finish_word(
            &self,
            word: &mut String,
            token: &mut String,
            negated: &mut bool,
            emit: &mut impl FnMut(&str),
        ) {
            if let Some(stem) = word.strip_suffix("n't") {
                let stem = match stem {
                    "wo" => "will",
                    "ca" => "can",
                    "sha" => "shall",
                    s => s,
                };
                if !stem.is_empty() {
                    let stem = stem.to_owned();
                    self.emit_token(&stem, token, negated, emit);
                }
                self.emit_token("not", token, negated, emit);
            } else {
                if word.ends_with("'s") {
                    word.truncate(word.len() - 2);
                }
                if word.contains('\'') {
                    word.retain(|c| c != '\'');
                }
                let number = if word.is_ascii() {
                    word.bytes().all(|b| b.is_ascii_digit() || b == b'-')
                } else {
                    word.chars().all(|c| c.is_numeric() || c == '-')
                };
                if number {
                    self.emit_token("<num>", token, negated, emit);
                } else {
                    let w = std::mem::take(word);
                    self.emit_token(&w, token, negated, emit);
                    *word = w;
                }
            }
            word.clear();
        }
        // `emit_token` is the production one (through `Deref`): only its inlining changed.
    }

    fn tokens(config: &TokenizerConfig, text: &str, masks: &[(usize, usize)]) -> Vec<String> {
        let mut out = Vec::new();
        config.tokens_masked(text, masks, &mut Scratch::default(), |t| {
            out.push(t.to_owned())
        });
        out
    }

    fn reference_tokens(
        config: &TokenizerConfig,
        text: &str,
        masks: &[(usize, usize)],
    ) -> Vec<String> {
        let mut out = Vec::new();
        Reference(config.clone()).tokens_masked(text, masks, &mut Scratch::default(), |t| {
            out.push(t.to_owned())
        });
        out
    }

    /// Text made of the pieces the tokenizer treats specially.
    fn newsy_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("Kyiv"),
            Just("won"),
            Just("n't"),
            Just("’s"),
            Just("'s"),
            Just("O'Brien"),
            Just("long-range"),
            Just("‐"),
            Just("-"),
            Just("’"),
            Just("‘"),
            Just("'"),
            Just(" "),
            Just("  "),
            Just("\n"),
            Just(","),
            Just("."),
            Just("“"),
            Just("”"),
            Just("—"),
            Just("not"),
            Just("No"),
            Just("never"),
            Just("but"),
            Just("BUT"),
            Just("3.5"),
            Just("2022"),
            Just("1-0"),
            Just("Erdoğan"),
            Just("ĐURIĆ"),
            Just("İstanbul"),
            Just("²"),
            Just("٣"),
            Just("x"),
            Just("US"),
            Just("a1b2"),
            Just("can"),
            Just("wo"),
            Just("sha"),
            Just("did"),
            Just("Abc"),
        ];
        proptest::collection::vec(piece, 0..24).prop_map(|p| p.concat())
    }

    /// Ordered, disjoint masks on char boundaries from `(start, len)` draws, each moved to
    /// the next boundary (and, with `word_start`, the next word start) at or after `start`.
    fn masks_from(text: &str, draws: &[(usize, usize)], word_start: bool) -> Vec<(usize, usize)> {
        let mut masks: Vec<(usize, usize)> = Vec::new();
        for &(start, len) in draws {
            let Some(start) = (start..text.len()).find(|&s| {
                text.is_char_boundary(s)
                    && (!word_start
                        || text[s..].starts_with(char::is_alphanumeric)
                            && !text[..s].ends_with(char::is_alphanumeric))
            }) else {
                continue;
            };
            let end = (start + len..=text.len()).find(|&e| text.is_char_boundary(e));
            let Some(end) = end else { continue };
            if masks.last().is_none_or(|&(_, e)| start >= e) {
                masks.push((start, end));
            }
        }
        masks
    }

    proptest::proptest! {
        /// Skipping to a mask's end lands where walking its characters one by one does.
        #[test]
        fn skipping_to_a_mask_end_is_the_character_walk(
            text in "([a-z .’é“€\u{1F600}]){0,12}",
            from in 0usize..40,
            end in 0usize..50,
        ) {
            let char_at = |i: usize| text.get(i..).and_then(|s| s.chars().next());
            // Any character boundary of the text as the start, and the walk from it.
            let mut i = from.min(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            let mut walked = i;
            while walked < end {
                walked += char_at(walked).map_or(1, char::len_utf8);
            }
            prop_assert_eq!(skip_chars_to(&text, i, end), walked);
        }

        /// The byte trims cut where the `char` trims do, and stay slices of the word
        /// (holder offsets are taken from them), also when nothing is left.
        #[test]
        fn punctuation_trims_are_the_char_trims(
            word in "([a-zA-Z0-9.,;:!?\"'()—“”’é\u{2009}-]){0,10}",
        ) {
            let not_alphanumeric = |c: char| !is_alphanumeric(c);
            for (got, want) in [
                (trim_end_punctuation(&word), word.trim_end_matches(not_alphanumeric)),
                (trim_start_punctuation(&word), word.trim_start_matches(not_alphanumeric)),
            ] {
                prop_assert_eq!(got, want);
                prop_assert_eq!(got.as_ptr(), want.as_ptr());
            }
        }

        #[test]
        fn tokens_agree_with_the_reference_tokenizer(
            text in newsy_text(),
            negation in any::<bool>(),
            mask_parties in any::<bool>(),
            mask_at in proptest::collection::vec((0usize..200, 1usize..12), 0..3),
        ) {
            let config = TokenizerConfig { negation, bigrams: true, mask_parties };
            // Masks as mentions are: ordered, disjoint, on char boundaries, at a word start.
            let masks = masks_from(&text, &mask_at, true);
            proptest::prop_assert_eq!(
                tokens(&config, &text, &masks),
                reference_tokens(&config, &text, &masks)
            );
        }

        /// Lower-case ASCII words (finished where they end) next to every kind of ASCII
        /// separator, joiners and non-ASCII letters, with masks anywhere on a char
        /// boundary (not only at word starts).
        #[test]
        fn plain_words_agree_with_the_reference_tokenizer(
            pieces in proptest::collection::vec(
                prop_oneof![
                    "[a-z0-9]{1,9}",
                    "[ -/:-@\\[-`{-~]{1,2}",
                    Just("’".to_owned()),
                    Just("é".to_owned()),
                    Just("Ab".to_owned()),
                ],
                0..20,
            ),
            negation in any::<bool>(),
            mask_at in proptest::collection::vec((0usize..120, 1usize..8), 0..3),
        ) {
            let text = pieces.concat();
            let config = TokenizerConfig { negation, bigrams: true, mask_parties: true };
            let masks = masks_from(&text, &mask_at, false);
            proptest::prop_assert_eq!(
                tokens(&config, &text, &masks),
                reference_tokens(&config, &text, &masks)
            );
        }

        #[test]
        fn tokens_of_any_string_agree_with_the_reference(text in any::<String>(), negation in any::<bool>()) {
            let config = TokenizerConfig { negation, bigrams: true, mask_parties: false };
            proptest::prop_assert_eq!(tokens(&config, &text, &[]), reference_tokens(&config, &text, &[]));
        }
    }

    fn unigrams(text: &str) -> Vec<String> {
        TokenizerConfig {
            negation: true,
            bigrams: false,
            mask_parties: false,
        }
        .feature_list(text)
    }

    #[test]
    fn fast_alphanumeric_test_agrees_with_char_is_alphanumeric() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn lowercases_and_drops_possessives_with_either_apostrophe() {
        assert_eq!(
            unigrams("Kyiv’s plan, Zelenskiy's aide"),
            ["kyiv", "plan", "zelenskiy", "aide"]
        );
    }

    #[test]
    fn keeps_non_ascii_letters_and_hyphens() {
        assert_eq!(
            unigrams("Erdoğan’s long-range Đurić"),
            ["erdoğan", "long-range", "đurić"]
        );
    }

    #[test]
    fn marks_negation_scope_until_punctuation() {
        assert_eq!(
            unigrams("Moscow did not rule out talks, Peskov said."),
            [
                "moscow",
                "did",
                "not",
                "not_rule",
                "not_out",
                "not_talks",
                "peskov",
                "said"
            ]
        );
    }

    #[test]
    fn splits_contracted_negation_with_curly_apostrophe() {
        assert_eq!(
            unigrams("We won’t accept it"),
            ["we", "will", "not", "not_accept", "not_it"]
        );
        assert_eq!(unigrams("they don't"), ["they", "do", "not"]);
    }

    #[test]
    fn but_closes_negation_scope() {
        assert_eq!(
            unigrams("not happy but willing"),
            ["not", "not_happy", "but", "willing"]
        );
    }

    #[test]
    fn numbers_share_one_token() {
        assert_eq!(
            unigrams("3.5 percent of 28"),
            ["<num>", "<num>", "percent", "of", "<num>"]
        );
    }

    #[test]
    fn masks_party_mentions_when_asked() {
        let text = "Peskov dismissed Kyiv’s offer";
        let masks = [(0, 6), (17, 21)];
        let masked = TokenizerConfig {
            negation: true,
            bigrams: false,
            mask_parties: true,
        };
        assert_eq!(
            masked.feature_list_masked(text, &masks),
            ["<party>", "dismissed", "<party>", "offer"]
        );
        assert_eq!(unigrams(text), ["peskov", "dismissed", "kyiv", "offer"]);
    }

    #[test]
    fn bigrams_follow_their_second_token() {
        let f = TokenizerConfig::default().feature_list("red line");
        assert_eq!(f, ["red", "line", "red line"]);
    }
}
