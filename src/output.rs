//! Writing tagged sentences: aligned text for people, JSON Lines / JSON for programs,
//! CSV to correct and feed back to `detente-train`.
//!
//! Colour is used only when asked for or when stdout is a terminal and `NO_COLOR` is
//! unset (<https://no-color.org>).

use crate::stance::Stance;
use crate::tag::Tagged;
use serde::Serialize;
use std::io::{self, Write};

/// Output formats of `detente-tag`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns: index, stance, confidence, party, sentence.
    Text,
    /// One JSON object per sentence.
    Jsonl,
    /// One JSON document per input file, with a `sentences` array.
    Json,
    /// `text,stance,party,confidence` with a header: correct it and train on it.
    Csv,
}

/// When to colour text output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Resolves `auto` against the terminal and the environment.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// One input's tagged sentences, ready to print.
pub struct Document<'a> {
    /// File name as given (`-` for stdin).
    pub file: &'a str,
    pub text: &'a str,
    pub sentences: &'a [Tagged],
    /// With `--lines`: the line number of each sentence, used as its index.
    pub line_numbers: Option<&'a [usize]>,
}

#[derive(Serialize)]
struct Scores {
    conciliatory: f32,
    hardline: f32,
    neutral: f32,
}

#[derive(Serialize)]
struct SentenceRecord<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    index: usize,
    start: usize,
    end: usize,
    text: &'a str,
    stance: Stance,
    confidence: f32,
    scores: Scores,
    party: &'a str,
    mentions: &'a [crate::party::Mention],
}

impl Document<'_> {
    fn records(&self, with_file: bool) -> impl Iterator<Item = SentenceRecord<'_>> {
        self.sentences
            .iter()
            .enumerate()
            .map(move |(i, t)| SentenceRecord {
                file: with_file.then_some(self.file),
                index: self.line_numbers.map_or(i, |l| l[i]),
                start: t.span.start,
                end: t.span.end,
                text: t.span.of(self.text),
                stance: t.stance,
                confidence: t.confidence,
                scores: Scores {
                    conciliatory: t.scores[0],
                    hardline: t.scores[1],
                    neutral: t.scores[2],
                },
                party: t.party_name(),
                mentions: &t.mentions,
            })
    }
}

/// Writes documents in one format; keeps the state a format needs across files (the CSV
/// header is written once).
pub struct Writer<W: Write> {
    out: W,
    format: Format,
    color: bool,
    wrote_header: bool,
    documents: usize,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W, format: Format, color: bool) -> Self {
        Writer {
            out,
            format,
            color,
            wrote_header: false,
            documents: 0,
        }
    }

    /// Writes one document and flushes, so a consumer sees each article as it is done.
    ///
    /// # Errors
    /// Any write error (a closed pipe included; callers treat that as a normal end).
    pub fn write(&mut self, doc: &Document) -> io::Result<()> {
        match self.format {
            Format::Text => self.text(doc)?,
            Format::Jsonl => {
                for r in doc.records(true) {
                    serde_json::to_writer(&mut self.out, &r)?;
                    self.out.write_all(b"\n")?;
                }
            }
            Format::Json => {
                #[derive(Serialize)]
                struct Doc<'a> {
                    file: &'a str,
                    sentences: Vec<SentenceRecord<'a>>,
                }
                let d = Doc {
                    file: doc.file,
                    sentences: doc.records(false).collect(),
                };
                serde_json::to_writer_pretty(&mut self.out, &d)?;
                self.out.write_all(b"\n")?;
            }
            Format::Csv => {
                let mut w = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(&mut self.out);
                if !self.wrote_header {
                    w.write_record(["text", "stance", "party", "confidence"])?;
                    self.wrote_header = true;
                }
                for r in doc.records(false) {
                    w.write_record([
                        r.text,
                        r.stance.as_str(),
                        r.party,
                        &format!("{:.4}", r.confidence),
                    ])?;
                }
                w.flush()?;
            }
        }
        self.documents += 1;
        self.out.flush()
    }

    fn text(&mut self, doc: &Document) -> io::Result<()> {
        if self.documents > 0 {
            writeln!(self.out)?;
        }
        let bold = if self.color { "\x1b[1m" } else { "" };
        let reset = if self.color { "\x1b[0m" } else { "" };
        writeln!(self.out, "{bold}{}{reset}", doc.file)?;
        let party_width = doc
            .sentences
            .iter()
            .map(|t| t.party_name().chars().count())
            .max()
            .unwrap_or(4)
            .clamp(4, 24);
        for r in doc.records(false) {
            let (on, off) = match (self.color, r.stance) {
                (false, _) => ("", ""),
                (true, Stance::Conciliatory) => ("\x1b[32m", reset),
                (true, Stance::Hardline) => ("\x1b[31m", reset),
                (true, Stance::Neutral) => ("\x1b[2m", reset),
            };
            let flat: String = r.text.split_whitespace().collect::<Vec<_>>().join(" ");
            writeln!(
                self.out,
                "{:>4}  {on}{:<12}{off} {:.2}  {:<party_width$}  {}",
                r.index,
                r.stance.as_str(),
                r.confidence,
                r.party,
                flat
            )?;
        }
        Ok(())
    }
}
