#!/usr/bin/env python3
"""How far careful readers agree, and how far detente agrees with the adjudicated labels.

Every row of the corpus was labeled twice, blind: first by the article's writer, then by a
second reader who saw only LABELING.md and the article (no labels, no model output). Where
the two disagreed, a third reader settled the row against the guide, blind to who gave
which label and to the model. The CSV files in training-data/ hold the settled labels; the
provenance is in agreement/:

    agreement/dev-party-readers.csv   dev rows: first_party, second_party, final_party
    agreement/train-readers.csv       training rows: first/second/final stance and party

    cargo build --release
    python3 training-data/tools/agreement.py [path/to/detente-tag]

Prints the readers' agreement on the training and dev rows, and detente's party accuracy
on the dev rows against the first reader's labels and against the settled ones (all rows,
rows naming two or more parties, and rows whose gold stance carries a posture or is
neutral). Three canonical-name variants that name the same
actor count as agreement between readers.
"""
import collections
import csv
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
SAME_ACTOR = {
    ("VDA", "German Association of the Automotive Industry"),
    ("TPLF", "Tigray"),
    ("SP", "Socialist Party"),
}


def same(a, b):
    return a == b or (a, b) in SAME_ACTOR or (b, a) in SAME_ACTOR


def rows(name):
    with open(os.path.join(DATA, "agreement", name), encoding="utf-8") as f:
        return list(csv.DictReader(f))


def share(pairs):
    pairs = list(pairs)
    return sum(same(a, b) for a, b in pairs) / len(pairs), len(pairs)


def tagged_dev(binary, sources):
    """detente's output on each dev article, by sentence text."""
    out = {}
    for source in sources:
        article = os.path.join(DATA, "dev", "articles", source + ".txt")
        lines = subprocess.run([binary, "--format", "jsonl", article],
                               capture_output=True, text=True, check=True).stdout
        with open(article, "rb") as f:
            text = f.read()
        for line in lines.splitlines():
            t = json.loads(line)
            out[(source, text[t["start"]:t["end"]].decode().strip())] = t
    return out


def dev_stances():
    """The gold stance of each dev row, by (source, text)."""
    out = {}
    for path in sorted(glob.glob(os.path.join(DATA, "dev", "*.csv"))):
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                out[(r["source"], r["text"].strip())] = r["stance"]
    return out


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/detente-tag"
    train = rows("train-readers.csv")
    s, n = share((r["first_stance"], r["second_stance"]) for r in train)
    p, _ = share((r["first_party"], r["second_party"]) for r in train)
    changed = sum((r["first_stance"], r["first_party"]) != (r["final_stance"], r["final_party"])
                  for r in train)
    print(f"training, {n} rows: first vs second reader: stance {s:.3f}, party {p:.3f}; "
          f"{changed} rows settled differently from the first reader")

    dev = rows("dev-party-readers.csv")
    p, n = share((r["first_party"], r["second_party"]) for r in dev)
    first_final, _ = share((r["first_party"], r["final_party"]) for r in dev)
    second_final, _ = share((r["second_party"], r["final_party"]) for r in dev)
    print(f"dev, {n} rows: first vs second reader: party {p:.3f}; "
          f"first vs settled {first_final:.3f}; second vs settled {second_final:.3f}")

    tagged = tagged_dev(binary, collections.OrderedDict.fromkeys(r["source"] for r in dev))
    stances = dev_stances()
    counts = collections.Counter()
    for r in dev:
        key = (r["source"], r["text"].strip())
        t = tagged.get(key)
        if t is None:
            continue
        party = t["party"] or "none"
        scopes = ["all"]
        if len({m["party"] for m in t["mentions"]}) >= 2:
            scopes.append("2+")
        stance = stances.get(key)
        if stance in ("conciliatory", "hardline"):
            scopes.append("posture")
        elif stance == "neutral":
            scopes.append("neutral")
        for scope in scopes:
            counts[scope, "n"] += 1
            counts[scope, "first"] += party == r["first_party"]
            counts[scope, "final"] += party == r["final_party"]
            counts[scope, "second"] += same(r["second_party"], r["final_party"])
            counts[scope, "writer"] += same(r["first_party"], r["final_party"])
    for scope in ("all", "2+", "posture", "neutral"):
        n = counts[scope, "n"]
        print(f"dev {scope} ({n} rows): detente vs first reader {counts[scope, 'first'] / n:.3f}, "
              f"vs settled {counts[scope, 'final'] / n:.3f}; first reader vs settled "
              f"{counts[scope, 'writer'] / n:.3f}, second reader vs settled "
              f"{counts[scope, 'second'] / n:.3f}")


if __name__ == "__main__":
    main()
