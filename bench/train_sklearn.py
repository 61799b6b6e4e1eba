#!/usr/bin/python3
"""scikit-learn side of bench/train.ts (Debian python3-sklearn; build/bench time only).

  make <dir>                         synthetic data: cls10k.csv, cls100k.csv, reg10k.csv
  time <csv> <task> <trees> <jobs>   fit time (CSV parsing excluded) and peak RSS, as JSON
  cv <csv> <target> <folds> <seed>   accuracy per predefined fold (same folds as mlv), as JSON
  digits <out.csv>                   export sklearn's digits data set
"""
import json
import resource
import sys
import time

import numpy as np


def load(path, target='y'):
    with open(path) as f:
        header = f.readline().strip().split(',')
    raw = np.genfromtxt(path, delimiter=',', skip_header=1, dtype=str)
    t = header.index(target)
    X = np.delete(raw, t, axis=1).astype(np.float64)
    y = raw[:, t]
    return X, y


def main():
    cmd = sys.argv[1]
    if cmd == 'make':
        from sklearn.datasets import make_classification, make_regression
        out = sys.argv[2]
        for name, n in (('cls10k', 10_000), ('cls100k', 100_000)):
            X, y = make_classification(n_samples=n, n_features=20, n_informative=10, random_state=0)
            write(f'{out}/{name}.csv', X, y.astype(int), '%d')
        X, y = make_regression(n_samples=10_000, n_features=20, n_informative=10, noise=10.0, random_state=0)
        write(f'{out}/reg10k.csv', X, y, '%.17g')
    elif cmd == 'time':
        from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
        path, task, trees, jobs = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
        X, y = load(path)
        y = y.astype(np.float64) if task == 'regression' else y.astype(float).astype(int)
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cls = RandomForestClassifier if task == 'classification' else RandomForestRegressor
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        t = time.perf_counter()
        m = cls(n_estimators=trees, n_jobs=jobs, random_state=0).fit(X, y)
        sec = time.perf_counter() - t
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        nodes = sum(e.tree_.node_count for e in m.estimators_)
        print(json.dumps({'seconds': sec, 'cpu_seconds': cpu, 'nodes': int(nodes), 'maxrss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, 'rss_before_fit_kb': base}))
    elif cmd == 'cv':
        from sklearn.ensemble import RandomForestClassifier
        path, target, folds_path, seed = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
        X, y = load(path, target)
        fold = np.loadtxt(folds_path, dtype=int)
        acc = []
        for k in range(fold.max() + 1):
            tr, te = fold != k, fold == k
            m = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=seed).fit(X[tr], y[tr])
            acc.append(float((m.predict(X[te]) == y[te]).mean()))
        print(json.dumps({'folds': acc, 'mean': float(np.mean(acc))}))
    elif cmd == 'digits':
        from sklearn.datasets import load_digits
        d = load_digits()
        cols = [f'pixel_{i}' for i in range(d.data.shape[1])] + ['digit']
        with open(sys.argv[2], 'w') as f:
            f.write(','.join(cols) + '\n')
            for row, t in zip(d.data.astype(int), d.target):
                f.write(','.join(map(str, row)) + f',{t}\n')
    else:
        sys.exit(f'unknown command {cmd}')


def write(path, X, y, yfmt):
    cols = [f'f{i}' for i in range(X.shape[1])] + ['y']
    data = np.column_stack([X, y])
    fmt = ['%.17g'] * X.shape[1] + [yfmt]
    np.savetxt(path, data, delimiter=',', header=','.join(cols), comments='', fmt=fmt)


if __name__ == '__main__':
    main()
