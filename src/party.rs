//! Parties: the lexicon (canonical party → aliases), mention detection, and the choice of
//! the party whose stance a sentence expresses (the holder).
//!
//! The lexicon is data (`models/parties.json`, format below), compiled in as the default
//! and extended with `--parties FILE`. Mentions are found by word: at each word start the
//! word (its run of letters and digits) looks up the aliases that begin with it, longest
//! first, and the first that matches the text there and ends on a word boundary wins.
//! Case-sensitive, so `US` matches and `us` does not; a possessive `’s` after a name is
//! allowed. One hash lookup per word, whatever the sentence length; building the table
//! is a hash insert per alias, which keeps the cold start short (an Aho–Corasick automaton
//! over the ~5,000 aliases took ~10 ms to build, most of a cold run; see bench/RESULTS.md).
//!
//! ```json
//! {"format": "detente-parties", "version": 1,
//!  "parties": [{"name": "Russia", "kind": "country", "aliases": ["Russia", "Kremlin", "Putin"]}],
//!  "ambiguous": ["Georgia"]}
//! ```
//! An alias may belong to one party only, unless it is listed in `ambiguous` (then the
//! first party listing it gets it).

use crate::error::{Error, Result};
use crate::features::FxMap;
use crate::tokenize::{is_alphanumeric, ASCII_ALPHANUMERIC};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

/// Sets and maps of aliases built at start-up: FxHash, not SipHash (hashing ~5,000
/// aliases several times was a visible part of a cold start; see bench/RESULTS.md).
type FxSet<T> = HashSet<T, BuildHasherDefault<crate::features::FxHasher>>;
type FxStrMap<'a> = HashMap<&'a str, &'a str, BuildHasherDefault<crate::features::FxHasher>>;
use std::path::Path;
use std::sync::Arc;

/// Value of the `format` field of a party file.
pub const FORMAT: &str = "detente-parties";

/// One party of the lexicon, as in the file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PartyEntry {
    /// Canonical name (`Russia`, `European Union`, `Hamas`).
    pub name: String,
    /// `country`, `organisation`, `movement`, `company`, `union`, `party` or `group`.
    #[serde(default)]
    pub kind: String,
    /// Names, people, places and demonyms that stand for the party.
    pub aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartyFile {
    format: String,
    version: u32,
    parties: Vec<PartyEntry>,
    #[serde(default)]
    ambiguous: Vec<String>,
}

/// What sort of actor a party is, from the lexicon's `kind` (an unknown kind is `Other`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PartyKind {
    Country,
    Organisation,
    Movement,
    Company,
    Union,
    Party,
    Group,
    #[default]
    Other,
}

impl PartyKind {
    fn parse(kind: &str) -> Self {
        match kind {
            "country" => Self::Country,
            "organisation" | "organization" => Self::Organisation,
            "movement" => Self::Movement,
            "company" => Self::Company,
            "union" => Self::Union,
            "party" => Self::Party,
            "group" => Self::Group,
            _ => Self::Other,
        }
    }
}

/// A party named in a sentence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mention {
    /// Canonical party (shared with the table: a mention allocates nothing).
    pub party: Arc<str>,
    /// The alias as written.
    pub text: Arc<str>,
    /// Byte offsets in the text that was searched.
    pub start: usize,
    pub end: usize,
    /// The party's kind (what a common noun such as `the union` can refer to).
    #[serde(skip)]
    pub kind: PartyKind,
    /// A common noun standing for a party the article named before (`the union`), not a
    /// name: see [`crate::reference`].
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reference: bool,
}

/// The lexicon, ready to find mentions.
#[derive(Clone, Debug)]
pub struct PartyTable {
    entries: Vec<PartyEntry>,
    /// The canonical names, in `entries` order, shared by every mention of them.
    names: Vec<Arc<str>>,
    /// The parties' kinds, in `entries` order.
    kinds: Vec<PartyKind>,
    /// First word of an alias → (alias, party index), longest alias first.
    by_first_word: FxMap<Box<str>, Vec<(Arc<str>, u32)>>,
    /// Bit `b0 << 8 | b1` is set when some alias starts with the bytes `b0 b1` (any
    /// second byte for a one-byte first word): most words of a sentence (`the`, `said`)
    /// are passed over with one bit test instead of a hash lookup.
    starts: Box<[u64; 1024]>,
    aliases: usize,
}

fn set_start(starts: &mut [u64; 1024], b0: u8, b1: u8) {
    let bit = usize::from(b0) << 8 | usize::from(b1);
    starts[bit / 64] |= 1 << (bit % 64);
}

/// The leading run of letters and digits of `s`. Its ASCII part is read as bytes; chars
/// are decoded only from a non-ASCII byte on (decoding every char cost ~160 instructions
/// a call, mostly for all-ASCII words: the holder calls this ~14,000 times on 1.5 MB).
pub(crate) fn first_word(s: &str) -> &str {
    let bytes = s.as_bytes();
    let ascii = bytes
        .iter()
        .position(|&b| !ASCII_ALPHANUMERIC[usize::from(b)])
        .unwrap_or(bytes.len());
    // `ascii` follows ASCII bytes only, so it is a char boundary.
    let end = match bytes.get(ascii) {
        Some(b) if !b.is_ascii() => s[ascii..]
            .find(|c: char| !is_alphanumeric(c))
            .map_or(s.len(), |i| ascii + i),
        _ => ascii,
    };
    &s[..end]
}

const BUILTIN: &str = include_str!("../models/parties.json");

impl PartyTable {
    /// The lexicon shipped in `models/parties.json`.
    ///
    /// # Errors
    /// Only if the build embedded a broken file (a test guards against it).
    pub fn builtin() -> Result<Self> {
        Self::from_json(BUILTIN, Path::new("<built-in parties>"))
    }

    /// Reads and validates a party file.
    ///
    /// # Errors
    /// Unreadable file, malformed JSON, duplicate canonical names, an alias claimed twice.
    pub fn from_path(path: &Path) -> Result<Self> {
        let bytes = crate::input::read_bounded(path, 64 << 20)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            Error::read(
                path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            )
        })?;
        Self::from_json(&text, path)
    }

    /// Parses a party file; `path` names it in errors.
    ///
    /// # Errors
    /// As [`PartyTable::from_path`].
    pub fn from_json(json: &str, path: &Path) -> Result<Self> {
        let file: PartyFile = serde_json::from_str(json).map_err(|source| Error::PartiesJson {
            path: path.into(),
            source,
        })?;
        let bad = |reason: String| Error::PartiesShape {
            path: path.into(),
            reason,
        };
        if file.format != FORMAT {
            return Err(bad(format!(
                "format is {:?}, expected {FORMAT:?}",
                file.format
            )));
        }
        if file.version != 1 {
            return Err(bad(format!(
                "version {} is not supported (expected 1)",
                file.version
            )));
        }
        let ambiguous: FxSet<&str> = file.ambiguous.iter().map(String::as_str).collect();
        let n: usize = file.parties.iter().map(|e| e.aliases.len()).sum();
        let mut names = FxSet::with_capacity_and_hasher(file.parties.len(), Default::default());
        let mut owner = FxStrMap::with_capacity_and_hasher(n, Default::default());
        for entry in &file.parties {
            if entry.name.trim().is_empty() {
                return Err(bad("a party has an empty name".into()));
            }
            if !names.insert(entry.name.as_str()) {
                return Err(bad(format!("party {:?} is listed twice", entry.name)));
            }
            for alias in &entry.aliases {
                if alias.trim().is_empty() {
                    return Err(bad(format!("party {:?} has an empty alias", entry.name)));
                }
                if let Some(first) = owner.insert(alias.as_str(), entry.name.as_str()) {
                    if first != entry.name && !ambiguous.contains(alias.as_str()) {
                        return Err(bad(format!(
                            "alias {alias:?} is claimed by both {first:?} and {:?} (list it under \"ambiguous\" if that is intended)",
                            entry.name
                        )));
                    }
                    owner.insert(alias.as_str(), first);
                }
            }
        }
        // A canonical name is an alias of its own party; another party cannot claim it.
        for entry in &file.parties {
            if let Some(alias) = entry.aliases.iter().find(|a| {
                *a != &entry.name && names.contains(a.as_str()) && !ambiguous.contains(a.as_str())
            }) {
                return Err(bad(format!(
                    "alias {alias:?} of party {:?} is the name of another party",
                    entry.name
                )));
            }
        }
        Self::build(file.parties)
    }

    /// This table with `other` laid over it: parties of the same name gain `other`'s
    /// aliases, new parties are added, and an alias in `other` moves to `other`'s party.
    ///
    /// # Errors
    /// Only if the merged automaton cannot be built.
    pub fn merged(&self, other: &PartyTable) -> Result<Self> {
        let moved: FxSet<&str> = other
            .entries
            .iter()
            .flat_map(|e| e.aliases.iter().map(String::as_str))
            .collect();
        let mut entries: Vec<PartyEntry> = self
            .entries
            .iter()
            .map(|e| PartyEntry {
                aliases: e
                    .aliases
                    .iter()
                    .filter(|a| !moved.contains(a.as_str()))
                    .cloned()
                    .collect(),
                ..e.clone()
            })
            .collect();
        for o in &other.entries {
            match entries.iter_mut().find(|e| e.name == o.name) {
                Some(e) => e.aliases.extend(o.aliases.iter().cloned()),
                None => entries.push(o.clone()),
            }
        }
        Self::build(entries)
    }

    fn build(entries: Vec<PartyEntry>) -> Result<Self> {
        // Sized up front, and a key allocated only for a new first word: this runs at
        // every start (see bench/RESULTS.md, cold start).
        let n: usize = entries.iter().map(|e| 1 + e.aliases.len()).sum();
        let mut by_first_word: FxMap<Box<str>, Vec<(Arc<str>, u32)>> =
            FxMap::with_capacity_and_hasher(n, Default::default());
        let mut seen = FxSet::with_capacity_and_hasher(n, Default::default());
        for (i, e) in entries.iter().enumerate() {
            // The canonical name is always an alias of itself.
            for alias in std::iter::once(&e.name).chain(&e.aliases) {
                let key = first_word(alias);
                if !key.is_empty() && seen.insert(alias.as_str()) {
                    let candidate = (alias.as_str().into(), i as u32);
                    match by_first_word.get_mut(key) {
                        Some(candidates) => candidates.push(candidate),
                        None => {
                            by_first_word.insert(key.into(), vec![candidate]);
                        }
                    }
                }
            }
        }
        for candidates in by_first_word.values_mut() {
            candidates.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        }
        let mut starts = Box::new([0u64; 1024]);
        for key in by_first_word.keys() {
            match key.as_bytes() {
                [b0] => (0..=255u8).for_each(|b1| set_start(&mut starts, *b0, b1)),
                [b0, b1, ..] => set_start(&mut starts, *b0, *b1),
                [] => {}
            }
        }
        let aliases = seen.len();
        let names = entries.iter().map(|e| Arc::from(e.name.as_str())).collect();
        let kinds = entries.iter().map(|e| PartyKind::parse(&e.kind)).collect();
        Ok(PartyTable {
            entries,
            names,
            kinds,
            by_first_word,
            starts,
            aliases,
        })
    }

    /// The parties, in file order.
    pub fn entries(&self) -> &[PartyEntry] {
        &self.entries
    }

    /// Number of aliases the matcher knows (canonical names included).
    pub fn alias_count(&self) -> usize {
        self.aliases
    }

    /// The party an exact alias stands for.
    pub fn party_of(&self, alias: &str) -> Option<&str> {
        self.mentions(alias)
            .into_iter()
            .find(|m| m.start == 0 && m.end == alias.len())
            .map(|m| self.entries[self.index_of(&m.party)].name.as_str())
    }

    fn index_of(&self, name: &str) -> usize {
        self.entries
            .iter()
            .position(|e| e.name == name)
            .unwrap_or(0)
    }

    /// All mentions in `text`, in order, as owned values.
    pub fn mentions(&self, text: &str) -> Vec<Mention> {
        let mut out = Vec::new();
        self.mentions_into(text, 0, &mut out);
        out
    }

    /// Appends the mentions in `text` to `out`, with offsets shifted by `offset`.
    pub fn mentions_into(&self, text: &str, offset: usize, out: &mut Vec<Mention>) {
        let bytes = text.as_bytes();
        let mut resume = 0; // no new match may start before the end of the last one
        let mut previous_alphanumeric = false;
        let mut at = 0;
        while let Some(&b) = bytes.get(at) {
            if b.is_ascii() {
                if !ASCII_ALPHANUMERIC[usize::from(b)] {
                    previous_alphanumeric = false;
                    at += 1;
                    continue;
                }
                // An ASCII word: no word starts inside it, so pass over it at once.
                let start = at;
                // An iterator over the rest: no bounds check per byte (7 instructions a
                // byte with `get`).
                at += 1 + bytes[at + 1..]
                    .iter()
                    .position(|&b| !ASCII_ALPHANUMERIC[usize::from(b)])
                    .unwrap_or(bytes.len() - at - 1);
                if !previous_alphanumeric && start >= resume && self.may_start(bytes, start) {
                    // The word ends here, unless a non-ASCII letter continues it.
                    let end = if bytes.get(at).is_some_and(|b| !b.is_ascii()) {
                        start + first_word(&text[start..]).len()
                    } else {
                        at
                    };
                    if let Some(len) = self.match_at(text, start, end, offset, out) {
                        resume = start + len;
                    }
                }
                previous_alphanumeric = true;
                continue;
            }
            let (alphanumeric, width) = match text.get(at..).and_then(|rest| rest.chars().next()) {
                Some(c) => (is_alphanumeric(c), c.len_utf8()),
                None => (false, 1),
            };
            if alphanumeric && !previous_alphanumeric && at >= resume && self.may_start(bytes, at) {
                let end = at + first_word(&text[at..]).len();
                if let Some(len) = self.match_at(text, at, end, offset, out) {
                    resume = at + len;
                }
            }
            previous_alphanumeric = alphanumeric;
            at += width;
        }
    }

    #[inline]
    fn may_start(&self, bytes: &[u8], at: usize) -> bool {
        let b0 = usize::from(bytes[at]);
        let b1 = usize::from(bytes.get(at + 1).copied().unwrap_or(0));
        let bit = b0 << 8 | b1;
        self.starts[bit / 64] >> (bit % 64) & 1 == 1
    }

    /// The longest alias starting at the word start `at` (its first word ends at
    /// `word_end`) and ending on a word boundary: pushes its mention and returns its length.
    fn match_at(
        &self,
        text: &str,
        at: usize,
        word_end: usize,
        offset: usize,
        out: &mut Vec<Mention>,
    ) -> Option<usize> {
        let rest = &text[at..];
        let candidates = self.by_first_word.get(&text[at..word_end])?;
        let (alias, party) = candidates.iter().find(|(alias, _)| {
            rest.starts_with(&**alias)
                && rest[alias.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !is_alphanumeric(c))
        })?;
        out.push(Mention {
            party: Arc::clone(&self.names[*party as usize]),
            text: Arc::clone(alias),
            start: offset + at,
            end: offset + at + alias.len(),
            kind: self.kinds[*party as usize],
            reference: false,
        });
        Some(alias.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> PartyTable {
        PartyTable::from_json(
            r#"{"format":"detente-parties","version":1,"parties":[
              {"name":"Russia","kind":"country","aliases":["Russian","Kremlin","Moscow","Dmitry Peskov","Peskov"]},
              {"name":"Ukraine","kind":"country","aliases":["Kyiv","Ukrainian","Zelenskiy"]},
              {"name":"United States","kind":"country","aliases":["US","U.S.","Washington","White House"]},
              {"name":"European Union","kind":"organisation","aliases":["EU","European Commission"]}]}"#,
            Path::new("t.json"),
        )
        .unwrap()
    }

    fn found(text: &str) -> Vec<(String, String)> {
        table()
            .mentions(text)
            .into_iter()
            .map(|m| (m.party.to_string(), m.text.to_string()))
            .collect()
    }

    proptest::proptest! {
        /// The byte fast path ends the word where the `char` test does.
        #[test]
        fn first_word_is_the_leading_run_of_alphanumeric_chars(
            s in "[a-zA-Z0-9 .,'’é\u{2019}\u{00e9}\u{4e2d}\u{2013}-]{0,12}",
        ) {
            let end = s.find(|c: char| !is_alphanumeric(c)).unwrap_or(s.len());
            proptest::prop_assert_eq!(first_word(&s), &s[..end]);
        }
    }

    #[test]
    fn finds_possessives_and_multiword_names() {
        assert_eq!(
            found("Dmitry Peskov dismissed Kyiv’s stance and the White House's plan."),
            [
                ("Russia".into(), "Dmitry Peskov".into()),
                ("Ukraine".into(), "Kyiv".into()),
                ("United States".into(), "White House".into())
            ]
        );
    }

    #[test]
    fn case_and_word_boundaries_matter() {
        assert_eq!(
            found("Let us talk, said the US envoy"),
            [("United States".into(), "US".into())]
        );
        assert!(found("Russians and EUrope and Moscowski").is_empty());
        assert_eq!(found("Kyiv-based"), [("Ukraine".into(), "Kyiv".into())]);
    }

    #[test]
    fn mention_offsets_point_at_the_alias() {
        let text = "Ненад and Zelenskiy met.";
        let m = &table().mentions(text)[0];
        assert_eq!(&text[m.start..m.end], "Zelenskiy");
    }

    #[test]
    fn an_alias_claimed_twice_is_refused_unless_ambiguous() {
        let twice = r#"{"format":"detente-parties","version":1,"parties":[
            {"name":"A","aliases":["X"]},{"name":"B","aliases":["X"]}]}"#;
        let err = PartyTable::from_json(twice, Path::new("p.json"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("alias \"X\" is claimed by both \"A\" and \"B\""),
            "{err}"
        );
        let marked = twice.replace("]}", "],\"ambiguous\":[\"X\"]}");
        let marked = marked.replacen("],\"ambiguous\":[\"X\"]}", "]}", 2);
        assert!(
            PartyTable::from_json(&marked, Path::new("p.json")).is_ok(),
            "{marked}"
        );
    }

    #[test]
    fn duplicate_names_are_refused() {
        let dup = r#"{"format":"detente-parties","version":1,"parties":[{"name":"A","aliases":[]},{"name":"A","aliases":[]}]}"#;
        assert!(PartyTable::from_json(dup, Path::new("p.json")).is_err());
    }

    #[test]
    fn user_table_overrides_and_extends() {
        let user = PartyTable::from_json(
            r#"{"format":"detente-parties","version":1,"parties":[
              {"name":"Transnistria","kind":"group","aliases":["Tiraspol","Krasnoselsky"]},
              {"name":"European Union","aliases":["Brussels"]},
              {"name":"Kremlin Watchers","aliases":["Kremlin"]}]}"#,
            Path::new("u.json"),
        )
        .unwrap();
        let merged = table().merged(&user).unwrap();
        let got: Vec<String> = merged
            .mentions("Tiraspol, Brussels and the Kremlin")
            .into_iter()
            .map(|m| m.party.to_string())
            .collect();
        assert_eq!(got, ["Transnistria", "European Union", "Kremlin Watchers"]);
    }
}
