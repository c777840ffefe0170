// "Segment object" against the server: open the clip under the playhead (a video's range, or a
// folder of frames in the browser's standalone host), and start fine-tuning on the painted frame
// followed by segmenting the whole clip.
import type { ClipSource } from '@oneshot-roto/protocol';
import type { ServerClient } from '../client/server-client';
import type { ActiveClip, HostAdapter } from '../host/host-adapter';
import { StandaloneHostAdapter, isFramesFolder } from '../host/standalone-adapter';
import type { OpenClip, PaintedFrame, PanelSession } from './panel-session';

function clipSource(host: HostAdapter, clip: ActiveClip): ClipSource {
  if (host.kind === 'standalone' && isFramesFolder(clip.mediaPath)) {
    return { kind: 'frames', folder: clip.mediaPath, fps: clip.mediaFps };
  }
  return {
    kind: 'video',
    path: clip.mediaPath,
    inFrame: clip.sourceInFrame,
    outFrame: clip.sourceOutFrame,
    fps: clip.mediaFps,
  };
}

/** Opens the host's active clip on the server. */
export async function openActiveClip(host: HostAdapter, client: ServerClient): Promise<OpenClip> {
  const clip = await host.getActiveClip();
  const { clip: info } = await client.request('openClip', {
    source: clipSource(host, clip),
    name: clip.name,
  });
  // The standalone timeline learns the clip's length only from the server.
  if (host instanceof StandaloneHostAdapter) host.setFrameCount(info.frameCount);
  return { clip, info };
}

/** Where mattes go unless the editor chooses: a folder beside the clip's media. */
export function defaultMatteFolder(mediaPath: string): string {
  const i = Math.max(mediaPath.lastIndexOf('/'), mediaPath.lastIndexOf('\\'));
  return `${i > 0 ? mediaPath.slice(0, i) : mediaPath}/OneShot Roto mattes`;
}

/** Sends the painted frame as the object's annotation and starts fine-tune, then segment. */
export async function startSegmentation(s: PanelSession, painted: PaintedFrame): Promise<void> {
  try {
    const client = s.requireClient();
    const { info } = s.requireClip();
    const mask = painted.mask('empty');
    s.resetProgress('Sending the annotation…');
    const objectId = s.currentObject().id;
    await client.request('addAnnotation', { clipId: info.clipId, objectId, frame: painted.frame, mask });
    const { job } = await client.request('fineTune', {
      clipId: info.clipId,
      objectId,
      preset: painted.preset,
      thenSegment: { playheadFrame: painted.frame },
    });
    await s.follow(job, 'segment');
  } catch (err) {
    s.fail(err);
  }
}
