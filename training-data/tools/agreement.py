#!/usr/bin/env python3
"""Party agreement: a second reader's blind labels of 12 dev articles against the dev
gold labels, next to detente's party on the same rows (the human ceiling of the party
target in issue 4).

    cargo build --release
    python3 training-data/tools/agreement.py [path/to/detente-tag]

Rows are matched by (source, text). Three canonical-name variants that name the same
actor are counted as agreement (the second reader saw no lexicon).
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


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/detente-tag"
    gold = {}
    for path in sorted(glob.glob(os.path.join(DATA, "dev", "*.csv"))):
        with open(path, encoding="utf-8") as f:
            for r in csv.DictReader(f):
                gold[(r["source"], r["text"])] = r["party"]
    with open(os.path.join(DATA, "agreement", "dev-party-second-reader.csv"), encoding="utf-8") as f:
        second = list(csv.DictReader(f))
    by_source = collections.OrderedDict()
    for r in second:
        by_source.setdefault(r["source"], []).append(r)
    n = human = tool = 0
    n2 = human2 = tool2 = 0
    for source, rows in by_source.items():
        article = os.path.join(DATA, "dev", "articles", source + ".txt")
        out = subprocess.run([binary, "--format", "jsonl", article],
                             capture_output=True, text=True, check=True).stdout
        with open(article, "rb") as f:
            text = f.read()
        tagged = {}
        for line in out.splitlines():
            t = json.loads(line)
            tagged[text[t["start"]:t["end"]].decode().strip()] = t
        for r in rows:
            t = tagged.get(r["text"].strip())
            g = gold[(source, r["text"])]
            if t is None:
                continue
            h_ok = g == r["party"] or (g, r["party"]) in SAME_ACTOR
            t_ok = g == (t["party"] or "none")
            several = len({m["party"] for m in t["mentions"]}) >= 2
            n += 1
            human += h_ok
            tool += t_ok
            if several:
                n2 += 1
                human2 += h_ok
                tool2 += t_ok
    print(f"{n} rows: second reader vs gold {human / n:.3f}, detente vs gold {tool / n:.3f}")
    print(f"{n2} rows naming 2+ parties: second reader {human2 / n2:.3f}, detente {tool2 / n2:.3f}")


if __name__ == "__main__":
    main()
