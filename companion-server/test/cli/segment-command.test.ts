/**
 * The `segment` and `eval` commands through the real CLI entry point, on the embedded sample:
 * a video file range with a first-frame annotation, a short fine-tune, mattes on disk.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { main } from '../../src/cli/main';
import { readWeights, readMask, sampleClip } from '@oneshot-roto/core';
import { inTwin, occludedBearFrames, twinBearFrames, twinBearMask } from '../server/helpers/fixtures';

const sample = sampleClip();

/** Replaces a stream's write with one that collects what is written; returns the restore function. */
function intercept(stream: NodeJS.WriteStream, chunks: string[]): () => void {
  const write = stream.write.bind(stream);
  stream.write = (c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  };
  return () => {
    stream.write = write;
  };
}

/** Runs the CLI in-process; stdout and stderr are collected instead of printed. */
async function runCapturing(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const restoreOut = intercept(process.stdout, out);
  const restoreErr = intercept(process.stderr, err);
  try {
    await main(['node', 'oneshot-roto', ...args]);
  } finally {
    restoreOut();
    restoreErr();
  }
  return { stdout: out.join(''), stderr: err.join('') };
}

async function run(args: string[]): Promise<string> {
  return (await runCapturing(args)).stdout;
}

/** A twinBearFrames clip and its frame-0 mask, written as the PNG that `--annotation 0:` takes. */
async function annotatedTwinClip(dir: string, name: string) {
  const clip = await twinBearFrames(5, 2, 256);
  const annotation = path.join(dir, `${name}-00000.png`);
  const mask0 = await twinBearMask(0, clip.width, clip.height);
  await sharp(Buffer.from(mask0.map((v) => v * 255)), {
    raw: { width: clip.width, height: clip.height, channels: 1 },
  })
    .png()
    .toFile(annotation);
  /** `segment` of the clip with the annotation into `out`. */
  const segmentArgs = (out: string, extra: string[]) => [
    ...['segment', clip.folder, '--out', out, '--annotation', `0:${annotation}`],
    ...extra,
  ];
  return { clip, mask0, segmentArgs };
}

describe('oneshot-roto segment / eval', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roto-cli-'));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('fine-tunes on a first-frame mask and writes one 8-bit matte per frame of a video range, numbered like the source', async () => {
    const out = path.join(dir, 'matte');
    const weights = path.join(dir, 'bear.weights');
    const { stdout, stderr } = await runCapturing([
      'segment',
      sample.videoPath,
      '--out',
      out,
      '--start',
      '2',
      '--end',
      '6',
      '--annotation',
      `0:${path.join(sample.annotationsDir, '00002.png')}`,
      '--resolution',
      '128',
      '--iterations',
      '4',
      '--trainable',
      'head',
      '--edge-snap',
      'none',
      '--save-weights',
      weights,
      '--test-time-flip',
      // The parent guide's CLI path, at 160² instead of the presets' 1024² to keep the test quick.
      '--parent-guide',
      '160',
    ]);
    expect(stdout).toMatch(/wrote 4 file\(s\) for 4 frames/);
    // A terminal for people: progress and warnings, no JSON log lines.
    expect(stderr).toMatch(/fine-tun/i);
    expect(stderr.split('\n').filter((l) => l.trimStart().startsWith('{'))).toEqual([]);
    const files = (await fs.readdir(out)).sort();
    // The matte, and every frame's confidence beside it.
    expect(files).toEqual(['00002.png', '00003.png', '00004.png', '00005.png', 'confidence.json']);
    const meta = await sharp(path.join(out, '00003.png')).metadata();
    expect([meta.width, meta.height]).toEqual([854, 480]);
    // The weights remember to segment with test-time flip and the parent guide.
    const saved = await readWeights(weights);
    expect(saved.testTimeFlip).toBe(true);
    expect(saved.parentGuide?.resolution).toBe(160);
    expect(saved.parentGuide?.agreement).toBeGreaterThanOrEqual(0);

    // Reopening with the saved weights segments without training.
    const again = path.join(dir, 'again');
    const reopened = await runCapturing([
      '--log-json',
      '--log-level',
      'info',
      'segment',
      sample.videoPath,
      '--out',
      again,
      '--start',
      '2',
      '--end',
      '4',
      '--weights',
      weights,
      '--edge-snap',
      'none',
    ]);
    expect((await fs.readdir(again)).sort()).toEqual(['00002.png', '00003.png', 'confidence.json']);
    // --log-json: every log line is JSON, among them the inference session's.
    const logLines = reopened.stderr.split('\n').filter((l) => l.startsWith('{'));
    const records = logLines.map((l) => JSON.parse(l) as { component?: string; level: number });
    expect(records.some((r) => r.component === 'inference' && r.level === 30)).toBe(true);
  });

  it('rejects an annotation outside the clip with a clear error', async () => {
    await expect(
      run([
        'segment',
        sample.framesDir,
        '--out',
        path.join(dir, 'x'),
        '--annotation',
        `99:${sample.firstFrameMask}`,
        '--resolution',
        '128',
      ]),
    ).rejects.toThrow(/frames 0\.\.23/);
  });

  it('rejects an unknown fine-tuning loss with a usage error naming the choices', async () => {
    let stderr: string;
    try {
      const args = ['segment', sample.framesDir, '--out', path.join(dir, 'y')];
      ({ stderr } = await runCapturing([
        ...args,
        '--annotation',
        `0:${sample.firstFrameMask}`,
        '--loss',
        'focal',
      ]));
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = 0;
    }
    expect(stderr).toMatch(/'focal' is invalid.*class-balanced, sqrt-balanced, plain/s);
    for (const bad of ['1.5', '-2']) {
      await expect(
        run(['eval', '--davis', sample.davisRoot, '--resolution', '128', '--augmented-views', bad]),
      ).rejects.toThrow(new RegExp(`--augmented-views expects a positive integer, got "${bad}"`));
    }
    for (const bad of ['0', '8,', '1.5', 'x']) {
      await expect(
        run(['eval', '--davis', sample.davisRoot, '--resolution', '128', '--ensemble-views', bad]),
      ).rejects.toThrow(/--ensemble-views expects view counts of 1 or more separated by commas/);
    }
  });

  it('eval saves the fine-tuned weights, and --reuse-weights segments with them again without fine-tuning', async () => {
    const method = [
      ...['--resolution', '128', '--iterations', '4', '--trainable', 'head', '--edge-snap', 'none'],
      ...['--parent-guide', 'none'],
    ];
    const first = path.join(dir, 'eval-a');
    // Three views, and a second network on two views averaged with the first.
    const a = await run([
      'eval',
      '--davis',
      sample.davisRoot,
      ...method,
      '--augmented-views',
      '3',
      '--ensemble-views',
      '2',
      '--results-out',
      first,
    ]);
    expect(a).toMatch(/bear: 1 annotation\(s\) \[0\].*fine-tune [\d.]+ s \/ 8 it/);
    await expect(fs.stat(path.join(first, 'bear.weights'))).resolves.toBeTruthy();
    // `eval --reuse-weights first` into `<dir>/<out>`, with further flags.
    const reuse = (out: string, ...flags: string[]) =>
      run([
        'eval',
        '--davis',
        sample.davisRoot,
        ...method,
        '--reuse-weights',
        first,
        '--results-out',
        path.join(dir, out),
        ...flags,
      ]);
    const b = await reuse('eval-b');
    expect(b).toMatch(/bear: 1 annotation\(s\) \[0\].*saved weights \(8 it\)/);
    // Same weights, same settings: the same masks, so the same scores.
    const scores = (out: string) => /bear: .*?J ([\d.]+)\s+F ([\d.]+)/.exec(out)!.slice(1);
    expect(scores(b)).toEqual(scores(a));
    // The same networks segmenting each frame mirrored too: other masks from the same weights.
    const c = await reuse('eval-c', '--test-time-flip');
    expect(c).toMatch(/bear: 1 annotation\(s\) \[0\].*saved weights \(8 it\)/);
    const masks = async (run: string) => {
      const folder = path.join(dir, run, 'bear');
      const names = (await fs.readdir(folder)).sort();
      return Promise.all(names.map((n) => fs.readFile(path.join(folder, n))));
    };
    const [maskB, maskC] = [await masks('eval-b'), await masks('eval-c')];
    expect(maskC).toHaveLength(maskB.length);
    expect(maskC.some((m, i) => !m.equals(maskB[i]!))).toBe(true);

    await expect(
      run([
        'eval',
        '--davis',
        sample.davisRoot,
        ...method.slice(2),
        '--resolution',
        '160',
        '--reuse-weights',
        first,
      ]),
    ).rejects.toThrow(/fine-tuned at 128px but this run segments at 160px/);
  });

  it('refuses annotations with --model (fine-tuning targets the built-in parent), in segment and eval', async () => {
    const own = path.join(dir, 'own.onnx');
    const refusal = /annotations fine-tune the built-in parent network; with --model the given network/;
    await expect(
      run([
        'segment',
        sample.videoPath,
        '--out',
        path.join(dir, 'own-matte'),
        '--annotation',
        `0:${path.join(sample.annotationsDir, '00000.png')}`,
        '--model',
        own,
      ]),
    ).rejects.toThrow(refusal);
    await expect(
      run(['eval', '--davis', sample.davisRoot, '--annotations', '1', '--model', own, '--results-out', dir]),
    ).rejects.toThrow(refusal);
  });

  it('eval --results scores precomputed masks and writes the JSON report', async () => {
    const json = path.join(dir, 'report.json');
    const stdout = await run([
      'eval',
      '--davis',
      sample.davisRoot,
      '--results',
      path.join(sample.davisRoot, 'Annotations', '480p'),
      '--json',
      json,
    ]);
    expect(stdout).toMatch(/bear/);
    const report = JSON.parse(await fs.readFile(json, 'utf8')) as {
      overall: { J: { mean: number }; F: { mean: number } };
    };
    expect(report.overall.J.mean).toBe(1);
    expect(report.overall.F.mean).toBe(1);
  });
  it("saves each frame's confidence beside the matte; --suggest names an occluded frame among the first", async () => {
    const hard = 9;
    const frames = await occludedBearFrames(16, hard, 427);
    const out = path.join(dir, 'confidence');
    // The parent network alone (no annotation) at 320², where it finds the bear.
    const parent = ['--resolution', '320', '--parent-guide', 'none', '--no-zoom-pass', '--no-test-time-flip'];
    const stdout = await run([
      'segment',
      frames.folder,
      '--out',
      out,
      ...parent,
      '--edge-snap',
      'none',
      '--suggest',
      '3',
    ]);
    const report = JSON.parse(await fs.readFile(path.join(out, 'confidence.json'), 'utf8')) as {
      frames: { frame: number; sourceFrame: number; confidence: number }[];
      suggest: number[];
    };
    expect(report.frames.map((f) => f.sourceFrame)).toEqual([...Array(16).keys()]);
    const leastSure = [...report.frames].sort((a, b) => a.confidence - b.confidence).slice(0, 3);
    expect(leastSure.map((f) => f.frame)).toContain(hard);
    const printed = [...stdout.matchAll(/^ {2}\d\. frame (\d+) /gm)].map((m) => Number(m[1]));
    expect(printed).toEqual(report.suggest.slice(0, 3));
    expect(printed).toContain(hard);
  }, 600_000);

  it('rejects --suggest that is not a number of frames', async () => {
    await expect(
      run(['segment', sample.framesDir, '--out', path.join(dir, 'z'), '--suggest', 'some']),
    ).rejects.toThrow(/--suggest expects a number of frames >= 0, got "some"/);
  });

  it('eval --choose spread puts the second annotation in the middle of the clip, --keep-painted scores it as painted; a bad --choose names the choices', async () => {
    const method = ['--resolution', '128', '--iterations', '4', '--trainable', 'head', '--edge-snap', 'none'];
    const fast = [...method, '--parent-guide', 'none', '--no-zoom-pass', '--no-test-time-flip'];
    const args = ['eval', '--davis', sample.davisRoot, '--annotations', '2', '--frame-step', '4', ...fast];
    const json = path.join(dir, 'spread.json');
    const stdout = await run([...args, '--choose', 'spread', '--json', json]);
    // 24 frames, segmented every 4th: the longest stretch after frame 0 is 0..24, its middle 12.
    expect(stdout).toMatch(/bear: 2 annotation\(s\) \[0,12\]/);
    expect(stdout).toMatch(/annotations after the first chosen by: spread/);
    // The report keeps every segmented frame of each round, its score and its evidence.
    type Rec = {
      round: number;
      frame: number;
      J: number;
      scored: boolean;
      annotated: boolean;
      confidence: number;
    };
    const report = JSON.parse(await fs.readFile(json, 'utf8')) as {
      frames: Record<string, (Rec & { evidence: { area: number } })[]>;
      refinement: { annotations: number; J: number }[];
    };
    const records = report.frames.bear!;
    for (const round of [1, 2]) {
      const own = records.filter((r) => r.round === round);
      expect(own.map((r) => r.frame)).toEqual([0, 4, 8, 12, 16, 20]);
      expect(own.filter((r) => r.annotated).map((r) => r.frame)).toEqual(round === 1 ? [0] : [0, 12]);
      for (const r of own) {
        expect(r.confidence).toBeGreaterThanOrEqual(0);
        expect(r.confidence).toBeLessThanOrEqual(1);
        expect(r.evidence.area).toBeGreaterThanOrEqual(0);
        expect(r.evidence.area).toBeLessThanOrEqual(1);
      }
      // DAVIS leaves the first and last frames out of a sequence's mean; so do these records.
      expect(own.every((r) => r.scored === r.frame > 0)).toBe(true);
      const scored = own.filter((r) => r.scored);
      const mean = scored.reduce((a, r) => a + r.J, 0) / scored.length;
      expect(mean).toBeCloseTo(report.refinement.find((x) => x.annotations === round)!.J, 6);
    }
    // --keep-painted scores frame 12 as the editor gets it (its ground truth, J 1), not the network's answer.
    const roundTwoJ = (out: string) => Number(/bear: 2 annotation\(s\) \[0,12\]\s+J ([\d.]+)/.exec(out)![1]);
    const kept = await run([...args, '--choose', 'spread', '--keep-painted']);
    expect(roundTwoJ(kept)).toBeGreaterThan(roundTwoJ(stdout) + 0.01);
    let stderr: string;
    try {
      ({ stderr } = await runCapturing([...args, '--choose', 'random']));
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = 0;
    }
    expect(stderr).toMatch(/'random' is invalid.*worst, confidence, spread/s);
  }, 600_000);

  describe('annotated frames come back as painted', () => {
    // Clip = source frames 2..5; clip frame 1 (file 00003.png) is annotated with its ground truth.
    const gtPath = () => path.join(sample.annotationsDir, '00003.png');
    const quick = [
      ...['--resolution', '128', '--iterations', '4', '--trainable', 'head'],
      ...['--parent-guide', 'none', '--no-zoom-pass', '--no-test-time-flip'],
    ];
    /** The clip with its annotation and the quick method, writing into `name`. */
    const args = (name: string, extra: string[]) => {
      const clip = ['--start', '2', '--end', '6', '--annotation', `1:${gtPath()}`];
      return ['segment', sample.videoPath, '--out', path.join(dir, name), ...clip, ...quick, ...extra];
    };
    const segment = async (name: string, extra: string[]) => {
      await run(args(name, extra));
      return (await readMask(path.join(dir, name, '00003.png'))).data;
    };
    const differing = (a: Uint8Array, b: Uint8Array, where: (i: number) => boolean = () => true) => {
      let n = 0;
      for (let i = 0; i < a.length; i++) if (where(i) && a[i] !== b[i]) n++;
      return n;
    };

    it('the matte of the annotated frame is the painted mask (default snapping); --no-keep-painted gives the network', async () => {
      const gt = (await readMask(gtPath())).data;
      const kept = await segment('painted', []);
      expect(differing(kept, gt)).toBe(0);
      const network = await segment('network', ['--no-keep-painted']);
      // The 4-iteration 128² network is far from the painted mask: the default above really pinned it.
      expect(differing(network, gt)).toBeGreaterThan(500);
    }, 600_000);

    it('a --dont-care region is left to the network; the rest of the frame is as painted', async () => {
      const gt = (await readMask(gtPath())).data;
      // A band across the bear's body and its edges (rows 200..279 of 480).
      const band = path.join(dir, 'band.png');
      const w = 854;
      const h = 480;
      const inBand = (i: number) => Math.floor(i / w) >= 200 && Math.floor(i / w) < 280;
      const raw = new Uint8Array(w * h);
      for (let i = 0; i < raw.length; i++) raw[i] = inBand(i) ? 255 : 0;
      await sharp(raw, { raw: { width: w, height: h, channels: 1 } })
        .png()
        .toFile(band);
      // Pointwise matte settings, so the open band of both runs can be compared pixel for pixel.
      const pointwise = ['--edge-snap', 'none', '--drop-islands-relative', '0', '--dont-care', `1:${band}`];
      const open = await segment('open', pointwise);
      const network = await segment('open-network', [...pointwise, '--no-keep-painted']);
      expect(differing(open, gt, (i) => !inBand(i))).toBe(0);
      expect(differing(open, network, inBand)).toBe(0);
      // …and the network's band is not the painted one, so the band was not pinned to it.
      expect(differing(network, gt, inBand)).toBeGreaterThan(100);
    }, 600_000);

    it('rejects a --dont-care region of a frame that has no annotation', async () => {
      await expect(run(args('orphan', ['--dont-care', `2:${gtPath()}`]))).rejects.toThrow(
        /--dont-care 2:.*no --annotation/,
      );
    });
  });

  it('--piece-track clears a twin of the object that appears away from it; the object and the frames before stay as they were', async () => {
    // Bear frames beside a grey panel that shows the same frame, a gap away, from clip frame 2 on.
    const { clip, mask0, segmentArgs } = await annotatedTwinClip(dir, 'twin');
    const segment = async (name: string, flag: string) => {
      const out = path.join(dir, name);
      await run(
        segmentArgs(out, [
          // `fast` as the product runs it (its 1024² parent guide marks both bears), fewer steps.
          ...['--preset', 'fast', '--iterations', '20', '--edge-snap', 'none'],
          flag,
        ]),
      );
      const masks: Uint8Array[] = [];
      for (let n = 0; n < 5; n++)
        masks.push((await readMask(path.join(out, `${String(n).padStart(5, '0')}.png`))).data);
      return masks;
    };
    const part = (m: Uint8Array, twin: boolean) => {
      let n = 0;
      for (let i = 0; i < m.length; i++) if (m[i] && inTwin(i, clip.width) === twin) n++;
      return n;
    };
    const independent = await segment('twin-independent', '--no-piece-track');
    const tracked = await segment('twin-tracked', '--piece-track');
    const bearArea = part(mask0, false);
    for (let n = 2; n < 5; n++) {
      // Frames on their own: the network marks the twin as it marks the bear…
      expect(part(independent[n]!, true)).toBeGreaterThan(0.3 * bearArea);
      // …tracked from the annotation, the twin is cleared and the bear is untouched.
      expect(part(tracked[n]!, true)).toBe(0);
      expect(part(tracked[n]!, false)).toBe(part(independent[n]!, false));
    }
    for (let n = 0; n < 2; n++) expect(Buffer.compare(tracked[n]!, independent[n]!)).toBe(0);
  }, 600_000);

  it('with --piece-track, a corrupt frame stops the run with its name and the mattes finished before it stay on disk', async () => {
    // The track needs every frame's map before it can finish the frames it cuts; the PNG mattes
    // of the frames segmented before the bad one must not wait for it.
    const { clip, mask0, segmentArgs } = await annotatedTwinClip(dir, 'corrupt');
    await fs.writeFile(path.join(clip.folder, '00003.png'), Buffer.from('not an image'));
    const out = path.join(dir, 'corrupt-tracked');
    await expect(
      run(
        segmentArgs(out, [
          // A quick network: what is checked is what reaches the disk, not the segmentation.
          ...['--resolution', '128', '--iterations', '4', '--trainable', 'head'],
          ...['--parent-guide', 'none', '--no-zoom-pass', '--no-test-time-flip', '--piece-track'],
        ]),
      ),
    ).rejects.toThrow(/00003\.png/);
    for (let n = 0; n < 3; n++) {
      const matte = await readMask(path.join(out, `${String(n).padStart(5, '0')}.png`));
      expect([matte.width, matte.height]).toEqual([clip.width, clip.height]);
    }
    // The editor's frame comes back as painted.
    const first = await readMask(path.join(out, '00000.png'));
    expect(Buffer.compare(first.data, mask0)).toBe(0);
    await expect(fs.access(path.join(out, '00003.png'))).rejects.toThrow();
  }, 600_000);
});
