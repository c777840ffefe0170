// The confidence strip's links outside the panel: the per-frame confidence of the current object,
// fetched from the server, and a timeline marker on each frame the strip marks for checking.
import type { ClipInfo } from '@oneshot-roto/protocol';
import type { ServerClient } from '../client/server-client';
import type { ActiveClip, HostAdapter } from '../host/host-adapter';
import type { ConfidenceStrip } from './confidence-strip';

/** Fetches the frames' confidence and shows the strip; an older server without it hides it. */
export async function loadConfidence(
  strip: ConfidenceStrip,
  client: ServerClient,
  info: ClipInfo,
  objectId: string,
  /** Read when the answer comes: the frame shown by then. */
  currentFrame: () => number,
): Promise<void> {
  try {
    const view = await client.request('getConfidence', { clipId: info.clipId, objectId });
    strip.show(view, info.frameCount, currentFrame());
  } catch {
    strip.hide();
  }
}

/** A timeline marker on each of `frames` (clip frames), one after another. */
export async function markFramesToCheck(
  host: HostAdapter,
  clip: ActiveClip,
  frames: readonly number[],
): Promise<void> {
  for (const frame of frames)
    await host.addMarker({
      clip,
      sourceFrame: clip.sourceInFrame + frame,
      name: 'OneShot Roto: check',
      comment: `The result is least sure here (clip frame ${frame + 1}); correct it if it is wrong`,
    });
}
