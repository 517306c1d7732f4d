//! The three stances: one spelling for CSV labels, model classes and JSON output.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The posture a sentence expresses toward settling the dispute (see LABELING.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Conciliatory,
    Hardline,
    Neutral,
}

impl Stance {
    /// All stances, in class order.
    pub const ALL: [Stance; 3] = [Stance::Conciliatory, Stance::Hardline, Stance::Neutral];

    /// The lowercase label.
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Conciliatory => "conciliatory",
            Stance::Hardline => "hardline",
            Stance::Neutral => "neutral",
        }
    }

    /// Position in [`Stance::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Stance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error of [`Stance::from_str`]: the rejected label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStance(pub String);

impl FromStr for Stance {
    type Err = UnknownStance;
    /// Accepts the three labels, case-insensitively and ignoring surrounding spaces.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "conciliatory" => Ok(Stance::Conciliatory),
            "hardline" => Ok(Stance::Hardline),
            "neutral" => Ok(Stance::Neutral),
            _ => Err(UnknownStance(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_labels_case_insensitively_and_round_trips() {
        for s in Stance::ALL {
            assert_eq!(s.as_str().parse::<Stance>(), Ok(s));
            assert_eq!(s.to_string().to_uppercase().parse::<Stance>(), Ok(s));
        }
        assert!("hardlined".parse::<Stance>().is_err());
    }
}
