//! Names an article introduces: wire copy presents a person once with their side
//! (`U.S. envoy John Coale`, `Ukraine’s Energy Minister Svitlana Grynchuk`) and then by
//! surname alone (`Coale said …`). The lexicon cannot list every official, so a surname
//! introduced right after a party mention counts as a mention of that party for the rest
//! of the article.

use crate::features::FxMap;
use crate::holder::SentenceWords;
use crate::party::{Mention, PartyKind};
use crate::tokenize::{trim_end_punctuation, trim_start_punctuation};
use std::sync::{Arc, LazyLock};

/// Lower-case words that may stand between a party and the name it introduces
/// (`U.S. special envoy John Coale`): titles, not verbs or prepositions.
const TITLE_WORDS: &[&str] = &[
    "special",
    "envoy",
    "chief",
    "top",
    "senior",
    "deputy",
    "acting",
    "former",
    "lead",
    "head",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "negotiator",
    "mediator",
    "representative",
    "ambassador",
    "minister",
    "foreign",
    "defence",
    "defense",
    "energy",
    "finance",
    "trade",
    "interior",
    "justice",
    "economy",
    "commander",
    "general",
    "president",
    "leader",
    "official",
    "adviser",
    "advisor",
    "aide",
    "secretary",
    "director",
    "coordinator",
    "commissioner",
    "diplomat",
    "army",
    "military",
    "security",
    "national",
];

/// [`TITLE_WORDS`] as a hash set: the first word after most mentions is lower-case
/// (`Russia said`), and comparing it with all 45 titles cost ~200 instructions.
static TITLES: LazyLock<FxMap<&'static str, ()>> =
    LazyLock::new(|| TITLE_WORDS.iter().map(|t| (*t, ())).collect());

/// `word` is one of [`TITLE_WORDS`] (case counts, as the list is lower-case).
fn is_title(word: &str) -> bool {
    TITLES.contains_key(word)
}

/// Most words of a name with its capitalised titles (`Foreign Minister Ana Pérez`);
/// longer runs are more likely a title-case headline than a name.
const MAX_NAME_WORDS: usize = 5;

/// Most names remembered: an archive tagged as one stream forgets them all past this
/// (memory stays bounded, and names from far back are no evidence).
const MAX_NAMES: usize = 256;

/// Surnames introduced so far in one article, with their party.
#[derive(Clone, Debug, Default)]
pub struct IntroducedNames {
    /// Surname → party and its kind.
    names: FxMap<Arc<str>, (Arc<str>, PartyKind)>,
    /// Bit `len % 64` of entry [`length_bit`]`(first byte)`: a name of `names` starts with
    /// that byte and has that length. Most capitalised words (`The`, `Russia`) are turned
    /// away here instead of being hashed and looked up.
    lengths: [u64; 32],
}

/// The entry of [`IntroducedNames::lengths`] and the bit in it for a word (not empty).
fn length_bit(word: &[u8]) -> (usize, u64) {
    (usize::from(word[0] & 31), 1 << (word.len() % 64))
}

impl IntroducedNames {
    /// Learns the names `sentence` introduces after its `mentions` (offsets from `base`,
    /// the sentence's offset in the article): `<party> [’s] [titles] First [Middle] Last`.
    pub fn learn(&mut self, sentence: &str, base: usize, mentions: &[Mention]) {
        for m in mentions {
            let tail = &sentence[m.end - base..];
            let tail = tail
                .strip_prefix("’s")
                .or_else(|| tail.strip_prefix("'s"))
                .unwrap_or(tail);
            if !tail.starts_with(' ') {
                continue;
            }
            let Some(surname) = introduced_surname(tail) else {
                continue;
            };
            // A name the lexicon knows is already a mention; the first side given wins.
            let known = mentions.iter().any(|k| &*k.text == surname);
            if !known && !self.names.contains_key(surname) {
                self.insert(surname, Arc::clone(&m.party), m.kind);
            }
        }
    }

    /// Remembers `surname` (not empty) as a name of `party`.
    fn insert(&mut self, surname: &str, party: Arc<str>, kind: PartyKind) {
        if self.names.len() == MAX_NAMES {
            self.names.clear();
            self.lengths = [0; 32];
        }
        self.names.insert(Arc::from(surname), (party, kind));
        let (entry, bit) = length_bit(surname.as_bytes());
        self.lengths[entry] |= bit;
    }

    /// Adds to `mentions` (offsets from `base`) each introduced surname in `sentence` that
    /// no mention covers, keeping `mentions` in text order. One lookup per capitalised
    /// word, however many names are known.
    pub fn mentions_into(&self, sentence: &str, base: usize, mentions: &mut Vec<Mention>) {
        if self.names.is_empty() {
            return;
        }
        let pieces = sentence.split_ascii_whitespace().map(|piece| {
            let at = piece.as_ptr() as usize - sentence.as_ptr() as usize;
            (at, at + piece.len())
        });
        self.add_mentions(sentence, base, pieces, mentions);
    }

    /// [`IntroducedNames::mentions_into`], with the words of `sentence` already read: the
    /// same pieces without splitting the sentence again, unless other whitespace than
    /// ASCII's split them (a no-break space) or they are not all there.
    pub fn mentions_in_words(
        &self,
        sentence: &str,
        base: usize,
        words: &SentenceWords,
        mentions: &mut Vec<Mention>,
    ) {
        if self.names.is_empty() {
            return;
        }
        match words.ascii_pieces() {
            Some(pieces) => self.add_mentions(sentence, base, pieces, mentions),
            None => self.mentions_into(sentence, base, mentions),
        }
    }

    /// [`IntroducedNames::mentions_into`] over `pieces`, the byte ranges of the pieces of
    /// `sentence.split_ascii_whitespace()`.
    fn add_mentions(
        &self,
        sentence: &str,
        base: usize,
        pieces: impl Iterator<Item = (usize, usize)>,
        mentions: &mut Vec<Mention>,
    ) {
        let before = mentions.len();
        let bytes = sentence.as_bytes();
        for (start, end) in pieces {
            // Most words start with a lower-case letter or a digit: no name (decided
            // before the word is sliced out).
            if bytes[start].is_ascii_lowercase() || bytes[start].is_ascii_digit() {
                continue;
            }
            let raw = &sentence[start..end];
            let word = trim_start_punctuation(raw);
            let word = trim_end_punctuation(
                word.strip_suffix("’s")
                    .or_else(|| word.strip_suffix("'s"))
                    .unwrap_or(word),
            );
            if word.is_empty() {
                continue;
            }
            let (entry, bit) = length_bit(word.as_bytes());
            if self.lengths[entry] & bit == 0 || !word.starts_with(|c: char| c.is_uppercase()) {
                continue;
            }
            let Some((name, (party, kind))) = self.names.get_key_value(word) else {
                continue;
            };
            let start = base + (word.as_ptr() as usize - sentence.as_ptr() as usize);
            let end = start + word.len();
            if !mentions.iter().any(|m| m.start < end && start < m.end) {
                mentions.push(Mention {
                    party: Arc::clone(party),
                    text: Arc::clone(name),
                    start,
                    end,
                    kind: *kind,
                    reference: false,
                });
            }
        }
        if mentions.len() > before {
            mentions.sort_by_key(|m| m.start);
        }
    }
}

/// The last word of the capitalised name that opens `tail` after at most three title
/// words, when the name has at least two words (`special envoy John Coale` → `Coale`).
fn introduced_surname(tail: &str) -> Option<&str> {
    if opens_with_a_non_title(tail) {
        return None;
    }
    surname_after_titles(tail)
}

/// True when `tail` opens with a space and a lower-case ASCII word that is no title, so
/// that [`surname_after_titles`] finds no name: most mentions are followed by a verb or
/// a preposition (`Russia said`). Read on bytes, without the `char` splitter (~170
/// instructions a mention); only an ASCII word ended by an ASCII space (or the end) is
/// read, so it is the first piece `split_whitespace` would give.
fn opens_with_a_non_title(tail: &str) -> bool {
    let b = tail.as_bytes();
    if b.len() < 2 || b[0] != b' ' || !b[1].is_ascii_lowercase() {
        return false;
    }
    let end = b[1..]
        .iter()
        .position(|c| !c.is_ascii_graphic())
        .map_or(b.len(), |p| p + 1);
    (end == b.len() || b[end].is_ascii_whitespace()) && !is_title(&tail[1..end])
}

/// [`introduced_surname`], read word by word.
fn surname_after_titles(tail: &str) -> Option<&str> {
    let mut words = tail.split_whitespace().peekable();
    let mut titles = 0;
    while let Some(w) = words.peek() {
        if w.starts_with(|c: char| c.is_lowercase()) {
            if titles == 3 || !is_title(w) {
                return None;
            }
            titles += 1;
            words.next();
        } else {
            break;
        }
    }
    let (mut words_in_name, mut surname) = (0, "");
    // The name must end before the sentence does: a headline's last words are no name.
    let mut ended = false;
    for w in words {
        let clean = w.trim_end_matches([',', '.', ';', ':', '”', '"', ')']);
        let capitalised = clean.starts_with(|c: char| c.is_uppercase())
            && clean.chars().all(|c| c.is_alphabetic() || c == '-');
        if !capitalised {
            ended = true;
            break;
        }
        words_in_name += 1;
        surname = clean;
        if clean.len() != w.len() {
            ended = true;
            break;
        }
    }
    let lower = surname.chars().filter(|c| c.is_lowercase()).count();
    // `Poland’s Foreign Minister said`, `the Guyana Defence Force`: a title or a body, no name.
    let institution = TITLE_WORDS
        .iter()
        .chain(INSTITUTION_WORDS)
        .any(|t| surname.eq_ignore_ascii_case(t));
    (ended && (2..=MAX_NAME_WORDS).contains(&words_in_name) && lower >= 2 && !institution)
        .then_some(surname)
}

/// Last words of capitalised bodies (`Defence Force`, `Foreign Ministry`): never a surname.
const INSTITUTION_WORDS: &[&str] = &[
    "force",
    "forces",
    "ministry",
    "office",
    "council",
    "party",
    "union",
    "committee",
    "agency",
    "service",
    "guard",
    "command",
    "house",
    "court",
    "bank",
    "group",
    "front",
    "navy",
    "government",
    "department",
    "authority",
    "commission",
    "assembly",
    "parliament",
    "senate",
    "congress",
    "cabinet",
    "corps",
    "police",
    "staff",
    "secretary",
    "prime",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::party::PartyTable;

    /// Party of each mention of `sentences` (one article), after learning from the
    /// earlier sentences.
    fn parties_of(sentences: &[&str]) -> Vec<Vec<(String, String)>> {
        let table = PartyTable::builtin().unwrap();
        let mut names = IntroducedNames::default();
        sentences
            .iter()
            .map(|s| {
                let mut mentions = table.mentions(s);
                names.mentions_into(s, 0, &mut mentions);
                names.learn(s, 0, &mentions);
                mentions
                    .into_iter()
                    .map(|m| (m.text.to_string(), m.party.to_string()))
                    .collect()
            })
            .collect()
    }

    proptest::proptest! {
        /// The words the holder reads give the mentions the sentence's own split does,
        /// also with a vertical tab or a no-break space between words.
        #[test]
        fn mentions_from_the_sentence_words_are_those_from_the_text(
            text in "(Coale|Coale’s|Coale's|Dabbagh|Dabbaghi|John|said|[a-zA-Z'’,.;:\"“”—\\-() ]|\u{a0}|\u{2009}|\u{3000}|\u{0b}|é|\t|\n){0,40}",
        ) {
            let mut names = IntroducedNames::default();
            for name in ["Coale", "Dabbagh"] {
                names.insert(name, Arc::from("United States"), PartyKind::Country);
            }
            let (mut want, mut got) = (Vec::new(), Vec::new());
            names.mentions_into(&text, 7, &mut want);
            names.mentions_in_words(&text, 7, &SentenceWords::of(&text), &mut got);
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn the_length_filter_lets_every_known_name_through() {
        let mut names = IntroducedNames::default();
        for i in 0..300 {
            // Past 256 names the table starts afresh; lengths past 64 share bits.
            let first = char::from(b'A' + (i % 26) as u8);
            names.insert(
                &format!("{first}{}", "x".repeat(i % 70 + 1)),
                Arc::from("Ukraine"),
                PartyKind::Country,
            );
            for name in names.names.keys() {
                let mut found = Vec::new();
                names.mentions_into(&format!("“{name}’s aide"), 0, &mut found);
                assert_eq!(found.len(), 1, "{name}");
            }
        }
    }

    fn pair(text: &str, party: &str) -> (String, String) {
        (text.to_owned(), party.to_owned())
    }

    #[test]
    fn a_surname_introduced_with_its_party_is_a_mention_later() {
        let got = parties_of(&[
            "U.S. special envoy Zebulon Quarrington arrived in Minsk on Thursday.",
            "Quarrington said he expected more releases.",
            "“It was a good day,” Quarrington’s aide said.",
        ]);
        assert_eq!(got[1], vec![pair("Quarrington", "United States")]);
        assert_eq!(got[2], vec![pair("Quarrington", "United States")]);
    }

    #[test]
    fn possessive_and_titles_introduce_a_name() {
        let got = parties_of(&[
            "Ukraine’s Energy Minister Olesia Varnavska-Tkach said repairs had begun.",
            "Varnavska-Tkach warned of more outages.",
        ]);
        assert_eq!(got[1], vec![pair("Varnavska-Tkach", "Ukraine")]);
    }

    #[test]
    fn a_title_or_a_body_is_not_taken_for_a_surname() {
        let got = parties_of(&[
            "Poland’s Deputy Foreign Minister said talks would resume.",
            "Guyana’s Defence Force said it had raised its alert.",
            "Lithuania’s Foreign Minister and the Defence Force of Estonia disagreed.",
        ]);
        assert_eq!(
            got[2],
            vec![pair("Lithuania", "Lithuania"), pair("Estonia", "Estonia")]
        );
    }

    #[test]
    fn names_after_verbs_or_prepositions_are_not_introduced() {
        let got = parties_of(&[
            "Talks in Moscow with Zebulon Quarrington ended.",
            "Russia said Zebulon Quarrington had left.",
            "Quarrington declined to comment.",
        ]);
        assert!(got[2].is_empty(), "{:?}", got[2]);
    }

    #[test]
    fn a_surname_inside_another_word_or_a_known_mention_is_not_repeated() {
        let got = parties_of(&[
            "Hamas negotiator Khalil Dabbagh met mediators.",
            "Dabbaghi, a different man, and Dabbagh both spoke; Hamas said nothing.",
        ]);
        assert_eq!(
            got[1],
            vec![pair("Dabbagh", "Hamas"), pair("Hamas", "Hamas")]
        );
    }

    #[test]
    fn an_endless_stream_forgets_names_past_the_cap() {
        let table = PartyTable::builtin().unwrap();
        let mut names = IntroducedNames::default();
        for i in 0..MAX_NAMES + 10 {
            let surname: String = format!("Zq{}", i)
                .chars()
                .map(|c| c.to_digit(10).map_or(c, |d| (b'a' + d as u8) as char))
                .collect();
            let s = format!("U.S. envoy Anna {surname} arrived.");
            names.learn(&s, 0, &table.mentions(&s));
            assert!(names.names.len() <= MAX_NAMES);
        }
        assert!(!names.names.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn a_tail_ruled_out_on_bytes_has_no_name(
            text in "(envoy|special|said|to|Anna|Lee|[a-zA-Z,.’ ]|\u{a0}|\u{b}|\t|é){0,12}",
        ) {
            if opens_with_a_non_title(&text) {
                proptest::prop_assert_eq!(surname_after_titles(&text), None);
            }
        }
    }

    #[test]
    fn single_capitalised_words_and_acronyms_are_not_names() {
        assert_eq!(introduced_surname(" on Monday said"), None);
        assert_eq!(introduced_surname(" envoy Witkoff said"), None);
        assert_eq!(
            introduced_surname(" envoy Steve Witkoff said"),
            Some("Witkoff")
        );
        assert_eq!(introduced_surname(" officials met NATO ENVOYS"), None);
        assert_eq!(
            introduced_surname(" Foreign Minister Ana Pérez, speaking"),
            Some("Pérez")
        );
        assert_eq!(introduced_surname(" Ceasefire Talks Stall"), None);
        assert_eq!(
            introduced_surname(" Senate Foreign Relations Committee Chairman Jim Risch said"),
            None
        );
    }
}
