#!/usr/bin/env python3
"""Does a frame the last correction moved score worse? From `eval --annotations N --choose … --json`
reports (each round's frame records carry the object's area and centre): for every round after the
first, Spearman's rho within clips (mean of the sequences' own rho) of the true J with the round's
score, with steadiness (the object's place under this round's network against the previous
round's, as packages/core/src/confidence/score.ts computes it) and with the two averaged. Frames
annotated in the round are left out, as are clips with fewer than 4 such frames.

  python3 lab/steadiness-study.py .bench/curves5-train-confidence.json .bench/curves5-train-spread.json …
"""
import collections, json, math, sys
import numpy as np
from spearman import rho


def steadiness(before, now):
    # score.ts placeAgreement(previous, own): area ratio / (1 + centre distance in object sizes of `own`).
    big = max(before['area'], now['area'])
    ratio = 1 if big == 0 else min(before['area'], now['area']) / big
    size = max(math.sqrt(now['area']), 0.02)
    return ratio / (1 + math.hypot(before['cx'] - now['cx'], before['cy'] - now['cy']) / size)


def main(paths):
    for path in paths:
        report = json.load(open(path))
        table = collections.defaultdict(list)
        for records in report['frames'].values():
            rounds = collections.defaultdict(dict)
            for f in records:
                rounds[f['round']][f['frame']] = f
            for r in sorted(rounds):
                frames = [f for f in rounds[r].values()
                          if r > 1 and f['scored'] and not f['annotated'] and f['frame'] in rounds[r - 1]]
                if len(frames) < 4:
                    continue
                J = [f['J'] for f in frames]
                # The report's confidence is the single-network score unless it was run with steadiness.
                single = [f['confidence'] if 'previous' not in f['evidence'] else None for f in frames]
                if None in single:
                    continue
                steady = [steadiness(rounds[r - 1][f['frame']]['evidence'], f['evidence']) for f in frames]
                table[(r, 'score')].append(rho(single, J))
                table[(r, 'steadiness')].append(rho(steady, J))
                table[(r, 'score and steadiness averaged')].append(rho([(a + b) / 2 for a, b in zip(single, steady)], J))
        print(path)
        for (r, name), values in sorted(table.items()):
            print(f'  {r} annotations  {name.ljust(30)} {np.mean(values):.3f}  ({len(values)} clips)')


if __name__ == '__main__':
    main(sys.argv[1:])
