/** The common start of a job test: the small bear frames opened as a clip, frame 0 annotated with strokes. */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { bearMask, strokesFromMask, tempDir } from './fixtures';
import { pngMaskField } from './mask-png';
import type { TestClient } from './ws-client';

export interface OpenedClip {
  clipId: string;
  width: number;
  height: number;
}

/** Opens `folder` as a clip and annotates its frame 0 with the bear's ground truth as strokes. */
export async function openAnnotatedBearClip(client: TestClient, folder: string): Promise<OpenedClip> {
  const { clip } = await client.ack<{ clip: OpenedClip }>({
    type: 'openClip',
    source: { kind: 'frames', folder },
  });
  const gt = await bearMask(0, clip.width, clip.height);
  await client.ack({
    type: 'addAnnotation',
    clipId: clip.clipId,
    frame: 0,
    mask: { kind: 'strokes', strokes: strokesFromMask(gt, clip.width, clip.height) },
  });
  return clip;
}

/**
 * Opens `folder` as a clip, annotates its frame 0 with `mask(width, height)` as a PNG mask, and
 * fine-tunes with `preset` then segments every frame; resolves when that job is done.
 */
export async function openTunedClip(
  client: TestClient,
  folder: string,
  mask: (width: number, height: number) => Promise<Uint8Array>,
  preset: 'fast' | 'balanced' | 'best',
): Promise<OpenedClip> {
  const { clip } = await client.ack<{ clip: OpenedClip }>({
    type: 'openClip',
    source: { kind: 'frames', folder },
  });
  await client.ack({
    type: 'addAnnotation',
    clipId: clip.clipId,
    frame: 0,
    mask: await pngMaskField(await mask(clip.width, clip.height), clip.width, clip.height),
  });
  const { job } = await client.ack<{ job: { jobId: string; state: string } }>({
    type: 'fineTune',
    clipId: clip.clipId,
    preset,
    thenSegment: {},
  });
  await client.ack({ type: 'subscribe', jobId: job.jobId });
  const done = await client.waitForJob(job.jobId);
  if (done.state !== 'done') throw new Error(`fine-tune job ended ${String(done.state)}`);
  return clip;
}

/**
 * Renders the clip's matte as 8-bit PNGs into a new folder (`fields` adds to the render request:
 * `matte` controls, `keepPainted`, …); resolves with each frame's matte, 0–255, in frame order.
 */
export async function renderPngMattes(
  client: TestClient,
  clipId: string,
  name: string,
  fields: Record<string, unknown> = {},
): Promise<Buffer[]> {
  const outputFolder = await tempDir(`render-${name}`);
  const { job } = await client.ack<{ job: { jobId: string } }>({
    type: 'render',
    clipId,
    format: 'png8',
    outputFolder,
    name,
    ...fields,
  });
  await client.ack({ type: 'subscribe', jobId: job.jobId });
  const done = await client.waitForJob(job.jobId);
  if (done.state !== 'done') throw new Error(`render job ended ${String(done.state)}`);
  const files = (await fs.readdir(outputFolder)).filter((f) => f.endsWith('.png')).sort();
  return Promise.all(files.map((f) => sharp(join(outputFolder, f)).greyscale().raw().toBuffer()));
}
