//! The HTML report: one self-contained file (inline CSS, JS and SVG; a Content Security
//! Policy that forbids any network access) to read tagged articles in a browser.
//!
//! Layout: a header with the legend; with several inputs, the timeline chart (when the
//! articles fall in at least two periods), the posture of every party over all articles
//! and a list of the articles; then each article with its per-party posture chart on top
//! and its text, every sentence highlighted by stance (stronger colour = more confident),
//! preceded by a chip naming its party. Hovering or focusing a sentence shows a tooltip
//! with the stance probabilities, how the party was chosen and the features that pushed
//! toward and against the stance ([`crate::explain`]).

use crate::explain::{Explanation, PartyEvidence};
use crate::summary::{PartySummary, Summary};
use crate::tag::Tagged;
use crate::timeline::{Bucket, Date, Timeline};
use std::fmt::Write as _;
use std::io::{self, Write};

/// Features per direction shown in a tooltip.
const TOOLTIP_FEATURES: usize = 4;
/// Parties per posture chart.
const CHART_PARTIES: usize = 10;
/// Parties drawn in the timeline chart.
const TIMELINE_PARTIES: usize = 6;

/// One sentence to render.
pub struct Item<'a> {
    pub tagged: &'a Tagged,
    /// Index of the sentence in its file.
    pub index: usize,
    pub explanation: Option<&'a Explanation>,
}

struct Article {
    file: String,
    date: Option<Date>,
    summary: Summary,
    body: String,
    sentences: usize,
}

/// The report being built: add articles, then [`Report::write`] it.
pub struct Report {
    articles: Vec<Article>,
    timeline: Timeline,
    overall: Summary,
    open: Option<Article>,
}

impl Report {
    /// An empty report whose timeline uses `bucket` periods.
    pub fn new(bucket: Bucket) -> Self {
        Report {
            articles: Vec::new(),
            timeline: Timeline::new(bucket),
            overall: Summary::default(),
            open: None,
        }
    }

    /// Adds sentences of `file` (a file may come in several pieces, in order; a new file
    /// name closes the previous article).
    pub fn add(&mut self, file: &str, date: Option<Date>, text: &str, items: &[Item]) {
        if self.open.as_ref().is_some_and(|a| a.file != file) {
            self.close();
        }
        let number = self.articles.len();
        let article = self.open.get_or_insert_with(|| Article {
            file: file.to_owned(),
            date,
            summary: Summary::default(),
            body: String::new(),
            sentences: 0,
        });
        let tagged: Vec<Tagged> = items.iter().map(|i| i.tagged.clone()).collect();
        let indices: Vec<usize> = items.iter().map(|i| i.index).collect();
        article.summary.add(text, &tagged, |i| indices[i]);
        self.overall.add(text, &tagged, |i| indices[i]);
        render_body(
            &mut article.body,
            text,
            items,
            article.sentences == 0,
            number,
        );
        article.sentences += items.len();
    }

    fn close(&mut self) {
        if let Some(a) = self.open.take() {
            if let Some(d) = a.date {
                self.timeline.add(d, &a.summary);
            }
            self.articles.push(a);
        }
    }

    /// Writes the whole report.
    ///
    /// # Errors
    /// Write errors.
    pub fn write(&mut self, out: &mut impl Write) -> io::Result<()> {
        self.close();
        let mut h = String::with_capacity(64 * 1024);
        let sentences: usize = self.articles.iter().map(|a| a.sentences).sum();
        let title = match self.articles.as_slice() {
            [one] => format!("{} — detente", one.file),
            _ => format!("{} articles — detente", self.articles.len()),
        };
        h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n");
        h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        let _ = writeln!(h, "<title>{}</title>", esc(&title));
        let _ = writeln!(h, "<style>{CSS}</style>\n</head>\n<body>");
        h.push_str("<header class=\"top\"><div class=\"wrap\"><div class=\"brand\">détente <span>stance report</span></div>");
        let _ = write!(
            h,
            "<div class=\"meta\">{} article{} · {} sentences · detente {}</div>",
            self.articles.len(),
            if self.articles.len() == 1 { "" } else { "s" },
            sentences,
            env!("CARGO_PKG_VERSION")
        );
        h.push_str("<div class=\"legend\"><span class=\"s conciliatory\" style=\"--c:.9\">conciliatory</span> <span class=\"s hardline\" style=\"--c:.9\">hardline</span> <span class=\"s neutral\">neutral</span> <span class=\"hint\">stronger colour = more confident · hover a sentence for the evidence</span></div></div></header>\n<main class=\"wrap\">\n");

        if self.articles.len() > 1 {
            if self.timeline.len() >= 2 {
                h.push_str("<section class=\"card\"><h2>Posture over time</h2>");
                let _ = write!(
                    h,
                    "<p class=\"note\">Each party’s posture per {} from the dated articles: +1 only conciliatory, −1 only hardline (confidence-weighted).</p>",
                    match self.timeline.bucket() {
                        Bucket::Day => "day",
                        Bucket::Week => "ISO week",
                    }
                );
                timeline_chart(&mut h, &self.timeline);
                h.push_str("</section>\n");
            }
            h.push_str("<section class=\"card\"><h2>All articles</h2>");
            posture_chart(&mut h, &self.overall);
            h.push_str("<ol class=\"toc\">");
            for (n, a) in self.articles.iter().enumerate() {
                let _ = write!(
                    h,
                    "<li><a href=\"#a{n}\">{}</a>{}</li>",
                    esc(&a.file),
                    a.date
                        .map(|d| format!(" <span class=\"date\">{d}</span>"))
                        .unwrap_or_default()
                );
            }
            h.push_str("</ol></section>\n");
        }

        for (n, a) in self.articles.iter().enumerate() {
            let _ = write!(
                h,
                "<article class=\"card\" id=\"a{n}\"><div class=\"file\">{}{}</div>",
                esc(&a.file),
                a.date
                    .map(|d| format!(" · <span class=\"date\">{d}</span>"))
                    .unwrap_or_default()
            );
            posture_chart(&mut h, &a.summary);
            h.push_str("<div class=\"text\">");
            h.push_str(&a.body);
            h.push_str("</div></article>\n");
        }
        h.push_str("</main>\n<div id=\"tip\" role=\"tooltip\" hidden></div>\n");
        let _ = writeln!(h, "<script>{JS}</script>\n</body>\n</html>");
        out.write_all(h.as_bytes())?;
        out.flush()
    }
}

/// Paragraphs of highlighted sentences. A blank line in the text between two sentences
/// starts a new paragraph; a lone first sentence without final punctuation is the
/// headline.
fn render_body(out: &mut String, text: &str, items: &[Item], first: bool, article: usize) {
    let mut paragraphs: Vec<Vec<&Item>> = vec![Vec::new()];
    let mut last_end = items.first().map_or(0, |i| i.tagged.span.start);
    for item in items {
        let gap = &text[last_end.min(item.tagged.span.start)..item.tagged.span.start];
        if gap.matches('\n').count() >= 2 && paragraphs.last().is_some_and(|p| !p.is_empty()) {
            paragraphs.push(Vec::new());
        }
        paragraphs.last_mut().unwrap().push(item);
        last_end = item.tagged.span.end;
    }
    for (n, p) in paragraphs.iter().enumerate() {
        if p.is_empty() {
            continue;
        }
        let headline = first
            && n == 0
            && p.len() == 1
            && !p[0]
                .tagged
                .span
                .of(text)
                .trim_end()
                .ends_with(['.', '!', '?', '”', '"', '’']);
        out.push_str(if headline {
            "<h1 class=\"headline\">"
        } else {
            "<p>"
        });
        for item in p {
            sentence_html(out, text, item, article);
            out.push(' ');
        }
        out.push_str(if headline { "</h1>\n" } else { "</p>\n" });
    }
}

fn sentence_html(out: &mut String, text: &str, item: &Item, article: usize) {
    let t = item.tagged;
    if let Some(party) = &t.party {
        let _ = write!(
            out,
            "<span class=\"chip\" style=\"--h:{}\">{}</span>",
            hue(party),
            esc(party)
        );
    }
    let why = PartyEvidence::of(t).describe();
    let ev = item.explanation.map_or(String::new(), |e| {
        let list = |it: &mut dyn Iterator<Item = &crate::explain::Evidence>| {
            it.map(|e| {
                format!(
                    "[{},{:.3}]",
                    serde_json::to_string(&e.feature).unwrap_or_default(),
                    e.contribution
                )
            })
            .collect::<Vec<_>>()
            .join(",")
        };
        format!(
            "{{\"versus\":\"{}\",\"for\":[{}],\"against\":[{}]}}",
            e.versus,
            list(&mut e.toward(TOOLTIP_FEATURES)),
            list(&mut e.against(TOOLTIP_FEATURES))
        )
    });
    let _ = write!(
        out,
        "<span class=\"s {}\" data-id=\"a{article}-s{}\" tabindex=\"0\" data-i=\"{}\" style=\"--c:{:.2}\" data-p=\"{:.3},{:.3},{:.3}\" data-party=\"{}\" data-why=\"{}\" data-ev=\"{}\">{}</span>",
        t.stance,
        item.index,
        item.index,
        t.confidence,
        t.scores[0],
        t.scores[1],
        t.scores[2],
        esc(t.party_name()),
        esc(&why),
        esc(&ev),
        esc(t.span.of(text))
    );
}

/// A hue for a party's chip and timeline line, the same in every report.
fn hue(party: &str) -> u32 {
    // FNV-1a: stable across runs and platforms.
    let mut h: u32 = 0x811c_9dc5;
    for b in party.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h % 360
}

/// Distinct colours for the timeline lines (colour-blind friendly, Okabe–Ito).
const LINE_COLOURS: [&str; TIMELINE_PARTIES] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
];

/// Diverging bars, one per party: left red to −1 (hardline), right green to +1
/// (conciliatory), with the counts beside.
fn posture_chart(out: &mut String, summary: &Summary) {
    let parties: Vec<&PartySummary> = summary
        .parties()
        .into_iter()
        .filter(|p| p.party != "none")
        .take(CHART_PARTIES)
        .collect();
    if parties.is_empty() {
        out.push_str("<p class=\"note\">No party named in this text.</p>");
        return;
    }
    let (label_w, bar_w, count_w, row_h, top) = (170.0, 300.0, 200.0, 26.0, 22.0);
    let width = label_w + bar_w + count_w;
    let height = top + row_h * parties.len() as f64 + 6.0;
    let mid = label_w + bar_w / 2.0;
    let _ = write!(
        out,
        "<svg class=\"posture\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" role=\"img\" aria-label=\"posture per party\">"
    );
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"14\" class=\"axis h\" text-anchor=\"start\">◀ hardline</text><text x=\"{}\" y=\"14\" class=\"axis c\" text-anchor=\"end\">conciliatory ▶</text><text x=\"{mid}\" y=\"14\" class=\"axis\" text-anchor=\"middle\">0</text>",
        label_w,
        label_w + bar_w
    );
    for (n, p) in parties.iter().enumerate() {
        let y = top + row_h * n as f64;
        let cy = y + row_h / 2.0;
        let name: String = p.party.chars().take(24).collect();
        let _ = write!(
            out,
            "<g><title>{}: posture {} — {} conciliatory, {} hardline, {} neutral</title>",
            esc(&p.party),
            p.posture.map_or("none".into(), |v| format!("{v:+.2}")),
            p.conciliatory,
            p.hardline,
            p.neutral
        );
        let _ = write!(
            out,
            "<rect x=\"{label_w}\" y=\"{}\" width=\"{bar_w}\" height=\"{}\" class=\"track\"/>",
            y + 5.0,
            row_h - 10.0
        );
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" class=\"label\" text-anchor=\"end\">{}</text>",
            label_w - 10.0,
            cy + 4.5,
            esc(&name)
        );
        match p.posture {
            Some(v) => {
                let w = (f64::from(v).abs() * bar_w / 2.0).max(1.5);
                let x = if v < 0.0 { mid - w } else { mid };
                let class = if v < 0.0 { "h" } else { "c" };
                let _ = write!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\" rx=\"3\" class=\"bar {class}\"/>",
                    y + 5.0,
                    row_h - 10.0
                );
                let (tx, anchor) = if v < 0.0 {
                    (x - 5.0, "end")
                } else {
                    (x + w + 5.0, "start")
                };
                // Keep the value inside the track when the bar reaches its end.
                let (tx, anchor, class) = if tx < label_w + 30.0 {
                    (x + 5.0, "start", "value in")
                } else if tx > label_w + bar_w - 30.0 {
                    (x + w - 5.0, "end", "value in")
                } else {
                    (tx, anchor, "value")
                };
                let _ = write!(
                    out,
                    "<text x=\"{tx:.1}\" y=\"{}\" class=\"{class}\" text-anchor=\"{anchor}\">{v:+.2}</text>",
                    cy + 4.0
                );
            }
            None => {
                let _ = write!(
                    out,
                    "<text x=\"{mid}\" y=\"{}\" class=\"value none\" text-anchor=\"middle\">neutral only</text>",
                    cy + 4.0
                );
            }
        }
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" class=\"counts\"><tspan class=\"c\">{} conc</tspan> · <tspan class=\"h\">{} hard</tspan> · {} neut</text></g>",
            label_w + bar_w + 12.0,
            cy + 4.5,
            p.conciliatory,
            p.hardline,
            p.neutral
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{mid}\" x2=\"{mid}\" y1=\"{}\" y2=\"{}\" class=\"zero\"/></svg>",
        top - 2.0,
        height - 4.0
    );
}

/// Posture per period, one line per party (the most active ones), gaps where a party
/// took no stance.
fn timeline_chart(out: &mut String, timeline: &Timeline) {
    let labels = timeline.labels();
    let parties: Vec<&str> = timeline
        .parties()
        .into_iter()
        .take(TIMELINE_PARTIES)
        .collect();
    let (left, right, top, bottom) = (84.0, 44.0, 14.0, 40.0);
    let (w, ph) = (880.0, 220.0);
    let height = top + ph + bottom;
    let pw = w - left - right;
    let x = |i: usize| {
        if labels.len() < 2 {
            left + pw / 2.0
        } else {
            left + pw * i as f64 / (labels.len() - 1) as f64
        }
    };
    let y = |v: f32| top + ph * (1.0 - (f64::from(v) + 1.0) / 2.0);
    let _ = write!(
        out,
        "<svg class=\"timeline\" viewBox=\"0 0 {w} {height}\" role=\"img\" aria-label=\"posture over time\">"
    );
    let _ = write!(
        out,
        "<rect x=\"{left}\" y=\"{top}\" width=\"{pw}\" height=\"{}\" class=\"band c\"/><rect x=\"{left}\" y=\"{}\" width=\"{pw}\" height=\"{}\" class=\"band h\"/>",
        ph / 2.0,
        top + ph / 2.0,
        ph / 2.0
    );
    for v in [-1.0f32, -0.5, 0.0, 0.5, 1.0] {
        let _ = write!(
            out,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" class=\"{}\"/><text x=\"{}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"end\">{}</text>",
            left + pw,
            if v == 0.0 { "zero" } else { "grid" },
            left - 8.0,
            y(v) + 4.0,
            match v {
                1.0 => "+1 conc.".to_string(),
                -1.0 => "−1 hard.".to_string(),
                v => format!("{v:+.1}"),
                },
            yy = y(v)
        );
    }
    // Label at most ~10 periods so the axis stays readable.
    let step = labels.len().div_ceil(10).max(1);
    for (i, l) in labels.iter().enumerate() {
        if i % step == 0 || i + 1 == labels.len() {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{}\" class=\"axis\" text-anchor=\"middle\">{}</text>",
                x(i),
                top + ph + 18.0,
                esc(l)
            );
        }
    }
    for (n, party) in parties.iter().enumerate() {
        let colour = LINE_COLOURS[n % LINE_COLOURS.len()];
        let series = timeline.series(party);
        let _ = write!(out, "<g class=\"series\" style=\"--col:{colour}\">");
        // Consecutive defined points form a line; a gap breaks it.
        let mut run: Vec<String> = Vec::new();
        let flush = |run: &mut Vec<String>, out: &mut String| {
            if run.len() > 1 {
                let _ = write!(
                    out,
                    "<polyline points=\"{}\" class=\"line\"/>",
                    run.join(" ")
                );
            }
            run.clear();
        };
        for (i, v) in series.iter().enumerate() {
            match v {
                Some(v) => run.push(format!("{:.1},{:.1}", x(i), y(*v))),
                None => flush(&mut run, out),
            }
        }
        flush(&mut run, out);
        for (i, v) in series.iter().enumerate() {
            if let Some(v) = v {
                let _ = write!(
                    out,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4.5\" class=\"dot\"><title>{} · {}: {:+.2}</title></circle>",
                    x(i),
                    y(*v),
                    esc(party),
                    esc(labels[i]),
                    v
                );
            }
        }
        out.push_str("</g>");
    }
    out.push_str("</svg><div class=\"keys\">");
    for (n, party) in parties.iter().enumerate() {
        let _ = write!(
            out,
            "<span class=\"key\"><i style=\"background:{}\"></i>{} <b>{}</b></span>",
            LINE_COLOURS[n % LINE_COLOURS.len()],
            esc(party),
            timeline
                .overall(party)
                .map_or(String::new(), |v| format!("{v:+.2}"))
        );
    }
    out.push_str("</div>");
}

/// Escapes text for HTML content and double-quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r##"
:root{--ink:#1d2330;--muted:#667085;--line:#e4e7ec;--bg:#f5f6f8;--card:#fff;
--c-rgb:22,163,74;--h-rgb:220,38,38;--c-ink:#15803d;--h-ink:#b91c1c}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.wrap{max-width:960px;margin:0 auto;padding:0 20px}
header.top{background:#1d2330;color:#fff;padding:16px 0 14px;margin-bottom:22px}
header.top .wrap{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 18px}
.brand{font-weight:700;font-size:20px;letter-spacing:.2px}
.brand span{font-weight:400;color:#aab3c5}
.meta{color:#aab3c5;font-size:13px}
.legend{flex-basis:100%;font-size:13px;color:#d6dbe6}
.legend .s{padding:1px 6px;border-radius:4px}
.legend .neutral{color:#e5e9f0;border-bottom:1px dotted #aab3c5}
.legend .hint{color:#8f99ad;margin-left:6px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:20px 26px;margin:0 0 22px;box-shadow:0 1px 2px rgba(16,24,40,.04)}
.card h2{font-size:16px;margin:0 0 4px}
.note{color:var(--muted);font-size:13px;margin:0 0 10px}
.file{color:var(--muted);font-size:12.5px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;margin-bottom:8px}
.date{color:var(--ink)}
svg{display:block;max-width:100%;height:auto;font-family:inherit}
svg.posture{margin:4px 0 10px}
svg .track{fill:#f1f3f6}
svg .bar.c{fill:rgb(var(--c-rgb))}svg .bar.h{fill:rgb(var(--h-rgb))}
svg .zero{stroke:#98a2b3;stroke-width:1}
svg .grid{stroke:#e4e7ec;stroke-width:1}
svg .label{font-size:13px;fill:var(--ink);font-weight:600}
svg .value{font-size:12px;fill:var(--ink);font-variant-numeric:tabular-nums}
svg .value.in{fill:#fff;font-weight:600}
svg .value.none{fill:var(--muted);font-style:italic}
svg .counts{font-size:12px;fill:var(--muted)}
svg .counts .c,svg .axis.c{fill:var(--c-ink)}svg .counts .h,svg .axis.h{fill:var(--h-ink)}
svg .axis{font-size:11.5px;fill:var(--muted)}
svg .band.c{fill:rgba(var(--c-rgb),.06)}svg .band.h{fill:rgba(var(--h-rgb),.06)}
svg .line{fill:none;stroke:var(--col);stroke-width:2.5;stroke-linejoin:round}
svg .dot{fill:var(--col);stroke:#fff;stroke-width:1.5}
.keys{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:13px;margin-top:6px}
.key i{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:6px;vertical-align:-1px}
.key b{font-weight:600;font-variant-numeric:tabular-nums;color:var(--muted)}
.toc{margin:6px 0 0;padding-left:22px;font-size:14px}
.toc a{color:#175cd3;text-decoration:none}.toc a:hover{text-decoration:underline}
.text{font-family:Georgia,"Iowan Old Style","Times New Roman",serif;font-size:17px;line-height:1.75;border-top:1px solid var(--line);padding-top:14px}
.text p{margin:0 0 14px}
.headline{font-family:inherit;font-size:23px;line-height:1.35;margin:0 0 14px}
.s{border-radius:3px;padding:1px 1px;box-decoration-break:clone;-webkit-box-decoration-break:clone;cursor:help;outline:none;transition:box-shadow .1s}
.s.conciliatory{background:rgba(var(--c-rgb),calc(.07 + .28*var(--c)));border-bottom:2px solid rgba(var(--c-rgb),calc(.3 + .6*var(--c)))}
.s.hardline{background:rgba(var(--h-rgb),calc(.06 + .24*var(--c)));border-bottom:2px solid rgba(var(--h-rgb),calc(.3 + .6*var(--c)))}
.s.neutral{color:#3d4556;border-bottom:1px dotted #c3c9d4}
.s:hover,.s:focus{box-shadow:0 0 0 2px #1d2330}
.chip{display:inline-block;font:600 10.5px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;letter-spacing:.3px;text-transform:uppercase;padding:0 6px;margin:0 4px 0 0;border-radius:9px;vertical-align:2px;white-space:nowrap;background:hsl(var(--h) 70% 93%);color:hsl(var(--h) 55% 28%);border:1px solid hsl(var(--h) 45% 80%)}
#tip{position:fixed;z-index:10;max-width:380px;background:#1d2330;color:#eef1f6;border-radius:8px;padding:10px 12px;font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;box-shadow:0 8px 24px rgba(16,24,40,.25);pointer-events:none}
#tip .st{font-weight:700;text-transform:capitalize}
#tip .st.conciliatory{color:#6ee7a0}#tip .st.hardline{color:#fca5a5}#tip .st.neutral{color:#cbd2de}
#tip .bars{display:flex;height:6px;border-radius:3px;overflow:hidden;margin:6px 0 8px;background:#394152}
#tip .bars i{display:block}
#tip .k{color:#98a2b3}
#tip .ev{margin-top:4px}
#tip code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#2c3445;padding:0 4px;border-radius:3px;margin-right:2px;white-space:nowrap}
#tip .plus{color:#6ee7a0}#tip .minus{color:#fca5a5}
@media (max-width:640px){.card{padding:16px}.text{font-size:16px}}
"##;

const JS: &str = r##"
(function () {
  "use strict";
  var tip = document.getElementById("tip");
  var names = ["conciliatory", "hardline", "neutral"];
  var colours = ["#22c55e", "#ef4444", "#94a3b8"];
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function features(parent, label, list, cls) {
    if (!list || !list.length) return;
    var row = el("div", "ev");
    row.appendChild(el("span", "k", label + " "));
    list.forEach(function (f) {
      var c = el("code", null, f[0] + " ");
      c.appendChild(el("span", cls, (f[1] > 0 ? "+" : "\u2212") + Math.abs(f[1]).toFixed(2)));
      row.appendChild(c);
      row.appendChild(document.createTextNode(" "));
    });
    parent.appendChild(row);
  }
  function build(s) {
    tip.textContent = "";
    var p = s.dataset.p.split(",").map(Number);
    var stance = names.filter(function (n) { return s.classList.contains(n); })[0];
    var head = el("div");
    head.appendChild(el("span", "st " + stance, stance));
    head.appendChild(document.createTextNode(" \u00b7 " + Math.round(100 * p[names.indexOf(stance)]) + "% \u00b7 sentence " + s.dataset.i));
    tip.appendChild(head);
    var bars = el("div", "bars");
    p.forEach(function (v, i) {
      var b = el("i");
      b.style.width = (100 * v).toFixed(1) + "%";
      b.style.background = colours[i];
      b.title = names[i];
      bars.appendChild(b);
    });
    tip.appendChild(bars);
    tip.appendChild(el("div", "k", "conc " + p[0].toFixed(2) + " \u00b7 hard " + p[1].toFixed(2) + " \u00b7 neut " + p[2].toFixed(2)));
    var party = el("div", "ev");
    party.appendChild(el("span", "k", "party "));
    party.appendChild(el("b", null, s.dataset.party));
    party.appendChild(document.createTextNode(" \u2014 " + s.dataset.why));
    tip.appendChild(party);
    if (s.dataset.ev) {
      var ev = JSON.parse(s.dataset.ev);
      features(tip, "for " + stance + ":", ev["for"], "plus");
      features(tip, "against (vs " + ev.versus + "):", ev.against, "minus");
    }
  }
  // Below the point (x, y), or above `upper` when there is no room below.
  function place(x, y, upper) {
    var r = tip.getBoundingClientRect();
    var left = Math.min(x + 14, window.innerWidth - r.width - 8);
    var top = y + 18;
    if (top + r.height > window.innerHeight - 8) top = (upper === undefined ? y : upper) - r.height - 12;
    tip.style.left = Math.max(8, left) + "px";
    tip.style.top = Math.max(8, top) + "px";
  }
  function show(s, x, y, upper) {
    build(s);
    tip.hidden = false;
    place(x, y, upper);
  }
  document.addEventListener("mouseover", function (e) {
    var s = e.target.closest && e.target.closest(".text .s");
    if (s) show(s, e.clientX, e.clientY); else tip.hidden = true;
  });
  document.addEventListener("mousemove", function (e) {
    if (!tip.hidden) place(e.clientX, e.clientY);
  });
  document.addEventListener("focusin", function (e) {
    var s = e.target.closest && e.target.closest(".text .s");
    if (!s) { tip.hidden = true; return; }
    var r = s.getBoundingClientRect();
    show(s, r.left, r.bottom - 12, r.top);
  });
  document.addEventListener("focusout", function () { tip.hidden = true; });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") tip.hidden = true; });
  // A link to a sentence (`report.html#a0-s3`: article 0, sentence 3) opens with its
  // tooltip shown, scrolling only when the sentence is off screen.
  var id = location.hash.slice(1);
  var target = /^a[0-9]+-s[0-9]+$/.test(id) && document.querySelector('.s[data-id="' + id + '"]');
  if (target) {
    var r = target.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  }
})();
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<b>“A” & 'B' \"C\"</b>"),
            "&lt;b&gt;“A” &amp; &#39;B&#39; &quot;C&quot;&lt;/b&gt;"
        );
    }

    #[test]
    fn party_hue_is_stable() {
        assert_eq!(hue("Russia"), hue("Russia"));
        assert!(hue("Russia") < 360);
    }
}
