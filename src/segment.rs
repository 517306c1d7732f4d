//! Article → sentences, as byte ranges into the original text.
//!
//! The sentence rules come from `sentencex` (wikimedia), chosen by measurement: on the 52
//! pragmatic_segmenter Golden Rules it passes 45 fed one line at a time, against 29 for
//! `unicode-segmentation` (see `tests/segmentation.rs`). Around it this module adds what
//! news text needs and the crate does not do:
//! - it is fed one *block* at a time (a line, or lines joined by a soft wrap), because on a
//!   whole article a numbered list swallows the sentences after it;
//! - `“Why now?” Sybiha asked.` stays one sentence (sentencex splits after `?”`);
//! - two sentences inside one quotation are split (`“We will not retreat. We will not
//!   surrender,” he said.`), as the labeling guide counts them;
//! - no sentence is longer than [`MAX_SENTENCE_BYTES`], so memory and time stay bounded on
//!   text without punctuation.

use sentencex::languages::{English, Language};

/// A sentence as a byte range: `&text[span.start..span.end]`.
///
/// Spans are ordered, never overlap, fall on char boundaries, and never start or end with
/// whitespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// The sentence's text.
    pub fn of<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }
}

/// Longest sentence, in bytes: a longer run of text is cut at the last whitespace before
/// the cap (or at a char boundary when there is none).
pub const MAX_SENTENCE_BYTES: usize = 2000;

/// Longest block handed to sentencex at once; a longer line is cut at a sentence-like
/// boundary first. Keeps sentencex's per-call work bounded on a 10-million-character line.
const MAX_BLOCK_BYTES: usize = 16 * 1024;

/// Verbs that make `“…?” Name asked …` one sentence.
const ATTRIBUTION_VERBS: &[&str] = &[
    "said",
    "asked",
    "told",
    "added",
    "wrote",
    "shouted",
    "insisted",
    "replied",
    "declared",
    "tweeted",
    "posted",
    "says",
    "asks",
    "adds",
    "warned",
    "demanded",
    "responded",
    "retorted",
    "exclaimed",
    "continued",
    "countered",
];

/// Splits `text` into sentences.
///
/// Lines are separate blocks unless the next line starts with a lowercase letter (a soft
/// wrap); a blank line always ends a sentence. A headline without a final period is
/// therefore its own sentence.
pub fn segment(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    segment_into(text, &mut spans);
    spans
}

/// Like [`segment`], appending to a caller-owned buffer (cleared first).
pub fn segment_into(text: &str, spans: &mut Vec<Span>) {
    spans.clear();
    for block in blocks(text) {
        let mut start = block.start;
        while start < block.end {
            let end = if block.end - start > MAX_BLOCK_BYTES {
                cut_point(text, start, start + MAX_BLOCK_BYTES)
            } else {
                block.end
            };
            segment_block(text, Span { start, end }, spans);
            start = end;
        }
    }
}

/// Splits `text` as one sentence per non-blank line (for `--lines` input).
pub fn lines(text: &str) -> Vec<(usize, Span)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if let Some(span) = trimmed(text, offset, offset + line.len()) {
            out.push((n, span));
        }
        offset += line.len();
    }
    out
}

/// Lines of `text` grouped into blocks: a block ends at a line whose successor does not
/// start with a lowercase letter.
fn blocks(text: &str) -> impl Iterator<Item = Span> + '_ {
    let mut offset = 0;
    let mut block_start: Option<usize> = None;
    let mut lines = text.split_inclusive('\n').peekable();
    std::iter::from_fn(move || loop {
        let line = lines.next()?;
        let start = offset;
        offset += line.len();
        if line.trim().is_empty() {
            if let Some(s) = block_start.take() {
                return Some(Span {
                    start: s,
                    end: start,
                });
            }
            continue;
        }
        let s = *block_start.get_or_insert(start);
        let continues = lines.peek().is_some_and(|next| {
            next.trim_start()
                .chars()
                .next()
                .is_some_and(char::is_lowercase)
        });
        if !continues {
            block_start = None;
            return Some(Span {
                start: s,
                end: offset,
            });
        }
    })
}

fn segment_block(text: &str, block: Span, spans: &mut Vec<Span>) {
    let block_text = block.of(text);
    let base = text.as_ptr() as usize;
    let first_new = spans.len();
    for piece in (English {}).segment(block_text) {
        // sentencex returns slices of its input: recover their offsets.
        let start = piece.as_ptr() as usize - base;
        if let Some(span) = trimmed(text, start, start + piece.len()) {
            push_with_fixes(text, span, first_new, spans);
        }
    }
}

/// Appends `span`, merging it into the previous sentence when that one ended inside a
/// quotation that an attribution continues, splitting it inside quotations, and capping
/// its length.
fn push_with_fixes(text: &str, span: Span, first_new: usize, spans: &mut Vec<Span>) {
    if spans.len() > first_new {
        if let Some(prev) = spans.last_mut() {
            if ends_with_quoted_question(prev.of(text)) && starts_attribution(span.of(text)) {
                prev.end = span.end;
                return;
            }
        }
    }
    let mut start = span.start;
    for cut in quote_internal_cuts(text, span) {
        push_capped(text, Span { start, end: cut.0 }, spans);
        start = cut.1;
    }
    push_capped(
        text,
        Span {
            start,
            end: span.end,
        },
        spans,
    );
}

fn push_capped(text: &str, span: Span, spans: &mut Vec<Span>) {
    let mut start = span.start;
    while span.end - start > MAX_SENTENCE_BYTES {
        let cut = cut_point(text, start, start + MAX_SENTENCE_BYTES);
        if let Some(s) = trimmed(text, start, cut) {
            spans.push(s);
        }
        start = cut;
    }
    if let Some(s) = trimmed(text, start, span.end) {
        spans.push(s);
    }
}

/// A cut position in `start..=limit`: after the last sentence terminator followed by a
/// space if any, else after the last whitespace, else the char boundary at `limit`.
fn cut_point(text: &str, start: usize, limit: usize) -> usize {
    let mut limit = limit.min(text.len());
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    let window = &text[start..limit];
    let bytes = window.as_bytes();
    let after_terminator = bytes
        .windows(2)
        .rposition(|w| matches!(w[0], b'.' | b'?' | b'!') && w[1] == b' ')
        .map(|i| start + i + 1);
    let after_space = window
        .char_indices()
        .rfind(|(_, c)| c.is_whitespace())
        .map(|(i, c)| start + i + c.len_utf8());
    match after_terminator.or(after_space) {
        Some(cut) if cut > start => cut,
        _ if limit > start => limit,
        // A single char longer than the cap cannot happen (chars are ≤ 4 bytes); move on
        // by one char so the loop always progresses.
        _ => start + text[start..].chars().next().map_or(1, char::len_utf8),
    }
}

fn trimmed(text: &str, start: usize, end: usize) -> Option<Span> {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    (lead < s.len()).then(|| Span {
        start: start + lead,
        end: end - trail,
    })
}

fn ends_with_quoted_question(s: &str) -> bool {
    let mut rev = s.chars().rev();
    matches!(
        (rev.next(), rev.next()),
        (Some('”' | '"' | '’'), Some('?' | '!'))
    )
}

/// `asked reporters`, `Sybiha asked`, `the minister shouted`, or any lowercase start.
fn starts_attribution(s: &str) -> bool {
    if s.chars().next().is_some_and(char::is_lowercase) {
        return true;
    }
    s.split_whitespace()
        .take(4)
        .any(|w| ATTRIBUTION_VERBS.contains(&w.trim_end_matches([',', '.'])))
}

/// Cut points `(end of one sentence, start of next)` inside quotations: after a
/// lowercase word of two or more letters and `.`, `?` or `!`, before an uppercase letter.
/// Abbreviations (`U.S.`, `Gen.`) never match because they are not lowercase words.
fn quote_internal_cuts(text: &str, span: Span) -> Vec<(usize, usize)> {
    let s = span.of(text);
    let mut cuts = Vec::new();
    let mut in_quote = false;
    let mut lowercase_run = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '“' => in_quote = true,
            '”' => in_quote = false,
            '"' => in_quote = !in_quote,
            '.' | '?' | '!' if in_quote && lowercase_run >= 2 => {
                let end = i + 1;
                let rest = &s[end..];
                let after = rest.trim_start();
                let gap = rest.len() - after.len();
                if gap > 0 && after.chars().next().is_some_and(char::is_uppercase) {
                    cuts.push((span.start + end, span.start + end + gap));
                }
            }
            _ => {}
        }
        lowercase_run = if c.is_lowercase() {
            lowercase_run + 1
        } else {
            0
        };
    }
    cuts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn assert_sentences(text: &str, expected: &[&str]) {
        let got: Vec<&str> = segment(text).iter().map(|s| s.of(text)).collect();
        assert_eq!(got, expected, "segmenting {text:?}");
    }

    #[test]
    fn keeps_us_abbreviation_inside_sentence() {
        assert_sentences(
            "U.S. envoys met Gen. Smith on Jan. 5. Talks went on.",
            &["U.S. envoys met Gen. Smith on Jan. 5.", "Talks went on."],
        );
    }

    #[test]
    fn question_in_quote_followed_by_attribution_is_one_sentence() {
        assert_sentences(
            "“Why would we agree?” Sybiha asked. Nobody answered.",
            &["“Why would we agree?” Sybiha asked.", "Nobody answered."],
        );
    }

    #[test]
    fn splits_two_sentences_inside_one_quotation() {
        assert_sentences(
            "“We will not retreat. We will not surrender,” Zelenskiy said.",
            &[
                "“We will not retreat.",
                "We will not surrender,” Zelenskiy said.",
            ],
        );
    }

    #[test]
    fn headline_without_period_is_its_own_sentence() {
        assert_sentences(
            "Talks stall in Geneva\n\nGENEVA — Negotiators left.",
            &["Talks stall in Geneva", "GENEVA — Negotiators left."],
        );
    }

    #[test]
    fn soft_wrapped_lines_join() {
        assert_sentences(
            "The talks were\ncut short. Envoys left.",
            &["The talks were\ncut short.", "Envoys left."],
        );
    }

    #[test]
    fn caps_sentences_without_punctuation() {
        let text = "word ".repeat(2000);
        let spans = segment(&text);
        assert!(spans.len() >= 5);
        assert!(spans.iter().all(|s| s.end - s.start <= MAX_SENTENCE_BYTES));
    }

    #[test]
    fn lines_mode_keeps_line_numbers() {
        let text = "one\n\n two \nthree";
        let got: Vec<(usize, &str)> = lines(text).iter().map(|(n, s)| (*n, s.of(text))).collect();
        assert_eq!(got, vec![(0, "one"), (2, "two"), (3, "three")]);
    }
}
