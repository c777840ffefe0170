#!/usr/bin/env python3
"""Can other signals, or a fitted mix of them, order a clip's frames by J better than the product's
confidence? Reads the round-1 frame records of `eval --json` reports and the per-frame flip and
scale IoUs of lab/view-disagreement.ts, prints Spearman's rho with J within clips (mean of the
sequences' own rho) and pooled for each signal, then fits a linear mix on the within-clip centred
values of one subset (ridge, tiny penalty) and scores it leave-one-sequence-out there and once on
the other subset.

  python3 lab/score-fit.py --fit .bench/fast-train.json=.bench/views-train.json \
      --test .bench/fast-holdout.json=.bench/views-holdout.json
"""
import argparse, json
import numpy as np
from spearman import rho

SIGNALS = ['crispness', 'agreement', 'consistency', 'flip IoU', 'scale IoU', 'nearness', 'area kept', 'object size']


def load(spec):
    report_path, views_path = spec.split('=', 1)
    report, views = json.load(open(report_path)), json.load(open(views_path))
    X, y, seqs, score = [], [], [], []
    for seq, records in report['frames'].items():
        first = [f for f in records if f['round'] == 1 and f['annotated']][0]
        length = max(f['frame'] for f in records) + 1
        for f in records:
            v = views.get(seq, {}).get(str(f['frame']))
            if f['round'] != 1 or not f['scored'] or v is None:
                continue
            e = f['evidence']
            crisp, agr = 1 - e['uncertain'], e.get('agreement')
            # The score is the mean of its terms; consistency is not stored on its own.
            cons = 3 * f['confidence'] - crisp - agr if agr is not None else 2 * f['confidence'] - crisp
            a0 = first['evidence']['area']
            kept = min(a0, e['area']) / max(a0, e['area'], 1e-9)
            X.append([crisp, 1 if agr is None else agr, cons, v['flip'], v['scale'],
                      1 - f['frame'] / length, kept, np.sqrt(e['area'])])
            y.append(f['J'])
            seqs.append(seq)
            score.append(f['confidence'])
    return np.array(X), np.array(y), np.array(seqs), np.array(score)


def within(values, y, seqs):
    return float(np.mean([rho(values[seqs == s], y[seqs == s]) for s in np.unique(seqs)]))


def centred(X, y, seqs):
    Xc, yc = X.copy(), y.copy()
    for s in np.unique(seqs):
        m = seqs == s
        Xc[m] -= X[m].mean(0)
        yc[m] -= y[m].mean()
    return Xc, yc


def fit(X, y, seqs):
    Xc, yc = centred(X, y, seqs)
    return np.linalg.solve(Xc.T @ Xc + 1e-3 * np.eye(X.shape[1]), Xc.T @ yc)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--fit', required=True, help='report.json=views.json of the subset to fit on')
    ap.add_argument('--test', required=True, help='report.json=views.json of the other subset')
    args = ap.parse_args()
    fit_set, test_set = load(args.fit), load(args.test)
    print('signal'.ljust(34) + 'fit: within  pooled   test: within  pooled')
    rows = [('the product\'s score', lambda X, s: s)] + [
        (name, lambda X, s, i=i: X[:, i]) for i, name in enumerate(SIGNALS)]
    for name, signal in rows:
        cells = []
        for X, y, seqs, score in (fit_set, test_set):
            v = signal(X, score)
            cells += [within(v, y, seqs), rho(v, y)]
        print(name.ljust(34) + '{:12.3f}{:8.3f}{:15.3f}{:8.3f}'.format(*cells))
    print('\nlinear mix fitted within clips: fit-subset leave-one-sequence-out / test-subset within rho')
    for terms in ([0, 1, 2], [0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5, 6], list(range(8))):
        X, y, seqs, _ = fit_set
        loso = [rho(X[seqs == s][:, terms] @ fit(X[seqs != s][:, terms], y[seqs != s], seqs[seqs != s]), y[seqs == s])
                for s in np.unique(seqs)]
        w = fit(X[:, terms], y, seqs)
        Xt, yt, st, _ = test_set
        print('  ' + ' + '.join(SIGNALS[i] for i in terms).ljust(96) +
              f'{np.mean(loso):.3f} / {within(Xt[:, terms] @ w, yt, st):.3f}   weights {np.round(w, 2).tolist()}')


if __name__ == '__main__':
    main()
