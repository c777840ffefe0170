/**
 * `oneshot-roto demo` (`npm run demo`): the main job on the embedded sample clip, with no
 * arguments: fine-tune on its first-frame mask, matte every frame, and write a contact sheet of
 * the frames with the matte overlaid.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Command } from 'commander';
import { sampleClip, decodeRgbImage, readMask } from '@oneshot-roto/core';
import { runSegment } from './segment';
import { addMethodOptions, parseMethodOptions } from './method-options';

const THUMB_WIDTH = 284;
const COLUMNS = 4;

/** Frames tinted where the matte is foreground, in a grid; returns the PNG path. */
export async function writeContactSheet(
  framePaths: string[],
  mattePaths: string[],
  file: string,
  label: string,
): Promise<string> {
  const tiles: { input: Buffer; left: number; top: number }[] = [];
  let thumbH = 0;
  for (let i = 0; i < framePaths.length; i++) {
    const frame = await decodeRgbImage(framePaths[i]!);
    const matte = await readMask(mattePaths[i]!, { width: frame.width, height: frame.height });
    const rgb = Buffer.from(frame.data);
    for (let p = 0; p < matte.data.length; p++) {
      if (matte.data[p]) {
        // Tint foreground green, the usual "selected" overlay colour in roto tools.
        rgb[3 * p] = rgb[3 * p]! >> 1;
        rgb[3 * p + 1] = (rgb[3 * p + 1]! >> 1) + 120;
        rgb[3 * p + 2] = rgb[3 * p + 2]! >> 1;
      }
    }
    const thumb = await sharp(rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } })
      .resize({ width: THUMB_WIDTH })
      .png()
      .toBuffer();
    thumbH = Math.round((frame.height * THUMB_WIDTH) / frame.width);
    tiles.push({
      input: thumb,
      left: (i % COLUMNS) * THUMB_WIDTH,
      top: 24 + Math.floor(i / COLUMNS) * thumbH,
    });
  }
  const rows = Math.ceil(tiles.length / COLUMNS);
  const width = COLUMNS * THUMB_WIDTH;
  const caption = Buffer.from(
    `<svg width="${width}" height="24"><text x="6" y="17" font-family="sans-serif" font-size="13" fill="#ddd">${label}</text></svg>`,
  );
  await sharp({ create: { width, height: 24 + rows * thumbH, channels: 3, background: '#202020' } })
    .composite([{ input: caption, left: 0, top: 0 }, ...tiles])
    .png()
    .toFile(file);
  return file;
}

export function registerDemoCommand(program: Command): void {
  const cmd = program
    .command('demo')
    .description(
      'Run the whole job on the embedded sample clip (DAVIS "bear", CC BY-NC 4.0) and write mattes plus a contact sheet',
    )
    .option('--out <dir>', 'output folder', 'out/demo');
  addMethodOptions(cmd, 'fast'); // the demo should finish in a couple of minutes on a laptop CPU
  cmd.action(async (opts: Record<string, unknown>) => {
    const sample = sampleClip();
    const method = parseMethodOptions(opts);
    const outDir = path.resolve(String(opts.out));
    const matteDir = path.join(outDir, 'matte');
    await fs.mkdir(matteDir, { recursive: true });
    process.stderr.write(
      `sample: ${sample.framesDir} (${sample.frameCount} frames), annotation: frame 0 (${sample.firstFrameMask})\n`,
    );
    const summary = await runSegment({
      input: sample.framesDir,
      outDir: matteDir,
      annotations: [{ frameIndex: 0, maskPath: sample.firstFrameMask }],
      method,
      matte: { format: 'png8' },
      weightsOut: path.join(outDir, 'bear.weights'),
    });
    const frames = (await fs.readdir(sample.framesDir)).filter((f) => /\.jpe?g$/i.test(f)).sort();
    const sheet = await writeContactSheet(
      frames.map((f) => path.join(sample.framesDir, f)),
      summary.outputs,
      path.join(outDir, 'contact-sheet.png'),
      `OneShot Roto demo: one-shot (${method.preset}) on DAVIS 2016 "bear" (CC BY-NC 4.0), annotation on frame 0`,
    );
    process.stdout.write(
      [
        `mattes:        ${matteDir} (${summary.outputs.length} PNG files)`,
        `contact sheet: ${sheet}`,
        `weights:       ${summary.weightsPath}`,
        `fine-tuning:   ${summary.fineTuneIterations} iterations, ${summary.fineTuneSeconds.toFixed(1)} s on ${summary.executionProvider}`,
        `segmentation:  ${((1000 * summary.segmentSeconds) / summary.frames).toFixed(0)} ms per frame`,
        '',
      ].join('\n'),
    );
  });
}
