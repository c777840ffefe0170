/** The common start of a job test: the small bear frames opened as a clip, frame 0 annotated with strokes. */
import { bearMask, strokesFromMask } from './fixtures';
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
