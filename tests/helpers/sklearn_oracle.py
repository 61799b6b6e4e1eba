#!/usr/bin/python3
"""scikit-learn as a test oracle (Debian's python3-sklearn 1.2.1; test time only).

Reads one JSON request on stdin, prints one JSON answer:
  {"csv": path, "target": col, "model": "logistic" | "hgb_classifier" | "hgb_regressor"
   | "linear" | "forest_classifier" | "forest_regressor" | "tree_classifier" | "tree_regressor",
   "params": {...}, "folds": [fold id per row] | null,
   "permutation": {"n_repeats": n, "random_state": s} | null}
Answer: {"folds": [score per fold on the given folds], "proba": full-fit probabilities
(classifiers) or "pred" (regressors) per row, "coef", "intercept" (logistic, linear),
"classes", "permutation": per fold, permutation_importance's importances_mean per
feature (with "folds")}. Scores: accuracy for classifiers, r2 for regressors.
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


# Each model's scikit-learn class, by module and name (logistic sits behind a StandardScaler).
MODELS = {
    "logistic": ("sklearn.linear_model", "LogisticRegression"),
    "linear": ("sklearn.linear_model", "LinearRegression"),
    "hgb_classifier": ("sklearn.ensemble", "HistGradientBoostingClassifier"),
    "hgb_regressor": ("sklearn.ensemble", "HistGradientBoostingRegressor"),
    "forest_classifier": ("sklearn.ensemble", "RandomForestClassifier"),
    "forest_regressor": ("sklearn.ensemble", "RandomForestRegressor"),
    "tree_classifier": ("sklearn.tree", "DecisionTreeClassifier"),
    "tree_regressor": ("sklearn.tree", "DecisionTreeRegressor"),
}


def make(model, params):
    import importlib
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    if model not in MODELS:
        raise SystemExit(f"unknown model {model}")
    module, name = MODELS[model]
    estimator = getattr(importlib.import_module(module), name)(**params)
    return make_pipeline(StandardScaler(), estimator) if model == "logistic" else estimator


def main():
    req = json.load(sys.stdin)
    X, y = load(req["csv"], req["target"])
    classifier = req["model"] == "logistic" or req["model"].endswith("_classifier")
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
        perm = req.get("permutation")
        importances = []
        for k in range(fold.max() + 1):
            tr, te = fold != k, fold == k
            m = make(req["model"], params).fit(X[tr], y[tr])
            scores.append(float(m.score(X[te], y[te])))
            if perm:
                from sklearn.inspection import permutation_importance
                r = permutation_importance(m, X[te], y[te], n_repeats=perm["n_repeats"], random_state=perm["random_state"])
                importances.append(r.importances_mean.tolist())
        out["folds"] = scores
        if perm:
            out["permutation"] = importances
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
    if req["model"] == "linear":
        out["coef"] = [m.coef_.tolist()]
        out["intercept"] = [float(m.intercept_)]
    json.dump(out, sys.stdout)


main()
