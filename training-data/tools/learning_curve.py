#!/usr/bin/env python3
"""How much more training text would help: dev figures when training on part of the corpus.

Trains detente on a random 25, 50 and 75% of the training articles (whole articles, one
seed) and prints the dev stance macro-F1 and party accuracy of each, next to the full
corpus. The dev set only measures here: nothing is chosen from it.

    cargo build --release
    python3 training-data/tools/learning_curve.py [--seed 7] [--shares 25,50,75]

About 3-4 minutes per share on two cores (each run does the usual alpha search).
"""
import argparse
import csv
import glob
import os
import random
import re
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
ROOT = os.path.dirname(DATA)


def train_and_test(binary, train_dir, out_dir):
    result = subprocess.run(
        [binary, "--output", os.path.join(out_dir, "model.json"), train_dir,
         "--test", os.path.join(DATA, "dev")],
        capture_output=True, text=True, check=True)
    # detente-train reports on standard error.
    dev = (result.stdout + result.stderr).split("test set", 1)[1]
    f1 = re.search(r"macro-F1 ([0-9.]+)", dev).group(1)
    party = re.search(r"detente\s+([0-9.]+)\s+([0-9.]+)", dev).groups()
    return f1, party


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shares", default="25,50,75")
    parser.add_argument("--binary", default=os.path.join(ROOT, "target/release/detente-train"))
    args = parser.parse_args()

    rows, header = [], None
    for path in sorted(glob.glob(os.path.join(DATA, "*.csv"))):
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames
            rows.extend(reader)
    sources = sorted({r["source"] for r in rows})
    random.Random(args.seed).shuffle(sources)

    print(f"{'share':>6} {'rows':>6} {'stance F1':>10} {'party':>7} {'2+ named':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for share in [int(s) for s in args.shares.split(",")] + [100]:
            if share == 100:
                train_dir, n = DATA, len(rows)
            else:
                keep = set(sources[: len(sources) * share // 100])
                train_dir = os.path.join(tmp, f"p{share}")
                os.makedirs(train_dir)
                part = [r for r in rows if r["source"] in keep]
                with open(os.path.join(train_dir, "train.csv"), "w", encoding="utf-8",
                          newline="") as f:
                    writer = csv.DictWriter(f, fieldnames=header)
                    writer.writeheader()
                    writer.writerows(part)
                n = len(part)
            f1, (party, multi) = train_and_test(args.binary, train_dir, tmp)
            print(f"{share:>5}% {n:>6} {f1:>10} {party:>7} {multi:>9}", flush=True)


if __name__ == "__main__":
    main()
