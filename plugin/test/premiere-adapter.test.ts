import { PremiereHostAdapter } from '../src/host/premiere-adapter';
import { HostError, type ActiveClip } from '../src/host/host-adapter';
import type { FileProbe } from '../src/host/file-probe';
import { PremiereFake, sampleTimeline, type FakeTrackItem } from './fakes/premierepro-fake';

const MATTE_FIRST = '/work/out/OneShot Roto matte_00000.png';

function setup(clipOverrides: Partial<FakeTrackItem> = {}, options = {}) {
  const fake = new PremiereFake(sampleTimeline(clipOverrides), options);
  const files: FileProbe = { exists: async (p) => fake.files.has(p) };
  const adapter = new PremiereHostAdapter(fake.api, files);
  return { fake, adapter };
}

describe('PremiereHostAdapter reading the timeline', () => {
  test('takes the clip under the playhead with its media, source in/out and rates', async () => {
    const { adapter } = setup();
    const clip = await adapter.getActiveClip();
    expect(clip).toMatchObject({
      name: 'interview.mov',
      mediaPath: '/media/interview.mov',
      sourceInFrame: 50, // in point 2 s at 25 fps
      sourceOutFrame: 150,
      mediaFps: 25,
      timelineFps: 25,
      speed: 1,
      timelineStart: 10,
      timelineEnd: 14,
      trackIndex: 0,
    });
    // Playhead 11 s is 1 s into the clip: source frame 50 + 25.
    expect(await adapter.getPlayhead(clip)).toEqual({ timelineSeconds: 11, sourceFrame: 75 });
  });

  test('maps the playhead through speed and reversal', async () => {
    const fast = setup({ speed: 2, end: 12 });
    const fastClip = await fast.adapter.getActiveClip();
    fast.fake.timeline.playhead = 11;
    expect((await fast.adapter.getPlayhead(fastClip)).sourceFrame).toBe(50 + 50); // 1 s at 2x = 50 frames

    const reversed = setup({ reversed: true });
    const revClip = await reversed.adapter.getActiveClip();
    expect(revClip.speed).toBe(-1);
    reversed.fake.timeline.playhead = 10;
    expect((await reversed.adapter.getPlayhead(revClip)).sourceFrame).toBe(149); // last source frame first
  });

  test('prefers a selected clip under the playhead to the topmost one', async () => {
    const { fake, adapter } = setup({ selected: true });
    fake.timeline.tracks[1][0].end = 20; // the title on V2 now covers the playhead too
    expect((await adapter.getActiveClip()).name).toBe('interview.mov');
    fake.timeline.tracks[0][0].selected = false;
    expect((await adapter.getActiveClip()).name).toBe('title');
  });

  test('says clearly when no clip is under the playhead', async () => {
    const { fake, adapter } = setup();
    fake.timeline.playhead = 30;
    await expect(adapter.getActiveClip()).rejects.toThrow(/No video clip under the playhead in "Edit"/);
  });

  test('finds the exported frame under its doubled ".png.png" name', async () => {
    const { adapter } = setup();
    const clip = await adapter.getActiveClip();
    expect(await adapter.exportFrame(clip, 60, '/tmp/frames')).toBe('/tmp/frames/frame_60.png.png');
  });
});

describe('PremiereHostAdapter editing the timeline', () => {
  async function placed(
    mode: 'track-matte' | 'cutout',
    clipOverrides: Partial<FakeTrackItem> = {},
    options = {},
  ) {
    const s = setup(clipOverrides, options);
    s.fake.stillSequences.set(MATTE_FIRST, 100);
    const clip = await s.adapter.getActiveClip();
    const result = await s.adapter.placeMatte({
      clip,
      sequence: { firstFramePath: MATTE_FIRST, frameCount: 100, firstSourceFrame: clip.sourceInFrame },
      mode,
      label: 'OneShot Roto: matte layer',
    });
    return { ...s, clip, result };
  }

  test('places the matte on the free track above the clip at its start and keys the clip, in one undo step', async () => {
    const { fake, result } = await placed('track-matte');
    // V2 holds a title over 0-5 s only, so it is free over the clip's 10-14 s.
    expect(result).toEqual({ trackIndex: 1, startSeconds: 10, mode: 'track-matte', undoSteps: 1 });
    const matte = fake.timeline.tracks[1].find((i) => i.media.mediaPath === MATTE_FIRST);
    expect(matte).toBeDefined();
    expect(matte!.start).toBeCloseTo(10, 9);
    expect(matte!.end).toBeCloseTo(14, 9); // 100 stills at the clip's 25 fps
    expect(matte!.media.asNumberedStills).toBe(true);

    const clipItem = fake.timeline.tracks[0][0];
    expect(clipItem.components).toHaveLength(1);
    expect(clipItem.components[0].matchName).toBe('AE.ADBE Track Matte Key');
    const params = Object.fromEntries(clipItem.components[0].params.map((p) => [p.displayName, p.value]));
    expect(params).toEqual({ Matte: 2, 'Composite Using': 1, Reverse: false }); // Video 2, Matte Luma
    expect(clipItem.disabled).toBe(false);

    expect(fake.undoStack).toHaveLength(1);
    expect(fake.undoStack[0].label).toBe('OneShot Roto: matte layer');
    fake.undo();
    expect(fake.timeline.tracks[1].some((i) => i.media.mediaPath === MATTE_FIRST)).toBe(false);
    expect(fake.timeline.tracks[0][0].components).toHaveLength(0);
  });

  test('creates a new track when every track above is occupied over the clip', async () => {
    const s = setup();
    // The title now overlaps the clip's range (but not the playhead at 11 s).
    s.fake.timeline.tracks[1][0].start = 12;
    s.fake.timeline.tracks[1][0].end = 20;
    s.fake.stillSequences.set(MATTE_FIRST, 100);
    const clip = await s.adapter.getActiveClip();
    const result = await s.adapter.placeMatte({
      clip,
      sequence: { firstFramePath: MATTE_FIRST, frameCount: 100, firstSourceFrame: 50 },
      mode: 'track-matte',
      label: 'matte',
    });
    expect(result.trackIndex).toBe(2);
    expect(s.fake.timeline.tracks).toHaveLength(3);
    expect(s.fake.timeline.tracks[1][0].name).toBe('title'); // untouched
    expect(s.fake.timeline.tracks[0][0].components[0].params[0].value).toBe(3);
  });

  test('plays the matte at media fps x speed so it stays in sync with a sped-up clip', async () => {
    const { fake } = await placed('track-matte', { speed: 2, end: 12 });
    const matte = fake.timeline.tracks[1].find((i) => i.media.mediaPath === MATTE_FIRST)!;
    expect(matte.media.overrideFps).toBe(50);
    expect(matte.end - matte.start).toBeCloseTo(2, 9); // same length as the clip on the timeline
  });

  test('cutout mode places the RGBA sequence and disables the clip, in one undo step', async () => {
    const { fake, result } = await placed('cutout');
    expect(result.mode).toBe('cutout');
    expect(fake.timeline.tracks[0][0].disabled).toBe(true);
    expect(fake.timeline.tracks[0][0].components).toHaveLength(0);
    expect(fake.undoStack).toHaveLength(1);
    fake.undo();
    expect(fake.timeline.tracks[0][0].disabled).toBe(false);
  });

  test('reports whether the key can be set (parameters reachable) so the panel can pick the cutout', async () => {
    const withParams = setup();
    const clip = await withParams.adapter.getActiveClip();
    expect(await withParams.adapter.canApplyTrackMatte(clip)).toBe(true);
    const noParams = setup({}, { componentsHaveParams: false });
    noParams.fake.stillSequences.set(MATTE_FIRST, 100);
    expect(await noParams.adapter.canApplyTrackMatte(clip)).toBe(false);
    const noEffect = setup({}, { hasTrackMatteKey: false });
    expect(await noEffect.adapter.canApplyTrackMatte(clip)).toBe(false);
    await expect(
      noParams.adapter.placeMatte({
        clip,
        sequence: { firstFramePath: MATTE_FIRST, frameCount: 100, firstSourceFrame: 50 },
        mode: 'track-matte',
        label: 'm',
      }),
    ).rejects.toThrow(/RGBA cutout/);
  });

  test('a failed import (importFiles resolves false) is an error and leaves the timeline alone', async () => {
    const s = setup();
    const clip = await s.adapter.getActiveClip();
    const attempt = s.adapter.placeMatte({
      clip,
      sequence: { firstFramePath: '/missing/matte_00000.png', frameCount: 100, firstSourceFrame: 50 },
      mode: 'track-matte',
      label: 'm',
    });
    await expect(attempt).rejects.toThrow(HostError);
    await expect(attempt).rejects.toThrow(/could not import "\/missing\/matte_00000.png"/);
    expect(s.fake.undoStack).toHaveLength(0);
  });

  test('refuses reversed clips with a way out', async () => {
    const s = setup({ reversed: true });
    s.fake.stillSequences.set(MATTE_FIRST, 100);
    const clip = await s.adapter.getActiveClip();
    await expect(
      s.adapter.placeMatte({
        clip,
        sequence: { firstFramePath: MATTE_FIRST, frameCount: 100, firstSourceFrame: 50 },
        mode: 'track-matte',
        label: 'm',
      }),
    ).rejects.toThrow(/plays reversed.*Nest/);
  });

  test('adds a correction marker at the timeline time of the source frame, one undo step', async () => {
    const { fake, adapter } = setup({ speed: 2, end: 12 });
    const clip: ActiveClip = await adapter.getActiveClip();
    await adapter.addMarker({ clip, sourceFrame: 100, name: 'Correction', comment: 'frame 100' });
    expect(fake.timeline.markers).toEqual([
      { name: 'Correction', type: 'Comment', start: 11, duration: 0, comments: 'frame 100' },
    ]);
    expect(fake.undoStack).toHaveLength(1);
  });
});

describe('the Premiere fake enforces the host rules (so the tests above can fail)', () => {
  test('create*Action outside lockedAccess throws', async () => {
    const fake = new PremiereFake(sampleTimeline());
    const project = await fake.api.Project.getActiveProject();
    const seq = await project.getActiveSequence();
    const markers = await fake.api.Markers.getMarkers(seq);
    expect(() => markers.createAddMarkerAction('x')).toThrow(/outside project.lockedAccess/);
  });

  test('an await inside a transaction callback is detected', async () => {
    const fake = new PremiereFake(sampleTimeline());
    const project = await fake.api.Project.getActiveProject();
    const seq = await project.getActiveSequence();
    const markers = await fake.api.Markers.getMarkers(seq);
    let late: Promise<void> | undefined;
    expect(() =>
      project.lockedAccess(() => {
        project.executeTransaction(((c: { addAction(a: unknown): boolean }) => {
          late = (async () => {
            await Promise.resolve();
            c.addAction(markers.createAddMarkerAction('late'));
          })();
          return late;
        }) as never);
      }),
    ).toThrow(/returned a Promise/);
    // The continuation runs after the lock is gone: the action can't even be created.
    await expect(late).rejects.toThrow(/outside project.lockedAccess/);
    expect(fake.timeline.markers).toHaveLength(0);
    expect(fake.undoStack).toHaveLength(0);
  });

  test('importFiles resolves to a bare boolean', async () => {
    const fake = new PremiereFake(sampleTimeline());
    fake.stillSequences.set('/a_00000.png', 3);
    const project = await fake.api.Project.getActiveProject();
    const bin = await project.getInsertionBin();
    await expect(project.importFiles(['/a_00000.png'], true, bin, true)).resolves.toBe(true);
  });
});
