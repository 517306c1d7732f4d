"""Python comparators for bench/compare.sh: scikit-learn and fastText.

  compare.py sklearn-tag  TRAIN_DIR SENTENCES   fit on TRAIN_DIR/*.csv, then time
                                                vectorise + predict_proba on SENTENCES
  compare.py fasttext-tag TRAIN_DIR SENTENCES   fit fastText, then time predict
  compare.py sklearn-train CSV_DIR ALPHAS FOLDS  GridSearchCV over C = 1/alpha with
                                                detente's grouped folds + party head
  compare.py make-rows TRAIN_DIR N OUT_DIR      N rows: the first N of TRAIN_DIR, or
                                                copies with new sources when N is larger

Prints one JSON object on stdout. Single-threaded (n_jobs=1, thread=1).
"""
import csv, glob, json, os, sys, tempfile, time


def load(train_dir):
    rows = []
    for path in sorted(glob.glob(os.path.join(train_dir, "*.csv"))):
        with open(path, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                rows.append(r)
    return rows


def read_sentences(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")[:-1]


def group_folds(sources, folds):
    """detente's fold assignment (src/train.rs group_folds)."""
    sizes = {}
    for s in sources:
        sizes[s] = sizes.get(s, 0) + 1
    folds = max(1, min(folds, len(sizes)))
    order = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))
    load_ = [0] * folds
    fold_of = {}
    for source, n in order:
        f = min(range(folds), key=lambda i: (load_[i], i))
        load_[f] += n
        fold_of[source] = f
    return [fold_of[s] for s in sources]


def sklearn_tag(train_dir, sentences_path):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = load(train_dir)
    t0 = time.perf_counter()
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2)
    x = vec.fit_transform([r["text"] for r in rows])
    clf = LogisticRegression(C=1.0, max_iter=150).fit(x, [r["stance"] for r in rows])
    fit = time.perf_counter() - t0
    sents = read_sentences(sentences_path)
    t0 = time.perf_counter()
    p = clf.predict_proba(vec.transform(sents))
    pred = time.perf_counter() - t0
    return {"system": "sklearn", "fit_s": fit, "predict_s": pred, "sentences": len(sents),
            "bytes": sum(len(s.encode()) for s in sents), "checksum": float(p[:, 0].sum())}


def fasttext_tag(train_dir, sentences_path):
    import fasttext

    rows = load(train_dir)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        for r in rows:
            f.write("__label__%s %s\n" % (r["stance"], r["text"].replace("\n", " ")))
        train_file = f.name
    t0 = time.perf_counter()
    model = fasttext.train_supervised(train_file, wordNgrams=2, epoch=25, lr=0.5, dim=50,
                                      thread=1, verbose=0)
    fit = time.perf_counter() - t0
    os.unlink(train_file)
    sents = read_sentences(sentences_path)
    t0 = time.perf_counter()
    labels, probs = model.predict(sents, k=1)
    pred = time.perf_counter() - t0
    return {"system": "fasttext", "fit_s": fit, "predict_s": pred, "sentences": len(sents),
            "bytes": sum(len(s.encode()) for s in sents), "checksum": len(labels)}


def sklearn_train(csv_dir, alphas, folds):
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.feature_selection import SelectKBest, chi2
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, PredefinedSplit
    from sklearn.pipeline import Pipeline

    rows = load(csv_dir)
    texts = [r["text"] for r in rows]
    y = [r["stance"] for r in rows]
    fold = group_folds([r.get("source", "") for r in rows], folds)
    t0 = time.perf_counter()
    pipe = Pipeline([
        ("vec", TfidfVectorizer(ngram_range=(1, 2), min_df=2, binary=True, use_idf=False,
                                norm=None)),
        ("sel", SelectKBest(chi2, k=3000)),
        ("clf", LogisticRegression(max_iter=150)),
    ])
    grid = GridSearchCV(pipe, {"clf__C": [1.0 / a for a in alphas]}, cv=PredefinedSplit(fold),
                        scoring="f1_macro", n_jobs=1, refit=True)
    grid.fit(texts, y)
    stance = time.perf_counter() - t0
    # Party head, as detente-train: one fit at C = 1/2 on rows with a party (detente-train
    # cross-validates the party head alone only with --party-head-cv).
    t1 = time.perf_counter()
    has = [i for i, r in enumerate(rows) if r.get("party")]
    party_y = np.array([rows[i]["party"] for i in has])
    ptexts = [texts[i] for i in has]
    party_pipe = Pipeline([
        ("vec", TfidfVectorizer(ngram_range=(1, 2), min_df=2, binary=True, use_idf=False,
                                norm=None)),
        ("sel", SelectKBest(chi2, k=2000)),
        ("clf", LogisticRegression(C=0.5, max_iter=150)),
    ])
    party_pipe.fit(ptexts, party_y)
    party = time.perf_counter() - t1
    return {"system": "sklearn GridSearchCV", "rows": len(rows), "stance_s": stance,
            "party_s": party, "total_s": stance + party, "best_C": grid.best_params_["clf__C"]}


def make_rows(train_dir, n, out_dir):
    rows = load(train_dir)
    os.makedirs(out_dir, exist_ok=True)
    out = []
    k = 0
    while len(out) < n:
        for r in rows:
            if len(out) == n:
                break
            r = dict(r)
            if k:
                r["source"] = "%s-r%d" % (r.get("source", ""), k)
            out.append(r)
        k += 1
    fields = ["text", "stance", "party", "source"]
    with open(os.path.join(out_dir, "rows.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        w.writerows(out)
    return {"rows": len(out)}


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "sklearn-tag":
        r = sklearn_tag(*args)
    elif cmd == "fasttext-tag":
        r = fasttext_tag(*args)
    elif cmd == "sklearn-train":
        r = sklearn_train(args[0], [float(a) for a in args[1].split(",")], int(args[2]))
    elif cmd == "make-rows":
        r = make_rows(args[0], int(args[1]), args[2])
    else:
        sys.exit("unknown command " + cmd)
    print(json.dumps(r))
