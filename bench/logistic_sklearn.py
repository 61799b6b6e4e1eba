#!/usr/bin/python3
"""scikit-learn side of bench/logistic.ts (Debian python3-sklearn; bench time only).

  make <dir>           bin100k.csv (2 classes), multi100k.csv (3 classes): make_classification, 100k x 20
  cv <csv> <target> <folds>   5-fold accuracy of the pipeline on the given fold ids (one per line), as JSON
  time <csv> <reps>    make_pipeline(StandardScaler(), LogisticRegression()) fit seconds per repetition (CSV parsing excluded), as JSON
"""
import json
import sys
import time

import numpy as np


def main():
    cmd = sys.argv[1]
    if cmd == 'make':
        from sklearn.datasets import make_classification
        for name, k in (('bin100k', 2), ('multi100k', 3)):
            X, y = make_classification(n_samples=100_000, n_features=20, n_informative=10, n_classes=k, random_state=0)
            cols = [f'f{i}' for i in range(20)] + ['y']
            np.savetxt(f'{sys.argv[2]}/{name}.csv', np.column_stack([X, y]), delimiter=',', header=','.join(cols),
                       comments='', fmt=['%.17g'] * 20 + ['%d'])
    elif cmd == 'time':
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        data = np.loadtxt(sys.argv[2], delimiter=',', skiprows=1)
        X, y = data[:, :-1], data[:, -1].astype(int)
        seconds = []
        for _ in range(int(sys.argv[3])):
            t = time.perf_counter()
            m = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
            seconds.append(time.perf_counter() - t)
        print(json.dumps({'seconds': seconds, 'n_iter': int(m[-1].n_iter_.max()), 'accuracy': float(m.score(X, y))}))
    elif cmd == 'cv':
        import csv
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        with open(sys.argv[2], newline='') as f:
            rows = list(csv.reader(f))
        t = rows[0].index(sys.argv[3])
        X = np.array([[float(v) for i, v in enumerate(r) if i != t] for r in rows[1:]])
        y = np.array([r[t] for r in rows[1:]])
        fold = np.loadtxt(sys.argv[4], dtype=int)
        acc = []
        for k in range(fold.max() + 1):
            tr, te = fold != k, fold == k
            acc.append(float(make_pipeline(StandardScaler(), LogisticRegression()).fit(X[tr], y[tr]).score(X[te], y[te])))
        print(json.dumps({'folds': acc, 'mean': float(np.mean(acc))}))
    else:
        sys.exit(f'unknown command {cmd}')


if __name__ == '__main__':
    main()
