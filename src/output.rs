//! Writing tagged sentences: aligned text for people, JSON Lines / JSON for programs,
//! CSV to correct and feed back to `detente-train`.
//!
//! Colour is used only when asked for or when stdout is a terminal and `NO_COLOR` is
//! unset (<https://no-color.org>).

use crate::explain::{explain, Evidence, PartyEvidence};
use crate::model::Model;
use crate::report::{Item, Report};
use crate::stance::Stance;
use crate::summary::Summary;
use crate::tag::Tagged;
use crate::timeline::{Bucket, Date, Timeline};
use crate::uncertain::{Candidate, Uncertain};
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
    /// One self-contained HTML report for all inputs (written when they are all read).
    Html,
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
    mentions: Vec<MentionRecord<'a>>,
    /// With `--explain`: the stance the contributions are measured against.
    #[serde(skip_serializing_if = "Option::is_none")]
    versus: Option<Stance>,
    /// With `--explain`: every in-vocabulary feature, most toward the stance first.
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<Vec<Evidence>>,
    /// With `--explain`: how the party was chosen.
    #[serde(skip_serializing_if = "Option::is_none")]
    party_evidence: Option<PartyEvidence>,
}

/// A [`crate::party::Mention`] with file offsets (same fields, same order).
#[derive(Serialize)]
struct MentionRecord<'a> {
    party: &'a str,
    text: &'a str,
    start: usize,
    end: usize,
}

impl Document<'_> {
    /// Records with offsets shifted by `at.offset` and indices counted from `at.index`
    /// (a part of a document read in chunks).
    fn records(&self, with_file: bool, at: Part) -> impl Iterator<Item = SentenceRecord<'_>> {
        self.sentences
            .iter()
            .enumerate()
            .map(move |(i, t)| SentenceRecord {
                file: with_file.then_some(self.file),
                index: self
                    .line_numbers
                    .and_then(|l| l.get(i).copied())
                    .unwrap_or(at.index + i),
                start: at.offset + t.span.start,
                end: at.offset + t.span.end,
                text: t.span.of(self.text),
                stance: t.stance,
                confidence: t.confidence,
                scores: Scores {
                    conciliatory: t.scores[0],
                    hardline: t.scores[1],
                    neutral: t.scores[2],
                },
                party: t.party_name(),
                mentions: t
                    .mentions
                    .iter()
                    .map(|m| MentionRecord {
                        party: &m.party,
                        text: &m.text,
                        start: at.offset + m.start,
                        end: at.offset + m.end,
                    })
                    .collect(),
                versus: None,
                evidence: None,
                party_evidence: None,
            })
    }

    /// [`Document::records`] with `--explain` evidence when `model` is given.
    fn explained_records<'m>(
        &'m self,
        with_file: bool,
        at: Part,
        model: Option<&'m Model>,
    ) -> impl Iterator<Item = SentenceRecord<'m>> {
        self.records(with_file, at)
            .zip(self.sentences)
            .map(move |(mut r, t)| {
                if let Some(model) = model {
                    if let Some(e) = explain(model, self.text, t) {
                        r.versus = Some(e.versus);
                        r.evidence = Some(e.evidence);
                    }
                    let mut party = PartyEvidence::of(t);
                    if let PartyEvidence::Mention { start, end, .. } = &mut party {
                        *start += at.offset;
                        *end += at.offset;
                    }
                    r.party_evidence = Some(party);
                }
                r
            })
    }
}

/// What the writer prints besides (or instead of) the tagged sentences.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    /// The tagged sentences in the chosen format (with a summary if asked).
    #[default]
    Sentences,
    /// Only each article's per-party summary.
    SummaryOnly,
    /// Only the posture timeline over all inputs, when they are all read.
    Timeline(Bucket),
    /// Only the `n` least confident sentences over all inputs, as CSV.
    Uncertain(usize),
}

/// Analyst options of a [`Writer`]: explanations, summaries, the timeline, the report.
#[derive(Default)]
struct Analysis {
    view: View,
    /// `--explain`: the model whose weights explain each stance (also feeds the HTML
    /// report's tooltips).
    model: Option<Model>,
    summary: bool,
    /// The current article: name, date, summary so far.
    file: String,
    date: Option<Date>,
    article: Summary,
    timeline: Option<Timeline>,
    uncertain: Option<Uncertain>,
    report: Option<Report>,
}

/// Where a part of a document starts: the byte offset of its text in the file and the
/// index of its first sentence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Part {
    pub offset: usize,
    pub index: usize,
}

/// Writes documents in one format; keeps the state a format needs across files (the CSV
/// header is written once) and across the parts of a document read in chunks.
pub struct Writer<W: Write> {
    out: W,
    format: Format,
    color: bool,
    wrote_header: bool,
    documents: usize,
    /// Records written in the current JSON document (for its commas).
    json_records: usize,
    analysis: Analysis,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W, format: Format, color: bool) -> Self {
        Writer {
            out,
            format,
            color,
            wrote_header: false,
            documents: 0,
            json_records: 0,
            analysis: Analysis {
                report: (format == Format::Html).then(|| Report::new(Bucket::Day)),
                ..Analysis::default()
            },
        }
    }

    /// Explains every stance with `model`'s weights (`--explain`; the HTML report uses
    /// them for its tooltips).
    pub fn explain(mut self, model: Model) -> Self {
        self.analysis.model = Some(model);
        self
    }

    /// Adds each article's per-party summary: after the article in `text`, as a
    /// `summary` object in `json` (`--summary`).
    pub fn summary(mut self, on: bool) -> Self {
        self.analysis.summary = on;
        self
    }

    /// Prints `view` instead of the tagged sentences; the timeline and uncertain views
    /// print when [`Writer::finish`] is called.
    pub fn view(mut self, view: View) -> Self {
        self.analysis.view = view;
        match view {
            View::Timeline(bucket) => {
                self.analysis.timeline = Some(Timeline::new(bucket));
                if let Some(r) = &mut self.analysis.report {
                    *r = Report::new(bucket);
                }
            }
            View::Uncertain(n) => self.analysis.uncertain = Some(Uncertain::new(n)),
            View::Sentences | View::SummaryOnly => {}
        }
        self
    }

    /// Dates the current article (for the timeline and the report); call between
    /// [`Writer::begin`] and [`Writer::end`], before the first part it should apply to.
    pub fn date(&mut self, date: Option<Date>) {
        self.analysis.date = date;
    }

    /// True when what a document writes depends on nothing outside it (JSON Lines of
    /// the sentences): `--jobs` workers may then encode files themselves.
    pub fn is_per_document(&self) -> bool {
        self.format == Format::Jsonl && self.analysis.view == View::Sentences
    }

    /// The output written so far (a worker's buffer, see [`Writer::is_per_document`]).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// True when the tagged sentences are not printed as they come.
    fn collecting(&self) -> bool {
        self.format == Format::Html || self.analysis.view != View::Sentences
    }

    /// Writes what waits for all inputs: the timeline, the uncertain sentences, the HTML
    /// report. Call once, after the last document.
    ///
    /// # Errors
    /// Any write error.
    pub fn finish(&mut self) -> io::Result<()> {
        if let Some(t) = &self.analysis.timeline {
            match self.format {
                Format::Text => t.write_text(&mut self.out)?,
                Format::Csv => t.write_csv(&mut self.out)?,
                Format::Json => t.write_json(&mut self.out)?,
                Format::Jsonl => t.write_jsonl(&mut self.out)?,
                Format::Html => {}
            }
        }
        if let Some(u) = &self.analysis.uncertain {
            u.write_csv(&mut self.out)?;
        } else if let Some(r) = &mut self.analysis.report {
            r.write(&mut self.out)?;
        }
        self.out.flush()
    }

    /// Per-part bookkeeping of the analyst views.
    fn analyse(&mut self, doc: &Document, at: Part) {
        let a = &mut self.analysis;
        let index = |i: usize| {
            doc.line_numbers
                .and_then(|l| l.get(i).copied())
                .unwrap_or(at.index + i)
        };
        // The per-article summary feeds `--summary`, `--summary-only` and `--timeline`.
        if a.summary || a.view == View::SummaryOnly || a.timeline.is_some() {
            a.article.add(doc.text, doc.sentences, index);
        }
        if let Some(u) = &mut a.uncertain {
            for t in doc.sentences {
                u.offer(Candidate {
                    text: t
                        .span
                        .of(doc.text)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" "),
                    stance: t.stance,
                    party: t.party_name().to_owned(),
                    source: doc.file.to_owned(),
                    confidence: t.confidence,
                });
            }
        }
        if let Some(r) = &mut a.report {
            let explanations: Vec<_> = doc
                .sentences
                .iter()
                .map(|t| a.model.as_ref().and_then(|m| explain(m, doc.text, t)))
                .collect();
            let items: Vec<Item> = doc
                .sentences
                .iter()
                .zip(&explanations)
                .enumerate()
                .map(|(i, (t, e))| Item {
                    tagged: t,
                    index: index(i),
                    explanation: e.as_ref(),
                })
                .collect();
            r.add(doc.file, a.date, doc.text, &items);
        }
    }

    /// End-of-article output of the analyst views.
    fn end_analysis(&mut self) -> io::Result<()> {
        let a = &mut self.analysis;
        let summary = std::mem::take(&mut a.article);
        if let (Some(t), Some(d)) = (&mut a.timeline, a.date) {
            t.add(d, &summary);
        }
        match (a.view, self.format) {
            (View::SummaryOnly, Format::Text) => {
                if self.documents > 0 {
                    writeln!(self.out)?;
                }
                writeln!(self.out, "{}", a.file)?;
                summary.write_text(&mut self.out)?;
            }
            (View::SummaryOnly, Format::Json | Format::Jsonl) => {
                #[derive(Serialize)]
                struct Doc<'a> {
                    file: &'a str,
                    summary: &'a Summary,
                }
                let doc = Doc {
                    file: &a.file,
                    summary: &summary,
                };
                if self.format == Format::Json {
                    serde_json::to_writer_pretty(&mut self.out, &doc)?;
                } else {
                    serde_json::to_writer(&mut self.out, &doc)?;
                }
                writeln!(self.out)?;
            }
            (View::SummaryOnly, Format::Csv) => {
                let mut w = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(&mut self.out);
                if !self.wrote_header {
                    w.write_record(crate::summary::CSV_HEADER)?;
                    self.wrote_header = true;
                }
                summary.write_csv(&a.file, &mut w)?;
                w.flush()?;
            }
            (View::Sentences, Format::Text) if a.summary => {
                writeln!(self.out, "summary of {}", a.file)?;
                summary.write_text(&mut self.out)?;
            }
            (View::Sentences, Format::Json) if a.summary => {
                self.out.write_all(b",\n  \"summary\": ")?;
                let pretty = serde_json::to_string_pretty(&summary)?;
                self.out
                    .write_all(pretty.replace('\n', "\n  ").as_bytes())?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Starts a document that is written in parts ([`Writer::part`]) and ended with
    /// [`Writer::end`], so an article read in chunks is never held whole.
    ///
    /// # Errors
    /// Any write error.
    pub fn begin(&mut self, file: &str) -> io::Result<()> {
        file.clone_into(&mut self.analysis.file);
        self.analysis.date = None;
        if self.collecting() {
            return Ok(());
        }
        match self.format {
            Format::Text => {
                if self.documents > 0 {
                    writeln!(self.out)?;
                }
                let bold = if self.color { "\x1b[1m" } else { "" };
                let reset = if self.color { "\x1b[0m" } else { "" };
                writeln!(self.out, "{bold}{file}{reset}")?;
            }
            Format::Json => {
                // The layout of `serde_json::to_writer_pretty` for `{file, sentences}`.
                self.out.write_all(b"{\n  \"file\": ")?;
                serde_json::to_writer(&mut self.out, file)?;
                self.out.write_all(b",\n  \"sentences\": [")?;
                self.json_records = 0;
            }
            Format::Jsonl | Format::Csv | Format::Html => {}
        }
        Ok(())
    }

    /// Writes the sentences of one part of the document begun last, and flushes, so a
    /// consumer sees results as they come. `doc.file` must be the name given to `begin`.
    ///
    /// # Errors
    /// Any write error (a closed pipe included; callers treat that as a normal end).
    pub fn part(&mut self, doc: &Document, at: Part) -> io::Result<()> {
        self.analyse(doc, at);
        if self.collecting() {
            return Ok(());
        }
        let model = self.analysis.model.as_ref();
        match self.format {
            Format::Text => self.text(doc, at)?,
            Format::Jsonl => {
                for r in doc.explained_records(true, at, model) {
                    serde_json::to_writer(&mut self.out, &r)?;
                    self.out.write_all(b"\n")?;
                }
            }
            Format::Json => {
                for r in doc.explained_records(false, at, model) {
                    let sep: &[u8] = if self.json_records == 0 {
                        b"\n"
                    } else {
                        b",\n"
                    };
                    self.out.write_all(sep)?;
                    let pretty = serde_json::to_string_pretty(&r)?;
                    for (n, line) in pretty.lines().enumerate() {
                        if n > 0 {
                            self.out.write_all(b"\n")?;
                        }
                        self.out.write_all(b"    ")?;
                        self.out.write_all(line.as_bytes())?;
                    }
                    self.json_records += 1;
                }
            }
            Format::Csv => {
                let mut w = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(&mut self.out);
                if !self.wrote_header {
                    w.write_record(["text", "stance", "party", "confidence"])?;
                    self.wrote_header = true;
                }
                for r in doc.records(false, at) {
                    w.write_record([
                        r.text,
                        r.stance.as_str(),
                        r.party,
                        &format!("{:.4}", r.confidence),
                    ])?;
                }
                w.flush()?;
            }
            Format::Html => {}
        }
        self.out.flush()
    }

    /// Ends the document begun last.
    ///
    /// # Errors
    /// Any write error.
    pub fn end(&mut self) -> io::Result<()> {
        let collecting = self.collecting();
        if self.format == Format::Json && !collecting {
            let close: &[u8] = if self.json_records == 0 {
                b"]"
            } else {
                b"\n  ]"
            };
            self.out.write_all(close)?;
        }
        self.end_analysis()?;
        if self.format == Format::Json && !collecting {
            self.out.write_all(b"\n}\n")?;
        }
        self.documents += 1;
        self.out.flush()
    }

    /// Writes one document and flushes, so a consumer sees each article as it is done.
    ///
    /// # Errors
    /// Any write error (a closed pipe included; callers treat that as a normal end).
    pub fn write(&mut self, doc: &Document) -> io::Result<()> {
        self.begin(doc.file)?;
        self.part(doc, Part::default())?;
        self.end()
    }

    fn text(&mut self, doc: &Document, at: Part) -> io::Result<()> {
        let reset = if self.color { "\x1b[0m" } else { "" };
        let party_width = doc
            .sentences
            .iter()
            .map(|t| t.party_name().chars().count())
            .max()
            .unwrap_or(4)
            .clamp(4, 24);
        for (r, t) in doc.records(false, at).zip(doc.sentences) {
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
            if let Some(model) = &self.analysis.model {
                crate::explain::write_text(&mut self.out, model, doc.text, t)?;
            }
        }
        Ok(())
    }
}
