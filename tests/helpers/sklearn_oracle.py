#!/usr/bin/python3
"""scikit-learn as a test oracle (Debian's python3-sklearn 1.2.1; test time only).

Reads one JSON request on stdin, prints one JSON answer:
  {"csv": path, "target": col, "model": "logistic" | "hgb_classifier" | "hgb_regressor", "params": {...},
   "folds": [fold id per row] | null}
Answer: {"folds": [score per fold on the given folds], "proba": full-fit probabilities
(classifiers) or "pred" (regressors) per row, "coef", "intercept" (logistic),
"classes"}. Scores: accuracy for classifiers, r2 for regressors.
"""
import csv
import json
import sys

import numpy as np


def load(path, target):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    t = header.index(target)
    X = np.array([[float(v) if v != "" else np.nan for i, v in enumerate(r) if i != t] for r in rows[1:]])
    y = [r[t] for r in rows[1:]]
    return X, y


def make(model, params):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    if model == "logistic":
        from sklearn.linear_model import LogisticRegression
        return make_pipeline(StandardScaler(), LogisticRegression(**params))
    if model == "hgb_classifier":
        from sklearn.ensemble import HistGradientBoostingClassifier
        return HistGradientBoostingClassifier(**params)
    if model == "hgb_regressor":
        from sklearn.ensemble import HistGradientBoostingRegressor
        return HistGradientBoostingRegressor(**params)
    raise SystemExit(f"unknown model {model}")


def main():
    req = json.load(sys.stdin)
    X, y = load(req["csv"], req["target"])
    classifier = req["model"] in ("logistic", "hgb_classifier")
    y = np.array(y) if classifier else np.array([float(v) for v in y])
    if classifier:
        try:
            yn = np.array([float(v) for v in y])
            y = yn.astype(int) if np.all(yn == np.round(yn)) else yn
        except ValueError:
            pass
    params = req.get("params", {})
    out = {}
    if req.get("folds") is not None:
        fold = np.array(req["folds"])
        scores = []
        for k in range(fold.max() + 1):
            tr, te = fold != k, fold == k
            m = make(req["model"], params).fit(X[tr], y[tr])
            scores.append(float(m.score(X[te], y[te])))
        out["folds"] = scores
    m = make(req["model"], params).fit(X, y)
    if classifier:
        out["proba"] = m.predict_proba(X).tolist()
        out["classes"] = [str(c) for c in m.classes_]
    else:
        out["pred"] = m.predict(X).tolist()
    if req["model"] == "logistic":
        sc, lr = m[0], m[-1]
        out["coef"] = (lr.coef_ / sc.scale_).tolist()
        out["intercept"] = (lr.intercept_ - (lr.coef_ / sc.scale_) @ sc.mean_).tolist()
        out["n_iter"] = int(lr.n_iter_.max())
    json.dump(out, sys.stdout)


main()
