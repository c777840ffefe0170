import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import {
  listDavisSequences,
  loadDavisSequence,
  readDavisAnnotation,
  readSplitFile,
} from '../../src/evaluation/davis-dataset';
import { evaluateResultsDir, evaluateSequence, summarizeSequence } from '../../src/evaluation/evaluate';
import { formatEvalTable } from '../../src/evaluation/format-report';
import { sampleClip } from '../../src/video/sample-clip';

const clip = sampleClip();
let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'oneshot-eval-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** A results folder `<root>/bear/` holding copies of the ground truth. */
async function resultsFromGroundTruth(name: string): Promise<string> {
  const root = path.join(dir, name);
  await fs.cp(clip.annotationsDir, path.join(root, 'bear'), { recursive: true });
  return root;
}

describe('evaluating the ground truth against itself (embedded DAVIS sample)', () => {
  it('scores J = F = 1, recall 1, decay 0 on every sequence and overall', async () => {
    // The Annotations/480p folder is itself in the results layout <dir>/<seq>/00000.png.
    const seen: string[] = [];
    const report = await evaluateResultsDir({
      davisRoot: clip.davisRoot,
      resultsDir: path.join(clip.davisRoot, 'Annotations', '480p'),
      onSequence: (name, result) => {
        seen.push(name);
        expect(result.frames.map((f) => f.name)).toEqual(
          [...Array(22).keys()].map((i) => String(i + 1).padStart(5, '0')),
        );
      },
    });
    const perfect = { mean: 1, recall: 1, decay: 0 };
    expect(seen).toEqual(['bear']);
    expect(report).toEqual({
      sequences: { bear: { J: perfect, F: perfect } },
      overall: { J: perfect, F: perfect },
    });
    const table = formatEvalTable(report);
    expect(table).toMatch(/^Sequence\s+J\(M\)\s+J\(O\)\s+J\(D\)\s+F\(M\)\s+F\(O\)\s+F\(D\)$/m);
    expect(table).toMatch(/^bear\s+1\.000\s+1\.000\s+0\.000\s+1\.000\s+1\.000\s+0\.000$/m);
    expect(table).toMatch(/^Overall\s+1\.000/m);
  });
});

describe('evaluating a results folder', () => {
  it('excludes the first and last frames and scores an empty prediction as J = F = 0', async () => {
    const root = await resultsFromGroundTruth('one-empty');
    // First and last frames are not needed: remove them.
    await fs.rm(path.join(root, 'bear', '00000.png'));
    await fs.rm(path.join(root, 'bear', '00023.png'));
    // Frame 5 (evaluated index 4, in the first decay bin [0..5]) predicted empty.
    await sharp(Buffer.alloc(854 * 480), { raw: { width: 854, height: 480, channels: 1 } })
      .png()
      .toFile(path.join(root, 'bear', '00005.png'));
    const report = await evaluateResultsDir({
      davisRoot: clip.davisRoot,
      resultsDir: root,
      sequences: ['bear'],
    });
    const bear = report.sequences.bear;
    if (!bear) throw new Error('the report has no scores for bear');
    const { J, F } = bear;
    for (const s of [J, F]) {
      expect(s.mean).toBeCloseTo(21 / 22, 12);
      expect(s.recall).toBeCloseTo(21 / 22, 12);
      expect(s.decay).toBeCloseTo(5 / 6 - 1, 12);
    }
  });

  it('reads soft mattes with a threshold (default: any nonzero value is foreground, as DAVIS)', async () => {
    const root = await resultsFromGroundTruth('dim');
    const f = path.join(root, 'bear', '00003.png');
    const gt = await sharp(f).extractChannel(0).raw().toBuffer();
    // 255 → 100: still foreground by the nonzero rule, background at threshold 127.
    await sharp(
      gt.map((v) => (v ? 100 : 0)),
      { raw: { width: 854, height: 480, channels: 1 } },
    )
      .png()
      .toFile(f);
    const official = await evaluateResultsDir({ davisRoot: clip.davisRoot, resultsDir: root });
    expect(official.overall.J.mean).toBe(1);
    const strict = await evaluateResultsDir({ davisRoot: clip.davisRoot, resultsDir: root, threshold: 127 });
    expect(strict.overall.J.mean).toBeCloseTo(21 / 22, 12);
  });

  it('a missing result frame: the error names the file', async () => {
    const root = await resultsFromGroundTruth('missing');
    await fs.rm(path.join(root, 'bear', '00007.png'));
    await expect(evaluateResultsDir({ davisRoot: clip.davisRoot, resultsDir: root })).rejects.toThrow(
      /missing\/bear\/00007\.png" does not exist/,
    );
  });

  it('a result of the wrong size: the error names both sizes', async () => {
    const root = await resultsFromGroundTruth('small');
    await sharp({ create: { width: 427, height: 240, channels: 3, background: '#fff' } })
      .png()
      .toFile(path.join(root, 'bear', '00010.png'));
    await expect(evaluateResultsDir({ davisRoot: clip.davisRoot, resultsDir: root })).rejects.toThrow(
      /00010\.png" is 427x240 but the frame is 854x480/,
    );
  });

  it('evaluateSequence scores frames 1..n-2 of the given names', async () => {
    const seq = await loadDavisSequence(clip.davisRoot, 'bear');
    const res = await evaluateSequence({
      annotationsDir: seq.annotationsDir,
      resultsDir: seq.annotationsDir,
      frameNames: seq.frameNames.slice(0, 5),
    });
    expect(res.frames.map((f) => f.name)).toEqual(['00001', '00002', '00003']);
    expect(summarizeSequence(res.frames)).toEqual({ J: res.J, F: res.F });
  });
});

describe('DAVIS folder layout', () => {
  it('lists sequences: all, by name, or from a split file in either DAVIS format', async () => {
    expect(await listDavisSequences(clip.davisRoot)).toEqual(['bear']);
    expect(await listDavisSequences(clip.davisRoot, { sequences: ['bear'] })).toEqual(['bear']);
    const split2016 = path.join(dir, 'train2016.txt');
    await fs.writeFile(
      split2016,
      '/JPEGImages/480p/bear/00000.jpg /Annotations/480p/bear/00000.png\n' +
        '/JPEGImages/480p/bear/00001.jpg /Annotations/480p/bear/00001.png\n' +
        '/JPEGImages/480p/boat/00000.jpg /Annotations/480p/boat/00000.png\n',
    );
    expect(await readSplitFile(split2016)).toEqual(['bear', 'boat']);
    const split2017 = path.join(dir, 'val2017.txt');
    await fs.writeFile(split2017, 'bear\n\nbear\n');
    expect(await listDavisSequences(clip.davisRoot, { split: split2017 })).toEqual(['bear']);
  });

  it('unknown sequences and non-DAVIS folders give clear errors', async () => {
    await expect(listDavisSequences(clip.davisRoot, { sequences: ['bear', 'koala'] })).rejects.toThrow(
      /Sequence\(s\) koala not found in DAVIS root/,
    );
    await expect(listDavisSequences(dir)).rejects.toThrow(
      /is not a DAVIS root: expected folders JPEGImages\/480p/,
    );
    await expect(readSplitFile(path.join(dir, 'nope.txt'))).rejects.toThrow(/Cannot read split file/);
  });

  it('loads a sequence: frame and annotation names in order', async () => {
    const seq = await loadDavisSequence(clip.davisRoot, 'bear');
    expect(seq.frameNames).toHaveLength(24);
    expect(seq.annotationNames).toEqual(seq.frameNames);
    expect(seq.frameNames[0]).toBe('00000');
    const gt = await readDavisAnnotation(seq, '00000');
    expect([gt.width, gt.height, gt.data.reduce((a, v) => Math.max(a, v), 0)]).toEqual([854, 480, 1]);
  });
});
