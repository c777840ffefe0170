/**
 * `oneshot-roto segment <video|frames-dir> --out <dir> [--annotation <frame>:<mask.png> ...]`:
 * fine-tunes on the annotations (one-shot), segments every frame and writes the matte.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  buildConfidenceReport,
  SUGGESTIONS,
  CONFIDENCE_FILE,
  type ConfidenceReport,
  type FrameEvidence,
  resolveMatteOptions,
  type MatteOptions,
  createMatteProcessor,
  openMatteWriter,
  makeFloatMatte,
  planSoftMapTrack,
  SoftMapSpill,
  type FrameSegmenter,
  DONT_CARE,
  validateAnnotation,
  type Annotation,
  createOneShotMethod,
  plainNetwork,
  refuseAnnotationsForOwnModel,
  type FineTuneResult,
  segmentClip,
  networkFinishing,
  readWeights,
  settingsToContinue,
  withSegmentationChoices,
  writeWeights,
  type FineTunedWeights,
  type FrameSource,
  type RgbFrame,
  openFrameSource,
  readMask,
  writeFileAtomic,
} from '@oneshot-roto/core';
import { createProgress, type Progress } from '../progress';
import { addMatteOptions, parseMatteFlags } from './matte-options';
import { addMethodOptions, parseMethodOptions, UsageError, type MethodOptions } from './method-options';
import { optionText } from './option-text';

export interface SegmentJob {
  input: string;
  outDir: string;
  annotations: { frameIndex: number; maskPath: string }[];
  /** Regions of annotated frames left open: white pixels are "don't care" (the network fills them). */
  dontCare?: { frameIndex: number; maskPath: string }[];
  /** Annotated frames come back as painted where the mask is definite (default true). */
  keepPainted?: boolean;
  /**
   * Print this many frames where a correction would help most (0: none); `confidence.json` ranks
   * this many or SUGGESTIONS, whichever is more.
   */
  suggest?: number;
  method: MethodOptions;
  /** Matte options set by the user; the rest are the network's finishing (presets.ts `networkFinishing`), then the defaults. */
  matte: Partial<MatteOptions>;
  start?: number;
  end?: number;
  /** Continue from (or, with no annotations, segment with) these saved weights. */
  weightsIn?: string;
  weightsOut?: string;
  print?: (line: string) => void;
}

export interface SegmentSummary {
  outputs: string[];
  frames: number;
  executionProvider: string;
  fineTuneSeconds: number;
  fineTuneIterations: number;
  segmentSeconds: number;
  weightsPath?: string;
  /** Every frame's confidence and the suggested corrections, also saved as `confidencePath`. */
  confidence: ConfidenceReport;
  confidencePath: string;
}

export function parseAnnotationFlag(
  value: string,
  flag = '--annotation',
): { frameIndex: number; maskPath: string } {
  const m = /^(\d+):(.+)$/.exec(value);
  if (!m) throw new UsageError(`${flag} expects <frameIndex>:<mask.png>, got "${value}"`);
  return { frameIndex: Number(m[1]), maskPath: m[2]! };
}

/**
 * The annotations, each with its "don't care" region (white in a `dontCare` mask) set to
 * DONT_CARE: excluded from fine-tuning's loss and filled by the network in the matte.
 */
export async function loadAnnotations(
  source: FrameSource,
  specs: SegmentJob['annotations'],
  dontCare: SegmentJob['dontCare'] = [],
): Promise<Annotation[]> {
  const size = { width: source.width, height: source.height };
  const out: Annotation[] = [];
  for (const spec of specs) {
    const mask = await readMask(spec.maskPath, size);
    const a: Annotation = {
      frameIndex: spec.frameIndex,
      mask: mask.data,
      width: mask.width,
      height: mask.height,
    };
    for (const open of dontCare.filter((d) => d.frameIndex === spec.frameIndex)) {
      const region = await readMask(open.maskPath, size);
      for (let i = 0; i < region.data.length; i++) if (region.data[i]) a.mask[i] = DONT_CARE;
    }
    validateAnnotation(a, source, source.frameCount);
    out.push(a);
  }
  const orphan = dontCare.find((d) => !specs.some((s) => s.frameIndex === d.frameIndex));
  if (orphan)
    throw new UsageError(
      `--dont-care ${orphan.frameIndex}:${orphan.maskPath} names frame ${orphan.frameIndex}, which has no --annotation; ` +
        "give the frame's mask with --annotation too",
    );
  return out;
}

export async function runSegment(job: SegmentJob): Promise<SegmentSummary> {
  const print = job.print ?? ((l: string) => process.stderr.write(`${l}\n`));
  const source = await openFrameSource(job.input, { start: job.start, end: job.end });
  try {
    const annotations = await loadAnnotations(source, job.annotations, job.dontCare);
    // The editor's painted pixels, kept as painted in the matte of their frame.
    const painted = new Map<number, Uint8Array>(
      job.keepPainted === false ? [] : annotations.map((a) => [a.frameIndex, a.mask]),
    );
    // An explicit --test-time-flip / --zoom-pass (or --no-…) overrides what the weights were saved with.
    const resume: FineTunedWeights | undefined = job.weightsIn
      ? withSegmentationChoices(await readWeights(job.weightsIn), job.method)
      : undefined;
    if (resume && !resume.parentGuide && (job.method.parentGuideResolution ?? 0) > 0)
      print(
        `note: ${job.weightsIn} was saved without a parent guide, and the guide is measured on the annotated frames when fine-tuning: --parent-guide is ignored (fine-tune again to get one)`,
      );
    const settings = resume ? settingsToContinue(job.method.settings, resume) : job.method.settings;
    const modelPath = job.method.modelPath;
    refuseAnnotationsForOwnModel(modelPath, annotations);
    const method = createOneShotMethod({ device: job.method.device, threads: job.method.threads });
    // Created on fine-tuning's first report, which carries the step total over every network.
    let tuneBar: Progress | undefined;
    let fineTune: FineTuneResult | undefined;
    let model: FrameSegmenter;
    if (modelPath || (annotations.length === 0 && !resume)) {
      model = await method.plainSegmenter(plainNetwork(settings, modelPath));
    } else {
      if (annotations.length > 0) {
        fineTune = await method.fineTune(source, annotations, settings, {
          resumeFrom: resume,
          // With --save-weights, an interrupted ensemble fine-tune run again keeps its finished networks.
          progressFile: job.weightsOut ? `${job.weightsOut}.progress` : undefined,
          onProgress: (p) => {
            tuneBar ??= createProgress('fine-tuning', p.total, 'it');
            if (p.phase === 'training') tuneBar.update(p.iteration, `loss ${p.loss.toFixed(4)}`);
          },
        });
      }
      model = await method.segmenter(fineTune?.weights ?? resume!);
    }
    tuneBar?.stop();
    let weightsPath: string | undefined;
    if (fineTune && job.weightsOut) {
      await writeWeights(job.weightsOut, fineTune.weights);
      await fs.rm(`${job.weightsOut}.progress`, { force: true });
      weightsPath = path.resolve(job.weightsOut);
    }
    if (fineTune) {
      print(
        `fine-tuned ${fineTune.iterations} iterations in ${fineTune.seconds.toFixed(1)} s (stopped by ${fineTune.stoppedBy}) on ${fineTune.executionProvider}`,
      );
    }
    // A fine-tuned network's maps are finished as its preset chose; the parent's alone by the defaults.
    const tuned = modelPath ? undefined : (fineTune?.weights ?? resume);
    const matte = resolveMatteOptions({ ...(tuned ? networkFinishing(tuned) : {}), ...job.matte });
    const writer = await openMatteWriter(matte.format, {
      outDir: job.outDir,
      baseName: matte.format.startsWith('png') || matte.format === 'rgba' ? '' : 'matte',
      startNumber: source.sourceIndex(0),
      fps: source.fps,
      width: source.width,
      height: source.height,
    });
    const processor = createMatteProcessor(matte);
    const bar = createProgress('segmenting', source.frameCount, 'frames');
    const started = performance.now();
    let done = 0;
    const evidence = new Map<number, FrameEvidence>();
    // Piece tracking needs every frame's map before it can finish the frames it cuts (a frame
    // follows its nearest annotation, which may come later): the maps wait on disk. A PNG
    // sequence gets each frame's untracked matte as soon as it is segmented, so an interrupted
    // run keeps what it finished, and only the frames the track cuts are written again; a video
    // takes each frame once, so it is written in the second pass.
    const spill =
      matte.pieceTrack && annotations.length > 0
        ? await SoftMapSpill.create(source.width, source.height)
        : undefined;
    const writeFirstPass = !spill || writer.rewritable;
    let finishBar: Progress | undefined;
    try {
      for await (const f of segmentClip(source, model)) {
        evidence.set(f.index, f.evidence);
        const soft = makeFloatMatte(f.probability, source.width, source.height);
        if (spill) await spill.write(f.index, soft);
        if (writeFirstPass)
          for (const p of processor.push(f.index, soft, f.frame, painted.get(f.index)))
            await writer.write(p.frameIndex, p.matte, p.frame);
        bar.update(++done);
      }
      if (writeFirstPass)
        for (const p of processor.flush()) await writer.write(p.frameIndex, p.matte, p.frame);
      bar.stop();
      if (spill) {
        const track = await planSoftMapTrack({
          frames: [...evidence.keys()],
          annotations: new Map(annotations.map((a) => [a.frameIndex, a.mask])),
          width: source.width,
          height: source.height,
          threshold: matte.threshold,
          readSoft: (i) => spill.read(i),
        });
        // Without temporal smoothing a frame's matte depends on its own map alone: only the cut
        // frames change. With it, or into a video, every frame goes through again.
        const only = writeFirstPass && matte.temporalRadius === 0 ? track.cutFrames : undefined;
        const again = createMatteProcessor(matte);
        finishBar = createProgress('finishing', only?.length ?? source.frameCount, 'frames');
        let finished = 0;
        const finish = async (index: number, frame: RgbFrame) => {
          const soft = track.apply(index, await spill.read(index));
          for (const p of again.push(index, soft, frame, painted.get(index)))
            await writer.write(p.frameIndex, p.matte, p.frame);
          finishBar?.update(++finished);
        };
        if (only) for (const i of only) await finish(i, await source.readFrame(i));
        else for await (const f of source.frames()) await finish(f.index, f.frame);
        for (const p of again.flush()) await writer.write(p.frameIndex, p.matte, p.frame);
      }
    } catch (err) {
      await writer.abort();
      throw err;
    } finally {
      bar.stop();
      finishBar?.stop();
      await spill?.dispose();
      await model.dispose();
    }
    const outputs = await writer.close();
    const confidence = buildConfidenceReport(
      evidence,
      annotations.map((a) => a.frameIndex),
      (i) => source.sourceIndex(i),
      { suggestions: Math.max(SUGGESTIONS, job.suggest ?? 0) },
    );
    const confidencePath = path.resolve(job.outDir, CONFIDENCE_FILE);
    await writeFileAtomic(confidencePath, Buffer.from(`${JSON.stringify(confidence, null, 2)}\n`));
    return {
      confidence,
      confidencePath,
      outputs,
      frames: done,
      executionProvider: model.executionProvider,
      fineTuneSeconds: fineTune?.seconds ?? 0,
      fineTuneIterations: fineTune?.iterations ?? 0,
      segmentSeconds: (performance.now() - started) / 1000,
      weightsPath,
    };
  } finally {
    await source.close();
  }
}

/** `--suggest`: one line per frame, most useful first, with the index `--annotation` takes. */
export function formatSuggestions(report: ConfidenceReport, count: number): string {
  const byFrame = new Map(report.frames.map((f) => [f.frame, f]));
  const picked = report.suggest.slice(0, count);
  if (picked.length === 0)
    return 'check next: no frame left to suggest (every segmented frame is annotated)\n';
  const lines = picked.map((frame, rank) => {
    const f = byFrame.get(frame)!;
    const terms = [
      `crispness ${f.crispness.toFixed(2)}`,
      `consistency ${f.consistency.toFixed(2)}`,
      ...(f.agreement !== undefined ? [`agreement ${f.agreement.toFixed(2)}`] : []),
    ];
    return `  ${rank + 1}. frame ${frame} (source ${f.sourceFrame})  confidence ${f.confidence.toFixed(3)}  (${terms.join(', ')})`;
  });
  return `check next (unsure frames away from your annotations first; annotate with --annotation <frame>:<mask.png>):\n${lines.join('\n')}\n`;
}

export function registerSegmentCommand(program: Command): void {
  const cmd = program
    .command('segment')
    .description('Fine-tune on annotated frame(s) and matte every frame of a video or frames folder')
    .argument('<input>', 'video file (mp4, mov, mkv, ...) or folder of JPEG/PNG frames')
    .requiredOption('--out <dir>', 'output folder for the matte')
    .option(
      '--annotation <frame:mask.png>',
      'annotated frame: index within the clip and a mask PNG at frame size (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--start <frame>', 'first frame of the clip (inclusive)')
    .option('--end <frame>', 'end frame of the clip (exclusive)')
    .option(
      '--weights <file>',
      'saved fine-tuned weights: continue from them (with annotations) or segment with them',
    )
    .option('--save-weights <file>', 'write the fine-tuned weights here (reopen the clip without training)')
    .option(
      '--dont-care <frame:mask.png>',
      "an annotated frame's open region: white pixels are left to the network (not trained on, filled by it in the matte) (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option(
      '--suggest <n>',
      "print the n frames where a correction would help most: unsure frames away from the annotations first (every frame's score is saved in confidence.json beside the matte)",
    )
    .option(
      '--no-keep-painted',
      'matte annotated frames with the network too (default: they come back as painted where the mask is definite)',
    );
  addMethodOptions(cmd);
  addMatteOptions(cmd);
  cmd.action(async (input: string, opts: Record<string, unknown>) => {
    const int = (v: unknown, flag: string, what = 'a frame number') => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0)
        throw new UsageError(`${flag} expects ${what} >= 0, got "${optionText(v)}"`);
      return n;
    };
    const suggest = int(opts.suggest, '--suggest', 'a number of frames') ?? 0;
    const summary = await runSegment({
      input,
      outDir: String(opts.out),
      annotations: (opts.annotation as string[]).map((v) => parseAnnotationFlag(v)),
      dontCare: (opts.dontCare as string[]).map((v) => parseAnnotationFlag(v, '--dont-care')),
      keepPainted: opts.keepPainted !== false,
      suggest,
      method: parseMethodOptions(opts),
      matte: parseMatteFlags(opts),
      start: int(opts.start, '--start'),
      end: int(opts.end, '--end'),
      weightsIn: opts.weights as string | undefined,
      weightsOut: opts.saveWeights as string | undefined,
    });
    process.stdout.write(
      `wrote ${summary.outputs.length} file(s) for ${summary.frames} frames to ${path.resolve(String(opts.out))} ` +
        `(${summary.executionProvider}, ${((1000 * summary.segmentSeconds) / Math.max(1, summary.frames)).toFixed(0)} ms/frame)\n`,
    );
    if (summary.weightsPath) process.stdout.write(`fine-tuned weights: ${summary.weightsPath}\n`);
    process.stdout.write(`per-frame confidence: ${summary.confidencePath}\n`);
    if (suggest > 0) process.stdout.write(formatSuggestions(summary.confidence, suggest));
  });
}
