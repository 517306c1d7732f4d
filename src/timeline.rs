//! Many articles over time: each party's posture per day or ISO week.
//!
//! An article's date comes from, in order: a first line `date: YYYY-MM-DD` (the line is
//! then blanked so it is not tagged as a sentence; offsets are unchanged), a file name
//! starting with `YYYY-MM-DD` (`2026-02-04-geneva.txt`), or with [`DateFrom::Mtime`] the
//! file's modification time (UTC). The posture of a party in a period is the
//! [`crate::summary`] posture over all its sentences in that period's articles.

use crate::error::{Error, Result};
use crate::summary::{posture, Summary};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::ops::Range;
use std::path::Path;

/// A calendar date (proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD`, checking the day exists.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &s[r];
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        let d = Date {
            year: num(0..4)? as i32,
            month: num(5..7)?,
            day: num(8..10)?,
        };
        let valid =
            (1..=12).contains(&d.month) && (1..=days_in_month(d.year, d.month)).contains(&d.day);
        valid.then_some(d)
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (`civil_from_days`).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// ISO 8601 week-numbering year and week (weeks start on Monday).
    pub fn iso_week(self) -> (i32, u32) {
        let days = self.days();
        let weekday = (days + 3).rem_euclid(7); // 1970-01-01 was a Thursday; Monday = 0
        let thursday = Date::from_days(days - weekday + 3);
        let jan1 = Date {
            year: thursday.year,
            month: 1,
            day: 1,
        };
        (
            thursday.year,
            ((thursday.days() - jan1.days()) / 7 + 1) as u32,
        )
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Where article dates come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DateFrom {
    /// A `date: YYYY-MM-DD` first line, else a `YYYY-MM-DD` file-name prefix.
    #[default]
    Auto,
    /// The file's modification time (UTC), unless a `date:` line says otherwise.
    Mtime,
}

/// The date of a `date: YYYY-MM-DD` first line of `text` (a byte-order mark before it is
/// allowed; `Date:` too), with the byte range of the line (without its line break).
///
/// # Errors
/// The line says `date:` but not a valid `YYYY-MM-DD` ([`Error::BadDate`], line 1).
pub fn date_line(text: &str, path: &Path) -> Result<Option<(Date, Range<usize>)>> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = text[start..line_end].trim();
    let Some(value) = line
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("date:"))
        .map(|_| line[5..].trim())
    else {
        return Ok(None);
    };
    let date = Date::parse(value).ok_or_else(|| Error::BadDate {
        path: path.into(),
        line: 1,
        value: value.to_owned(),
    })?;
    Ok(Some((date, start..line_end)))
}

/// If `text` opens with a `date: YYYY-MM-DD` line, blanks that line (spaces, so byte
/// offsets are unchanged and it is not tagged) and returns the date.
///
/// # Errors
/// As [`date_line`].
pub fn take_date_line(text: &mut String, path: &Path) -> Result<Option<Date>> {
    Ok(date_line(text, path)?.map(|(date, range)| {
        let blank = " ".repeat(range.len());
        text.replace_range(range, &blank);
        date
    }))
}

/// The date of an article whose `date:` line (if any) was already read: the file-name
/// prefix, or with [`DateFrom::Mtime`] the modification time. `None` for standard input
/// or a file without either.
pub fn file_date(path: &Path, from: DateFrom) -> Option<Date> {
    if path == Path::new("-") {
        return None;
    }
    match from {
        DateFrom::Auto => path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.get(..10))
            .and_then(Date::parse),
        DateFrom::Mtime => {
            let modified = std::fs::metadata(path).ok()?.modified().ok()?;
            let secs = match modified.duration_since(std::time::UNIX_EPOCH) {
                Ok(d) => d.as_secs() as i64,
                Err(e) => -(e.duration().as_secs() as i64) - 1,
            };
            Some(Date::from_days(secs.div_euclid(86_400)))
        }
    }
}

/// Period length.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Bucket {
    #[default]
    Day,
    /// ISO week, Monday to Sunday, labelled `2026-W06`.
    Week,
}

impl Bucket {
    /// The label of the period holding `date`; labels sort in time order.
    pub fn label(self, date: Date) -> String {
        match self {
            Bucket::Day => date.to_string(),
            Bucket::Week => {
                let (y, w) = date.iso_week();
                format!("{y:04}-W{w:02}")
            }
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Bucket::Day => "day",
            Bucket::Week => "week",
        }
    }
}

#[derive(Clone, Debug, Default)]
struct Tally {
    conciliatory: usize,
    hardline: usize,
    neutral: usize,
    conciliatory_weight: f32,
    hardline_weight: f32,
}

/// One party in one period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartyPeriod {
    pub party: String,
    pub conciliatory: usize,
    pub hardline: usize,
    pub neutral: usize,
    /// `None` without conciliatory or hardline sentences.
    pub posture: Option<f32>,
}

/// One period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Period {
    /// `2026-02-04` or `2026-W06`.
    pub period: String,
    pub articles: usize,
    pub parties: Vec<PartyPeriod>,
}

/// Per-party posture over periods; feed it article summaries with [`Timeline::add`].
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    bucket: Bucket,
    periods: BTreeMap<String, (usize, BTreeMap<String, Tally>)>,
    totals: BTreeMap<String, Tally>,
}

impl Timeline {
    /// An empty timeline in `bucket` periods.
    pub fn new(bucket: Bucket) -> Self {
        Timeline {
            bucket,
            ..Default::default()
        }
    }

    /// Adds one article dated `date`. The `none` party is not a party and is left out.
    pub fn add(&mut self, date: Date, summary: &Summary) {
        let (articles, parties) = self.periods.entry(self.bucket.label(date)).or_default();
        *articles += 1;
        for p in summary.parties() {
            if p.party == "none" {
                continue;
            }
            for t in [
                parties.entry(p.party.clone()).or_default(),
                self.totals.entry(p.party.clone()).or_default(),
            ] {
                t.conciliatory += p.conciliatory;
                t.hardline += p.hardline;
                t.neutral += p.neutral;
                t.conciliatory_weight += p.conciliatory_weight;
                t.hardline_weight += p.hardline_weight;
            }
        }
    }

    /// Number of periods with at least one article.
    pub fn len(&self) -> usize {
        self.periods.len()
    }

    /// True before any article was added.
    pub fn is_empty(&self) -> bool {
        self.periods.is_empty()
    }

    /// Parties with at least one conciliatory or hardline sentence, most such sentences
    /// first, then by name.
    pub fn parties(&self) -> Vec<&str> {
        let mut v: Vec<(&str, usize)> = self
            .totals
            .iter()
            .map(|(p, t)| (p.as_str(), t.conciliatory + t.hardline))
            .filter(|(_, n)| *n > 0)
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.into_iter().map(|(p, _)| p).collect()
    }

    /// The periods in time order, each with every party that spoke in it.
    pub fn periods(&self) -> Vec<Period> {
        self.periods
            .iter()
            .map(|(label, (articles, parties))| Period {
                period: label.clone(),
                articles: *articles,
                parties: parties
                    .iter()
                    .map(|(name, t)| PartyPeriod {
                        party: name.clone(),
                        conciliatory: t.conciliatory,
                        hardline: t.hardline,
                        neutral: t.neutral,
                        posture: posture(t.conciliatory_weight, t.hardline_weight),
                    })
                    .collect(),
            })
            .collect()
    }

    /// Posture of `party` in each period (`None` where it took no stance).
    pub fn series(&self, party: &str) -> Vec<Option<f32>> {
        self.periods
            .values()
            .map(|(_, parties)| {
                parties
                    .get(party)
                    .and_then(|t| posture(t.conciliatory_weight, t.hardline_weight))
            })
            .collect()
    }

    /// Overall posture of `party` across all periods.
    pub fn overall(&self, party: &str) -> Option<f32> {
        let t = self.totals.get(party)?;
        posture(t.conciliatory_weight, t.hardline_weight)
    }

    /// The period labels in time order.
    pub fn labels(&self) -> Vec<&str> {
        self.periods.keys().map(String::as_str).collect()
    }

    /// The period length.
    pub fn bucket(&self) -> Bucket {
        self.bucket
    }

    /// A compact table for the terminal: a row per party, its posture per period (up to
    /// the last [`MAX_COLUMNS`] periods), overall, and a sparkline over all periods.
    ///
    /// # Errors
    /// Write errors.
    pub fn write_text(&self, out: &mut impl Write) -> io::Result<()> {
        let labels = self.labels();
        let articles: usize = self.periods.values().map(|(n, _)| n).sum();
        writeln!(
            out,
            "posture by {} (−1 hardline … +1 conciliatory): {} article{}, {} period{}{}",
            self.bucket.as_str(),
            articles,
            if articles == 1 { "" } else { "s" },
            labels.len(),
            if labels.len() == 1 { "" } else { "s" },
            match (labels.first(), labels.last()) {
                (Some(a), Some(b)) if a != b => format!(", {a} … {b}"),
                (Some(a), _) => format!(", {a}"),
                _ => String::new(),
            }
        )?;
        let parties = self.parties();
        if parties.is_empty() {
            return writeln!(out, "no party took a conciliatory or hardline stance");
        }
        let width = parties
            .iter()
            .map(|p| p.chars().count())
            .max()
            .unwrap_or(5)
            .clamp(5, 24);
        let shown = labels.len().saturating_sub(MAX_COLUMNS);
        let short = |l: &str| match self.bucket {
            Bucket::Day => l[5..].to_owned(),  // MM-DD
            Bucket::Week => l[5..].to_owned(), // Www
        };
        write!(out, "{:<width$}  {:>5}", "party", "sents")?;
        for l in &labels[shown..] {
            write!(out, "  {:>5}", short(l))?;
        }
        writeln!(out, "  {:>7}  trend", "overall")?;
        for party in parties {
            let series = self.series(party);
            let t = &self.totals[party];
            let name: String = party.chars().take(width).collect();
            write!(
                out,
                "{name:<width$}  {:>5}",
                t.conciliatory + t.hardline + t.neutral
            )?;
            for p in &series[shown..] {
                write!(out, "  {:>5}", signed(*p))?;
            }
            writeln!(
                out,
                "  {:>7}  {}",
                signed(self.overall(party)),
                sparkline(&series)
            )?;
        }
        Ok(())
    }

    /// `period,party,conciliatory,hardline,neutral,posture` with a header; posture empty
    /// where the party took no stance.
    ///
    /// # Errors
    /// Write errors.
    pub fn write_csv(&self, out: &mut impl Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "period",
            "articles",
            "party",
            "conciliatory",
            "hardline",
            "neutral",
            "posture",
        ])?;
        for period in self.periods() {
            for p in &period.parties {
                w.write_record([
                    period.period.as_str(),
                    &period.articles.to_string(),
                    &p.party,
                    &p.conciliatory.to_string(),
                    &p.hardline.to_string(),
                    &p.neutral.to_string(),
                    &p.posture.map_or(String::new(), |v| format!("{v:.4}")),
                ])?;
            }
        }
        w.flush()
    }

    /// One JSON document: `{"bucket": "day", "parties": [...], "periods": [...]}`.
    ///
    /// # Errors
    /// Write errors.
    pub fn write_json(&self, out: &mut impl Write) -> io::Result<()> {
        #[derive(Serialize)]
        struct Doc<'a> {
            bucket: &'a str,
            parties: Vec<&'a str>,
            periods: Vec<Period>,
        }
        let doc = Doc {
            bucket: self.bucket.as_str(),
            parties: self.parties(),
            periods: self.periods(),
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }

    /// One JSON object per period and party.
    ///
    /// # Errors
    /// Write errors.
    pub fn write_jsonl(&self, out: &mut impl Write) -> io::Result<()> {
        #[derive(Serialize)]
        struct Row<'a> {
            period: &'a str,
            articles: usize,
            #[serde(flatten)]
            party: &'a PartyPeriod,
        }
        for period in self.periods() {
            for p in &period.parties {
                let row = Row {
                    period: &period.period,
                    articles: period.articles,
                    party: p,
                };
                serde_json::to_writer(&mut *out, &row)?;
                writeln!(out)?;
            }
        }
        Ok(())
    }
}

/// Periods shown as numeric columns in the text table; the sparkline shows them all.
pub const MAX_COLUMNS: usize = 8;

fn signed(p: Option<f32>) -> String {
    match p {
        Some(v) => format!("{v:+.2}"),
        None => "·".into(),
    }
}

/// A Unicode sparkline of postures in [-1, 1]: `▁` hardline … `█` conciliatory, `·` where
/// the party took no stance.
pub fn sparkline(series: &[Option<f32>]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    series
        .iter()
        .map(|p| match p {
            Some(v) => BARS[(((v.clamp(-1.0, 1.0) + 1.0) / 2.0 * 7.0).round()) as usize],
            None => '·',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_real_dates() {
        assert_eq!(
            Date::parse("2024-02-29"),
            Some(Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01x",
            "2026-01-00",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_round_trip_and_iso_weeks_match_the_calendar() {
        for d in ["1970-01-01", "2000-02-29", "2026-02-04", "1969-12-31"] {
            let date = Date::parse(d).unwrap();
            assert_eq!(Date::from_days(date.days()).to_string(), d);
        }
        assert_eq!(Date::parse("1970-01-02").unwrap().days(), 1);
        // 2026-01-01 is a Thursday: week 1 of 2026; 2027-01-01 is a Friday: week 53 of 2026.
        assert_eq!(Date::parse("2026-01-01").unwrap().iso_week(), (2026, 1));
        assert_eq!(Date::parse("2026-02-04").unwrap().iso_week(), (2026, 6));
        assert_eq!(Date::parse("2027-01-01").unwrap().iso_week(), (2026, 53));
        assert_eq!(Date::parse("2024-12-30").unwrap().iso_week(), (2025, 1));
    }

    #[test]
    fn date_line_is_read_and_blanked_keeping_offsets() {
        let mut text = String::from("date: 2026-02-04\nKyiv welcomed the offer.");
        let len = text.len();
        let d = take_date_line(&mut text, Path::new("a.txt")).unwrap();
        assert_eq!(d.unwrap().to_string(), "2026-02-04");
        assert_eq!(text.len(), len);
        assert!(text.starts_with("                \nKyiv"));
        let mut bad = String::from("Date: 2026-02-31\nx");
        let err = take_date_line(&mut bad, Path::new("a.txt")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.txt:1: invalid date \"2026-02-31\" (expected YYYY-MM-DD)"
        );
        let mut none = String::from("Kyiv welcomed the offer.");
        assert_eq!(take_date_line(&mut none, Path::new("a.txt")).unwrap(), None);
    }

    #[test]
    fn file_name_prefix_gives_the_date() {
        let d = file_date(Path::new("dir/2026-02-04-geneva.txt"), DateFrom::Auto);
        assert_eq!(d.unwrap().to_string(), "2026-02-04");
        assert_eq!(file_date(Path::new("geneva.txt"), DateFrom::Auto), None);
    }

    #[test]
    fn sparkline_spans_hardline_to_conciliatory() {
        assert_eq!(sparkline(&[Some(-1.0), None, Some(0.0), Some(1.0)]), "▁·▅█");
    }
}
