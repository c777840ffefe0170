"""Spearman's rho for the lab's Python studies (ties share their mean rank; constant input gives 0,
where scipy's spearmanr gives nan, so a clip with one J value counts as no order)."""
import numpy as np


def rank(v):
    v = np.asarray(v, float)
    r = np.empty(len(v))
    r[np.argsort(v, kind='mergesort')] = np.arange(len(v))
    for x in np.unique(v):
        r[v == x] = r[v == x].mean()
    return r


def rho(a, b):
    ra, rb = rank(a), rank(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    den = np.sqrt((ra ** 2).sum() * (rb ** 2).sum())
    return float((ra * rb).sum() / den) if den else 0.0
