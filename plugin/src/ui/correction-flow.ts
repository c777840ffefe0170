// "Apply correction": send the strokes painted on a frame of an already segmented object; the
// server refines the result around that frame. A timeline marker records where the correction
// is; a marker the host refuses is reported, and the correction runs anyway.
import { startCorrection } from './correction-start';
import type { PaintedFrame, PanelSession } from './panel-session';

export async function applyCorrection(s: PanelSession, painted: PaintedFrame): Promise<void> {
  try {
    const client = s.requireClient();
    const { clip, info } = s.requireClip();
    const mask = painted.mask('prediction');
    s.resetProgress('Sending the correction…');
    const { frame, preset } = painted;
    const object = s.currentObject();
    const { job, markerProblem } = await startCorrection(
      async () =>
        (
          await client.request('addCorrection', {
            clipId: info.clipId,
            objectId: object.id,
            frame,
            mask,
            preset,
            playheadFrame: frame,
          })
        ).job,
      () =>
        s.host.addMarker({
          clip,
          sourceFrame: clip.sourceInFrame + frame,
          name: `OneShot Roto correction: ${object.name}`,
          comment: `Correction keyframe mask on clip frame ${frame + 1}`,
        }),
    );
    const note = markerProblem
      ? `${s.host.displayName} refused the correction marker (${markerProblem}); the correction itself runs. Add a marker at clip frame ${frame + 1} by hand if you want one.`
      : undefined;
    if (note) s.say(note, 'warn');
    await s.follow(job, 'correction', undefined, note);
  } catch (err) {
    s.fail(err);
  }
}
