/**
 * Does the fine-tuned network disagree with itself where it is wrong? For the frames an `eval
 * --json` report scored, each sequence's saved network (`<weights-dir>/<seq>.weights`) segments the
 * frame at its own resolution, mirrored, and at a second resolution; the IoU of the plain mask with
 * each (maps ≥ 0.5) is written per frame, for lab/confidence-study-style comparison with J.
 *
 *   nice npx tsx lab/view-disagreement.ts --report .bench/fast-train.json --weights-dir .bench/fast-train/masks
 *        [--davis ../shared/davis2016-train] [--scale 448] --json .bench/views-train.json
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { mirrorPlanes, loadDavisSequence, framePath, decodeRgbImage, readWeights } from '@oneshot-roto/core';
import { DEFAULT_DAVIS_DIR } from './davis-location';
import { modelAt, flipRgb } from './saved-network';

function iou(a: Float32Array, b: Float32Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! >= 0.5;
    const y = b[i]! >= 0.5;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}

interface FrameRecord {
  round: number;
  frame: number;
  scored: boolean;
}

async function main() {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      report: { type: 'string' },
      'weights-dir': { type: 'string' },
      scale: { type: 'string', default: '448' },
      json: { type: 'string' },
    },
  });
  if (!values.report || !values['weights-dir'] || !values.json)
    throw new Error('--report, --weights-dir and --json are required');
  const report = JSON.parse(await fs.readFile(values.report, 'utf8')) as {
    frames: Record<string, FrameRecord[]>;
  };
  const out: Record<string, Record<number, { flip: number; scale: number }>> = {};
  for (const [name, records] of Object.entries(report.frames)) {
    const w = await readWeights(path.join(values['weights-dir'], `${name}.weights`));
    const own = await modelAt(w, w.resolution);
    const other = await modelAt(w, Number(values.scale));
    const seq = await loadDavisSequence(values.davis, name);
    out[name] = {};
    for (const r of records) {
      if (r.round !== 1 || !r.scored) continue;
      const frame = await decodeRgbImage(framePath(seq, seq.frameNames[r.frame]!));
      const plain = await own.predict(frame);
      const mirrored = mirrorPlanes(await own.predict(flipRgb(frame)), 1, frame.width, frame.height);
      const scaled = await other.predict(frame);
      out[name][r.frame] = { flip: iou(plain, mirrored), scale: iou(plain, scaled) };
    }
    await own.dispose();
    await other.dispose();
    await fs.writeFile(values.json, JSON.stringify(out, null, 1));
    console.log(name, Object.keys(out[name]).length, 'frames');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
