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
use std::sync::Arc;

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
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    reference: bool,
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
                        reference: m.reference,
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
    model: Option<Arc<Model>>,
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
    /// A JSON Lines part is encoded here, then written at once.
    line_buf: Vec<u8>,
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
            line_buf: Vec::new(),
            analysis: Analysis {
                report: (format == Format::Html).then(|| Report::new(Bucket::Day)),
                ..Analysis::default()
            },
        }
    }

    /// Explains every stance with `model`'s weights (`--explain`; the HTML report uses
    /// them for its tooltips).
    pub fn explain(mut self, model: Arc<Model>) -> Self {
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
        let model = self.analysis.model.as_deref();
        match self.format {
            Format::Text => self.text(doc, at)?,
            Format::Jsonl if model.is_none() => {
                let mut buf = std::mem::take(&mut self.line_buf);
                buf.clear();
                json_lines(&mut buf, doc, at);
                let written = self.out.write_all(&buf);
                self.line_buf = buf;
                written?;
            }
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

/// The JSON Lines of `doc` without `--explain`: the bytes `serde_json::to_writer` gives
/// for each [`SentenceRecord`], one per line, encoded by hand into `buf` (no per-record
/// `Vec` of mentions, no write call per JSON token; see bench/RESULTS.md). The
/// `jsonl_*` tests keep the two encodings identical.
fn json_lines(buf: &mut Vec<u8>, doc: &Document, at: Part) {
    // Every line starts `{"file":<name>,"index":`: escape the name and join the pieces
    // once.
    let mut head = Vec::with_capacity(doc.file.len() + 20);
    head.extend_from_slice(b"{\"file\":");
    json_str(&mut head, doc.file);
    head.extend_from_slice(b",\"index\":");
    for (i, t) in doc.sentences.iter().enumerate() {
        let index = doc
            .line_numbers
            .and_then(|l| l.get(i).copied())
            .unwrap_or(at.index + i);
        buf.extend_from_slice(&head);
        json_uint(buf, index);
        buf.extend_from_slice(b",\"start\":");
        json_uint(buf, at.offset + t.span.start);
        buf.extend_from_slice(b",\"end\":");
        json_uint(buf, at.offset + t.span.end);
        buf.extend_from_slice(b",\"text\":");
        json_str(buf, t.span.of(doc.text));
        // The stance with the keys around it as one literal (one copy, not three).
        buf.extend_from_slice(match t.stance {
            Stance::Conciliatory => b",\"stance\":\"conciliatory\",\"confidence\":",
            Stance::Hardline => b",\"stance\":\"hardline\",\"confidence\":",
            Stance::Neutral => b",\"stance\":\"neutral\",\"confidence\":",
        });
        // The confidence is the winning score, so one of the three scores prints the
        // same bytes: copy them instead of formatting that float twice.
        let confidence = buf.len()..{
            json_f32(buf, t.confidence);
            buf.len()
        };
        let score = |buf: &mut Vec<u8>, x: f32| {
            if x.to_bits() == t.confidence.to_bits() {
                buf.extend_from_within(confidence.clone());
            } else {
                json_f32(buf, x);
            }
        };
        buf.extend_from_slice(b",\"scores\":{\"conciliatory\":");
        score(buf, t.scores[0]);
        buf.extend_from_slice(b",\"hardline\":");
        score(buf, t.scores[1]);
        buf.extend_from_slice(b",\"neutral\":");
        score(buf, t.scores[2]);
        buf.extend_from_slice(b"},\"party\":");
        json_str(buf, t.party_name());
        buf.extend_from_slice(b",\"mentions\":[");
        for (n, m) in t.mentions.iter().enumerate() {
            if n > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(b"{\"party\":");
            json_str(buf, &m.party);
            buf.extend_from_slice(b",\"text\":");
            json_str(buf, &m.text);
            buf.extend_from_slice(b",\"start\":");
            json_uint(buf, at.offset + m.start);
            buf.extend_from_slice(b",\"end\":");
            json_uint(buf, at.offset + m.end);
            if m.reference {
                buf.extend_from_slice(b",\"reference\":true");
            }
            buf.push(b'}');
        }
        buf.extend_from_slice(b"]}\n");
    }
}

/// `n` in decimal, as serde_json writes an integer (two digits per step).
fn json_uint(buf: &mut Vec<u8>, mut n: usize) {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    while n >= 100 {
        let pair = 2 * (n % 100);
        n /= 100;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[2 * n..2 * n + 2]);
    } else {
        at -= 1;
        digits[at] = b'0' + n as u8;
    }
    buf.extend_from_slice(&digits[at..]);
}

/// A float as serde_json writes it (shortest round-trip form; `null` if not finite).
fn json_f32(buf: &mut Vec<u8>, x: f32) {
    // Writing into a `Vec` cannot fail, nor can serialising an `f32`.
    let _ = serde_json::to_writer(&mut *buf, &x);
}

/// `s` as a JSON string, escaped as serde_json escapes it: `"` and `\` with a
/// backslash, the control characters below U+0020 as `\b \t \n \f \r` or `\u00xx`,
/// everything else (non-ASCII included) as is.
fn json_str(buf: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    buf.reserve(bytes.len() + 2);
    buf.push(b'"');
    // Most strings (names, most sentences) need no escape: one search, one copy.
    let mut run = 0; // start of the bytes not yet copied
    while let Some(i) = find_escape(bytes, run) {
        buf.extend_from_slice(&bytes[run..i]);
        run = i + 1;
        let b = bytes[i];
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            0x09 => b't',
            0x0a => b'n',
            0x0c => b'f',
            0x0d => b'r',
            _ => 0,
        };
        if short != 0 {
            buf.extend_from_slice(&[b'\\', short]);
        } else {
            let hex = [HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]];
            buf.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex[0], hex[1]]);
        }
    }
    buf.extend_from_slice(&bytes[run..]);
    buf.push(b'"');
}

/// The index of the first byte at or after `from` that JSON must escape, eight bytes at
/// a time. The last 1–7 bytes are tested as one word padded with spaces (which need no
/// escape), so a short name costs one test rather than a loop per byte.
#[inline]
fn find_escape(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let mut words = rest.chunks_exact(8);
    let mut at = from;
    for word in words.by_ref() {
        let flags = needs_escape(u64::from_le_bytes(word.try_into().unwrap_or_default()));
        if flags != 0 {
            // The lowest flag is exact: that byte is the one.
            return Some(at + (flags.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let tail = words.remainder();
    if tail.is_empty() {
        return None;
    }
    let mut padded = [b' '; 8];
    padded[..tail.len()].copy_from_slice(tail);
    let flags = needs_escape(u64::from_le_bytes(padded));
    (flags != 0).then(|| at + (flags.trailing_zeros() / 8) as usize)
}

/// Flags the bytes of `word` that are below 0x20, `"` or `\` (high bit of the byte; the
/// "has a byte less than n" and "has a zero byte" tests, n ≤ 128): zero when none is,
/// and the lowest flag is always a byte that is (a borrow only flags bytes above it).
#[inline]
fn needs_escape(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    control
        | zero_byte(word ^ (ONES * u64::from(b'"')))
        | zero_byte(word ^ (ONES * u64::from(b'\\')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::party::Mention;
    use crate::segment::Span;
    use proptest::prelude::*;

    /// The JSON Lines `serde_json` writes for `doc`: the reference for the hand encoder.
    fn serde_lines(doc: &Document, at: Part) -> Vec<u8> {
        let mut out = Vec::new();
        for r in doc.records(true, at) {
            serde_json::to_writer(&mut out, &r).unwrap();
            out.push(b'\n');
        }
        out
    }

    fn tagged(text: &str, party: Option<String>, mentions: Vec<Mention>, x: f32) -> Tagged {
        Tagged {
            span: Span {
                start: 0,
                end: text.len(),
            },
            stance: Stance::Hardline,
            confidence: x,
            scores: [x, 1.0 - x, x / 3.0],
            party: party.map(Into::into),
            mentions,
            party_reason: Default::default(),
        }
    }

    #[test]
    fn json_strings_are_escaped_as_serde_json_escapes_them() {
        let all_ascii: String = (0u8..0x80).map(char::from).collect();
        for s in [
            "",
            "plain",
            all_ascii.as_str(),
            "“quoted” \"straight\" back\\slash\ttab\r\n\u{7f}\u{1f}é漢🙂",
        ] {
            let mut buf = Vec::new();
            json_str(&mut buf, s);
            assert_eq!(
                String::from_utf8(buf).unwrap(),
                serde_json::to_string(s).unwrap()
            );
        }
    }

    #[test]
    fn escapes_in_every_position_of_the_word_and_the_padded_tail_are_found() {
        // `find_escape` reads whole words, then the last 1–7 bytes padded: put each
        // escaped byte at each position of strings of 0–17 bytes.
        for len in 0..18 {
            for at in 0..len {
                for b in ['"', '\\', '\n', '\u{1}', '\u{1f}'] {
                    let s: String = (0..len).map(|i| if i == at { b } else { 'a' }).collect();
                    let mut buf = Vec::new();
                    json_str(&mut buf, &s);
                    assert_eq!(
                        String::from_utf8(buf).unwrap(),
                        serde_json::to_string(&s).unwrap()
                    );
                }
            }
        }
    }

    #[test]
    fn jsonl_of_a_tagged_article_matches_serde_json() {
        let text = "Peskov said \"no\".\nKyiv\\Moscow\ttalks";
        let mut tagger = crate::tag::Tagger::builtin().unwrap();
        let sentences = tagger.tag(text);
        assert!(sentences.iter().any(|t| !t.mentions.is_empty()));
        let doc = Document {
            file: "dir/“a\"rticle”.txt",
            text,
            sentences: &sentences,
            line_numbers: None,
        };
        let at = Part {
            offset: 12_345,
            index: 7,
        };
        let mut fast = Vec::new();
        json_lines(&mut fast, &doc, at);
        assert_eq!(
            String::from_utf8(fast).unwrap(),
            String::from_utf8(serde_lines(&doc, at)).unwrap()
        );
    }

    proptest! {
        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(s in any::<String>()) {
            let mut buf = Vec::new();
            json_str(&mut buf, &s);
            prop_assert_eq!(String::from_utf8(buf).unwrap(), serde_json::to_string(&s).unwrap());
        }

        #[test]
        fn any_record_is_encoded_as_serde_json_encodes_it(
            file in any::<String>(),
            text in any::<String>(),
            party in proptest::option::of(any::<String>()),
            alias in any::<String>(),
            x in any::<f32>(),
            offset in any::<u32>(),
            index in any::<u32>(),
            numbered in any::<bool>(),
            n_mentions in 0usize..3,
            reference in any::<bool>(),
            stance in 0usize..3,
        ) {
            let mentions = (0..n_mentions)
                .map(|i| Mention {
                    party: format!("{}{i}", party.clone().unwrap_or_default()).into(),
                    text: alias.as_str().into(),
                    start: i,
                    end: i + alias.len(),
                    kind: crate::party::PartyKind::Other,
                    reference: reference && i == 1,
                })
                .collect();
            let mut sentences = [tagged(&text, party, mentions, x), tagged(&text, None, Vec::new(), 0.5)];
            // Each stance has its own literal in the encoder.
            sentences[0].stance = Stance::ALL[stance];
            let numbers = [usize::MAX, 3];
            let doc = Document {
                file: &file,
                text: &text,
                sentences: &sentences,
                line_numbers: numbered.then_some(&numbers[..]),
            };
            let at = Part { offset: offset as usize, index: index as usize };
            let mut fast = Vec::new();
            json_lines(&mut fast, &doc, at);
            prop_assert_eq!(
                String::from_utf8(fast).unwrap(),
                String::from_utf8(serde_lines(&doc, at)).unwrap()
            );
        }
    }
}
