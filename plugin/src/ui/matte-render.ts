// "Render matte layer": ask the server to render the current object's matte, then, when the job
// is done, place it on the host's timeline and tell the editor where it went and how to undo it.
import type { JobInfo } from '@oneshot-roto/protocol';
import type { MatteNamer } from './matte-name';
import type { PanelSession, Placement } from './panel-session';
import { RENDER_CHOICES, type RenderCard, type RenderChoice } from './render-card';

/** Starts the render job; the panel follows it and calls placeMatte when it is done. */
export async function renderMatte(s: PanelSession, card: RenderCard, namer: MatteNamer): Promise<void> {
  try {
    const client = s.requireClient();
    const { clip, info } = s.requireClip();
    let choice: RenderChoice = card.choice;
    if (choice.placement === 'track-matte' && !(await s.host.canApplyTrackMatte(clip))) {
      choice = RENDER_CHOICES.cutout;
      s.say(
        `${s.host.displayName} has no Track Matte Key this panel can find (looked up by its match name): rendering an RGBA cutout instead, and the clip will be turned off under it.`,
        'warn',
      );
    }
    const outputFolder = card.outputFolder;
    if (!outputFolder) throw new Error('Choose the folder the matte is written to.');
    s.resetProgress('Starting the render…');
    const object = s.currentObject();
    const { job } = await client.request('render', {
      clipId: info.clipId,
      objectId: object.id,
      format: choice.format,
      outputFolder,
      // Every render its own files: a matte already on the timeline never changes underneath.
      name: namer.next(clip.name, object.name),
      matte: card.controls,
      segmentMissing: true,
    });
    await s.follow(job, 'render', choice.placement);
  } catch (err) {
    s.fail(err);
  }
}

/** Puts the finished render's frames on the timeline (or only names the file). */
export async function placeMatte(s: PanelSession, job: JobInfo, placement: Placement): Promise<void> {
  const outputs = [...(job.outputs ?? [])].sort();
  if (outputs.length === 0) {
    s.say('The render finished but wrote no files.', 'error');
    return;
  }
  if (placement === 'none') {
    s.say(`Matte written: ${outputs[0]}`, 'success');
    return;
  }
  try {
    const { clip } = s.requireClip();
    const result = await s.host.placeMatte({
      clip,
      sequence: {
        firstFramePath: outputs[0]!,
        frameCount: outputs.length,
        firstSourceFrame: clip.sourceInFrame,
      },
      mode: placement,
      label: `OneShot Roto: matte layer "${s.currentObject().name}"`,
    });
    const where = s.host.kind === 'aftereffects' ? `layer ${result.trackIndex}` : `V${result.trackIndex + 1}`;
    const steps =
      result.undoSteps === 1 ? 'one undo step reverts it' : `${result.undoSteps} undo steps revert it`;
    s.say(
      [
        `Matte layer placed on ${where} at ${result.startSeconds.toFixed(2)} s (${outputs.length} frames, ${
          placement === 'track-matte' ? 'Track Matte Key applied' : 'RGBA cutout, clip turned off'
        }); ${steps}.`,
        ...result.notes,
      ].join(' '),
      'success',
    );
  } catch (err) {
    s.fail(err);
  }
}
