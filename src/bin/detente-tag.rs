//! `detente-tag`: tag every sentence of news articles with a stance and a party.

use anyhow::{Context, Result};
use clap::Parser;
use detente::output::{ColorChoice, Document, Format, Writer};
use detente::party::PartyTable;
use detente::segment;
use detente::{Error, Model, Tagger};
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Tag each sentence of negotiation news with a stance and the party that holds it.
///
/// Every sentence gets a stance — conciliatory (offers, concessions, welcoming talks),
/// hardline (refusals, threats, accusations, escalation) or neutral (facts, schedules) —
/// with its probability, and the party whose stance it is (Russia, Ukraine, Hamas, a
/// union, … or none), found from names in the sentence, carried over from the previous
/// sentence for "He added …", or guessed by the model.
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
    let mut writer = Writer::new(stdout.lock(), args.format, color);

    let inputs = expand_inputs(&args.files)?;
    for input in &inputs {
        let text = read_input(input, args.lossy)?;
        let name = input.display().to_string();
        if args.lines {
            let lines = segment::lines(&text);
            let spans: Vec<_> = lines.iter().map(|(_, s)| *s).collect();
            let numbers: Vec<usize> = lines.iter().map(|(n, _)| *n).collect();
            let tagged = tagger.tag_spans(&text, &spans);
            writer.write(&Document {
                file: &name,
                text: &text,
                sentences: &tagged,
                line_numbers: Some(&numbers),
            })?;
        } else {
            let tagged = tagger.tag(&text);
            writer.write(&Document {
                file: &name,
                text: &text,
                sentences: &tagged,
                line_numbers: None,
            })?;
        }
    }
    io::stdout().flush()?;
    Ok(())
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

fn read_input(path: &Path, lossy: bool) -> Result<String> {
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
    } else {
        bytes = std::fs::read(path).map_err(|e| Error::Read {
            path: path.into(),
            source: e,
        })?;
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) if lossy => Ok(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let line = 1 + e.as_bytes()[..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            Err(Error::NotUtf8 {
                path: path.into(),
                line,
                offset: offset as u64,
            }
            .into())
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn verify_cli() {
        use clap::CommandFactory;
        super::Args::command().debug_assert();
    }
}
