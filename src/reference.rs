//! Parties an article refers to by a common noun. Once wire copy has named a union, a
//! company, an armed movement, a political party or an organisation, it goes on with
//! `the union`, `striking machinists`, `the airline`, `the rebels`, `the party`, `the
//! bloc`. Such a noun counts as a mention of the last party of that kind the article
//! named, marked as a reference: the holder weighs it as a candidate (a reference is as
//! often an object, `the army shelled the rebels`, as a speaker), it is not a name.
//!
//! `The government`, `the army` or `the junta` stand for the country the article has
//! named most so far: in a two-country dispute either side can be meant, so the holder
//! has a cue of its own for these. Grouped CV on the training data: 0.864 without
//! country nouns, 0.866 with the last country named, 0.868 with the most named.

use crate::features::FxMap;
use crate::holder::SentenceWords;
use crate::party::{Mention, PartyKind};
use crate::tokenize::{is_alphanumeric, ASCII_ALPHANUMERIC};
use aho_corasick::{AhoCorasick, MatchKind};
use std::sync::{Arc, LazyLock};

/// Kinds of party a common noun can stand for (one slot each in [`ReferredParties`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Referent {
    Union,
    Company,
    /// Armed and political movements (`Hamas`, `ELN`, `M23`).
    Movement,
    /// Other groups: associations, lobbies, regional authorities, an opposition.
    Group,
    Party,
    Organisation,
    Country,
}

const REFERENTS: usize = 7;

impl Referent {
    fn of(kind: PartyKind) -> Option<Self> {
        match kind {
            PartyKind::Union => Some(Self::Union),
            PartyKind::Company => Some(Self::Company),
            PartyKind::Movement => Some(Self::Movement),
            PartyKind::Group => Some(Self::Group),
            PartyKind::Party => Some(Self::Party),
            PartyKind::Organisation => Some(Self::Organisation),
            PartyKind::Country => Some(Self::Country),
            PartyKind::Other => None,
        }
    }
}

use Referent::{Company, Country, Group, Movement, Organisation, Party, Union};

/// The kinds of party a noun may refer to, and whether it needs `the` before it (`the
/// company` refers to one; `a company` or `company profits` does not).
type NounUse = (&'static [Referent], bool);

/// Lower-case nouns and their use.
const NOUNS: &[(&str, &[Referent], bool)] = &[
    ("union", &[Union], false),
    ("unions", &[Union], false),
    ("strikers", &[Union], false),
    ("picketers", &[Union], false),
    ("machinists", &[Union], false),
    ("attendants", &[Union], false),
    ("nurses", &[Union], false),
    ("doctors", &[Union], false),
    ("teachers", &[Union], false),
    ("dockworkers", &[Union], false),
    ("dockers", &[Union], false),
    ("pilots", &[Union], false),
    ("workers", &[Union], false),
    ("employees", &[Union], false),
    ("stewards", &[Union], false),
    ("management", &[Company], false),
    ("executives", &[Company], false),
    ("bosses", &[Company], false),
    ("company", &[Company], true),
    ("firm", &[Company], true),
    ("airline", &[Company], true),
    ("carrier", &[Company], true),
    ("carmaker", &[Company], true),
    ("automaker", &[Company], true),
    ("manufacturer", &[Company], true),
    ("planemaker", &[Company], true),
    ("employer", &[Company], true),
    ("bank", &[Company], true),
    ("lender", &[Company], true),
    ("studio", &[Company], true),
    ("retailer", &[Company], true),
    ("operator", &[Company], true),
    ("broadcaster", &[Company], true),
    ("insurer", &[Company], true),
    ("chipmaker", &[Company], true),
    ("conglomerate", &[Company], true),
    ("shipbuilder", &[Company], true),
    ("railway", &[Company], true),
    ("railroad", &[Company], true),
    ("bidder", &[Company], true),
    ("rebels", &[Movement], false),
    ("rebel", &[Movement], false),
    ("militia", &[Movement], false),
    ("militias", &[Movement], false),
    ("militants", &[Movement], false),
    ("fighters", &[Movement], false),
    ("insurgents", &[Movement], false),
    ("guerrillas", &[Movement], false),
    ("guerrilla", &[Movement], false),
    ("paramilitaries", &[Movement], false),
    ("paramilitary", &[Movement], false),
    ("jihadists", &[Movement], false),
    ("movement", &[Movement], true),
    ("group", &[Movement, Group], true),
    ("association", &[Group], true),
    ("lobby", &[Group], true),
    ("federation", &[Group], true),
    ("party", &[Party], true),
    ("bloc", &[Organisation], true),
    ("alliance", &[Organisation], true),
    ("agency", &[Organisation], true),
    ("organisation", &[Organisation], true),
    ("organization", &[Organisation], true),
    ("watchdog", &[Organisation], true),
    ("commission", &[Organisation], true),
    ("fund", &[Organisation], true),
    ("mission", &[Organisation], true),
    ("government", &[Country], true),
    ("army", &[Country], true),
    ("military", &[Country], true),
    ("junta", &[Country], true),
    ("navy", &[Country], true),
    ("ministry", &[Country], true),
    ("kingdom", &[Country], true),
    ("regime", &[Country], true),
    ("cabinet", &[Country], true),
    ("presidency", &[Country], true),
    ("authorities", &[Country], false),
    ("troops", &[Country], false),
];

/// Finds the lower-case nouns of `NOUNS` (pattern `i` is `NOUNS[i]`), the longest at a
/// place (`unions`, not `union`): a vectorised scan instead of a look at every word.
static NOUN_MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(NOUNS.iter().map(|(noun, _, _)| noun))
        .expect("the noun list is a valid pattern set")
});

/// Whether the last word of `head` (the text before a noun) is `the` or `The`.
fn after_the(head: &str) -> bool {
    let head = head.trim_end_matches(|c: char| !is_alphanumeric(c));
    head.strip_suffix("the")
        .or_else(|| head.strip_suffix("The"))
        .is_some_and(|rest| !rest.chars().next_back().is_some_and(is_alphanumeric))
}

/// `NOUNS` by noun.
static NOUN_TABLE: LazyLock<FxMap<&'static [u8], NounUse>> = LazyLock::new(|| {
    NOUNS
        .iter()
        .map(|&(noun, referents, needs_the)| (noun.as_bytes(), (referents, needs_the)))
        .collect()
});

/// The entry of `NOUNS` for a lower-case word.
fn referents_of(word: &[u8]) -> Option<NounUse> {
    NOUN_TABLE.get(word).copied()
}

/// The nouns of [`NOUNS`] (the holder's word table marks them, so that
/// [`ReferredParties::mentions_in_words`] finds them among the words it reads).
pub(crate) fn nouns() -> impl Iterator<Item = &'static str> {
    NOUNS.iter().map(|(noun, _, _)| *noun)
}

/// Longest noun in the lists above: longer words are skipped unread.
const MAX_NOUN: usize = 14;

/// Shortest noun in the lists above: a word holds a noun after a hyphen or an apostrophe
/// (`union-backed`, `rebels’`) only when it is longer.
const MIN_NOUN: usize = 4;

/// Most countries counted: an archive tagged as one stream starts counting afresh.
const MAX_COUNTRIES: usize = 64;

/// The last party of each kind an article has named; for countries, the one it has
/// named most (`the government` of a dispute article is most often its main country's).
#[derive(Clone, Debug, Default)]
pub struct ReferredParties {
    /// Per [`Referent`]: the party, its mention's kind, and when it was named (a count of
    /// learned mentions, so that `the group` picks the later of a movement and a group).
    /// The country slot holds the most named country.
    last: [Option<(Arc<str>, PartyKind, u64)>; REFERENTS],
    named: u64,
    /// Countries named so far and how often.
    countries: Vec<(Arc<str>, u32)>,
    /// Index in `countries` of the most named one, the last of equals (as `max_by_key`
    /// picks it), kept up to date as counts grow: recomputing it scanned up to 64
    /// countries for every country mention.
    most_named: usize,
}

impl ReferredParties {
    /// Remembers the parties `mentions` name (references themselves are not names).
    pub fn learn(&mut self, mentions: &[Mention]) {
        for m in mentions.iter().filter(|m| !m.reference) {
            if let Some(r) = Referent::of(m.kind) {
                self.named += 1;
                if r == Referent::Country {
                    if self.countries.len() == MAX_COUNTRIES {
                        self.countries.clear();
                    }
                    // Mentions share their party's name with the lexicon, so the pointer
                    // test finds a counted country without comparing names; the names
                    // decide only when it fails (each country is counted once, so both
                    // find the same entry).
                    let counted = self
                        .countries
                        .iter()
                        .position(|(p, _)| Arc::ptr_eq(p, &m.party))
                        .or_else(|| self.countries.iter().position(|(p, _)| *p == m.party));
                    let i = match counted {
                        Some(i) => {
                            self.countries[i].1 += 1;
                            i
                        }
                        None => {
                            self.countries.push((Arc::clone(&m.party), 1));
                            self.countries.len() - 1
                        }
                    };
                    // Only country `i` grew (by one): it is the most named if it now has
                    // more than the old one, or as many and comes later.
                    let n = self.countries[i].1;
                    match self.countries.get(self.most_named) {
                        Some(&(_, best)) if best > n || best == n && self.most_named > i => {}
                        _ => self.most_named = i,
                    }
                    let best = &self.countries[self.most_named].0;
                    self.last[r as usize] = Some((Arc::clone(best), m.kind, self.named));
                    continue;
                }
                self.last[r as usize] = Some((Arc::clone(&m.party), m.kind, self.named));
            }
        }
    }

    /// Adds to `mentions` (offsets from `base`, kept in text order) a reference for each
    /// noun of `sentence` that stands for a party named earlier in the article and not in
    /// this sentence.
    pub fn mentions_into(&self, sentence: &str, base: usize, mentions: &mut Vec<Mention>) {
        if self.named == 0 {
            return;
        }
        let before = mentions.len();
        self.opener_into(sentence, base, before, mentions);
        // Lower-case nouns are found all at once.
        for found in NOUN_MATCHER.find_iter(sentence) {
            let (start, end) = (found.start(), found.end());
            let inside_word = sentence[..start]
                .chars()
                .next_back()
                .is_some_and(is_alphanumeric)
                || sentence[end..].chars().next().is_some_and(is_alphanumeric);
            let (_, referents, needs_the) = NOUNS[found.pattern().as_usize()];
            if inside_word || needs_the && !after_the(&sentence[..start]) {
                continue;
            }
            self.push_reference(sentence, base, (start, end), referents, before, mentions);
        }
        if mentions.len() > before {
            mentions.sort_by_key(|m| m.start);
        }
    }

    /// [`ReferredParties::mentions_into`], with the words of `sentence` already read
    /// (unless they are not all there): a noun is a whole run of letters and digits, so
    /// it is a word the holder's table marks, or a run inside a word with a hyphen, an
    /// apostrophe or another mark (`union-backed`); the matcher read every byte (~18
    /// instructions a byte).
    pub fn mentions_in_words(
        &self,
        sentence: &str,
        base: usize,
        words: &SentenceWords,
        mentions: &mut Vec<Mention>,
    ) {
        if self.named == 0 {
            return;
        }
        let Some(trimmed) = words.trimmed() else {
            return self.mentions_into(sentence, base, mentions);
        };
        let before = mentions.len();
        let bytes = sentence.as_bytes();
        let one_run = |word: &[u8]| word.iter().all(|&b| ASCII_ALPHANUMERIC[usize::from(b)]);
        // The first word starts at the sentence's first letter or digit. Its opening
        // letters are no noun when it is none but for case and is one run of ASCII letters
        // and digits (most sentences): the lower-cased lookup is skipped.
        let first = words.trimmed().and_then(|mut all| all.next());
        if first.is_some_and(|(start, end, noun)| noun || !one_run(&bytes[start..end])) {
            self.opener_into(sentence, base, before, mentions);
        }
        for (start, end, noun) in trimmed {
            let word = &bytes[start..end];
            if noun {
                // The word is a noun but for case; the matcher took lower case only.
                if word.iter().all(u8::is_ascii_lowercase) {
                    self.noun_into(sentence, base, (start, end), before, mentions);
                }
            } else if word.len() > MIN_NOUN && !one_run(word) {
                // Several runs of letters and digits, or letters outside ASCII.
                let mut at = start;
                for run in sentence[start..end].split(|c: char| !is_alphanumeric(c)) {
                    let run_at = at;
                    at += run.len();
                    at += sentence[at..end].chars().next().map_or(0, char::len_utf8);
                    if NOUN_TABLE.contains_key(run.as_bytes()) {
                        let span = (run_at, run_at + run.len());
                        self.noun_into(sentence, base, span, before, mentions);
                    }
                }
            }
        }
        if mentions.len() > before {
            mentions.sort_by_key(|m| m.start);
        }
    }

    /// The reference of the lower-case noun at `span` (offsets in `sentence`), a whole run
    /// of letters and digits, unless it needs `the` before it and has none.
    fn noun_into(
        &self,
        sentence: &str,
        base: usize,
        (start, end): (usize, usize),
        named: usize,
        mentions: &mut Vec<Mention>,
    ) {
        let Some((referents, needs_the)) = referents_of(&sentence.as_bytes()[start..end]) else {
            return;
        };
        if !needs_the || after_the(&sentence[..start]) {
            self.push_reference(sentence, base, (start, end), referents, named, mentions);
        }
    }

    /// A capitalised noun is a name (`Union Pacific`), unless it opens the sentence
    /// (`Rebels said …`): pushes the reference of such an opening noun.
    fn opener_into(&self, sentence: &str, base: usize, before: usize, mentions: &mut Vec<Mention>) {
        if let Some(opener) = sentence.find(is_alphanumeric) {
            // The opening word, when it is all ASCII letters: its letters, then no other
            // letter or digit (a byte scan; `party::first_word` decodes each character).
            let rest = &sentence[opener..];
            let letters = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            let word = &rest.as_bytes()[..letters];
            if word.len() <= MAX_NOUN
                && word.first().is_some_and(u8::is_ascii_uppercase)
                && !rest[letters..].starts_with(is_alphanumeric)
            {
                let mut lower = [0u8; MAX_NOUN];
                lower[..word.len()].copy_from_slice(word);
                lower.make_ascii_lowercase();
                if let Some((referents, false)) = referents_of(&lower[..word.len()]) {
                    let span = (opener, opener + word.len());
                    self.push_reference(sentence, base, span, referents, before, mentions);
                }
            }
        }
    }

    /// Pushes the reference of the noun at `span` (offsets in `sentence`), unless its party
    /// is among the sentence's first `named` mentions or one of them covers it.
    fn push_reference(
        &self,
        sentence: &str,
        base: usize,
        (start, end): (usize, usize),
        referents: &[Referent],
        named: usize,
        mentions: &mut Vec<Mention>,
    ) {
        let Some((party, kind)) = self.latest(referents) else {
            return;
        };
        let (start, end) = (base + start, base + end);
        let covered = mentions[..named]
            .iter()
            .any(|m| m.start < end && start < m.end || m.party == party);
        if !covered {
            mentions.push(Mention {
                party,
                text: Arc::from(&sentence[start - base..end - base]),
                start,
                end,
                kind,
                reference: true,
            });
        }
    }

    /// The most recently named party among `referents`.
    fn latest(&self, referents: &[Referent]) -> Option<(Arc<str>, PartyKind)> {
        referents
            .iter()
            .filter_map(|&r| self.last[r as usize].as_ref())
            .max_by_key(|(_, _, when)| *when)
            .map(|(party, kind, _)| (Arc::clone(party), *kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::party::PartyTable;

    /// `(party, text)` of each reference in the last sentence, after the article's earlier
    /// sentences were learned.
    fn references(sentences: &[&str]) -> Vec<(String, String)> {
        let table = PartyTable::builtin().unwrap();
        let mut memory = ReferredParties::default();
        let mut last = Vec::new();
        for s in sentences {
            let mut mentions = table.mentions(s);
            memory.mentions_into(s, 0, &mut mentions);
            memory.learn(&mentions);
            last = mentions
                .into_iter()
                .filter(|m| m.reference)
                .map(|m| {
                    assert_eq!(&s[m.start..m.end], &*m.text);
                    (m.party.to_string(), m.text.to_string())
                })
                .collect();
        }
        last
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    proptest::proptest! {
        /// The most named country, kept up to date, is the one `max_by_key` finds over
        /// the counts (the last of equals), also when a mention's name is a copy of the
        /// lexicon's rather than the shared one, and across the reset at 64 countries.
        #[test]
        fn most_named_country_is_the_last_of_the_highest_counts(
            named in proptest::collection::vec((0usize..70, proptest::bool::ANY), 0..300),
        ) {
            let names: Vec<Arc<str>> = (0..70).map(|i| Arc::from(format!("C{i}"))).collect();
            let mut memory = ReferredParties::default();
            let mut counts: Vec<(Arc<str>, u32)> = Vec::new();
            for (i, copy) in named {
                let party = if copy { Arc::from(&*names[i]) } else { Arc::clone(&names[i]) };
                let mention = Mention {
                    party: Arc::clone(&party),
                    text: Arc::clone(&party),
                    start: 0,
                    end: 2,
                    kind: PartyKind::Country,
                    reference: false,
                };
                memory.learn(std::slice::from_ref(&mention));
                if counts.len() == MAX_COUNTRIES {
                    counts.clear();
                }
                match counts.iter_mut().find(|(p, _)| *p == party) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((party, 1)),
                }
                let best = &counts.iter().max_by_key(|(_, n)| *n).unwrap().0;
                let got = memory.last[Referent::Country as usize].as_ref().map(|l| &l.0);
                proptest::prop_assert_eq!(got, Some(best));
            }
        }
    }

    proptest::proptest! {
        /// The nouns found among the words the holder reads are those the matcher finds
        /// in the text: capitalised, inside other words, after hyphens and apostrophes,
        /// with and without `the`, next to letters outside ASCII.
        #[test]
        fn references_from_the_sentence_words_are_those_from_the_text(
            text in "(union|unions|Union|rebels|Rebels|the|The|government|army|fund|bank|group|workers|firm|[a-z0-9'’,.;:\"“”—/() -]|\u{a0}|é|ü|\t){0,40}",
        ) {
            let kinds = [
                PartyKind::Union,
                PartyKind::Company,
                PartyKind::Movement,
                PartyKind::Group,
                PartyKind::Party,
                PartyKind::Organisation,
                PartyKind::Country,
            ];
            let named: Vec<Mention> = kinds
                .iter()
                .map(|&kind| Mention {
                    party: Arc::from(format!("{kind:?}")),
                    text: Arc::from("x"),
                    start: 0,
                    end: 1,
                    kind,
                    reference: false,
                })
                .collect();
            let mut memory = ReferredParties::default();
            memory.learn(&named);
            let (mut want, mut got) = (Vec::new(), Vec::new());
            memory.mentions_into(&text, 3, &mut want);
            memory.mentions_in_words(&text, 3, &SentenceWords::of(&text), &mut got);
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn every_noun_is_lower_case_ascii_and_fits_the_filter() {
        for (noun, referents, _) in NOUNS {
            assert!((MIN_NOUN..=MAX_NOUN).contains(&noun.len()), "{noun}");
            assert!(noun.bytes().all(|b| b.is_ascii_lowercase()), "{noun}");
            assert!(!referents.is_empty(), "{noun}");
            assert_eq!(referents_of(noun.as_bytes()).map(|r| r.0), Some(*referents));
        }
    }

    #[test]
    fn the_union_and_its_members_refer_to_the_union_named_before() {
        let got = references(
            &[
                "Boeing machinists represented by the IAM walked out on Sunday.",
                "The union’s leaders said striking machinists would stay out until Boeing improved its offer.",
            ],
        );
        assert_eq!(
            got,
            pairs(&[
                ("International Association of Machinists", "union"),
                ("International Association of Machinists", "machinists"),
            ])
        );
    }

    #[test]
    fn the_company_refers_to_the_company_but_a_company_does_not() {
        let got = references(&[
            "Air Canada said talks with CUPE had stalled.",
            "The airline said a company of its size could not pay more.",
        ]);
        assert_eq!(got, pairs(&[("Air Canada", "airline")]));
    }

    #[test]
    fn a_party_named_in_the_sentence_is_not_referred_to_again() {
        let got = references(&[
            "The ELN said it would resume talks.",
            "The rebels said the ELN would not disarm.",
        ]);
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn the_group_is_the_later_of_a_movement_and_a_group() {
        let got = references(&[
            "Hamas rejected the proposal.",
            "The Hostages and Missing Families Forum urged the government to accept it.",
            "The group said time was running out.",
        ]);
        assert_eq!(
            got,
            pairs(&[("Hostages and Missing Families Forum", "group")])
        );
    }

    #[test]
    fn the_government_is_the_country_the_article_names_most() {
        let got = references(&[
            "Sudan’s army said it had retaken the town; Khartoum blamed the RSF.",
            "The UAE denied supplying weapons.",
            "The government said it would not negotiate.",
        ]);
        assert_eq!(got, pairs(&[("Sudan", "government")]));
    }

    #[test]
    fn nothing_is_referred_to_before_a_party_of_that_kind_is_named() {
        let got = references(&[
            "Russia and Ukraine exchanged prisoners.",
            "The rebels and the union were not part of it; the company declined to comment.",
        ]);
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn capitalised_nouns_inside_the_sentence_are_names_not_references() {
        let got = references(&[
            "Unite called a strike at the port.",
            "Rebels of the Union Jack club said so, and union officials agreed.",
        ]);
        assert_eq!(got, pairs(&[("Unite", "union")]));
    }
}
