/** Paths of the embedded sample clip (samples/ at the repository root; see samples/README.md). */
import path from 'node:path';

export interface SampleClip {
  /** DAVIS sequence name. */
  name: string;
  /** A DAVIS-format root holding only this sequence (frames and ground truth for every frame). */
  davisRoot: string;
  /** Folder of the JPEG frames 00000.jpg … */
  framesDir: string;
  /** Folder of the ground-truth masks 00000.png … */
  annotationsDir: string;
  /** The first frame's ground-truth mask: the one-shot annotation. */
  firstFrameMask: string;
  /** The same frames as an H.264 mp4. */
  videoPath: string;
  frameCount: number;
  fps: number;
}

/** Repository root: this file is packages/core/{src,dist}/video/sample-clip.{ts,js}. */
function repoRoot(): string {
  return path.resolve(__dirname, '..', '..', '..', '..');
}

export function sampleClip(): SampleClip {
  const samples = path.join(repoRoot(), 'samples');
  const davisRoot = path.join(samples, 'davis-bear');
  const annotationsDir = path.join(davisRoot, 'Annotations', '480p', 'bear');
  return {
    name: 'bear',
    davisRoot,
    framesDir: path.join(davisRoot, 'JPEGImages', '480p', 'bear'),
    annotationsDir,
    firstFrameMask: path.join(annotationsDir, '00000.png'),
    videoPath: path.join(samples, 'bear.mp4'),
    frameCount: 24,
    fps: 24,
  };
}
