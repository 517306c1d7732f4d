//! The holder: among the parties a sentence names (and the previous sentence's party),
//! which one's stance does the sentence express?
//!
//! Each candidate party is described by a handful of binary cues read off the words
//! around its mentions — a speech or decision verb right after it (`Peskov said`), an
//! attribution before it (`according to Kyiv`, `said Peskov`), a preposition that makes it
//! an object (`talks with Russia`), a possessive (`Kyiv’s proposal` vs `Russia’s foreign
//! ministry`), inside a quotation, first in the sentence — plus whether it is the previous
//! sentence's party, whether the sentence opens with a pronoun (`He added …`) and the
//! party's kind (country, union, company …: with pairs, a union's speech verb can weigh
//! other than a country's; grouped party CV 0.868 → 0.870). A
//! logistic regression over these cues, fitted on the `party` column of the training data
//! (see `train.rs`), scores every candidate, "nobody" included; the best wins. Models
//! without that head fall back to fixed weights ([`rule_weight`]).
//!
//! "Nobody" has cues of its own for background sentences (numbers, years, `percent`,
//! `since`, `analysts said`, passive voice, no speech verb, every mention a modifier
//! or an object: `Pakistani soldiers were taken prisoner`), and the head may also weigh
//! pairs of cues and, for "nobody" only, the sentence's words (`w:` terms, read through
//! the stance head's feature ids, so no second tokenization).
//!
//! Cues are bits of a `u64`, so scoring a sentence allocates nothing.

use crate::features::{zero_padded, FxMap, Vocabulary};
use crate::model::LinearHead;
use crate::party::{first_word, Mention, PartyKind};
use crate::reference;
use crate::segment::Span;
use crate::tokenize::{trim_end_punctuation, trim_start_punctuation};
use std::sync::LazyLock;

/// Names of the cues, in bit order. They are the holder head's vocabulary.
pub const CUES: &[&str] = &[
    "first_mention",
    "early_in_sentence",
    "speech_verb_after",
    "verb_after_near",
    "verb_after_far",
    "possessive_role",
    "possessive_other",
    "said_before",
    "according_to",
    "by_before",
    "object_before",
    "and_before",
    "in_quote",
    "mentioned_twice",
    "is_previous_party",
    "carry_only",
    "sentence_pronoun_start",
    "sentence_pronoun_speech",
    "sentence_several_parties",
    "carry_and_pronoun_start",
    "carry_and_pronoun_speech",
    "previous_and_pronoun_start",
    "only_party",
    "dateline_mention",
    "other_is_speaker",
    "other_has_verb_near",
    "first_after_dateline",
    "other_is_first",
    "past_verb_after",
    "nobody",
    "nobody_and_no_mentions",
    "nobody_and_pronoun_start",
    "nobody_and_no_previous",
    "nobody_and_verb_somewhere",
    "modifier",
    "subordinate_before",
    "nobody_and_number",
    "nobody_and_year",
    "nobody_and_percent",
    "nobody_and_since",
    "nobody_and_third_party_speaker",
    "nobody_and_no_speech",
    "nobody_and_passive",
    "nobody_and_all_mentions_weak",
    "carry_and_unnamed_speaker",
    "unnamed_speaker_elsewhere",
    "reference",
    "reference_to_country",
    "kind_country",
    "kind_organisation",
    "kind_movement",
    "kind_company",
    "kind_union",
    "kind_party",
    "kind_group",
];

const FIRST_MENTION: u32 = 0;
const EARLY: u32 = 1;
const SPEECH_AFTER: u32 = 2;
const VERB_NEAR: u32 = 3;
const VERB_FAR: u32 = 4;
const POSSESSIVE_ROLE: u32 = 5;
const POSSESSIVE_OTHER: u32 = 6;
const SAID_BEFORE: u32 = 7;
const ACCORDING_TO: u32 = 8;
const BY_BEFORE: u32 = 9;
const OBJECT_BEFORE: u32 = 10;
const AND_BEFORE: u32 = 11;
const IN_QUOTE: u32 = 12;
const TWICE: u32 = 13;
const IS_PREVIOUS: u32 = 14;
const CARRY_ONLY: u32 = 15;
const PRONOUN_START: u32 = 16;
const PRONOUN_SPEECH: u32 = 17;
const SEVERAL: u32 = 18;
const CARRY_PRONOUN_START: u32 = 19;
const CARRY_PRONOUN_SPEECH: u32 = 20;
const PREVIOUS_PRONOUN_START: u32 = 21;
const ONLY_PARTY: u32 = 22;
const DATELINE: u32 = 23;
const OTHER_SPEAKER: u32 = 24;
const OTHER_VERB_NEAR: u32 = 25;
const FIRST_AFTER_DATELINE: u32 = 26;
const OTHER_FIRST: u32 = 27;
const PAST_AFTER: u32 = 28;
const NOBODY: u32 = 29;
const NOBODY_NO_MENTIONS: u32 = 30;
const NOBODY_PRONOUN_START: u32 = 31;
const NOBODY_NO_PREVIOUS: u32 = 32;
const NOBODY_VERB: u32 = 33;
const MODIFIER: u32 = 34;
const SUBORDINATE_BEFORE: u32 = 35;
const NOBODY_NUMBER: u32 = 36;
const NOBODY_YEAR: u32 = 37;
const NOBODY_PERCENT: u32 = 38;
const NOBODY_SINCE: u32 = 39;
const NOBODY_THIRD_SPEAKER: u32 = 40;
const NOBODY_NO_SPEECH: u32 = 41;
const NOBODY_PASSIVE: u32 = 42;
const NOBODY_ALL_WEAK: u32 = 43;
const CARRY_UNNAMED_SPEAKER: u32 = 44;
const UNNAMED_SPEAKER: u32 = 45;
/// Named only by a common noun (`the union`): see [`crate::reference`].
const REFERENCE: u32 = 46;
/// … to a country (`the government`, `the army`), often either side of a dispute.
const REFERENCE_COUNTRY: u32 = 47;
const KIND_FIRST: u32 = 48;

/// Cues that make a candidate the speaker; a competitor with one of them weakens the
/// others.
const SPEAKER_CUES: u64 =
    (1 << SPEECH_AFTER) | (1 << SAID_BEFORE) | (1 << ACCORDING_TO) | (1 << CARRY_PRONOUN_SPEECH);

/// Cues of a mention that is not the actor: a modifier (`Pakistani soldiers`), an
/// object, a possessive of a thing, inside a subordinate clause.
const WEAK_CUES: u64 = (1 << MODIFIER)
    | (1 << OBJECT_BEFORE)
    | (1 << POSSESSIVE_OTHER)
    | (1 << SUBORDINATE_BEFORE)
    | (1 << DATELINE);

/// Cues of a mention that acts or speaks.
const STRONG_CUES: u64 =
    SPEAKER_CUES | (1 << VERB_NEAR) | (1 << POSSESSIVE_ROLE) | (1 << BY_BEFORE);

/// A party that may hold the sentence's stance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub kind: CandidateKind,
    /// Cue bits (see [`CUES`]).
    pub cues: u64,
    /// The words right before and after the candidate's first mention, as article byte
    /// ranges (what [`neighbour_words`] finds), read along with the cues so that
    /// [`choose`] need not split the sentence again. `None` for the other kinds.
    pub neighbours: [Option<Span>; 2],
}

/// Who a candidate stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CandidateKind {
    /// A named party: index of its first mention in the sentence's mentions.
    Mention(usize),
    /// The previous sentence's party, not named in this one.
    Previous,
    /// Nobody: the sentence states no actor's posture (`none`).
    Nobody,
}

impl Candidate {
    /// Names of the cues that are set.
    pub fn cue_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        CUES.iter()
            .enumerate()
            .filter(move |(i, _)| self.cues & (1 << i) != 0)
            .map(|(_, n)| *n)
    }
}

/// The party a sentence may carry over: the previous sentence's, or — when that one had
/// none and this one opens with a pronoun (`He said …`) — the last party found before.
pub fn carried<'a, P: ?Sized>(
    immediate: Option<&'a P>,
    last: Option<&'a P>,
    sentence: &str,
) -> Option<&'a P> {
    match immediate {
        Some(p) => Some(p),
        None if continues_previous(sentence) => last,
        None => None,
    }
}

/// Fills `out` with the candidates of the sentence `article[start..end]`, whose
/// `mentions` carry article offsets; `previous` is the previous sentence's party.
pub fn candidates(
    article: &str,
    start: usize,
    end: usize,
    mentions: &[Mention],
    previous: Option<&str>,
    out: &mut Vec<Candidate>,
) {
    let words = SentenceWords::of(&article[start..end]);
    candidates_in_words(article, start, end, &words, mentions, previous, out);
}

/// [`candidates`], with the sentence's `words` already read ([`SentenceWords::read`]):
/// tagging reads them once for the introduced names, the reference nouns and the holder.
pub fn candidates_in_words(
    article: &str,
    start: usize,
    end: usize,
    words: &SentenceWords,
    mentions: &[Mention],
    previous: Option<&str>,
    out: &mut Vec<Candidate>,
) {
    out.clear();
    let sentence = &article[start..end];
    let pronoun_start = continues_previous(sentence);
    let body_start = start + dateline_len(sentence);
    let first_in_body = mentions.iter().position(|m| m.start >= body_start);
    let facts = sentence_facts(article, start, end, mentions, words);
    let pronoun_speech = facts.pronoun_speech;
    let quoted = quotes_open_at(article, start, mentions);
    let mut distinct = 0;
    for (i, m) in mentions.iter().enumerate() {
        if mentions[..i].iter().any(|p| p.party == m.party) {
            continue;
        }
        distinct += 1;
        let mut cues = 0u64;
        let mut neighbours = [None; 2];
        for (j, other) in mentions
            .iter()
            .enumerate()
            .filter(|(_, o)| o.party == m.party)
        {
            let in_quote = match quoted.get(j) {
                Some(open) => open,
                None => inside_quote(&article[start..other.start]),
            };
            let (other_cues, next_to) =
                mention_cues(article, start, end, words, other, j == 0, in_quote);
            cues |= other_cues;
            if j == i {
                neighbours = next_to.map(|w| w.map(|w| span_in(article, w)));
            }
            if other.start < body_start {
                cues |= 1 << DATELINE;
            }
            if first_in_body == Some(j) {
                cues |= 1 << FIRST_AFTER_DATELINE;
            }
            if j != i {
                cues |= 1 << TWICE;
            }
            if other.reference {
                cues |= 1 << REFERENCE;
                if other.kind == PartyKind::Country {
                    cues |= 1 << REFERENCE_COUNTRY;
                }
            }
        }
        if facts.unnamed_speaker {
            cues |= 1 << UNNAMED_SPEAKER;
        }
        let kind = match m.kind {
            PartyKind::Country => Some(0),
            PartyKind::Organisation => Some(1),
            PartyKind::Movement => Some(2),
            PartyKind::Company => Some(3),
            PartyKind::Union => Some(4),
            PartyKind::Party => Some(5),
            PartyKind::Group => Some(6),
            PartyKind::Other => None,
        };
        if let Some(k) = kind {
            cues |= 1 << (KIND_FIRST + k);
        }
        if previous == Some(&*m.party) {
            cues |= 1 << IS_PREVIOUS;
            if pronoun_start {
                cues |= 1 << PREVIOUS_PRONOUN_START;
            }
        }
        out.push(Candidate {
            kind: CandidateKind::Mention(i),
            cues,
            neighbours,
        });
    }
    if let Some(prev) = previous.filter(|p| *p != "none") {
        if !mentions.iter().any(|m| &*m.party == prev) {
            let mut cues = (1 << CARRY_ONLY) | (1 << IS_PREVIOUS);
            if pronoun_start {
                cues |= (1 << CARRY_PRONOUN_START) | (1 << PREVIOUS_PRONOUN_START);
            }
            if pronoun_speech {
                cues |= 1 << CARRY_PRONOUN_SPEECH;
            }
            if facts.unnamed_speaker {
                cues |= 1 << CARRY_UNNAMED_SPEAKER;
            }
            out.push(Candidate {
                kind: CandidateKind::Previous,
                cues,
                neighbours: [None; 2],
            });
        }
    }
    let any_verb = out
        .iter()
        .any(|c| c.cues & ((1 << VERB_NEAR) | SPEAKER_CUES) != 0);
    let all_weak = !mentions.is_empty()
        && out
            .iter()
            .filter(|c| matches!(c.kind, CandidateKind::Mention(_)))
            .all(|c| c.cues & WEAK_CUES != 0 && c.cues & STRONG_CUES == 0);
    out.push(Candidate {
        kind: CandidateKind::Nobody,
        cues: 1 << NOBODY
            | u64::from(mentions.is_empty()) << NOBODY_NO_MENTIONS
            | u64::from(pronoun_start) << NOBODY_PRONOUN_START
            | u64::from(previous.is_none()) << NOBODY_NO_PREVIOUS
            | u64::from(any_verb) << NOBODY_VERB
            | u64::from(facts.number) << NOBODY_NUMBER
            | u64::from(facts.year) << NOBODY_YEAR
            | u64::from(facts.percent) << NOBODY_PERCENT
            | u64::from(facts.since) << NOBODY_SINCE
            | u64::from(facts.third_party_speaker) << NOBODY_THIRD_SPEAKER
            | u64::from(!facts.speech && !any_verb) << NOBODY_NO_SPEECH
            | u64::from(facts.passive) << NOBODY_PASSIVE
            | u64::from(all_weak) << NOBODY_ALL_WEAK,
        neighbours: [None; 2],
    });
    // What the competitors have: a speaker elsewhere makes this candidate less likely.
    let count = |mask: u64| out.iter().filter(|c| c.cues & mask != 0).count();
    let (speakers, verbs, firsts) = (
        count(SPEAKER_CUES),
        count(1 << VERB_NEAR),
        count(1 << FIRST_MENTION),
    );
    for c in out.iter_mut() {
        let has = |mask: u64| usize::from(c.cues & mask != 0);
        c.cues |= u64::from(speakers > has(SPEAKER_CUES)) << OTHER_SPEAKER
            | u64::from(verbs > has(1 << VERB_NEAR)) << OTHER_VERB_NEAR
            | u64::from(firsts > has(1 << FIRST_MENTION)) << OTHER_FIRST;
    }
    let shared = u64::from(pronoun_start) << PRONOUN_START
        | u64::from(pronoun_speech) << PRONOUN_SPEECH
        | u64::from(distinct >= 2) << SEVERAL
        | u64::from(distinct == 1) << ONLY_PARTY;
    for c in out.iter_mut() {
        c.cues |= shared;
    }
}

/// The byte range of `word`, a slice of `article`, in `article`.
fn span_in(article: &str, word: &str) -> Span {
    let start = word.as_ptr() as usize - article.as_ptr() as usize;
    Span {
        start,
        end: start + word.len(),
    }
}

/// The cues of one mention, and the words right before and after it. `words` are the
/// sentence's words as [`sentence_facts`] read them; `in_quote`, whether a quotation is
/// open where the mention starts ([`inside_quote`]).
fn mention_cues<'a>(
    article: &'a str,
    start: usize,
    end: usize,
    words: &SentenceWords,
    m: &Mention,
    first: bool,
    in_quote: bool,
) -> (u64, [Option<&'a str>; 2]) {
    let mut cues = 0u64;
    let mut set = |bit: u32| cues |= 1 << bit;
    if first {
        set(FIRST_MENTION);
    }
    if m.start - start < 30 {
        set(EARLY);
    }
    let sentence = &article[start..end];
    let tail = skip_appositive(&article[m.end..end]);
    // One class lookup per word serves every test below; the sentence's words were
    // looked up already, so only a word cut by the mention (`U.S.-brokered`) is again.
    let ((before, bc), (after, ac)) = if words.complete {
        (
            words.before(sentence, m.start - start, 3),
            words.after(sentence, span_in(sentence, tail).start, 4),
        )
    } else {
        let (before, after) = (
            words_before(&article[start..m.start], 3),
            words_after(tail, 4),
        );
        let (bc, ac) = (before.classes(), after.classes());
        ((before, bc), (after, ac))
    };
    match before.first() {
        Some(_) if bc[0] & class::SAID != 0 => set(SAID_BEFORE),
        Some(w) if w.eq_ignore_ascii_case("by") => set(BY_BEFORE),
        Some(w) if w.eq_ignore_ascii_case("and") => set(AND_BEFORE),
        Some(_) if bc[0] & class::OBJECT_MARKER != 0 => set(OBJECT_BEFORE),
        _ => {}
    }
    if let [to, according, ..] = before.as_slice() {
        if to.eq_ignore_ascii_case("to") && according.eq_ignore_ascii_case("according") {
            set(ACCORDING_TO);
        }
    }
    if is_possessive(&article[m.end..end]) {
        if ac[0] & class::ROLE_NOUN != 0 {
            set(POSSESSIVE_ROLE);
        } else {
            set(POSSESSIVE_OTHER);
        }
    }
    if ac[0] & class::SPEECH_VERB != 0 {
        set(SPEECH_AFTER);
    }
    if let Some(pos) = ac[..after.len]
        .iter()
        .position(|c| c & (class::HOLDER_VERB | class::SPEECH_VERB) != 0)
    {
        set(if pos < 2 { VERB_NEAR } else { VERB_FAR });
    }
    // `Russian aircraft dropped …`: a past-tense verb after a short noun phrase.
    if (0..after.len.min(3)).any(|i| past_tense(after.items[i], ac[i])) {
        set(PAST_AFTER);
    }
    if in_quote {
        set(IN_QUOTE);
    }
    if bc[..before.len]
        .iter()
        .any(|c| c & class::SUBORDINATOR != 0)
    {
        set(SUBORDINATE_BEFORE);
    }
    let modifier = if words.complete {
        words.is_modifier(sentence, m.end - start)
    } else {
        is_modifier(&article[m.end..end])
    };
    if modifier {
        set(MODIFIER);
    }
    (cues, [before.first(), after.first()])
}

/// `Pakistani soldiers`, `U.S. duty`: the mention is followed by a lower-case word that
/// is neither a verb, a function word nor a role noun (`Russian forces` and `U.S.
/// officials` act), so it modifies a noun rather than acting.
fn is_modifier(tail: &str) -> bool {
    let Some(rest) = tail.strip_prefix(' ') else {
        return false;
    };
    let word = trim_word(rest.split_whitespace().next().unwrap_or(""));
    modifies(word, classes(word))
}

/// The test of [`is_modifier`] on the word after the mention, whose classes are `c`.
fn modifies(word: &str, c: u16) -> bool {
    if !word.chars().next().is_some_and(char::is_lowercase) {
        return false;
    }
    let acting = class::SPEECH_VERB | class::HOLDER_VERB | class::FUNCTION_WORD | class::ROLE_NOUN;
    c & acting == 0 && !past_tense(word, c)
}

/// Facts about the whole sentence, read in one pass over its words.
#[derive(Clone, Copy, Debug, Default)]
struct SentenceFacts {
    /// A word with a digit.
    number: bool,
    /// A year (`1996`, `2024`).
    year: bool,
    /// `percent` or `%`.
    percent: bool,
    /// `since`: background about the past.
    since: bool,
    /// `Analysts said`, `experts say`: a speaker who is no party.
    third_party_speaker: bool,
    /// Any speech verb.
    speech: bool,
    /// `were killed`, `was closed`.
    passive: bool,
    /// `Coale said`, `the office said`: a speaker the lexicon does not know.
    unnamed_speaker: bool,
    /// `he said`, `the spokesman told` anywhere in the sentence.
    pronoun_speech: bool,
}

/// The facts of the sentence `article[start..end]`, whose `words` were read with most of
/// them: only whether a speaker is unnamed depends on the `mentions`.
fn sentence_facts(
    article: &str,
    start: usize,
    end: usize,
    mentions: &[Mention],
    words: &SentenceWords,
) -> SentenceFacts {
    // Whether a mention covers the word at `at` (sentence offset) of `len` bytes.
    let named = |at: usize, len: usize| {
        let at = start + at;
        mentions.iter().any(|m| m.start < at + len && at < m.end)
    };
    let mut f = words.facts;
    f.unnamed_speaker |= match words.speakers.as_slice() {
        Some(speakers) => speakers.iter().any(|&(at, len)| !named(at, len)),
        // More would-be speakers than the table holds: read the sentence again.
        None => {
            let sentence = &article[start..end];
            let mut unnamed = false;
            let lists = &*WORD_CLASSES;
            let words = Runs::new(sentence).map(|raw| {
                let w = trim_word(raw);
                (raw, w, lists.classes(w))
            });
            facts_of_words(sentence, words, |at, len| unnamed |= !named(at, len));
            unnamed
        }
    };
    f
}

/// The facts of `sentence` from its `words`: each whitespace run, its [`trim_word`] part
/// and that part's [`classes`]. `unnamed_speaker` is left to the caller, who gets the
/// word (offset and length) before each speech verb that makes an unnamed speaker unless
/// a mention covers it: only when a speech verb follows, not for every word.
#[inline]
fn facts_of_words<'a>(
    sentence: &'a str,
    words: impl Iterator<Item = (&'a str, &'a str, u16)>,
    mut speaker: impl FnMut(usize, usize),
) -> SentenceFacts {
    let mut f = SentenceFacts::default();
    let mut prev = "";
    let mut prev_classes = 0;
    // The previous word as split (offset, length).
    let mut prev_raw: Option<(usize, usize)> = None;
    // `he said`: the word before was a speech subject (reset by a dash or other non-word).
    let mut after_subject = false;
    // Four news sentences in five have no digit and no `%`: they skip the test of each
    // word's bytes below (a fold, not `any`, so that it compiles to a vector loop).
    let digit_or_percent = sentence
        .bytes()
        .fold(false, |found, b| found | b.is_ascii_digit() | (b == b'%'));
    for (raw, w, c) in words {
        let at = raw.as_ptr() as usize - sentence.as_ptr() as usize;
        if w.is_empty() {
            after_subject = false;
            continue;
        }
        let speech_verb = c & class::SPEECH_VERB != 0;
        f.pronoun_speech |= after_subject && speech_verb;
        after_subject = c & class::SPEECH_SUBJECT != 0;
        // Trimming keeps every digit, so the raw word's bytes answer both tests at once.
        let (mut digit, mut percent_sign) = (false, false);
        if digit_or_percent {
            for b in raw.bytes() {
                digit |= b.is_ascii_digit();
                percent_sign |= b == b'%';
            }
        }
        if digit {
            f.number = true;
            f.year |= w.len() == 4
                && w.bytes().all(|b| b.is_ascii_digit())
                && (w.starts_with("19") || w.starts_with("20"));
        }
        f.percent |= percent_sign || w.eq_ignore_ascii_case("percent");
        f.since |= w.eq_ignore_ascii_case("since");
        if speech_verb || w.eq_ignore_ascii_case("say") {
            f.speech = true;
            if prev_classes & class::THIRD_PARTY != 0 {
                f.third_party_speaker = true;
            } else if prev_classes & class::PRONOUN == 0
                && (prev.chars().next().is_some_and(char::is_uppercase)
                    || prev_classes & (class::ROLE_NOUN | class::UNNAMED_SUBJECT) != 0)
            {
                match prev_raw {
                    Some((at, len)) => speaker(at, len),
                    None => f.unnamed_speaker = true,
                }
            }
        }
        if prev_classes & class::BE != 0 {
            f.passive |= past_tense(w, c) && !speech_verb;
        }
        prev = w;
        prev_classes = c;
        prev_raw = Some((at, raw.len()));
    }
    f
}

/// Most words of a sentence [`SentenceWords`] keeps (news sentences have about 22); a
/// longer sentence has its mention cues, introduced names and reference nouns read from
/// the text, as before the table. The table is kept small (960 bytes).
const MAX_SENTENCE_WORDS: usize = 96;

/// One whitespace-delimited word of a sentence, as byte offsets from the sentence start.
#[derive(Clone, Copy, Default)]
struct WordAt {
    /// The run of non-whitespace (a piece of `split_whitespace`).
    start: u16,
    end: u16,
    /// The run without the punctuation around it ([`trim_word`]; empty for `—`).
    clean_start: u16,
    clean_end: u16,
    /// [`classes`] of the clean word.
    classes: u16,
}

/// The words of a sentence, read once ([`SentenceWords::read`]) for the introduced
/// names, the reference nouns and the holder, each of which split the sentence itself
/// before. The holder's facts and the cues of each mention take the words around it,
/// and their classes, from here instead of splitting the text around the mention and
/// looking the words up again (`classes` was called about 1.5 times a word before). The
/// words before a mention are the runs that end before it; the words after it are the
/// runs from where the tail starts, the first one cut when the tail starts inside it
/// (`U.S.-brokered`): the pieces [`words_before`] and [`words_after`] find, which
/// `holder::tests` checks on messy text.
pub struct SentenceWords {
    words: [WordAt; MAX_SENTENCE_WORDS],
    len: usize,
    /// Every word of the sentence is here (false past [`MAX_SENTENCE_WORDS`] words or
    /// offsets past `u16`): otherwise the cues read the text.
    complete: bool,
    /// Some run ended at a whitespace character other than ASCII's `\t \n \x0C \r`
    /// and space (a vertical tab, a no-break space …): the runs are then not the pieces
    /// of `split_ascii_whitespace`.
    other_spaces: bool,
    /// The sentence's facts but whether a speaker is unnamed, which depends on the
    /// mentions (true here only when that is so whatever they are).
    facts: SentenceFacts,
    /// The words that make a speaker unnamed unless a mention covers them.
    speakers: Speakers,
}

/// Up to four words (sentence offset, length) that make an unnamed speaker unless a
/// mention covers them (`Coale said`, `the office said`); `None` past four.
#[derive(Clone, Copy, Default)]
struct Speakers {
    words: [(usize, usize); 4],
    len: usize,
}

impl Speakers {
    fn push(&mut self, at: usize, len: usize) {
        if let Some(slot) = self.words.get_mut(self.len) {
            *slot = (at, len);
        }
        self.len += 1;
    }

    /// The words, or `None` when there were more than the table holds.
    fn as_slice(&self) -> Option<&[(usize, usize)]> {
        self.words.get(..self.len)
    }
}

impl Default for SentenceWords {
    fn default() -> Self {
        Self::new()
    }
}

impl SentenceWords {
    /// No words yet: a buffer for [`SentenceWords::read`].
    pub fn new() -> Self {
        SentenceWords {
            words: [WordAt::default(); MAX_SENTENCE_WORDS],
            len: 0,
            complete: true,
            other_spaces: false,
            facts: SentenceFacts::default(),
            speakers: Speakers::default(),
        }
    }

    /// The words of `sentence` (see [`SentenceWords::read`]).
    pub fn of(sentence: &str) -> Self {
        let mut words = Self::new();
        words.read(sentence);
        words
    }

    /// Reads the whitespace runs of `sentence` in place of the words held, each with its
    /// [`trim_word`] part and that part's [`classes`] (up to [`MAX_SENTENCE_WORDS`]), and
    /// the sentence's facts. (In place: a tagger keeps one table, neither cleared nor
    /// copied per sentence, as only the first `len` words are read.)
    pub fn read(&mut self, sentence: &str) {
        self.len = 0;
        self.complete = true;
        // Read once here, not behind the `LazyLock` check of every word's lookup.
        let lists = &*WORD_CLASSES;
        let mut runs = Runs::new(sentence);
        let mut speakers = Speakers::default();
        let each = (&mut runs).map(|raw| {
            let w = trim_word(raw);
            let c = lists.classes(w);
            self.push(sentence, raw, w, c);
            (raw, w, c)
        });
        let facts = facts_of_words(sentence, each, |at, len| speakers.push(at, len));
        self.facts = facts;
        self.speakers = speakers;
        self.other_spaces = runs.other_spaces;
    }

    /// The byte ranges of the pieces `sentence.split_ascii_whitespace()` gives, when the
    /// words are all here and no other whitespace split them.
    pub(crate) fn ascii_pieces(&self) -> Option<impl Iterator<Item = (usize, usize)> + '_> {
        (self.complete && !self.other_spaces).then(|| {
            self.as_slice()
                .iter()
                .map(|w| (usize::from(w.start), usize::from(w.end)))
        })
    }

    /// Records `raw`, a whitespace run of `sentence`, its trimmed `clean` part and its
    /// classes.
    fn push(&mut self, sentence: &str, raw: &str, clean: &str, classes: u16) {
        let (raw, clean) = (span_in(sentence, raw), span_in(sentence, clean));
        let Ok(end) = u16::try_from(raw.end) else {
            self.complete = false;
            return;
        };
        if self.len == MAX_SENTENCE_WORDS {
            self.complete = false;
            return;
        }
        // `end` fits, so every offset before it does.
        let at = |i: usize| i as u16;
        self.words[self.len] = WordAt {
            start: at(raw.start),
            end,
            clean_start: at(clean.start),
            clean_end: at(clean.end),
            classes,
        };
        self.len += 1;
    }

    /// The byte ranges of the words without the punctuation around them ([`trim_word`];
    /// none empty), each with whether it is a reference noun ignoring case, when the
    /// words are all here.
    pub(crate) fn trimmed(&self) -> Option<impl Iterator<Item = (usize, usize, bool)> + '_> {
        self.complete.then(|| {
            self.as_slice()
                .iter()
                .filter(|w| w.clean_start < w.clean_end)
                .map(|w| {
                    let noun = w.classes & class::REFERENCE_NOUN != 0;
                    (usize::from(w.clean_start), usize::from(w.clean_end), noun)
                })
        })
    }

    fn as_slice(&self) -> &[WordAt] {
        &self.words[..self.len]
    }

    /// What [`words_before`] finds in `sentence[..at]`, with the words' classes.
    fn before<'a>(&self, sentence: &'a str, at: usize, n: usize) -> (Words<'a>, [u16; 4]) {
        let (mut out, mut out_classes) = (Words::default(), [0; 4]);
        // Runs that end at `at` or go past it are the piece the mention cuts: not a word.
        let last = self.as_slice().partition_point(|w| (w.end as usize) < at);
        for w in self.as_slice()[..last].iter().rev() {
            if out.len == n
                || ends_with_stop(&sentence[w.start as usize..w.end as usize], b",.;:\"")
            {
                break;
            }
            if w.clean_start < w.clean_end && out.len < out_classes.len() {
                out_classes[out.len] = w.classes;
                out.push(&sentence[w.clean_start as usize..w.clean_end as usize]);
            }
        }
        (out, out_classes)
    }

    /// What [`words_after`] finds in `sentence[at..]`, with the words' classes.
    fn after<'a>(&self, sentence: &'a str, at: usize, n: usize) -> (Words<'a>, [u16; 4]) {
        let at = at + possessive_len(&sentence[at..]);
        let (mut out, mut out_classes) = (Words::default(), [0; 4]);
        let first = self.as_slice().partition_point(|w| (w.end as usize) <= at);
        for w in &self.as_slice()[first..] {
            let (raw, clean, c) = if (w.start as usize) < at {
                // The tail starts inside this run: its rest is a word of its own.
                let raw = &sentence[at..w.end as usize];
                let clean = trim_word(raw);
                (raw, clean, classes(clean))
            } else {
                (
                    &sentence[w.start as usize..w.end as usize],
                    &sentence[w.clean_start as usize..w.clean_end as usize],
                    w.classes,
                )
            };
            if !clean.is_empty() && out.len < out_classes.len() {
                out_classes[out.len] = c;
                out.push(clean);
            }
            if out.len == n || ends_with_stop(raw, b".;\"") {
                break;
            }
        }
        (out, out_classes)
    }

    /// [`is_modifier`] of `sentence[at..]`.
    fn is_modifier(&self, sentence: &str, at: usize) -> bool {
        if !sentence[at..].starts_with(' ') {
            return false;
        }
        // The run after the space starts there: nothing before `at + 1` reaches it.
        let next = self
            .as_slice()
            .partition_point(|w| (w.start as usize) <= at);
        self.as_slice().get(next).is_some_and(|w| {
            modifies(
                &sentence[w.clean_start as usize..w.clean_end as usize],
                w.classes,
            )
        })
    }
}

/// Speakers who are no party to the dispute.
const THIRD_PARTIES: &[&str] = &[
    "analysts",
    "analyst",
    "experts",
    "observers",
    "diplomats",
    "critics",
    "economists",
    "residents",
    "witnesses",
    "researchers",
    "investors",
    "traders",
    "sources",
    "groups",
    "activists",
    "historians",
    "commentators",
    "estimates",
    "data",
    "figures",
    "polls",
    "surveys",
    "reports",
    "media",
    "people",
];

const PRONOUNS: &[&str] = &["he", "she", "it", "they", "we", "i", "who", "which", "that"];

/// Subjects of speech that stand for an actor the sentence does not name.
const UNNAMED_SUBJECTS: &[&str] = &[
    "office",
    "staff",
    "statement",
    "council",
    "commission",
    "committee",
    "agency",
    "source",
    "secretary",
    "union",
    "company",
    "group",
    "movement",
    "administration",
    "department",
    "presidency",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "official",
    "officials",
];

/// Words that open a subordinate clause: a mention after them is background.
const SUBORDINATORS: &[&str] = &[
    "since", "when", "while", "until", "because", "although", "though", "whereas", "if", "unless",
    "as", "after", "before", "once",
];

/// Lower-case words after a mention that do not make it a modifier.
const FUNCTION_WORDS: &[&str] = &[
    "and",
    "or",
    "but",
    "nor",
    "to",
    "of",
    "in",
    "on",
    "at",
    "for",
    "with",
    "by",
    "from",
    "as",
    "that",
    "which",
    "who",
    "whose",
    "whom",
    "than",
    "if",
    "over",
    "into",
    "after",
    "before",
    "since",
    "while",
    "also",
    "still",
    "again",
    "now",
    "then",
    "have",
    "may",
    "might",
    "shall",
    "can",
    "not",
    "never",
    "already",
    "itself",
    "himself",
    "herself",
    "themselves",
    "say",
    "about",
    "under",
    "against",
    "between",
    "through",
    "during",
    "until",
    "without",
    "within",
    "because",
    "though",
    "although",
    "so",
    "yet",
    "too",
    "alone",
];

/// Index of the best candidate and its probability, scored by the learned holder head
/// or, without one, by fixed weights ([`rule_weight`]). The candidates include
/// [`CandidateKind::Nobody`], so "no actor" competes with the named parties; its score
/// also reads the sentence's words, `stance_ids` (ids in the model's stance vocabulary,
/// as computed for the stance head).
pub fn choose(
    head: Option<&HolderScorer>,
    candidates: &[Candidate],
    sentence: &SentenceView,
) -> Option<(usize, f32)> {
    let mut best: Option<(usize, f32)> = None;
    for (i, c) in candidates.iter().enumerate() {
        let p = match (head, c.kind) {
            (Some(h), CandidateKind::Nobody) => {
                h.probability_with_words(c.cues, &h.nobody_words, sentence.stance_ids)
            }
            (Some(h), CandidateKind::Previous) => {
                h.probability_with_words(c.cues, &h.carry_words, sentence.stance_ids)
            }
            (Some(h), CandidateKind::Mention(_)) => {
                let [before, after] = c.neighbours.map(|w| w.map(|w| w.of(sentence.article)));
                sigmoid(
                    h.logit(c.cues)
                        + before.map_or(0.0, |w| h.neighbour(&h.before_words, w))
                        + after.map_or(0.0, |w| h.neighbour(&h.after_words, w)),
                )
            }
            (None, _) => rule_probability(c.cues),
        };
        if best.is_none_or(|(_, b)| p > b) {
            best = Some((i, p));
        }
    }
    best
}

/// Prefix of the holder head's word terms: `w:<stance term>` is a word of the sentence,
/// seen by the "nobody" candidate only (`percent`, `<party> soldiers`, `since`).
pub const WORD_PREFIX: &str = "w:";

/// Prefix of the words seen by the carried-over previous party (`c:the union`).
pub const CARRY_WORD_PREFIX: &str = "c:";

/// What [`choose`] reads of a sentence besides the candidates' cues.
#[derive(Clone, Copy, Debug)]
pub struct SentenceView<'a> {
    pub article: &'a str,
    /// Byte range of the sentence in `article`.
    pub start: usize,
    pub end: usize,
    /// The sentence's mentions (article offsets), as given to [`candidates`].
    pub mentions: &'a [Mention],
    /// The sentence's feature ids in the model's stance vocabulary.
    pub stance_ids: &'a [u32],
}

impl<'a> SentenceView<'a> {
    /// A view of `text` as a whole sentence with no stance ids (training reads only the
    /// words around mentions).
    pub fn whole(text: &'a str, mentions: &'a [Mention]) -> Self {
        SentenceView {
            article: text,
            start: 0,
            end: text.len(),
            mentions,
            stance_ids: &[],
        }
    }
}

/// The word right before a mention (within its clause) and the word right after it
/// (past a possessive and a short aside): `talks with Russia`, `Peskov said`.
pub fn neighbour_words<'a>(
    s: &SentenceView<'a>,
    m: &Mention,
) -> (Option<&'a str>, Option<&'a str>) {
    let before = words_before(&s.article[s.start..m.start], 1).first();
    let after = words_after(skip_appositive(&s.article[m.end..s.end]), 1).first();
    (before, after)
}

/// Prefixes of the words next to a candidate's first mention (`b:with`, `a:said`).
pub const BEFORE_PREFIX: &str = "b:";
pub const AFTER_PREFIX: &str = "a:";

/// Separator of a cue pair term (`speech_verb_after&in_quote`): both cues are set.
pub const PAIR_SEPARATOR: char = '&';

/// The holder head's terms for a candidate's cues: each cue name, and with `pairs` each
/// pair of set cues (lower bit first).
pub fn cue_terms(cues: u64, pairs: bool, out: &mut Vec<String>) {
    let names: Vec<(usize, &str)> = CUES
        .iter()
        .enumerate()
        .filter(|(i, _)| cues & (1 << i) != 0)
        .map(|(i, n)| (i, *n))
        .collect();
    for (k, (_, a)) in names.iter().enumerate() {
        out.push((*a).to_owned());
        if pairs {
            for (_, b) in &names[k + 1..] {
                out.push(format!("{a}{PAIR_SEPARATOR}{b}"));
            }
        }
    }
}

/// The holder head with its cue bits mapped to weight rows once, at load.
#[derive(Clone, Debug)]
pub struct HolderScorer {
    /// `holder − other` logit contribution of each cue bit.
    weight: [f32; 64],
    /// Contribution to the "nobody" candidate of each stance-vocabulary id.
    nobody_words: Vec<f32>,
    /// The same for the carried-over previous party.
    carry_words: Vec<f32>,
    /// Contribution of the (lower-case) word before / after a mention.
    before_words: LowercaseWords,
    after_words: LowercaseWords,
    /// Contribution of each pair of cue bits `a < b` at `a * 64 + b` (empty: no pairs).
    pairs: Vec<f32>,
    bias: f32,
}

impl HolderScorer {
    /// Prepares a head whose classes are `["holder", "other"]` in some order and whose
    /// vocabulary holds cue names and `w:` word terms (unknown names are ignored; a word
    /// term counts only when `stance_vocabulary` has the word).
    pub fn new(head: &LinearHead, stance_vocabulary: &Vocabulary) -> Option<Self> {
        let yes = head.classes.iter().position(|c| c == "holder")?;
        let no = head.classes.iter().position(|c| c == "other")?;
        let k = head.classes.len();
        let delta = |id: u32| {
            let row = id as usize * k;
            head.weights[row + yes] - head.weights[row + no]
        };
        let mut weight = [0.0; 64];
        for (bit, name) in CUES.iter().enumerate() {
            if let Some(id) = head.vocabulary.id(name) {
                weight[bit] = delta(id);
            }
        }
        let mut nobody_words = Vec::new();
        let mut carry_words = Vec::new();
        let mut before_words = FxMap::default();
        let mut after_words = FxMap::default();
        let mut pairs = Vec::new();
        let bit_of = |name: &str| CUES.iter().position(|c| *c == name);
        for (id, term) in head.vocabulary.terms().iter().enumerate() {
            if let Some((a, b)) = term.split_once(PAIR_SEPARATOR) {
                if let (Some(a), Some(b)) = (bit_of(a), bit_of(b)) {
                    if pairs.is_empty() {
                        pairs = vec![0.0; 64 * 64];
                    }
                    pairs[a.min(b) * 64 + a.max(b)] = delta(id as u32);
                }
                continue;
            }
            if let Some(w) = term.strip_prefix(BEFORE_PREFIX) {
                before_words.insert(lowercase_key(w.as_bytes()), (w.into(), delta(id as u32)));
                continue;
            }
            if let Some(w) = term.strip_prefix(AFTER_PREFIX) {
                after_words.insert(lowercase_key(w.as_bytes()), (w.into(), delta(id as u32)));
                continue;
            }
            let (table, word) = if let Some(w) = term.strip_prefix(WORD_PREFIX) {
                (&mut nobody_words, w)
            } else if let Some(w) = term.strip_prefix(CARRY_WORD_PREFIX) {
                (&mut carry_words, w)
            } else {
                continue;
            };
            if let Some(sid) = stance_vocabulary.id(word) {
                if table.is_empty() {
                    *table = vec![0.0; stance_vocabulary.len()];
                }
                table[sid as usize] = delta(id as u32);
            }
        }
        Some(HolderScorer {
            weight,
            nobody_words,
            carry_words,
            before_words,
            after_words,
            pairs,
            bias: head.bias[yes] - head.bias[no],
        })
    }

    fn logit(&self, cues: u64) -> f32 {
        let mut z = self.bias;
        let mut bits = cues;
        while bits != 0 {
            let a = bits.trailing_zeros() as usize;
            z += self.weight[a];
            bits &= bits - 1;
            if !self.pairs.is_empty() {
                let mut rest = bits;
                while rest != 0 {
                    z += self.pairs[a * 64 + rest.trailing_zeros() as usize];
                    rest &= rest - 1;
                }
            }
        }
        z
    }

    /// The weight of `word` in a neighbour-word table, compared in lower case without
    /// allocating (words over 32 bytes weigh nothing).
    fn neighbour(&self, table: &LowercaseWords, word: &str) -> f32 {
        if table.is_empty() || word.len() > 32 {
            return 0.0;
        }
        table
            .get(&lowercase_key(word.as_bytes()))
            .filter(|(w, _)| w.eq_ignore_ascii_case(word))
            .map_or(0.0, |(_, weight)| *weight)
    }

    /// Probability that a candidate with these cues holds the stance.
    pub fn probability(&self, cues: u64) -> f32 {
        sigmoid(self.logit(cues))
    }

    /// Probability for the "nobody" or the carried-over candidate: its cues plus the
    /// `table` weights of the sentence's words (`stance_ids`, ids in the stance
    /// vocabulary the scorer was built with).
    fn probability_with_words(&self, cues: u64, table: &[f32], stance_ids: &[u32]) -> f32 {
        let words: f32 = stance_ids
            .iter()
            .filter_map(|&id| table.get(id as usize))
            .sum();
        sigmoid(self.logit(cues) + words)
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// Fixed cue weights for models trained before the holder head existed.
pub fn rule_weight(bit: u32) -> f32 {
    match bit {
        FIRST_MENTION => 1.0,
        SPEECH_AFTER => 3.0,
        VERB_NEAR => 2.0,
        VERB_FAR => 1.0,
        SAID_BEFORE | ACCORDING_TO => 3.0,
        OBJECT_BEFORE => -2.0,
        POSSESSIVE_OTHER => -1.5,
        CARRY_PRONOUN_START => 2.0,
        DATELINE => -3.0,
        FIRST_AFTER_DATELINE => 1.0,
        OTHER_SPEAKER => -1.0,
        PAST_AFTER => 1.0,
        REFERENCE => -1.0,
        NOBODY => 0.5,
        NOBODY_NO_MENTIONS => 1.0,
        _ => 0.0,
    }
}

fn rule_probability(cues: u64) -> f32 {
    let z: f32 = (0..CUES.len() as u32)
        .filter(|b| cues & (1 << b) != 0)
        .map(rule_weight)
        .sum();
    1.0 / (1.0 + (-z).exp())
}

/// Verbs of attribution: right after a name they make it the speaker.
const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "told",
    "added",
    "warned",
    "wrote",
    "insisted",
    "stressed",
    "argued",
    "announced",
    "declared",
    "posted",
    "tweeted",
    "replied",
    "responded",
];

/// Verbs whose subject is the holder of the sentence's stance.
const HOLDER_VERBS: &[&str] = &[
    "rejected",
    "dismissed",
    "accused",
    "denied",
    "demanded",
    "called",
    "urged",
    "offered",
    "proposed",
    "agreed",
    "welcomed",
    "praised",
    "thanked",
    "threatened",
    "vowed",
    "pledged",
    "refused",
    "declined",
    "ruled",
    "signalled",
    "signaled",
    "hailed",
    "condemned",
    "criticised",
    "criticized",
    "blamed",
    "noted",
    "reiterated",
    "launched",
    "struck",
    "fired",
    "attacked",
    "seized",
    "imposed",
    "suspended",
    "ordered",
    "sent",
    "would",
    "will",
    "must",
    "cannot",
    "could",
    "should",
    "did",
    "does",
    "plans",
    "wants",
    "sought",
    "seeks",
    "expressed",
    "released",
    "returned",
    "accepted",
    "approved",
    "backed",
    "supported",
    "opposed",
    "objected",
    "has",
    "had",
    "is",
    "was",
    "were",
    "are",
    "signed",
    "sanctioned",
    "raised",
    "cut",
    "lifted",
    "extended",
    "froze",
    "blocked",
    "vetoed",
    "recalled",
];

/// Nouns after a possessive name that still make the name the actor
/// (`Russia’s foreign ministry said`).
const ROLE_NOUNS: &[&str] = &[
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "foreign",
    "defence",
    "defense",
    "ministry",
    "minister",
    "president",
    "leader",
    "envoy",
    "delegation",
    "negotiator",
    "negotiators",
    "army",
    "military",
    "government",
    "ambassador",
    "prime",
    "chief",
    "top",
    "officials",
    "office",
    "forces",
    "troops",
    "navy",
    "air",
    "cabinet",
    "security",
    "deputy",
    "head",
    "representative",
    "mission",
    "embassy",
    "parliament",
    "national",
    "state",
    "central",
    "trade",
    "commerce",
    "finance",
    "economy",
    "coast",
    "interior",
    "justice",
];

/// Words before a mention that make it an object, not the subject.
const OBJECT_MARKERS: &[&str] = &[
    "to",
    "with",
    "against",
    "on",
    "from",
    "of",
    "for",
    "at",
    "in",
    "into",
    "toward",
    "towards",
    "over",
    "about",
    "between",
    "than",
    "including",
    "via",
    "upon",
    "like",
    "after",
    "before",
    "under",
    "without",
];

/// Length of a dateline (`KYIV, Feb. 4 (detente wire) — `) at the start of a sentence:
/// an upper-case place, then up to 80 bytes to a dash. 0 when there is none.
fn dateline_len(sentence: &str) -> usize {
    let first = sentence.split([',', ' ']).next().unwrap_or("");
    let upper = first.chars().filter(|c| c.is_alphabetic()).count() >= 3
        && !first.chars().any(char::is_lowercase);
    if !upper {
        return 0;
    }
    let window = &sentence[..floor_boundary(sentence, 100)];
    [" — ", " – ", " - "]
        .iter()
        .find_map(|dash| window.find(dash).map(|i| i + dash.len()))
        .unwrap_or(0)
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `Norway, a guarantor of the process, said …`: the text after a comma-delimited
/// aside, so the verb is found. Unchanged when there is no short aside.
fn skip_appositive(tail: &str) -> &str {
    let Some(rest) = tail.strip_prefix(',') else {
        return tail;
    };
    match rest.find(',') {
        Some(i) if i < 90 && !rest[..i].contains(['.', ';', '“', '”']) => &rest[i + 1..],
        _ => tail,
    }
}

/// A regular past tense or a common irregular one (`dropped`, `said`, `struck`), for a
/// word whose [`classes`] are known.
fn past_tense(word: &str, classes: u16) -> bool {
    let bytes = word.as_bytes();
    let regular = bytes.len() > 4 && bytes[bytes.len() - 2..].eq_ignore_ascii_case(b"ed");
    regular || classes & class::IRREGULAR_PAST != 0
}

fn is_possessive(tail: &str) -> bool {
    tail.starts_with("’s")
        || tail.starts_with("'s")
        || tail.starts_with("’ ")
        || tail.starts_with("' ")
}

/// True when an opening quotation mark before the end of `head` is still open (read as
/// bytes: `“` is E2 80 9C, `”` E2 80 9D).
fn inside_quote(head: &str) -> bool {
    quote_open_after(false, head)
}

/// Whether a quotation is open after `text`, when it was `open` before it.
fn quote_open_after(mut open: bool, text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        // Eight bytes with no `"` and no first byte of `“` or `”` (most of a sentence)
        // are passed over at once (a `match` a byte before).
        if let Some(eight) = bytes[i..].first_chunk::<8>() {
            let x = u64::from_le_bytes(*eight);
            if !has_byte(x, b'"') && !has_byte(x, 0xE2) {
                i += 8;
                continue;
            }
        }
        match b {
            b'"' => open = !open,
            0xE2 if bytes.get(i + 1) == Some(&0x80) => match bytes.get(i + 2) {
                Some(0x9C) => open = true,
                Some(0x9D) => open = false,
                _ => {}
            },
            _ => {}
        }
        i += 1;
    }
    open
}

/// Whether one of the eight bytes of `x` is `b`: a byte of `x ^ b…b` is zero exactly
/// there, and subtracting one from each byte sets the high bit of a zero byte that had
/// it clear (borrows only start at a zero byte, so some byte is found iff one is zero).
#[inline]
fn has_byte(x: u64, b: u8) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let v = x ^ (u64::from(b) * ONES);
    v.wrapping_sub(ONES) & !v & ONES << 7 != 0
}

/// [`inside_quote`] at each of the first 64 mentions of a sentence, read in one pass
/// when the mentions are in text order (each mention read the sentence from its start
/// before).
#[derive(Clone, Copy, Debug, Default)]
struct QuotesOpen {
    bits: u64,
    len: usize,
}

impl QuotesOpen {
    /// Whether a quotation is open at mention `j`; `None` past the first 64.
    fn get(&self, j: usize) -> Option<bool> {
        (j < self.len).then(|| self.bits >> j & 1 != 0)
    }
}

/// [`QuotesOpen`] of the sentence that starts at `article[start..]`.
fn quotes_open_at(article: &str, start: usize, mentions: &[Mention]) -> QuotesOpen {
    let mut out = QuotesOpen::default();
    let (mut at, mut open) = (start, false);
    for m in mentions.iter().take(64) {
        if m.start < at {
            // Out of text order: read again from the sentence start.
            (at, open) = (start, false);
        }
        // Mentions start on char boundaries, so no quotation mark is cut.
        open = quote_open_after(open, &article[at..m.start]);
        at = m.start;
        out.bits |= u64::from(open) << out.len;
        out.len += 1;
    }
    out
}

/// Up to four words borrowed from the text, nearest first; compared without allocating.
#[derive(Default)]
struct Words<'a> {
    items: [&'a str; 4],
    len: usize,
}

impl<'a> Words<'a> {
    fn push(&mut self, w: &'a str) {
        if self.len < self.items.len() {
            self.items[self.len] = w;
            self.len += 1;
        }
    }
    fn as_slice(&self) -> &[&'a str] {
        &self.items[..self.len]
    }
    fn first(&self) -> Option<&'a str> {
        self.as_slice().first().copied()
    }
    /// The [`classes`] of each word (0 past the last).
    fn classes(&self) -> [u16; 4] {
        let mut out = [0; 4];
        for (c, w) in out.iter_mut().zip(self.as_slice()) {
            *c = classes(w);
        }
        out
    }
}

/// The word lists the cues test, as bits: a word is looked up once in one table
/// ([`WordClasses`], keyed by a case-blind hash, no copy) instead of compared with every
/// entry of a list, which made the holder the largest cost of tagging (bench/RESULTS.md).
mod class {
    pub const SAID: u16 = 1;
    pub const OBJECT_MARKER: u16 = 1 << 1;
    pub const ROLE_NOUN: u16 = 1 << 2;
    pub const SPEECH_VERB: u16 = 1 << 3;
    pub const HOLDER_VERB: u16 = 1 << 4;
    pub const SUBORDINATOR: u16 = 1 << 5;
    pub const FUNCTION_WORD: u16 = 1 << 6;
    pub const THIRD_PARTY: u16 = 1 << 7;
    pub const PRONOUN: u16 = 1 << 8;
    pub const UNNAMED_SUBJECT: u16 = 1 << 9;
    pub const BE: u16 = 1 << 10;
    pub const IRREGULAR_PAST: u16 = 1 << 11;
    pub const SPEECH_SUBJECT: u16 = 1 << 12;
    /// A noun that may stand for a party ([`crate::reference`]), ignoring case: the
    /// reference scan reads it from the words.
    pub const REFERENCE_NOUN: u16 = 1 << 13;
}

const SAID_WORDS: &[&str] = &["said", "says", "told", "added"];

const BE_WORDS: &[&str] = &["was", "were", "been", "being", "be"];

/// Common irregular past tenses (`said`, `struck`).
const IRREGULAR: &[&str] = &[
    "said", "told", "made", "took", "gave", "sent", "struck", "held", "met", "won", "lost",
    "began", "kept", "left", "chose", "drew", "hit", "shot", "fought", "brought", "led", "sought",
    "spoke", "wrote", "broke", "threw", "set", "put", "cut", "let", "came",
];

/// Subjects of `he said`, `the spokesman told`.
const SUBJECTS: &[&str] = &[
    "he",
    "she",
    "they",
    "it",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "ministry",
    "minister",
    "official",
];

const WORD_LISTS: &[(&[&str], u16)] = &[
    (SAID_WORDS, class::SAID),
    (OBJECT_MARKERS, class::OBJECT_MARKER),
    (ROLE_NOUNS, class::ROLE_NOUN),
    (SPEECH_VERBS, class::SPEECH_VERB),
    (HOLDER_VERBS, class::HOLDER_VERB),
    (SUBORDINATORS, class::SUBORDINATOR),
    (FUNCTION_WORDS, class::FUNCTION_WORD),
    (THIRD_PARTIES, class::THIRD_PARTY),
    (PRONOUNS, class::PRONOUN),
    (UNNAMED_SUBJECTS, class::UNNAMED_SUBJECT),
    (BE_WORDS, class::BE),
    (IRREGULAR, class::IRREGULAR_PAST),
    (SUBJECTS, class::SPEECH_SUBJECT),
];

/// Longest list word: longer words are in no list.
const MAX_LIST_WORD: usize = 24;

/// The word lists as one table: most words are in no list and are turned away by the
/// `(first two letters, length)` filter; the others take one hash lookup.
struct WordClasses {
    /// Bit `len` of entry [`filter_index`]: some list word starts with those two letters
    /// (ignoring case) and has `len` bytes. (The first letter alone let `the`, `and`,
    /// `for` through to the hash: most lookups of a sentence.)
    filter: [u32; 1024],
    /// Open addressing on the key's low bits (the key is already a hash): the lower-case
    /// word, its classes and [`head`], `("", 0, 0)` for an empty slot.
    slots: Vec<(&'static str, u16, u64)>,
}

/// Slots of [`WordClasses`]: a power of two, a few times the number of list words.
const WORD_SLOTS: usize = 4096;

impl WordClasses {
    /// The slot of `word` (not empty), or the empty slot where it would go. A word of
    /// at most eight bytes is compared as one lower-cased `u64` with the stored word's
    /// [`head`] (`eq_ignore_ascii_case` folded both words byte by byte: ~90 instructions
    /// a lookup, on half the words of every sentence).
    #[inline(always)]
    fn slot(&self, word: &[u8]) -> usize {
        let head = (word.len() <= 8).then(|| ascii_lowercase8(head(word)));
        let mut i = list_key(word) % WORD_SLOTS;
        while let Some((w, _, w_head)) = self.slots.get(i).filter(|(w, ..)| !w.is_empty()) {
            let same = match head {
                // List words are lower-case: their head needs no folding.
                Some(head) => head == *w_head && w.len() == word.len(),
                None => w.as_bytes().eq_ignore_ascii_case(word),
            };
            if same {
                break;
            }
            i = (i + 1) % WORD_SLOTS;
        }
        i
    }
}

/// The first eight bytes of `word` (not empty) as a little-endian `u64`, zero-padded.
#[inline]
fn head(word: &[u8]) -> u64 {
    match word.first_chunk::<8>() {
        Some(eight) => u64::from_le_bytes(*eight),
        None => zero_padded(word),
    }
}

/// Each byte of `x` with `u8::to_ascii_lowercase`: an upper-case ASCII letter's high bit
/// clear, `0x41 ≤ b` and `b < 0x5B` are found by two additions that carry into the high
/// bit of the byte (no byte spills into the next: `b + 0x3F ≤ 0xBE`), and gets `0x20`.
#[inline]
fn ascii_lowercase8(x: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let low = x & !HIGH;
    let at_least_a = low + 0x3F3F_3F3F_3F3F_3F3F;
    let past_z = low + 0x2525_2525_2525_2525;
    let upper = at_least_a & !past_z & !x & HIGH;
    x | upper >> 2
}

/// Start slot of a word of at most [`MAX_LIST_WORD`] bytes in [`WordClasses`]: its length
/// and its first, middle and last bytes, ASCII case folded, multiplied into 12 bits. The
/// probe compares the words, so a collision costs a step, not an error; reading three
/// bytes instead of hashing them all ([`lowercase_key`]) took about 9 M instructions off
/// tagging 1.5 MB of news (~38 M were spent in `classes`).
fn list_key(word: &[u8]) -> usize {
    let n = word.len();
    let bytes = u32::from(word[0]) | u32::from(word[n / 2]) << 8 | u32::from(word[n - 1]) << 16;
    let x = (bytes | 0x20_2020) ^ (n as u32) << 24;
    (x.wrapping_mul(0x9E37_79B1) >> 20) as usize
}

/// Entry of [`WordClasses::filter`] for a word's first two bytes (5 bits each: ASCII case
/// folds away; other bytes may share an entry, which only lets more words through).
fn filter_index(bytes: &[u8]) -> usize {
    let second = bytes.get(1).copied().unwrap_or(0);
    usize::from(bytes[0] & 31) << 5 | usize::from(second & 31)
}

static WORD_CLASSES: LazyLock<WordClasses> = LazyLock::new(|| {
    let mut table = WordClasses {
        filter: [0; 1024],
        slots: vec![("", 0, 0); WORD_SLOTS],
    };
    let lists = WORD_LISTS
        .iter()
        .flat_map(|&(list, bit)| list.iter().map(move |&word| (word, bit)));
    let nouns = reference::nouns().map(|noun| (noun, class::REFERENCE_NOUN));
    for (word, bit) in lists.chain(nouns) {
        let bytes = word.as_bytes();
        if !bytes.is_empty() && bytes.len() <= MAX_LIST_WORD {
            table.filter[filter_index(bytes)] |= 1 << bytes.len();
            let i = table.slot(bytes);
            table.slots[i].0 = word;
            table.slots[i].1 |= bit;
            table.slots[i].2 = head(bytes);
        }
    }
    table
});

/// Words weighed ignoring ASCII case, keyed by [`lowercase_key`] so a lookup neither
/// copies nor lower-cases the word; the stored word confirms the match.
type LowercaseWords = FxMap<u64, (Box<str>, f32)>;

/// A hash that ignores ASCII case, eight bytes at a time: bit 0x20 of every byte is set,
/// which lower-cases ASCII letters (other bytes may collide; callers confirm a match by
/// comparing the words).
fn lowercase_key(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    const LOWER: u64 = 0x2020_2020_2020_2020;
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let lane = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        h = (h.rotate_left(5) ^ (lane | LOWER)).wrapping_mul(K);
    }
    let tail = chunks
        .remainder()
        .iter()
        .rev()
        .fold(0u64, |x, &b| x << 8 | u64::from(b));
    h = (h.rotate_left(5) ^ (tail | LOWER)).wrapping_mul(K);
    h ^ (h >> 29)
}

/// The classes of `word`, ignoring ASCII case (list words are lowercase ASCII).
fn classes(word: &str) -> u16 {
    WORD_CLASSES.classes(word)
}

impl WordClasses {
    /// See [`classes`].
    #[inline(always)]
    fn classes(&self, word: &str) -> u16 {
        let bytes = word.as_bytes();
        let Some(&first) = bytes.first() else {
            return 0;
        };
        if bytes.len() > MAX_LIST_WORD
            || !first.is_ascii()
            || self.filter[filter_index(bytes)] >> bytes.len() & 1 == 0
        {
            return 0;
        }
        self.slots
            .get(self.slot(bytes))
            .map_or(0, |(_, classes, _)| *classes)
    }
}

/// `w` without the punctuation around it (`“Never,` → `Never`).
fn trim_word(w: &str) -> &str {
    trim_end_punctuation(trim_start_punctuation(w))
}

/// The pieces of `str::split_whitespace`, found on bytes: ASCII is decided on the byte
/// and only other characters are decoded. std's splitter decodes every character, which
/// cost about 135 instructions a word in [`sentence_facts`], the one pass over every
/// word of every sentence.
struct Runs<'a> {
    text: &'a str,
    at: usize,
    /// A vertical tab or a whitespace character outside ASCII was passed over
    /// (`split_ascii_whitespace` would not split there).
    other_spaces: bool,
}

impl<'a> Runs<'a> {
    fn new(text: &'a str) -> Self {
        Runs {
            text,
            at: 0,
            other_spaces: false,
        }
    }
}

impl<'a> Iterator for Runs<'a> {
    type Item = &'a str;

    #[inline(always)]
    fn next(&mut self) -> Option<&'a str> {
        let (text, bytes) = (self.text, self.text.as_bytes());
        let mut i = self.at;
        // ASCII is decided here: a call to `space_at` a byte cost as much as std.
        while i < bytes.len() {
            let b = bytes[i];
            if b == b' ' {
                i += 1;
            } else if is_ascii_space(b) {
                self.other_spaces |= b == 0x0B;
                i += 1;
            } else if b < 0x80 {
                break;
            } else {
                match space_at(text, i) {
                    0 => break,
                    gap => {
                        self.other_spaces = true;
                        i += gap;
                    }
                }
            }
        }
        if i == bytes.len() {
            self.at = i;
            return None;
        }
        let start = i;
        // Printable ASCII, most bytes, eight at a time: the first byte of a word of eight
        // bytes that is not in `0x21..=0x7F` is found at once (a test a byte before).
        while let Some(eight) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) {
            let stop = printable_ascii_end(u64::from_le_bytes(*eight));
            i += stop;
            if stop < 8 {
                break;
            }
        }
        while i < bytes.len() {
            let b = bytes[i];
            // Printable ASCII: no space.
            if b > b' ' && b < 0x80 {
                i += 1;
            } else if b < 0x80 {
                if is_ascii_space(b) {
                    break;
                }
                i += 1;
            } else if space_at(text, i) > 0 {
                break;
            } else {
                i += utf8_width(b);
            }
        }
        self.at = i;
        Some(&text[start..i])
    }
}

/// How many of the eight little-endian bytes of `x` are in `0x21..=0x7F` before the first
/// one that is not (8 when all are). Subtracting `0x21` from each byte sets its high bit
/// when it is below `0x21`; a byte from `0x80` has it set already. Bytes after the first
/// such byte may borrow wrongly, but only the first is read.
#[inline]
fn printable_ascii_end(x: u64) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let stop = (x.wrapping_sub(0x2121_2121_2121_2121) | x) & HIGH;
    (stop.trailing_zeros() / 8) as usize
}

/// An ASCII byte that `char::is_whitespace` accepts.
#[inline]
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// Length of the UTF-8 character whose first byte is `b`.
#[inline]
fn utf8_width(b: u8) -> usize {
    match b {
        0..0x80 => 1,
        0xF0.. => 4,
        0xE0.. => 3,
        _ => 2,
    }
}

/// Length of the whitespace character (as `char::is_whitespace`) that starts at byte `i`
/// of `s`, or 0. ASCII is decided on the byte; other characters are decoded.
#[inline]
fn space_at(s: &str, i: usize) -> usize {
    match s.as_bytes()[i] {
        b'\t'..=b'\r' | b' ' => 1,
        b if b < 0x80 => 0,
        _ => s[i..]
            .chars()
            .next()
            .filter(|c| c.is_whitespace())
            .map_or(0, char::len_utf8),
    }
}

/// Length of the whitespace character that ends at byte `end` of `s`, or 0.
#[inline]
fn space_before(s: &str, end: usize) -> usize {
    match s.as_bytes()[end - 1] {
        b'\t'..=b'\r' | b' ' => 1,
        b if b < 0x80 => 0,
        _ => s[..end]
            .chars()
            .next_back()
            .filter(|c| c.is_whitespace())
            .map_or(0, char::len_utf8),
    }
}

/// The last character of `w` is one of the ASCII `ascii` bytes or one of `—“”`.
#[inline]
fn ends_with_stop(w: &str, ascii: &[u8]) -> bool {
    match w.as_bytes().last() {
        Some(b) if b.is_ascii() => ascii.contains(b),
        Some(_) => w.ends_with(['—', '“', '”']),
        None => false,
    }
}

/// Up to `n` (≤ 4) words at the end of `head`, nearest first, within its last clause.
/// (The pieces of `head.rsplit(char::is_whitespace)` after the last one, read as bytes:
/// the `char` splitters were a visible cost of every mention; see bench/RESULTS.md.)
fn words_before(head: &str, n: usize) -> Words<'_> {
    let mut out = Words::default();
    let mut end = head.len();
    let mut last_piece = true;
    loop {
        let mut start = end;
        let mut gap = 0;
        while start > 0 {
            gap = space_before(head, start);
            if gap > 0 {
                break;
            }
            start -= head[..start].chars().next_back().map_or(1, char::len_utf8);
        }
        if !last_piece {
            let w = &head[start..end];
            if out.len == n || ends_with_stop(w, b",.;:\"") {
                break;
            }
            let clean = trim_word(w);
            if !clean.is_empty() {
                out.push(clean);
            }
        }
        last_piece = false;
        if start == 0 {
            break;
        }
        end = start - gap;
    }
    out
}

/// Length of a possessive `’s` or `'s` at the start of `tail`, or 0.
fn possessive_len(tail: &str) -> usize {
    if tail.starts_with("’s") {
        "’s".len()
    } else if tail.starts_with("'s") {
        2
    } else {
        0
    }
}

/// Up to `n` (≤ 4) words at the start of `tail` (a possessive `’s` skipped).
fn words_after(tail: &str, n: usize) -> Words<'_> {
    let tail = &tail[possessive_len(tail)..];
    let mut out = Words::default();
    let mut i = 0;
    while i < tail.len() {
        let gap = space_at(tail, i);
        if gap > 0 {
            i += gap;
            continue;
        }
        let start = i;
        while i < tail.len() && space_at(tail, i) == 0 {
            i += if tail.as_bytes()[i] < 0x80 {
                1
            } else {
                tail[i..].chars().next().map_or(1, char::len_utf8)
            };
        }
        let w = &tail[start..i];
        let clean = trim_word(w);
        if !clean.is_empty() {
            out.push(clean);
        }
        if out.len == n || ends_with_stop(w, b".;\"") {
            break;
        }
    }
    out
}

/// Openings that continue the previous sentence's actor: a pronoun (`He added …`), `the`
/// and a role noun (`The spokesman said …`), `But he`, `However, she`.
const CONTINUING_PRONOUNS: &[&str] = &[
    "he", "she", "they", "it", "his", "her", "their", "its", "we", "i", "our",
];

/// Role nouns after `the` (`the prime minister` and `the foreign minister` are tested
/// apart: two words).
const CONTINUING_ROLES: &[&str] = &[
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "ministry",
    "minister",
    "president",
    "official",
    "officials",
    "envoy",
    "government",
    "statement",
    "leader",
    "chancellor",
    "group",
    "movement",
    "union",
    "company",
    "army",
    "military",
    "negotiator",
    "delegation",
    "aide",
    "diplomat",
    "commission",
    "bank",
    "board",
];

/// The leading run of letters and digits of `s`, and what follows it.
fn split_word(s: &str) -> (&str, &str) {
    s.split_at(first_word(s).len())
}

/// The word after `gap` at the start of `rest`, and what follows it.
fn next<'a>(rest: &'a str, gap: &str) -> Option<(&'a str, &'a str)> {
    rest.strip_prefix(gap).map(split_word)
}

fn is_one_of(word: &str, list: &[&str]) -> bool {
    list.iter().any(|w| word.eq_ignore_ascii_case(w))
}

/// True when the sentence opens with a pronoun or role noun (`He added …`), after any
/// opening quotation. Reads the first words once (a scan of every opening against the
/// sentence cost ~900 instructions a sentence; see bench/RESULTS.md).
pub fn continues_previous(sentence: &str) -> bool {
    let (first, rest) = split_word(trim_start_punctuation(sentence));
    if is_one_of(first, CONTINUING_PRONOUNS) {
        true
    } else if first.eq_ignore_ascii_case("the") {
        match next(rest, " ") {
            Some((role, _)) if is_one_of(role, CONTINUING_ROLES) => true,
            Some((kind, rest)) if is_one_of(kind, &["prime", "foreign"]) => {
                next(rest, " ").is_some_and(|(w, _)| w.eq_ignore_ascii_case("minister"))
            }
            _ => false,
        }
    } else if first.eq_ignore_ascii_case("but") {
        next(rest, " ").is_some_and(|(w, _)| is_one_of(w, &["he", "she", "they"]))
    } else if first.eq_ignore_ascii_case("however") {
        next(rest, ", ").is_some_and(|(w, _)| is_one_of(w, &["he", "she"]))
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// True when `word` is in one of the lists of `class` (bits of [`class`]).
    fn is(word: &str, class: u16) -> bool {
        classes(word) & class != 0
    }

    /// The `char`-splitter versions of [`words_before`] and [`words_after`], which the
    /// byte versions replaced for speed: both must find the same words.
    fn words_before_by_chars(head: &str, n: usize) -> Vec<&str> {
        let mut out = Vec::new();
        for w in head.rsplit(char::is_whitespace).skip(1) {
            if out.len() == n || w.ends_with([',', '.', ';', ':', '—', '“', '”', '"']) {
                break;
            }
            let clean = trim_word(w);
            if !clean.is_empty() {
                out.push(clean);
            }
        }
        out
    }

    fn words_after_by_chars(tail: &str, n: usize) -> Vec<&str> {
        let tail = tail
            .strip_prefix("’s")
            .or_else(|| tail.strip_prefix("'s"))
            .unwrap_or(tail);
        let mut out = Vec::new();
        for w in tail.split_whitespace() {
            let clean = trim_word(w);
            if !clean.is_empty() {
                out.push(clean);
            }
            if out.len() == n || w.ends_with(['.', ';', '—', '“', '”', '"']) {
                break;
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn runs_are_the_pieces_of_split_whitespace(
            text in "([a-zA-Z'’,.;:\"“”—\\- ]|\u{a0}|\u{2009}|\u{3000}|\u{85}|é|\t|\n|\r|\u{b}|\u{c}){0,40}",
        ) {
            let runs: Vec<&str> = Runs::new(&text).collect();
            let std: Vec<&str> = text.split_whitespace().collect();
            proptest::prop_assert_eq!(runs, std);
        }

        #[test]
        fn byte_word_splitters_find_the_words_the_char_splitters_find(
            text in "([a-zA-Z'’,.;:\"“”—\\- ]|\u{a0}|\u{2009}|\u{3000}|é|\t|\n){0,40}",
            n in 1usize..=4,
        ) {
            let (before, after) = (words_before(&text, n), words_after(&text, n));
            proptest::prop_assert_eq!(before.as_slice(), words_before_by_chars(&text, n));
            proptest::prop_assert_eq!(after.as_slice(), words_after_by_chars(&text, n));
        }
    }

    /// The largest char boundary of `text` at or before `i`.
    fn boundary(text: &str, i: usize) -> usize {
        floor_boundary(text, i)
    }

    /// A span of `text` between char boundaries, drawn from two indexes.
    fn drawn_span(
        text: &str,
        a: proptest::sample::Index,
        b: proptest::sample::Index,
    ) -> (usize, usize) {
        let (x, y) = (a.index(text.len() + 1), b.index(text.len() + 1));
        (boundary(text, x.min(y)), boundary(text, x.max(y)))
    }

    proptest::proptest! {
        #[test]
        fn sentence_words_find_the_words_and_classes_the_text_splitters_find(
            text in "(said|Said|to|according|troops|Officials|dropped|’s|'s|[a-zA-Z'’,.;:\"“”—\\- ]|\u{a0}|\u{2009}|é|\t|\n){0,30}",
            a in proptest::prelude::any::<proptest::sample::Index>(),
            b in proptest::prelude::any::<proptest::sample::Index>(),
        ) {
            let (m_start, m_end) = drawn_span(&text, a, b);
            let words = SentenceWords::of(&text);
            proptest::prop_assert!(words.complete);

            let (before, bc) = words.before(&text, m_start, 3);
            let want = words_before(&text[..m_start], 3);
            proptest::prop_assert_eq!(before.as_slice(), want.as_slice());
            proptest::prop_assert_eq!(bc, want.classes());
            // Same slices of the text, not only equal words: `choose` reads their spans.
            for (got, want) in before.as_slice().iter().zip(want.as_slice()) {
                proptest::prop_assert_eq!(got.as_ptr(), want.as_ptr());
            }

            let tail = skip_appositive(&text[m_end..]);
            let (after, ac) = words.after(&text, span_in(&text, tail).start, 4);
            let want = words_after(tail, 4);
            proptest::prop_assert_eq!(after.as_slice(), want.as_slice());
            proptest::prop_assert_eq!(ac, want.classes());
            for (got, want) in after.as_slice().iter().zip(want.as_slice()) {
                proptest::prop_assert_eq!(got.as_ptr(), want.as_ptr());
            }

            proptest::prop_assert_eq!(
                words.is_modifier(&text, m_end),
                is_modifier(&text[m_end..])
            );
        }

        /// Whether a speaker is unnamed, from the words kept by the word pass and from a
        /// second reading of the sentence (the way past four such words).
        #[test]
        fn unnamed_speakers_kept_are_those_read_again(
            text in "(said|Said|says|told|Officials|Coale|he|the|office|spokesman|[a-z,.;— -]){0,30}",
            a in proptest::prelude::any::<proptest::sample::Index>(),
            b in proptest::prelude::any::<proptest::sample::Index>(),
        ) {
            let (start, end) = drawn_span(&text, a, b);
            let template = PartyTable::builtin().unwrap().mentions("Russia");
            let mentions = [Mention {
                start,
                end,
                ..template[0].clone()
            }];
            let words = SentenceWords::of(&text);
            let mut again = SentenceWords::of(&text);
            again.speakers.len = again.speakers.words.len() + 1;
            proptest::prop_assert!(again.speakers.as_slice().is_none());
            let facts = |w: &SentenceWords| sentence_facts(&text, 0, text.len(), &mentions, w);
            proptest::prop_assert_eq!(
                facts(&words).unnamed_speaker,
                facts(&again).unnamed_speaker
            );
        }

        #[test]
        fn quotes_open_at_mentions_as_read_from_the_sentence_start(
            text in "([a-z“”\" ]|é){0,30}",
            starts in proptest::collection::vec(proptest::prelude::any::<proptest::sample::Index>(), 0..5),
        ) {
            let table = PartyTable::builtin().unwrap();
            let template = table.mentions("Russia");
            let mentions: Vec<Mention> = starts
                .iter()
                .map(|i| {
                    let at = boundary(&text, i.index(text.len() + 1));
                    Mention { start: at, end: at, ..template[0].clone() }
                })
                .collect();
            let quoted = quotes_open_at(&text, 0, &mentions);
            for (j, m) in mentions.iter().enumerate() {
                proptest::prop_assert_eq!(quoted.get(j), Some(inside_quote(&text[..m.start])));
            }
        }
    }

    proptest::proptest! {
        /// The eight-byte test finds the first byte outside `0x21..=0x7F`.
        #[test]
        fn printable_ascii_end_is_the_first_byte_outside_printable_ascii(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![3 => 0x21u8..=0x7F, 1 => proptest::prelude::any::<u8>()],
                8,
            ),
        ) {
            let want = bytes.iter().position(|b| !(0x21..=0x7F).contains(b)).unwrap_or(8);
            let x = u64::from_le_bytes(bytes.try_into().unwrap());
            proptest::prop_assert_eq!(printable_ascii_end(x), want);
        }

        /// Quotation state read eight bytes at a time is the state a byte loop reads.
        #[test]
        fn quote_state_skipping_eight_bytes_is_the_byte_by_byte_state(
            text in "([a-z .,]|\"|“|”|’|—|–|é){0,60}",
            open in proptest::bool::ANY,
        ) {
            let mut want = open;
            for c in text.chars() {
                match c {
                    '"' => want = !want,
                    '“' => want = true,
                    '”' => want = false,
                    _ => {}
                }
            }
            proptest::prop_assert_eq!(quote_open_after(open, &text), want);
        }

        /// The eight-byte search finds a byte exactly when one of the eight is it.
        #[test]
        fn has_byte_finds_a_byte_among_eight(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![b'"'..=b'"', 0xE1u8..=0xE3, proptest::prelude::any::<u8>()],
                8,
            ),
            b in proptest::prop_oneof![b'"'..=b'"', 0xE2u8..=0xE2, proptest::prelude::any::<u8>()],
        ) {
            let x = u64::from_le_bytes(bytes.clone().try_into().unwrap());
            proptest::prop_assert_eq!(has_byte(x, b), bytes.contains(&b));
        }

        /// The eight-byte lower-casing is `to_ascii_lowercase` on every byte.
        #[test]
        fn ascii_lowercase8_lower_cases_each_byte(x in proptest::prelude::any::<u64>()) {
            let want = u64::from_le_bytes(x.to_le_bytes().map(|b| b.to_ascii_lowercase()));
            proptest::prop_assert_eq!(ascii_lowercase8(x), want);
        }

        /// The table finds the classes a comparison with every list word (ignoring ASCII
        /// case) finds, for list words in any case and words near them.
        #[test]
        fn word_classes_are_those_of_the_equal_list_words(
            word in "(said|SAID|Said|troops|Troops|according|accordingly|machinists|government|GoVeRnMeNt|[a-zA-Z@`\\[{é-]){1,3}",
        ) {
            let lists = WORD_LISTS
                .iter()
                .flat_map(|&(list, bit)| list.iter().map(move |&w| (w, bit)));
            let nouns = reference::nouns().map(|noun| (noun, class::REFERENCE_NOUN));
            let want = lists
                .chain(nouns)
                .filter(|(w, _)| w.eq_ignore_ascii_case(&word))
                .fold(0, |c, (_, bit)| c | bit);
            proptest::prop_assert_eq!(classes(&word), want);
        }
    }

    #[test]
    fn word_lists_are_lowercase_ascii_words_the_lookup_can_find() {
        for (list, bit) in WORD_LISTS {
            for word in *list {
                assert!(
                    word.len() <= MAX_LIST_WORD
                        && word.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                    "{word:?}"
                );
                assert!(is(word, *bit) && is(&word.to_ascii_uppercase(), *bit));
            }
        }
        assert!(is("Said", class::SPEECH_VERB | class::SAID));
        assert!(!is("saidx", class::SAID) && !is("", class::SAID) && !is("sáid", class::SAID));
    }
    use crate::party::PartyTable;

    fn pick(text: &str, previous: Option<&str>) -> Option<String> {
        let table = PartyTable::builtin().unwrap();
        let mentions = table.mentions(text);
        let mut c = Vec::new();
        candidates(text, 0, text.len(), &mentions, previous, &mut c);
        let view = SentenceView {
            article: text,
            start: 0,
            end: text.len(),
            mentions: &mentions,
            stance_ids: &[],
        };
        choose(None, &c, &view).and_then(|(i, _)| match c[i].kind {
            CandidateKind::Mention(m) => Some(mentions[m].party.to_string()),
            CandidateKind::Previous => previous.map(str::to_owned),
            CandidateKind::Nobody => None,
        })
    }

    #[test]
    fn speaker_beats_first_mention() {
        assert_eq!(
            pick(
                "Kyiv’s proposal was dismissed by Moscow, Peskov said.",
                None
            )
            .as_deref(),
            Some("Russia")
        );
        assert_eq!(
            pick("Peskov dismissed Kyiv’s stance.", None).as_deref(),
            Some("Russia")
        );
        assert_eq!(
            pick(
                "The plan, according to Kyiv, ignores Russia's demands.",
                None
            )
            .as_deref(),
            Some("Ukraine")
        );
        assert_eq!(
            pick("Talks with Russia will go on, Zelenskiy said.", None).as_deref(),
            Some("Ukraine")
        );
    }

    #[test]
    fn pronoun_sentence_keeps_previous_party_over_an_object_mention() {
        assert_eq!(
            pick("He said talks with Hamas would resume.", Some("Israel")).as_deref(),
            Some("Israel")
        );
    }

    #[test]
    fn words_lose_the_punctuation_around_them() {
        assert_eq!(trim_word("“Never,”"), "Never");
        assert_eq!(trim_word("Kyiv’s"), "Kyiv’s");
        assert_eq!(trim_word("—"), "");
    }

    #[test]
    fn pronoun_openings_are_recognised() {
        assert!(continues_previous("He added that talks would go on."));
        assert!(continues_previous("“It is over,” the spokesman said."));
        assert!(!continues_previous("Hezbollah rejected the plan."));
        assert!(!continues_previous("Hence the delay."));
        // Whole words only, and the two-word roles.
        assert!(!continues_previous("Hezbollah’s Theirs-first policy."));
        assert!(!continues_previous("Heads of state met."));
        assert!(!continues_previous("The ministers met."));
        assert!(continues_previous(
            "The Prime Minister, speaking in Kyiv, agreed."
        ));
        assert!(!continues_previous("The prime ministers met."));
        assert!(continues_previous("But they refused."));
        assert!(continues_previous("However, she said no."));
        assert!(!continues_previous("However he said no."));
        assert!(continues_previous("‘We will not yield,’ …"));
        let speech =
            |s: &str| sentence_facts(s, 0, s.len(), &[], &SentenceWords::of(s)).pronoun_speech;
        assert!(speech("“We will not retreat,” he said."));
        assert!(!speech("Officials said the talks ended."));
    }

    #[test]
    fn dateline_place_is_not_the_actor() {
        assert_eq!(
            pick("KHARKIV, Ukraine, Nov. 8 (detente wire) — Russian aircraft dropped bombs on Kharkiv.", None).as_deref(),
            Some("Russia")
        );
        assert_eq!(
            dateline_len("KYIV, Feb. 4 — Talks began."),
            "KYIV, Feb. 4 — ".len()
        );
        assert_eq!(dateline_len("Kyiv — talks began."), 0);
    }

    fn cues_of(text: &str, previous: Option<&str>) -> Vec<Candidate> {
        let table = PartyTable::builtin().unwrap();
        let mentions = table.mentions(text);
        let mut c = Vec::new();
        candidates(text, 0, text.len(), &mentions, previous, &mut c);
        c
    }

    fn nobody(c: &[Candidate]) -> u64 {
        c.iter()
            .find(|c| c.kind == CandidateKind::Nobody)
            .unwrap()
            .cues
    }

    #[test]
    fn a_sentence_too_long_for_the_word_table_gets_the_same_cues() {
        let short = "Talks with Russia ended, Peskov said.";
        let long = format!("{}{short}", "and so on ".repeat(MAX_SENTENCE_WORDS / 3));
        let (words, too_many) = (SentenceWords::of(short), SentenceWords::of(&long));
        assert!(words.complete && !too_many.complete);
        // The same cues but the one of the mention's place (early in the sentence or not),
        // read from the table and from the text.
        let cues = |c: &[Candidate]| c.iter().map(|c| c.cues & !(1 << EARLY)).collect::<Vec<_>>();
        let got = cues(&cues_of(&long, None));
        assert_eq!(cues(&cues_of(short, None)), got);
        assert_ne!(got[0] & (1 << SPEECH_AFTER), 0);
        assert_ne!(got[0] & (1 << OBJECT_BEFORE), 0);
    }

    #[test]
    fn demonym_before_a_noun_is_a_modifier_not_an_actor() {
        let c = cues_of("Pakistani soldiers were captured in 2019.", None);
        assert_ne!(c[0].cues & (1 << MODIFIER), 0);
        assert_ne!(nobody(&c) & (1 << NOBODY_PASSIVE), 0);
        assert_ne!(nobody(&c) & (1 << NOBODY_YEAR), 0);
        let c = cues_of("Exports to Russia fell sharply.", None);
        assert_ne!(nobody(&c) & (1 << NOBODY_ALL_WEAK), 0);
        let c = cues_of("Russia rejected the offer.", None);
        assert_eq!(c[0].cues & (1 << MODIFIER), 0);
        assert_eq!(nobody(&c) & (1 << NOBODY_ALL_WEAK), 0);
        assert!(!is_modifier(" and Ukraine"));
        assert!(!is_modifier("’s army"));
    }

    #[test]
    fn background_sentences_are_marked_on_the_nobody_candidate() {
        let n = nobody(&cues_of(
            "Trade with Russia has fallen by 90 percent since 2021, analysts said.",
            None,
        ));
        for bit in [
            NOBODY_NUMBER,
            NOBODY_PERCENT,
            NOBODY_SINCE,
            NOBODY_THIRD_SPEAKER,
        ] {
            assert_ne!(n & (1 << bit), 0, "{}", CUES[bit as usize]);
        }
        let n = nobody(&cues_of("Peskov said Moscow would respond.", None));
        assert_eq!(n & (1 << NOBODY_NO_SPEECH), 0);
        assert_eq!(n & (1 << NOBODY_THIRD_SPEAKER), 0);
        let n = nobody(&cues_of("Shelling resumed overnight.", None));
        assert_ne!(n & (1 << NOBODY_NO_SPEECH), 0);
    }

    #[test]
    fn unknown_speaker_supports_carrying_the_previous_party() {
        let c = cues_of("“Talks are over,” Velmora said.", Some("Kazakhstan"));
        let carry = c
            .iter()
            .find(|c| c.kind == CandidateKind::Previous)
            .unwrap();
        assert_ne!(carry.cues & (1 << CARRY_UNNAMED_SPEAKER), 0);
        // A named speaker is no unknown one.
        let c = cues_of("“Talks are over,” Peskov said.", Some("Kazakhstan"));
        let carry = c
            .iter()
            .find(|c| c.kind == CandidateKind::Previous)
            .unwrap();
        assert_eq!(carry.cues & (1 << CARRY_UNNAMED_SPEAKER), 0);
    }

    #[test]
    fn scorer_reads_word_and_pair_terms_of_the_holder_head() {
        let stance = Vocabulary::from_terms(vec!["percent".into(), "talks".into()]);
        let terms = vec![
            "first_mention".to_owned(),
            format!("first_mention{PAIR_SEPARATOR}speech_verb_after"),
            "nobody".to_owned(),
            format!("{WORD_PREFIX}percent"),
            format!("{WORD_PREFIX}unknown"),
        ];
        let vocabulary = Vocabulary::from_terms(terms);
        let k = 2;
        let mut weights = vec![0.0; vocabulary.len() * k];
        let mut set = |term: &str, w: f32| {
            weights[vocabulary.id(term).unwrap() as usize * k] = w;
        };
        set("first_mention", 1.0);
        set(
            &format!("first_mention{PAIR_SEPARATOR}speech_verb_after"),
            2.0,
        );
        set(&format!("{WORD_PREFIX}percent"), 3.0);
        let head = LinearHead {
            classes: vec!["holder".into(), "other".into()],
            vocabulary,
            weights,
            bias: vec![0.0, 0.0],
        };
        let s = HolderScorer::new(&head, &stance).unwrap();
        let logit = |p: f32| (p / (1.0 - p)).ln();
        let first = 1 << FIRST_MENTION;
        let both = first | (1 << SPEECH_AFTER);
        assert!((logit(s.probability(first)) - 1.0).abs() < 1e-4);
        assert!((logit(s.probability(both)) - 3.0).abs() < 1e-4);
        let percent = stance.id("percent").unwrap();
        let talks = stance.id("talks").unwrap();
        let nobody = 1 << NOBODY;
        fn view(ids: &[u32]) -> SentenceView<'_> {
            SentenceView {
                article: "",
                start: 0,
                end: 0,
                mentions: &[],
                stance_ids: ids,
            }
        }
        let nobody_p = |ids: &[u32]| {
            let c = [Candidate {
                kind: CandidateKind::Nobody,
                cues: nobody,
                neighbours: [None; 2],
            }];
            choose(Some(&s), &c, &view(ids)).unwrap().1
        };
        assert!((logit(nobody_p(&[percent, talks])) - 3.0).abs() < 1e-4);
        assert!(logit(nobody_p(&[talks])).abs() < 1e-4);
        // Words weigh on "nobody" only.
        let c = [Candidate {
            kind: CandidateKind::Mention(0),
            cues: first,
            neighbours: [None; 2],
        }];
        assert!((logit(choose(Some(&s), &c, &view(&[percent])).unwrap().1) - 1.0).abs() < 1e-4);
    }

    #[test]
    fn cue_terms_list_cues_then_pairs() {
        let mut out = Vec::new();
        cue_terms((1 << FIRST_MENTION) | (1 << EARLY), true, &mut out);
        assert_eq!(
            out,
            [
                "first_mention",
                "first_mention&early_in_sentence",
                "early_in_sentence"
            ]
        );
        out.clear();
        cue_terms((1 << FIRST_MENTION) | (1 << EARLY), false, &mut out);
        assert_eq!(out, ["first_mention", "early_in_sentence"]);
    }

    #[test]
    fn cues_are_named_for_explanations() {
        let c = Candidate {
            kind: CandidateKind::Mention(0),
            cues: (1 << SPEECH_AFTER) | (1 << FIRST_MENTION),
            neighbours: [None; 2],
        };
        assert_eq!(
            c.cue_names().collect::<Vec<_>>(),
            ["first_mention", "speech_verb_after"]
        );
    }
}
