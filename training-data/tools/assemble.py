#!/usr/bin/env python3
"""Turn a hand-labeled article (.lab) into the corpus files, and check the corpus.

This script writes no sentence: every sentence, label and party comes from the
.lab file a person wrote. It only lays the same text out twice, as the article
(`articles/<source>.txt`) and as labeled CSV rows (`<batch>.csv`), so the two can
never disagree (every CSV `text` is an exact substring of its article, in order).

.lab format (UTF-8):
    # source: ru-ua-talks-001        (required; [a-z0-9-]+, unique in the corpus)
    # dispute: russia-ukraine        (required; short slug for the dispute)
    C | Ukraine | First sentence of the first paragraph.
    N | none | Second sentence of the same paragraph.
    <blank line = paragraph break>
    H | Russia | A sentence of the next paragraph.
Stance letter: C = conciliatory, H = hardline, N = neutral. The party is a
canonical name (see ../shared/LABELING.md) or `none`.

Usage:
    assemble.py build OUT_CSV OUT_ARTICLES_DIR FILE.lab...   (appends/replaces rows of those sources)
    assemble.py check                                         (whole corpus: counts, substrings, near-duplicates)
    assemble.py stats                                         (the datasheet's tables, markdown)
    assemble.py stats-update training-data/README.md          (rewrite them between the stats markers)
"""
import csv, os, re, sys, collections

STANCES = {"C": "conciliatory", "H": "hardline", "N": "neutral"}
HEADER = ["text", "stance", "party", "source", "dispute"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_lab(path):
    meta, paragraphs, current = {}, [], []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n").rstrip("\r")
            if line.startswith("#"):
                m = re.match(r"#\s*(\w+)\s*:\s*(.+?)\s*$", line)
                if m:
                    meta[m.group(1)] = m.group(2)
                continue
            if not line.strip():
                if current:
                    paragraphs.append(current)
                    current = []
                continue
            parts = line.split(" | ", 2)
            if len(parts) != 3:
                sys.exit(f"{path}:{n}: expected 'S | party | text', got {line[:60]!r}")
            s, party, text = (p.strip() for p in parts)
            if s not in STANCES:
                sys.exit(f"{path}:{n}: stance letter must be C, H or N, got {s!r}")
            if not party:
                sys.exit(f"{path}:{n}: empty party (use none)")
            if not text or "\t" in text:
                sys.exit(f"{path}:{n}: empty text or tab in text")
            current.append((text, STANCES[s], party))
    if current:
        paragraphs.append(current)
    for key in ("source", "dispute"):
        if key not in meta:
            sys.exit(f"{path}: missing '# {key}: ...' line")
    if not re.fullmatch(r"[a-z0-9-]+", meta["source"]):
        sys.exit(f"{path}: source must match [a-z0-9-]+")
    n = sum(len(p) for p in paragraphs)
    if not 10 <= n <= 30:
        sys.exit(f"{path}: {n} sentences; an article has 10-30")
    return meta, paragraphs


def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=HEADER, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in HEADER})
    os.replace(tmp, path)


def build(out_csv, out_dir, labs):
    rows = read_csv(out_csv)
    os.makedirs(out_dir, exist_ok=True)
    for lab in labs:
        meta, paragraphs = parse_lab(lab)
        src = meta["source"]
        article = "\n\n".join(" ".join(t for t, _, _ in p) for p in paragraphs) + "\n"
        with open(os.path.join(out_dir, src + ".txt"), "w", encoding="utf-8") as f:
            f.write(article)
        rows = [r for r in rows if r["source"] != src]
        for p in paragraphs:
            for text, stance, party in p:
                rows.append({"text": text, "stance": stance, "party": party,
                             "source": src, "dispute": meta["dispute"]})
    write_csv(out_csv, rows)
    print(f"{out_csv}: {len(rows)} rows")


def mask(text):
    """Skeleton of a sentence: names, numbers and case removed."""
    t = re.sub(r"[\u2018\u2019\u201c\u201d\"']", "", text)
    t = re.sub(r"\b[A-Z][\w\u00C0-\u024F.-]*", "X", t)
    t = re.sub(r"\d[\d.,]*", "0", t)
    t = re.sub(r"(X\s*)+", "X ", t)
    return re.sub(r"\s+", " ", t).strip().lower()


def check():
    problems = 0
    splits = {"train": (ROOT, os.path.join(ROOT, "articles")),
              "dev": (os.path.join(ROOT, "dev"), os.path.join(ROOT, "dev", "articles"))}
    all_rows = {}
    for split, (d, adir) in splits.items():
        rows = []
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if name.endswith(".csv"):
                for r in read_csv(os.path.join(d, name)):
                    r["_file"] = name
                    rows.append(r)
        by_src = collections.OrderedDict()
        for r in rows:
            by_src.setdefault(r["source"], []).append(r)
        for src, rs in by_src.items():
            path = os.path.join(adir, src + ".txt")
            if not os.path.exists(path):
                print(f"{split}: {src}: no article file {path}"); problems += 1; continue
            art = open(path, encoding="utf-8").read()
            pos = 0
            for r in rs:
                i = art.find(r["text"], pos)
                if i < 0:
                    print(f"{split}: {src}: not found in order: {r['text'][:70]!r}"); problems += 1; continue
                if art[pos:i].strip():
                    print(f"{split}: {src}: unlabeled text before {r['text'][:40]!r}: {art[pos:i].strip()[:60]!r}"); problems += 1
                pos = i + len(r["text"])
            if art[pos:].strip():
                print(f"{split}: {src}: unlabeled tail {art[pos:].strip()[:60]!r}"); problems += 1
        all_rows[split] = rows
    train, dev = all_rows["train"], all_rows["dev"]
    for split, rows in all_rows.items():
        st = collections.Counter(r["stance"] for r in rows)
        n = len(rows) or 1
        disputes = collections.Counter(r.get("dispute", "") for r in rows)
        parties = collections.Counter(r["party"] for r in rows)
        print(f"{split}: {len(rows)} rows, {len(set(r['source'] for r in rows))} articles, "
              f"{len(disputes)} disputes, {len(parties)} parties; "
              + ", ".join(f"{k} {v} ({100*v/n:.1f}%)" for k, v in sorted(st.items())))
        skel = collections.Counter(mask(r["text"]) for r in rows)
        dups = sum(c - 1 for c in skel.values() if c > 1)
        print(f"{split}: near-duplicate rows (same skeleton): {dups} ({100*dups/n:.2f}%)")
        for k, c in skel.most_common(5):
            if c > 1:
                print(f"   x{c}: {k[:90]}")
    shared = set(r["text"] for r in train) & set(r["text"] for r in dev)
    if shared:
        print(f"{len(shared)} sentences in both train and dev"); problems += 1
    unseen = set(r["dispute"] for r in dev) - set(r["dispute"] for r in train)
    print(f"dev disputes unseen in train: {sorted(unseen)}")
    print("OK" if not problems else f"{problems} problems")
    return problems


def load_split(d):
    rows = []
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if name.endswith(".csv"):
            rows += read_csv(os.path.join(d, name))
    return rows


def stats():
    """The datasheet's counts, as markdown."""
    train, dev = load_split(ROOT), load_split(os.path.join(ROOT, "dev"))
    train_disputes = set(r["dispute"] for r in train)
    out = []
    out.append("| split | rows | articles | disputes | parties (not none) | conciliatory | hardline | neutral |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, rows in (("train", train), ("dev", dev)):
        n = len(rows) or 1
        st = collections.Counter(r["stance"] for r in rows)
        out.append(f"| {name} | {len(rows)} | {len(set(r['source'] for r in rows))} | "
                   f"{len(set(r['dispute'] for r in rows))} | "
                   f"{len(set(r['party'] for r in rows) - {'none'})} | "
                   + " | ".join(f"{st[s]} ({100*st[s]/n:.1f}%)" for s in ("conciliatory", "hardline", "neutral")) + " |")
    out.append("")
    out.append("Rows by dispute (dev disputes marked * appear nowhere in training):")
    out.append("")
    out.append("| dispute | train rows | train articles | dev rows | dev articles | C / H / N (train+dev) |")
    out.append("|---|---:|---:|---:|---:|---|")
    disputes = sorted(set(r["dispute"] for r in train + dev))
    for d in disputes:
        tr = [r for r in train if r["dispute"] == d]
        dv = [r for r in dev if r["dispute"] == d]
        st = collections.Counter(r["stance"] for r in tr + dv)
        mark = "*" if d not in train_disputes else ""
        out.append(f"| {d}{mark} | {len(tr)} | {len(set(r['source'] for r in tr))} | {len(dv)} | "
                   f"{len(set(r['source'] for r in dv))} | {st['conciliatory']} / {st['hardline']} / {st['neutral']} |")
    out.append("")
    out.append("Rows by party (train / dev), all parties:")
    out.append("")
    pt = collections.Counter(r["party"] for r in train)
    pd = collections.Counter(r["party"] for r in dev)
    parties = sorted(set(pt) | set(pd), key=lambda p: (-(pt[p] + pd[p]), p))
    out.append(", ".join(f"{p} {pt[p]}/{pd[p]}" for p in parties))
    return "\n".join(out) + "\n"


def update(path):
    text = open(path, encoding="utf-8").read()
    begin, end = "<!-- stats:begin -->", "<!-- stats:end -->"
    i, j = text.index(begin) + len(begin), text.index(end)
    text = text[:i] + "\n" + stats() + text[j:]
    open(path, "w", encoding="utf-8").write(text)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif sys.argv[1:] == ["stats"]:
        print(stats(), end="")
    elif len(sys.argv) == 3 and sys.argv[1] == "stats-update":
        update(sys.argv[2])
    elif sys.argv[1:] == ["check"]:
        sys.exit(1 if check() else 0)
    else:
        sys.exit(__doc__)
