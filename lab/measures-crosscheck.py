"""Second half of measures-crosscheck.ts: recomputes J and F with the reference code and
compares.  python3 lab/measures-crosscheck.py <workDir>"""
import importlib.util, json, os, sys
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    'ref', os.path.join(here, '..', 'companion-server', 'test', 'evaluation', 'fixtures', 'davis_reference_lib.py'))
ref = importlib.util.module_from_spec(spec); spec.loader.exec_module(ref)

work = sys.argv[1]
cases = json.load(open(os.path.join(work, 'ts-scores.json')))
worst_j = worst_f = 0.0
for c in cases:
    shape = (c['height'], c['width'])
    gt = np.fromfile(os.path.join(work, c['id'] + '.gt.bin'), np.uint8).reshape(shape)
    pred = np.fromfile(os.path.join(work, c['id'] + '.pred.bin'), np.uint8).reshape(shape)
    # Official argument order: db_eval_*(annotation, segmentation).
    j, f = ref.db_eval_iou(gt, pred), ref.db_eval_boundary(gt, pred)
    worst_j = max(worst_j, abs(j - c['J'])); worst_f = max(worst_f, abs(f - c['F']))
print('%d pairs; max |dJ| = %.3g, max |dF| = %.3g' % (len(cases), worst_j, worst_f))
sys.exit(0 if worst_j < 1e-12 and worst_f < 1e-12 else 1)
