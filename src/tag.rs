//! Tagging an article: segment, score each sentence's stance, find its party.
//!
//! Party rules, in order (LABELING.md "Party"):
//! 1. the holder among the parties it names and the previous sentence's party
//!    ([`crate::holder`]): the speaker or subject, not simply the first name (`Peskov
//!    dismissed Kyiv’s stance` → Russia), or the previous party for `He added …`;
//! 2. otherwise the bag-of-words party head, when confident;
//! 3. otherwise `none`.
//!
//! The loop reuses its buffers: feature ids, logits and mentions are cleared, not
//! reallocated, per sentence.

use crate::error::{Error, Result};
use crate::holder::{self, Candidate, CandidateKind, HolderScorer, SentenceWords};
use crate::introduced::IntroducedNames;
use crate::model::{argmax, LinearHead, Model};
use crate::party::{Mention, PartyTable};
use crate::reference::ReferredParties;
use crate::segment::{self, Span};
use crate::stance::Stance;
use crate::tokenize::Scratch;
use std::path::Path;
use std::sync::Arc;

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
    pub party: Option<Arc<str>>,
    /// Every party mention, with article byte offsets.
    pub mentions: Vec<Mention>,
    /// How the party was chosen.
    #[serde(skip)]
    pub party_reason: PartyReason,
}

/// Why a sentence got its party.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum PartyReason {
    /// The holder among the named parties (mention index), with its probability and cues.
    Mention {
        index: usize,
        probability: f32,
        cues: u64,
    },
    /// The previous sentence's party, carried over (probability and cues of that choice).
    Previous { probability: f32, cues: u64 },
    /// The bag-of-words party head, with its probability.
    Model { probability: f32 },
    /// Nothing decided: `none`.
    #[default]
    None,
}

impl Tagged {
    /// The party, or `"none"`.
    pub fn party_name(&self) -> &str {
        self.party.as_deref().unwrap_or("none")
    }
}

/// What party carry-over remembers along an article: the previous sentence's party and
/// the last party found.
#[derive(Clone, Debug, Default)]
pub struct Carry {
    immediate: Option<Arc<str>>,
    last: Option<Arc<str>>,
    /// What the article has taught about its parties so far.
    memory: ArticleMemory,
}

/// What an article teaches about its parties as it goes: surnames introduced with a party
/// (`U.S. envoy John Coale`) and the last union, company, movement … of each kind it named
/// (`the union` → it). Tagging and training add a sentence's mentions through this one
/// call, so the holder is trained on the mentions it will see.
#[derive(Clone, Debug, Default)]
pub struct ArticleMemory {
    names: IntroducedNames,
    referred: ReferredParties,
}

impl ArticleMemory {
    /// Adds to the lexicon `mentions` of `sentence` (offsets from `base`) the surnames and
    /// the reference nouns the article so far explains, then learns from them all.
    /// `words` are the sentence's words ([`SentenceWords::read`]), which the holder reads
    /// too.
    pub fn extend_mentions(
        &mut self,
        sentence: &str,
        base: usize,
        words: &SentenceWords,
        mentions: &mut Vec<Mention>,
    ) {
        self.names
            .mentions_in_words(sentence, base, words, mentions);
        self.referred
            .mentions_in_words(sentence, base, words, mentions);
        self.names.learn(sentence, base, mentions);
        self.referred.learn(mentions);
    }
}

/// Model + party table + reusable buffers. The model, the table and the holder scorer are
/// shared, read-only, by the taggers [`Tagger::fork`] makes for other threads.
pub struct Tagger {
    model: Arc<Model>,
    parties: Arc<PartyTable>,
    /// Column of each stance in the model's stance head, if it has that class.
    stance_column: [Option<usize>; 3],
    holder: Option<Arc<HolderScorer>>,
    candidates: Vec<Candidate>,
    masks: Vec<(usize, usize)>,
    scratch: Scratch,
    ids: Vec<u32>,
    /// Token keys of the sentence's stance features, kept when the party head may need
    /// them (see `tag_sentence`).
    keys: Vec<u64>,
    logits: Vec<f32>,
    party_logits: Vec<f32>,
    spans: Vec<Span>,
    /// The words of the sentence being tagged (~1 KB, kept rather than made per sentence).
    words: SentenceWords,
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
        let holder = model
            .holder
            .as_ref()
            .and_then(|h| HolderScorer::new(h, &model.stance.vocabulary))
            .map(Arc::new);
        Ok(Self::with_buffers(
            Arc::new(model),
            Arc::new(parties),
            stance_column,
            holder,
        ))
    }

    /// Another tagger over the same model and party table, with buffers of its own (for
    /// another thread): no copy of the model or the lexicon, which took ~7 ms per extra
    /// `--jobs` worker before the first file could start.
    pub fn fork(&self) -> Self {
        Self::with_buffers(
            Arc::clone(&self.model),
            Arc::clone(&self.parties),
            self.stance_column,
            self.holder.clone(),
        )
    }

    /// The read-only parts, and fresh buffers sized for the model.
    fn with_buffers(
        model: Arc<Model>,
        parties: Arc<PartyTable>,
        stance_column: [Option<usize>; 3],
        holder: Option<Arc<HolderScorer>>,
    ) -> Self {
        let logits = vec![0.0; model.stance.classes.len()];
        let party_logits = vec![0.0; model.party.as_ref().map_or(0, |p| p.classes.len())];
        Tagger {
            model,
            parties,
            stance_column,
            holder,
            candidates: Vec::new(),
            masks: Vec::new(),
            scratch: Scratch::default(),
            ids: Vec::new(),
            keys: Vec::new(),
            logits,
            party_logits,
            spans: Vec::new(),
            words: SentenceWords::new(),
        }
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

    /// The model in use, shared (for writers that explain, without a copy of it).
    pub fn shared_model(&self) -> Arc<Model> {
        Arc::clone(&self.model)
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
        let mut carry = Carry::default();
        spans
            .iter()
            .map(|&span| self.tag_next(article, span, &mut carry))
            .collect()
    }

    /// Tags the next sentence of an article whose earlier sentences updated `carry`
    /// (lets a caller tag an article piece by piece, as `detente-tag` does per chunk).
    pub fn tag_next(&mut self, article: &str, span: Span, carry: &mut Carry) -> Tagged {
        let previous = holder::carried(
            carry.immediate.as_ref(),
            carry.last.as_ref(),
            span.of(article),
        )
        .cloned();
        let tagged = self.tag_sentence(article, span, previous, &mut carry.memory);
        carry.immediate.clone_from(&tagged.party);
        if tagged.party.is_some() {
            carry.last.clone_from(&tagged.party);
        }
        tagged
    }

    /// Tags one sentence; `previous_party` is the last party found before it, `memory`
    /// what the article taught so far (updated with this sentence).
    pub fn tag_sentence(
        &mut self,
        article: &str,
        span: Span,
        previous_party: Option<Arc<str>>,
        memory: &mut ArticleMemory,
    ) -> Tagged {
        let sentence = span.of(article);
        let mut mentions = Vec::new();
        self.parties
            .mentions_into(sentence, span.start, &mut mentions);
        // Stance features mask lexicon mentions only, as training does.
        self.masks.clear();
        self.masks.extend(
            mentions
                .iter()
                .map(|m| (m.start - span.start, m.end - span.start)),
        );
        // One word pass serves the introduced names, the reference nouns and the holder.
        self.words.read(sentence);
        memory.extend_mentions(sentence, span.start, &self.words, &mut mentions);
        // Only a sentence without mentions can fall to the party head, and its stance
        // features were then tokenized without masks, as the head's are: the head looks
        // up the same token keys instead of tokenizing the sentence again.
        let head_may_run = mentions.is_empty();
        if head_may_run {
            debug_assert!(self.masks.is_empty());
            self.model.stance_ids_and_keys_into(
                sentence,
                &self.masks,
                &mut self.scratch,
                &mut self.ids,
                &mut self.keys,
            );
        } else {
            self.model
                .stance_ids_into(sentence, &self.masks, &mut self.scratch, &mut self.ids);
        }
        self.model.stance.logits_into(&self.ids, &mut self.logits);
        LinearHead::softmax(&mut self.logits);
        let mut scores = [0.0f32; 3];
        for (s, col) in scores.iter_mut().zip(self.stance_column) {
            *s = col.map_or(0.0, |c| self.logits[c]);
        }
        let best = argmax(&scores);
        let stance = Stance::ALL[best];

        let previous = previous_party.as_deref();
        holder::candidates_in_words(
            article,
            span.start,
            span.end,
            &self.words,
            &mentions,
            previous,
            &mut self.candidates,
        );
        let view = holder::SentenceView {
            article,
            start: span.start,
            end: span.end,
            mentions: &mentions,
            stance_ids: &self.ids,
        };
        let choice = holder::choose(self.holder.as_deref(), &self.candidates, &view);
        let (party, party_reason) = match choice.map(|(i, p)| (self.candidates[i], p)) {
            Some((
                Candidate {
                    kind: CandidateKind::Mention(index),
                    cues,
                    ..
                },
                probability,
            )) => (
                Some(mentions[index].party.clone()),
                PartyReason::Mention {
                    index,
                    probability,
                    cues,
                },
            ),
            Some((
                Candidate {
                    kind: CandidateKind::Previous,
                    cues,
                    ..
                },
                probability,
            )) => (previous_party, PartyReason::Previous { probability, cues }),
            // Nobody holds a posture by the cues; a sentence naming no party may still be
            // recognisable by its words (`the guerrillas`, `the bloc`).
            _ if head_may_run => match self.party_from_head() {
                Some((name, probability)) => {
                    (Some(Arc::from(name)), PartyReason::Model { probability })
                }
                None => (None, PartyReason::None),
            },
            _ => (None, PartyReason::None),
        };
        Tagged {
            span,
            stance,
            confidence: scores[best],
            scores,
            party,
            mentions,
            party_reason,
        }
    }

    /// The party head's confident party for the sentence whose token keys `self.keys`
    /// holds.
    fn party_from_head(&mut self) -> Option<(&str, f32)> {
        let head = self.model.party.as_ref()?;
        head.vocabulary
            .ids_of_keys(self.model.tokenizer.bigrams, &self.keys, &mut self.ids);
        let (name, p) = self.party_head_scores()?;
        (p >= PARTY_HEAD_MIN_CONFIDENCE && name != "none").then_some((name, p))
    }

    /// The bag-of-words party head's best class for `sentence` (`none` included) and its
    /// probability; `None` when the model has no party head.
    pub fn party_head_best(&mut self, sentence: &str) -> Option<(&str, f32)> {
        let head = self.model.party.as_ref()?;
        head.vocabulary.ids_into(
            &self.model.tokenizer,
            sentence,
            &mut self.scratch,
            &mut self.ids,
        );
        self.party_head_scores()
    }

    /// The party head's best class and probability for the features in `self.ids`.
    fn party_head_scores(&mut self) -> Option<(&str, f32)> {
        let head = self.model.party.as_ref()?;
        head.logits_into(&self.ids, &mut self.party_logits);
        LinearHead::softmax(&mut self.party_logits);
        let best = argmax(&self.party_logits);
        Some((head.classes[best].as_str(), self.party_logits[best]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carries_party_across_sentences() {
        let mut t = Tagger::builtin().unwrap();
        let text = "Peskov rejected the plan. He added that Moscow would not budge. Overnight shelling killed three people.";
        let tagged = t.tag(text);
        assert_eq!(tagged.len(), 3);
        assert_eq!(tagged[0].party.as_deref(), Some("Russia"));
        assert_eq!(tagged[1].party.as_deref(), Some("Russia"));
    }

    #[test]
    fn a_surname_the_article_introduced_is_a_mention_with_its_span() {
        let mut t = Tagger::builtin().unwrap();
        let text = "Belarus freed 52 prisoners, U.S. special envoy Zebulon Quarrington said. \
                    Quarrington called it “a big step.”";
        let tagged = t.tag(text);
        assert_eq!(tagged.len(), 2);
        let m = &tagged[1].mentions;
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(
            (&*m[0].party, &*m[0].text),
            ("United States", "Quarrington")
        );
        assert_eq!(&text[m[0].start..m[0].end], "Quarrington");
        assert_eq!(tagged[1].party.as_deref(), Some("United States"));
    }
}
