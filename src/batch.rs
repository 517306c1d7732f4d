//! Tagging many files on several threads, with output in input order (`detente-tag
//! --jobs N`).
//!
//! Workers tag whole files, each with its own [`crate::Tagger`]; what a file would have
//! written is recorded ([`Recording`]) and replayed into the one real
//! [`Writer`] in input order, so the output is byte for byte the one of `--jobs 1`
//! (CSV header once, summaries, timeline, report included). At most `2 × jobs` files are
//! tagged ahead of the one being written, which bounds memory.

use crate::output::{Document, Part, Writer};
use crate::tag::Tagged;
use crate::timeline::Date;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};

/// Where a tagged article goes: the real [`Writer`], or a [`Recording`] of it.
pub trait Sink {
    /// Starts the document of `file`.
    ///
    /// # Errors
    /// Any write error.
    fn begin(&mut self, file: &str) -> io::Result<()>;
    /// Sets the date of the current document.
    fn date(&mut self, date: Option<Date>);
    /// Writes one part of the current document.
    ///
    /// # Errors
    /// Any write error.
    fn part(&mut self, doc: &Document, at: Part) -> io::Result<()>;
    /// Ends the current document.
    ///
    /// # Errors
    /// Any write error.
    fn end(&mut self) -> io::Result<()>;
}

impl<W: Write> Sink for Writer<W> {
    fn begin(&mut self, file: &str) -> io::Result<()> {
        Writer::begin(self, file)
    }
    fn date(&mut self, date: Option<Date>) {
        Writer::date(self, date);
    }
    fn part(&mut self, doc: &Document, at: Part) -> io::Result<()> {
        Writer::part(self, doc, at)
    }
    fn end(&mut self) -> io::Result<()> {
        Writer::end(self)
    }
}

enum Event {
    Begin(String),
    Date(Option<Date>),
    Part {
        file: String,
        text: String,
        sentences: Vec<Tagged>,
        line_numbers: Option<Vec<usize>>,
        at: Part,
    },
    End,
}

/// The calls made on a [`Sink`], kept to be replayed later into another one.
#[derive(Default)]
pub struct Recording {
    events: Vec<Event>,
}

impl Sink for Recording {
    fn begin(&mut self, file: &str) -> io::Result<()> {
        self.events.push(Event::Begin(file.to_owned()));
        Ok(())
    }
    fn date(&mut self, date: Option<Date>) {
        self.events.push(Event::Date(date));
    }
    fn part(&mut self, doc: &Document, at: Part) -> io::Result<()> {
        self.events.push(Event::Part {
            file: doc.file.to_owned(),
            text: doc.text.to_owned(),
            sentences: doc.sentences.to_vec(),
            line_numbers: doc.line_numbers.map(<[usize]>::to_vec),
            at,
        });
        Ok(())
    }
    fn end(&mut self) -> io::Result<()> {
        self.events.push(Event::End);
        Ok(())
    }
}

impl Recording {
    /// Makes the recorded calls on `sink`, in order.
    ///
    /// # Errors
    /// The first write error of `sink`.
    pub fn replay(self, sink: &mut impl Sink) -> io::Result<()> {
        for event in self.events {
            match event {
                Event::Begin(file) => sink.begin(&file)?,
                Event::Date(date) => sink.date(date),
                Event::Part {
                    file,
                    text,
                    sentences,
                    line_numbers,
                    at,
                } => sink.part(
                    &Document {
                        file: &file,
                        text: &text,
                        sentences: &sentences,
                        line_numbers: line_numbers.as_deref(),
                    },
                    at,
                )?,
                Event::End => sink.end()?,
            }
        }
        Ok(())
    }
}

/// Runs `work` on every item, on one thread per element of `states` (each thread owns
/// one state, e.g. a tagger), and hands the results to `sink` **in item order** on the
/// calling thread. Stops at the first error of `sink` and returns it; items after it may
/// have been worked on but are not handed over.
///
/// # Errors
/// The first error `sink` returns.
pub fn ordered<I, S, T, E>(
    items: &[I],
    states: Vec<S>,
    work: impl Fn(&mut S, &I) -> T + Sync,
    mut sink: impl FnMut(T, &I) -> Result<(), E>,
) -> Result<(), E>
where
    I: Sync,
    S: Send,
    T: Send,
{
    if states.len() <= 1 {
        let mut states = states;
        let Some(state) = states.first_mut() else {
            return Ok(());
        };
        for item in items {
            sink(work(state, item), item)?;
        }
        return Ok(());
    }
    // Items are claimed in chunks, so that many small files do not cost a lock, a wake-up
    // and a message each (the cost that kept `--jobs 2` near 1.6× on 2,600 articles).
    let chunk = (items.len() / (states.len() * 64)).clamp(1, 32);
    let chunks = items.len().div_ceil(chunk);
    let window = 2 * states.len();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // Index of the next chunk to hand to `sink`; workers wait to stay within `window`.
    let written = Mutex::new(0usize);
    let advanced = Condvar::new();
    let (tx, rx) = mpsc::channel::<(usize, Vec<T>)>();
    std::thread::scope(|scope| {
        for mut state in states {
            let (tx, work, next, stop, written, advanced) =
                (tx.clone(), &work, &next, &stop, &written, &advanced);
            scope.spawn(move || loop {
                let c = next.fetch_add(1, Ordering::Relaxed);
                if c >= chunks {
                    break;
                }
                {
                    let mut w = written.lock().unwrap_or_else(|e| e.into_inner());
                    while c >= *w + window && !stop.load(Ordering::Relaxed) {
                        w = advanced.wait(w).unwrap_or_else(|e| e.into_inner());
                    }
                }
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let range = c * chunk..((c + 1) * chunk).min(items.len());
                let out: Vec<T> = items[range]
                    .iter()
                    .map(|item| work(&mut state, item))
                    .collect();
                if tx.send((c, out)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<usize, Vec<T>> = BTreeMap::new();
        let mut want = 0;
        for (c, out) in rx.iter() {
            pending.insert(c, out);
            while let Some(outs) = pending.remove(&want) {
                let mut result = Ok(());
                for (k, out) in outs.into_iter().enumerate() {
                    result = sink(out, &items[want * chunk + k]);
                    if result.is_err() {
                        break;
                    }
                }
                want += 1;
                *written.lock().unwrap_or_else(|e| e.into_inner()) = want;
                if result.is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
                advanced.notify_all();
                result?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_arrive_in_input_order_whatever_the_finishing_order() {
        let items: Vec<u64> = (0..200).collect();
        let mut got = Vec::new();
        ordered(
            &items,
            vec![(); 4],
            |_, &i| {
                // Later items finish first within each window.
                std::thread::sleep(std::time::Duration::from_micros((200 - i) * 20));
                i * 10
            },
            |out, &i| {
                assert_eq!(out, i * 10);
                got.push(i);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(got, items);
    }

    #[test]
    fn stops_at_the_first_sink_error() {
        let items: Vec<u32> = (0..100).collect();
        let mut seen = Vec::new();
        let r = ordered(
            &items,
            vec![(); 3],
            |_, &i| i,
            |out, _| {
                seen.push(out);
                if out == 7 {
                    Err(out)
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(r, Err(7));
        assert_eq!(seen, (0..=7).collect::<Vec<_>>());
    }

    #[test]
    fn many_small_items_are_claimed_in_chunks_and_still_arrive_in_order() {
        // 5,003 items on 2 threads: chunks of 32 and a shorter last one.
        let items: Vec<u64> = (0..5003).collect();
        let mut got = Vec::new();
        ordered(
            &items,
            vec![(); 2],
            |_, &i| i * 3,
            |out, &i| {
                assert_eq!(out, i * 3);
                got.push(i);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(got, items);
        let mut seen = 0;
        let r = ordered(
            &items,
            vec![(); 2],
            |_, &i| i,
            |out, _| {
                seen += 1;
                if out == 1000 {
                    Err(out)
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!((r, seen), (Err(1000), 1001));
    }

    #[test]
    fn one_state_runs_on_the_calling_thread_in_order() {
        let items = ["a", "b", "c"];
        let mut got = String::new();
        ordered(
            &items,
            vec![0usize],
            |calls, s| {
                *calls += 1;
                format!("{s}{calls}")
            },
            |out, _| {
                got.push_str(&out);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(got, "a1b2c3");
    }
}
