//! Tagging an article: segment, score each sentence's stance, find its party.
//!
//! Party rules, in order (LABELING.md "Party"):
//! 1. the sentence mentions parties → the holder among them ([`holder`]): the speaker
//!    or subject, not simply the first name (`Peskov dismissed Kyiv’s stance` → Russia);
//! 2. no mention, and the sentence continues the previous one (`He added …`, `The
//!    spokesman said …`) → the previous sentence's party;
//! 3. otherwise the bag-of-words party head, when confident;
//! 4. otherwise `none`.
//!
//! The loop reuses its buffers: feature ids, logits and mentions are cleared, not
//! reallocated, per sentence.

use crate::error::{Error, Result};
use crate::model::{LinearHead, Model};
use crate::party::{Mention, PartyTable};
use crate::segment::{self, Span};
use crate::stance::Stance;
use crate::tokenize::Scratch;
use std::path::Path;

/// Party head probability needed to name a party for a sentence without mentions.
pub const PARTY_HEAD_MIN_CONFIDENCE: f32 = 0.6;

/// One tagged sentence.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Tagged {
    /// Byte range in the article.
    #[serde(flatten)]
    pub span: Span,
    pub stance: Stance,
    /// Probability of `stance`.
    pub confidence: f32,
    /// Probabilities in [`Stance::ALL`] order.
    pub scores: [f32; 3],
    /// Canonical party, or `none`.
    pub party: Option<String>,
    /// Every party mention, with article byte offsets.
    pub mentions: Vec<Mention>,
}

impl Tagged {
    /// The party, or `"none"`.
    pub fn party_name(&self) -> &str {
        self.party.as_deref().unwrap_or("none")
    }
}

/// Model + party table + reusable buffers.
pub struct Tagger {
    model: Model,
    parties: PartyTable,
    /// Column of each stance in the model's stance head, if it has that class.
    stance_column: [Option<usize>; 3],
    scratch: Scratch,
    ids: Vec<u32>,
    logits: Vec<f32>,
    party_logits: Vec<f32>,
    spans: Vec<Span>,
}

impl Tagger {
    /// A tagger over `model` and `parties`.
    ///
    /// # Errors
    /// The model's stance classes are not stances.
    pub fn new(model: Model, parties: PartyTable) -> Result<Self> {
        let mut stance_column = [None; 3];
        for (col, class) in model.stance.classes.iter().enumerate() {
            let stance: Stance = class.parse().map_err(|_| Error::ModelShape {
                path: Path::new("<model>").into(),
                reason: format!("stance class {class:?} is not a stance"),
            })?;
            stance_column[stance.index()] = Some(col);
        }
        let k = model.stance.classes.len();
        let kp = model.party.as_ref().map_or(0, |p| p.classes.len());
        Ok(Tagger {
            model,
            parties,
            stance_column,
            scratch: Scratch::default(),
            ids: Vec::new(),
            logits: vec![0.0; k],
            party_logits: vec![0.0; kp],
            spans: Vec::new(),
        })
    }

    /// The built-in model and party lexicon.
    ///
    /// # Errors
    /// Only if the build embedded broken files (tests guard against it).
    pub fn builtin() -> Result<Self> {
        Self::new(Model::builtin()?, PartyTable::builtin()?)
    }

    /// The model in use.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The party table in use.
    pub fn parties(&self) -> &PartyTable {
        &self.parties
    }

    /// Segments `article` and tags every sentence.
    pub fn tag(&mut self, article: &str) -> Vec<Tagged> {
        let mut spans = std::mem::take(&mut self.spans);
        segment::segment_into(article, &mut spans);
        let out = self.tag_spans(article, &spans);
        self.spans = spans;
        out
    }

    /// Tags the given sentences of `article`, in order (party carry-over runs along them).
    pub fn tag_spans(&mut self, article: &str, spans: &[Span]) -> Vec<Tagged> {
        let mut out: Vec<Tagged> = Vec::with_capacity(spans.len());
        for &span in spans {
            let previous = out.last().and_then(|t| t.party.clone());
            let tagged = self.tag_sentence(article, span, previous);
            out.push(tagged);
        }
        out
    }

    /// Tags one sentence; `previous_party` is the party of the sentence before it.
    pub fn tag_sentence(
        &mut self,
        article: &str,
        span: Span,
        previous_party: Option<String>,
    ) -> Tagged {
        let sentence = span.of(article);
        self.model
            .stance_ids_into(sentence, &mut self.scratch, &mut self.ids);
        self.model.stance.logits_into(&self.ids, &mut self.logits);
        LinearHead::softmax(&mut self.logits);
        let mut scores = [0.0f32; 3];
        for (s, col) in scores.iter_mut().zip(self.stance_column) {
            *s = col.map_or(0.0, |c| self.logits[c]);
        }
        let best = crate::train::argmax(&scores);
        let stance = Stance::ALL[best];

        let mut mentions = Vec::new();
        self.parties
            .mentions_into(sentence, span.start, &mut mentions);
        let party = if let Some(i) = holder(article, &mentions) {
            Some(mentions[i].party.clone())
        } else if continues_previous(sentence) && previous_party.is_some() {
            previous_party
        } else {
            self.party_from_head(sentence)
        };
        Tagged {
            span,
            stance,
            confidence: scores[best],
            scores,
            party,
            mentions,
        }
    }

    fn party_from_head(&mut self, sentence: &str) -> Option<String> {
        let head = self.model.party.as_ref()?;
        head.vocabulary.ids_into(
            &self.model.tokenizer,
            sentence,
            &mut self.scratch,
            &mut self.ids,
        );
        head.logits_into(&self.ids, &mut self.party_logits);
        LinearHead::softmax(&mut self.party_logits);
        let best = crate::train::argmax(&self.party_logits);
        let name = &head.classes[best];
        (self.party_logits[best] >= PARTY_HEAD_MIN_CONFIDENCE && name != "none")
            .then(|| name.clone())
    }
}

/// Verbs whose subject is the holder of the sentence's stance.
const HOLDER_VERBS: &[&str] = &[
    "said",
    "says",
    "told",
    "added",
    "warned",
    "rejected",
    "dismissed",
    "accused",
    "denied",
    "demanded",
    "insisted",
    "called",
    "urged",
    "offered",
    "proposed",
    "agreed",
    "welcomed",
    "praised",
    "thanked",
    "announced",
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
    "stressed",
    "argued",
    "noted",
    "reiterated",
    "wrote",
    "posted",
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
    "responded",
    "replied",
];

/// Verbs of attribution: right after a name they make it the speaker.
const SPEECH_VERBS: &[&str] = &[
    "said", "says", "told", "added", "warned", "wrote", "insisted", "stressed", "argued",
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
];

fn is_possessive(text: &str, end: usize) -> bool {
    let tail = &text[end..];
    tail.starts_with("’s")
        || tail.starts_with("'s")
        || tail.starts_with("’ ")
        || tail.starts_with("' ")
}

/// Words before a mention that make it an object, not the subject.
const OBJECT_MARKERS: &[&str] = &[
    "to",
    "with",
    "against",
    "on",
    "from",
    "of",
    "for",
    "by",
    "at",
    "in",
    "into",
    "toward",
    "towards",
    "over",
    "about",
    "between",
    "and",
    "than",
    "including",
    "via",
    "upon",
];

/// Index of the mention whose party holds the sentence's stance.
///
/// Scores each mention: a speech or decision verb right after it (`Peskov said`, `the
/// Kremlin’s spokesman warned`) or an attribution right before it (`said Peskov`,
/// `according to Kyiv`) marks the speaker; a preposition before it marks an object; the
/// first mention gets a small subject bonus. Ties go to the earliest mention.
pub fn holder(article: &str, mentions: &[Mention]) -> Option<usize> {
    if mentions.is_empty() {
        return None;
    }
    let mut best = (f32::NEG_INFINITY, 0);
    for (i, m) in mentions.iter().enumerate() {
        let before = words_before(article, m.start, 3);
        let after = words_after(article, m.end, 4);
        let mut score = 0.0;
        if i == 0 {
            score += 1.0;
        }
        if let Some(w) = before.first() {
            if OBJECT_MARKERS.contains(&w.as_str()) {
                score -= 2.0;
            }
            if w == "said" || w == "says" || w == "told" {
                score += 3.0;
            }
        }
        if before.len() >= 2 && before[1] == "according" && before[0] == "to" {
            score += 5.0;
        }
        let possessive = is_possessive(article, m.end);
        if possessive
            && !after
                .first()
                .is_some_and(|w| ROLE_NOUNS.contains(&w.as_str()))
        {
            // `Kyiv’s proposal was …`: the name modifies a thing, it does not act.
            score -= 1.5;
        } else if let Some(first) = after.first() {
            if SPEECH_VERBS.contains(&first.as_str()) {
                score += 4.0;
            } else if let Some(pos) = after
                .iter()
                .position(|w| HOLDER_VERBS.contains(&w.as_str()))
            {
                // The verb may follow the name directly or after a role noun (`the
                // Kremlin’s spokesman said`, `Russia’s foreign ministry warned`).
                score += 3.0 - 0.5 * pos as f32;
            }
        }
        if score > best.0 {
            best = (score, i);
        }
    }
    Some(best.1)
}

/// Up to `n` lowercase words before byte `at`, nearest first, within the same clause.
fn words_before(text: &str, at: usize, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let head = &text[..at];
    for w in head.rsplit(|c: char| c.is_whitespace()).skip(1) {
        if out.len() == n {
            break;
        }
        if w.ends_with([',', '.', ';', ':', '—', '“', '”', '"']) {
            // A clause boundary: nothing before it governs the mention.
            break;
        }
        let clean = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        if !clean.is_empty() {
            out.push(clean);
        }
    }
    out
}

/// Up to `n` lowercase words after byte `at` (possessive `’s` skipped).
fn words_after(text: &str, at: usize, n: usize) -> Vec<String> {
    let tail = &text[at..];
    let tail = tail
        .strip_prefix("’s")
        .or_else(|| tail.strip_prefix("'s"))
        .unwrap_or(tail);
    let mut out = Vec::new();
    for w in tail.split_whitespace() {
        let clean = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        if !clean.is_empty() {
            out.push(clean);
        }
        if out.len() == n || w.ends_with(['.', ';', '—', '“', '”', '"']) {
            break;
        }
    }
    out
}

/// Openings that continue the previous sentence's actor.
const CONTINUATIONS: &[&str] = &[
    "he",
    "she",
    "they",
    "it",
    "his",
    "her",
    "their",
    "its",
    "we",
    "i",
    "our",
    "the spokesman",
    "the spokeswoman",
    "the spokesperson",
    "the ministry",
    "the minister",
    "the president",
    "the official",
    "the officials",
    "the envoy",
    "the government",
    "the statement",
    "the prime minister",
    "the foreign minister",
    "the leader",
    "the chancellor",
    "the kremlin",
    "the group",
    "the movement",
    "the union",
    "the company",
    "the army",
    "the military",
    "the negotiator",
    "the delegation",
    "the aide",
    "the diplomat",
    "the commission",
    "the bank",
    "the board",
    "the spokesman’s",
    "but he",
    "but she",
    "but they",
    "however, he",
    "however, she",
    "he also",
    "she also",
];

/// True when the sentence opens with a pronoun or role noun (`He added …`).
pub fn continues_previous(sentence: &str) -> bool {
    let s = sentence.trim_start_matches(|c: char| !c.is_alphanumeric());
    let lower: String = s.chars().take(24).flat_map(char::to_lowercase).collect();
    CONTINUATIONS.iter().any(|c| {
        lower.starts_with(c)
            && lower[c.len()..]
                .chars()
                .next()
                .is_none_or(|n| !n.is_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder_of(text: &str) -> String {
        let table = PartyTable::builtin().unwrap();
        let mentions = table.mentions(text);
        mentions[holder(text, &mentions).unwrap()].party.clone()
    }

    #[test]
    fn speaker_beats_first_mention() {
        assert_eq!(
            holder_of("Kyiv’s proposal was dismissed by Moscow, Peskov said."),
            "Russia"
        );
        assert_eq!(holder_of("Peskov dismissed Kyiv’s stance."), "Russia");
        assert_eq!(
            holder_of("The plan, according to Kyiv, ignores Russia's demands."),
            "Ukraine"
        );
        assert_eq!(
            holder_of("Talks with Russia will go on, Zelenskiy said."),
            "Ukraine"
        );
    }

    #[test]
    fn pronoun_sentences_continue_the_previous_party() {
        assert!(continues_previous("He added that talks would go on."));
        assert!(continues_previous("“It is over,” the spokesman said."));
        assert!(!continues_previous("Hezbollah rejected the plan."));
        assert!(!continues_previous("Hence the delay."));
    }

    #[test]
    fn carries_party_across_sentences() {
        let mut t = Tagger::builtin().unwrap();
        let text = "Peskov rejected the plan. He added that Moscow would not budge. Overnight shelling killed three people.";
        let tagged = t.tag(text);
        assert_eq!(tagged.len(), 3);
        assert_eq!(tagged[0].party.as_deref(), Some("Russia"));
        assert_eq!(tagged[1].party.as_deref(), Some("Russia"));
    }
}
