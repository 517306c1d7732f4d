//! `detente-tag`: tag every sentence of news articles with a stance and a party.

use anyhow::Result;
use clap::Parser;
use detente::batch::{self, Recording, Sink};
use detente::input::ArticleReader;
use detente::output::{ColorChoice, Document, Format, Part, View, Writer};
use detente::party::PartyTable;
use detente::segment;
use detente::timeline::{self, Bucket, DateFrom};
use detente::{Error, Model, Tagger};
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Tag each sentence of negotiation news with a stance and the party that holds it.
///
/// Every sentence gets a stance — conciliatory (offers, concessions, welcoming talks),
/// hardline (refusals, threats, accusations, escalation) or neutral (facts, schedules) —
/// with its probability, and the party whose stance it is (Russia, Ukraine, Hamas, a
/// union, … or none), found from names in the sentence or nouns standing for a party the
/// article named ("the union", "the rebels"), carried over from the previous sentence for
/// "He added …", or guessed by the model.
///
/// Examples:
///   detente-tag examples/peace-talks-geneva.txt
///   detente-tag --format jsonl articles/*.txt > tagged.jsonl
///   curl -s URL | html2text | detente-tag -
///   detente-tag --format csv story.txt > to-correct.csv   # fix labels, then detente-train
///
/// Exit status: 0 on success, 1 when an input, model or party file cannot be used,
/// 2 on a usage error.
#[derive(Parser, Debug)]
#[command(name = "detente-tag", version, verbatim_doc_comment)]
struct Args {
    /// Article files (UTF-8 text), or directories of *.txt files. `-` or nothing reads
    /// standard input.
    files: Vec<PathBuf>,

    /// Model file written by detente-train (default: the model built into this binary).
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,

    /// Extra party lexicon (same JSON format as models/parties.json), laid over the
    /// built-in one: new parties are added, aliases listed here win.
    #[arg(long, value_name = "PATH")]
    parties: Option<PathBuf>,

    /// Treat every non-empty input line as one sentence (no segmentation); the lines of
    /// a file still form one article, so party carry-over works. `index` is the 0-based
    /// line number.
    #[arg(long)]
    lines: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Colour the text format.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    color: ColorChoice,

    /// Replace invalid UTF-8 with U+FFFD instead of refusing the file.
    #[arg(long)]
    lossy: bool,

    /// Explain each stance: the features that pushed hardest toward it and against it
    /// (exact contributions of the linear model, against the runner-up stance), and how
    /// the party was chosen. json/jsonl get `versus`, `evidence`, `party_evidence`.
    #[arg(long, help_heading = "Analysis")]
    explain: bool,

    /// After each article, each party's counts, posture (−1 hardline … +1
    /// conciliatory) and most confident sentences; json gets a `summary` object.
    #[arg(long, help_heading = "Analysis")]
    summary: bool,

    /// Print only each article's per-party summary (text, json, jsonl or csv).
    #[arg(long, help_heading = "Analysis", conflicts_with_all = ["timeline", "uncertain"])]
    summary_only: bool,

    /// Print only each party's posture per period over all inputs: a table with a
    /// sparkline (text), csv, json or jsonl. Every input needs a date (see --date-from).
    #[arg(long, help_heading = "Analysis", conflicts_with = "uncertain")]
    timeline: bool,

    /// Period of --timeline and of the HTML report's timeline chart.
    #[arg(long, help_heading = "Analysis", value_enum, default_value_t = Bucket::Day, value_name = "PERIOD")]
    period: Bucket,

    /// Where article dates come from: `auto` reads a `date: YYYY-MM-DD` first line (not
    /// tagged), else a YYYY-MM-DD file-name prefix; `mtime` uses the modification time
    /// when there is no `date:` line.
    #[arg(long, help_heading = "Analysis", value_enum, default_value_t = DateFrom::Auto, value_name = "SOURCE")]
    date_from: DateFrom,

    /// Print only the N least confident sentences over all inputs, as CSV
    /// (text,stance,party,source,confidence): correct the labels and add the file to the
    /// training data.
    #[arg(long, help_heading = "Analysis", value_name = "N")]
    uncertain: Option<usize>,

    /// Tag this many files at once, on as many threads; the output is the same, in the
    /// same order, as with one. Each file is then read whole before it is written.
    #[arg(long, value_name = "N", default_value = "1")]
    jobs: std::num::NonZeroUsize,
}

fn main() -> ExitCode {
    let args = Args::parse(); // clap prints usage and exits 2 on bad flags
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS, // `| head` is not an error
        Err(err) => {
            eprintln!("detente-tag: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn run(args: &Args) -> Result<()> {
    let model = match &args.model {
        Some(path) => Model::from_path(path)?,
        None => Model::builtin()?,
    };
    let mut parties = PartyTable::builtin()?;
    if let Some(path) = &args.parties {
        parties = parties.merged(&PartyTable::from_path(path)?)?;
    }
    let mut tagger = Tagger::new(model, parties)?;
    let stdout = io::stdout();
    let color = args.color.enabled(stdout.is_terminal());
    // Stdout is line-buffered; a block buffer saves a write per sentence. The writer
    // flushes after each article (chunk), so consumers still see results as they come.
    let mut writer = configure(
        Writer::new(
            io::BufWriter::with_capacity(64 * 1024, stdout.lock()),
            args.format,
            color,
        ),
        args,
        &tagger,
    );

    let inputs = expand_inputs(&args.files)?;
    let jobs = args.jobs.get().min(inputs.len());
    if jobs > 1 {
        let mut workers = Vec::with_capacity(jobs);
        for _ in 1..jobs {
            let encoder = configure(Writer::new(Vec::new(), args.format, false), args, &tagger);
            workers.push((tagger.fork(), encoder));
        }
        let encoder = configure(Writer::new(Vec::new(), args.format, false), args, &tagger);
        workers.push((tagger, encoder));
        // Self-contained output is encoded by the workers, so the writing thread only
        // copies bytes; anything else is recorded and replayed into the one writer.
        let encode = writer.is_per_document();
        batch::ordered(
            &inputs,
            workers,
            |(tagger, encoder), input| {
                if encode {
                    let result = tag_input(tagger, input, args, encoder);
                    (Tagged::Encoded(std::mem::take(encoder.get_mut())), result)
                } else {
                    let mut recording = Recording::default();
                    let result = tag_input(tagger, input, args, &mut recording);
                    (Tagged::Recorded(recording), result)
                }
            },
            |(tagged, result), input| -> Result<()> {
                match tagged {
                    Tagged::Encoded(bytes) => {
                        writer.get_mut().write_all(&bytes)?;
                        writer.get_mut().flush()?;
                    }
                    Tagged::Recorded(recording) => recording.replay(&mut writer)?,
                }
                warn_if_empty(input, result?);
                Ok(())
            },
        )?;
    } else {
        for input in &inputs {
            let n = tag_input(&mut tagger, input, args, &mut writer)?;
            warn_if_empty(input, n);
        }
        // The process ends here: the OS takes back the model and the lexicon at once,
        // where freeing their ~20,000 allocations one by one cost 6.7 M instructions
        // (1.2% of tagging 1.5 MB; more of a short article's run).
        std::mem::forget(tagger);
    }
    writer.finish()?;
    io::stdout().flush()?;
    Ok(())
}

/// A file's output as a `--jobs` worker hands it over.
enum Tagged {
    /// Bytes ready to write.
    Encoded(Vec<u8>),
    /// Writer calls to replay.
    Recorded(Recording),
}

/// Applies the output options of `args` to a writer.
fn configure<W: Write>(writer: Writer<W>, args: &Args, tagger: &Tagger) -> Writer<W> {
    let writer = writer.summary(args.summary).view(if args.summary_only {
        View::SummaryOnly
    } else if args.timeline {
        View::Timeline(args.period)
    } else if let Some(n) = args.uncertain {
        View::Uncertain(n)
    } else if args.format == Format::Html {
        View::Timeline(args.period) // the report charts dated inputs over time
    } else {
        View::Sentences
    });
    if args.explain || args.format == Format::Html {
        writer.explain(tagger.shared_model())
    } else {
        writer
    }
}

/// Tags one input file into `sink`; the number of sentences.
fn tag_input(
    tagger: &mut Tagger,
    input: &Path,
    args: &Args,
    sink: &mut impl Sink,
) -> Result<usize> {
    let name = input.display().to_string();
    let mut reader = ArticleReader::open(input, args.lossy)?;
    let dates = Dates {
        path: input,
        from: args.date_from,
        required: args.timeline,
    };
    tag_article(tagger, &mut reader, sink, &name, args.lines, &dates)
}

fn warn_if_empty(input: &Path, sentences: usize) {
    if sentences == 0 {
        let name = input.display();
        eprintln!("detente-tag: warning: {name}: no text to tag (empty or whitespace only)");
    }
}

/// How to date an article.
struct Dates<'a> {
    path: &'a Path,
    from: DateFrom,
    /// An undated article is an error (`--timeline`).
    required: bool,
}

/// Files as given; directories become their `*.txt` files, sorted; nothing means stdin.
fn expand_inputs(files: &[PathBuf]) -> Result<Vec<PathBuf>> {
    if files.is_empty() {
        return Ok(vec![PathBuf::from("-")]);
    }
    let mut out = Vec::new();
    for f in files {
        if f.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(f)
                .map_err(|e| Error::Read {
                    path: f.clone(),
                    source: e,
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "txt"))
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(f.clone());
        }
    }
    Ok(out)
}

/// Tags one article chunk by chunk (memory stays bounded on huge inputs, see
/// `detente::input`), carrying the party over chunk boundaries as `Tagger::tag_spans`
/// does within one. Returns the number of sentences written.
fn tag_article<R: Read>(
    tagger: &mut Tagger,
    reader: &mut ArticleReader<R>,
    writer: &mut impl Sink,
    name: &str,
    lines: bool,
    dates: &Dates,
) -> Result<usize> {
    writer.begin(name)?;
    let mut at = Part::default();
    let mut carry = detente::tag::Carry::default();
    let mut date = timeline::file_date(dates.path, dates.from);
    writer.date(date);
    let mut first = true;
    let mut masked = String::new();
    while let Some(chunk) = reader.next_chunk()? {
        let mut text = chunk.text;
        if std::mem::take(&mut first) {
            // A `date:` first line dates the article and is blanked, not tagged.
            if let Some((d, range)) = timeline::date_line(text, dates.path)? {
                masked.push_str(text);
                masked.replace_range(range.clone(), &" ".repeat(range.len()));
                text = &masked;
                date = Some(d);
                writer.date(date);
            }
        }
        let (spans, numbers): (Vec<_>, Option<Vec<usize>>) = if lines {
            let (mut spans, mut numbers) = (Vec::new(), Vec::new());
            for (n, line) in segment::lines(text) {
                // A line over the sentence cap is segmented (so capped) like prose; its
                // pieces share its line number.
                let pieces = if line.end - line.start > segment::MAX_SENTENCE_BYTES {
                    segment::segment(line.of(text))
                } else {
                    vec![segment::Span {
                        start: 0,
                        end: line.end - line.start,
                    }]
                };
                for p in pieces {
                    spans.push(segment::Span {
                        start: line.start + p.start,
                        end: line.start + p.end,
                    });
                    numbers.push(chunk.line + n);
                }
            }
            (spans, Some(numbers))
        } else {
            (segment::segment(text), None)
        };
        let mut tagged = Vec::with_capacity(spans.len());
        for span in spans {
            tagged.push(tagger.tag_next(text, span, &mut carry));
        }
        at.offset = chunk.offset;
        writer.part(
            &Document {
                file: name,
                text,
                sentences: &tagged,
                line_numbers: numbers.as_deref(),
            },
            at,
        )?;
        at.index += tagged.len();
    }
    if dates.required && date.is_none() {
        return Err(Error::NoDate {
            path: dates.path.into(),
        }
        .into());
    }
    writer.end()?;
    Ok(at.index)
}

#[cfg(test)]
mod tests {
    #[test]
    fn verify_cli() {
        use clap::CommandFactory;
        super::Args::command().debug_assert();
    }
}
