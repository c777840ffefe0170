#!/usr/bin/env python3
"""Which of two next annotations taught the network more? From recorded `eval --annotations N
--choose … --json` reports: wherever two ways of choosing stood at the same annotated set of a
sequence and picked different frames, the pick whose round raised the clip's mean J more is the
better one; each candidate measure (taken at the state before the pick) is scored by how often it
ranks the better pick higher (pairs whose gains differ by < --min-gain are left out).

  python3 lab/pick-pairs.py --report train:spread=.bench/curves5-train-spread.json \
      --report train:confidence=… --report hold:spread=… [--min-gain 0.003] [--list]
"""
import argparse, collections, itertools, json


def mean_j(frames):
    s = [f['J'] for f in frames if f['scored']]
    return sum(s) / len(s)


def transitions(subset, rule, path):
    report = json.load(open(path))
    for seq, records in report['frames'].items():
        rounds = collections.defaultdict(list)
        for f in records:
            rounds[f['round']].append(f)
        for r in sorted(rounds):
            if r + 1 not in rounds:
                continue
            before = {f['frame'] for f in rounds[r] if f['annotated']}
            new = {f['frame'] for f in rounds[r + 1] if f['annotated']} - before
            by_frame = {f['frame']: f for f in rounds[r]}
            if len(new) != 1 or next(iter(new)) not in by_frame:
                continue
            c = new.pop()
            open_frames = [f for f in rounds[r] if not f['annotated']]
            span = max(by_frame) - min(by_frame) + 1
            nearest = lambda f: min(abs(f - a) for a in before)

            def cover(weight):
                # How much nearer to an annotation the frames get (facility location).
                return sum(weight(f) * max(0, nearest(f['frame']) - abs(f['frame'] - c)) for f in open_frames)

            yield dict(
                subset=subset, rule=rule, seq=seq, state=tuple(sorted(before)), frame=c,
                gain=mean_j(rounds[r + 1]) - mean_j(rounds[r]),
                doubt=1 - by_frame[c]['confidence'], true_error=1 - by_frame[c]['J'],
                novelty=min(1, nearest(c) / (span / (len(before) + 1))),
                cover_uniform=cover(lambda f: 1), cover_doubt=cover(lambda f: 1 - f['confidence']),
                cover_true_error=cover(lambda f: 1 - f['J']),
            )


MEASURES = {
    'doubt (1 - confidence)': lambda x: x['doubt'],
    'doubt x novelty (the product rule)': lambda x: x['doubt'] * x['novelty'],
    'novelty (distance from annotations, capped)': lambda x: x['novelty'],
    'coverage, uniform': lambda x: x['cover_uniform'],
    'coverage, doubt-weighted': lambda x: x['cover_doubt'],
    'oracle: 1 - J at the frame': lambda x: x['true_error'],
    'oracle: coverage, (1 - J)-weighted': lambda x: x['cover_true_error'],
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--report', action='append', required=True, help='subset:rule=path')
    ap.add_argument('--min-gain', type=float, default=0.003)
    ap.add_argument('--list', action='store_true', help='print every state with two or more picks')
    args = ap.parse_args()
    states = collections.defaultdict(dict)
    for spec in args.report:
        label, path = spec.split('=', 1)
        subset, rule = label.split(':', 1)
        for t in transitions(subset, rule, path):
            states[(t['subset'], t['seq'], t['state'])].setdefault(t['frame'], t)
    subsets = sorted({k[0] for k in states})
    print('measure'.ljust(44) + ''.join(s.rjust(12) for s in subsets + ['all']))
    for name, measure in MEASURES.items():
        cells = []
        for subset in subsets + [None]:
            right = total = 0
            for key, picks in states.items():
                if subset and key[0] != subset:
                    continue
                for a, b in itertools.combinations(picks.values(), 2):
                    dg, dm = a['gain'] - b['gain'], measure(a) - measure(b)
                    if abs(dg) < args.min_gain or dm == 0:
                        continue
                    total += 1
                    right += (dg > 0) == (dm > 0)
            cells.append(f'{right}/{total}')
        print(name.ljust(44) + ''.join(c.rjust(12) for c in cells))
    if args.list:
        for key, picks in sorted(states.items()):
            if len(picks) > 1:
                print(*key[:2], key[2], ' | '.join(
                    f"{p['frame']}: doubt {p['doubt']:.2f} J {1 - p['true_error']:.2f} gain {100 * p['gain']:+.1f} [{p['rule']}]"
                    for p in sorted(picks.values(), key=lambda p: p['frame'])))


if __name__ == '__main__':
    main()
