import { PremiereHostAdapter } from '../src/host/premiere-adapter';
import { HostError, type ActiveClip, type MattePlacement } from '../src/host/host-adapter';
import { MatteNamer } from '../src/ui/matte-name';
import {
  intrinsicComponents,
  PremiereFake,
  sampleTimeline,
  type FakeOptions,
  type FakeTrackItem,
} from './fakes/premierepro-fake';

const MATTE_FIRST = '/work/out/OneShot Roto matte_00000.png';

/** A 100-frame matte sequence for `clip`, keyed with Track Matte Key. */
function request(clip: ActiveClip, firstFramePath: string): MattePlacement {
  return {
    clip,
    sequence: { firstFramePath, frameCount: 100, firstSourceFrame: clip.sourceInFrame },
    mode: 'track-matte',
    label: 'm',
  };
}

function setup(clipOverrides: Partial<FakeTrackItem> = {}, options: FakeOptions = {}) {
  const fake = new PremiereFake(sampleTimeline(clipOverrides), options);
  const adapter = new PremiereHostAdapter(fake.api);
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
    fake.timeline.tracks[1]![0]!.end = 20; // the title on V2 now covers the playhead too
    expect((await adapter.getActiveClip()).name).toBe('interview.mov');
    fake.timeline.tracks[0]![0]!.selected = false;
    expect((await adapter.getActiveClip()).name).toBe('title');
  });

  test('passes over adjustment layers, graphics and mattes above the clip', async () => {
    const { fake, adapter } = setup();
    const over = (name: string, extra: Partial<FakeTrackItem>): FakeTrackItem => ({
      ...fake.timeline.tracks[0]![0]!,
      name,
      media: { name, mediaPath: '', fps: 25 },
      start: 9,
      end: 15,
      ...extra,
    });
    fake.timeline.tracks[1]!.push(over('Adjustment Layer', { adjustmentLayer: true }));
    fake.timeline.tracks.push([over('Graphic', {})]); // no media file, like an Essential Graphics clip
    fake.timeline.tracks.push([
      over('OneShot Roto interview r1_000050.png', {
        media: { name: 'm', mediaPath: '/m/OneShot Roto interview r1_000050.png', fps: 25 },
      }),
    ]);
    const clip = await adapter.getActiveClip();
    expect(clip).toMatchObject({ name: 'interview.mov', trackIndex: 0 });
  });

  test('says clearly when no clip is under the playhead', async () => {
    const { fake, adapter } = setup();
    fake.timeline.playhead = 30;
    await expect(adapter.getActiveClip()).rejects.toThrow(/No video clip under the playhead in "Edit"/);
  });
});

describe('PremiereHostAdapter editing the timeline', () => {
  async function placed(
    mode: 'track-matte' | 'cutout',
    clipOverrides: Partial<FakeTrackItem> = {},
    options: FakeOptions = {},
    onDisk = 100,
  ) {
    const s = setup(clipOverrides, options);
    s.fake.stillSequences.set(MATTE_FIRST, onDisk);
    const clip = await s.adapter.getActiveClip();
    const result = await s.adapter.placeMatte({
      clip,
      sequence: { firstFramePath: MATTE_FIRST, frameCount: 100, firstSourceFrame: clip.sourceInFrame },
      mode,
      label: 'OneShot Roto: matte layer',
    });
    return { ...s, clip, result };
  }

  const keyOf = (item: FakeTrackItem) =>
    item.components.find((c) => c.matchName === 'AE.ADBE Track Matte Key');
  const motionOf = (item: FakeTrackItem) => item.components.find((c) => c.matchName === 'AE.ADBE Motion')!;

  test('places the matte on the free track above the clip at its start and keys the clip from its chain', async () => {
    const { fake, result } = await placed('track-matte');
    // V2 holds a title over 0-5 s only, so it is free over the clip's 10-14 s.
    expect(result).toMatchObject({ trackIndex: 1, startSeconds: 10, mode: 'track-matte', undoSteps: 2 });
    expect(result.notes.join(' ')).toMatch(/Matte "Video 2".*Composite Using "Matte Luma".*Effect Controls/);
    const matte = fake.timeline.tracks[1]!.find((i) => i.media.mediaPath === MATTE_FIRST);
    expect(matte).toBeDefined();
    expect(matte!.start).toBeCloseTo(10, 9);
    expect(matte!.end).toBeCloseTo(14, 9); // 100 stills at the clip's 25 fps
    expect(matte!.media.asNumberedStills).toBe(true);

    const clipItem = fake.timeline.tracks[0]![0]!;
    const key = keyOf(clipItem)!;
    expect(clipItem.components.indexOf(key)).toBe(2); // appended after Opacity and Motion
    expect(key.params.map((p) => p.value)).toEqual([2, 1, false]); // Video 2, Matte Luma, not reversed
    expect(clipItem.disabled).toBe(false);

    // Two undo steps: the placement with the appended key, then the key's settings.
    expect(fake.undoStack.map((u) => u.label)).toEqual([
      'OneShot Roto: matte layer',
      'OneShot Roto: matte layer: Track Matte Key settings',
    ]);
    fake.undo();
    expect(keyOf(fake.timeline.tracks[0]![0]!)!.params[0]!.value).toBe(0);
    fake.undo();
    expect(fake.timeline.tracks[1]!.some((i) => i.media.mediaPath === MATTE_FIRST)).toBe(false);
    expect(keyOf(fake.timeline.tracks[0]![0]!)).toBeUndefined();
  });

  test('works in a localised Premiere: effect and parameters are found by match name and index', async () => {
    const s = new PremiereFake(sampleTimeline({}, 'de'), { locale: 'de' });
    const adapter = new PremiereHostAdapter(s.api);
    expect(await s.api.VideoFilterFactory.getDisplayNames()).not.toContain('Track Matte Key');
    s.stillSequences.set(MATTE_FIRST, 100);
    const clip = await adapter.getActiveClip();
    expect(await adapter.canApplyTrackMatte(clip)).toBe(true);
    await adapter.placeMatte(request(clip, MATTE_FIRST));
    const key = keyOf(s.timeline.tracks[0]![0]!)!;
    expect(key.displayName).toBe('Spurmaske-Key');
    expect(key.params.map((p) => [p.displayName, p.value])).toEqual([
      ['Maske', 2],
      ['Compositing mit', 1],
      ['Umkehren', false],
    ]);
  });

  test("places exactly the clip's frames when leftover files continue the numbering on disk", async () => {
    // 130 files continue the numbering (an older, longer render); the clip has 100 frames.
    const { fake } = await placed('track-matte', {}, {}, 130);
    const matte = fake.timeline.tracks[1]!.find((i) => i.media.mediaPath === MATTE_FIRST)!;
    expect(matte.media.frameCount).toBe(130); // the imported item holds them all...
    expect(matte.end - matte.start).toBeCloseTo(4, 9); // ...but only the clip's 100 are placed
  });

  test("creates a new track by inserting when every track above is busy over the matte's range", async () => {
    const s = setup();
    // The title covers only the last 0.1 s of the clip's range (not the playhead at 11 s).
    s.fake.timeline.tracks[1]![0]!.start = 13.9;
    s.fake.timeline.tracks[1]![0]!.end = 20;
    s.fake.stillSequences.set(MATTE_FIRST, 100);
    const clip = await s.adapter.getActiveClip();
    const result = await s.adapter.placeMatte(request(clip, MATTE_FIRST));
    expect(result.trackIndex).toBe(2);
    expect(s.fake.timeline.tracks).toHaveLength(3);
    expect(s.fake.undoStack[0]!.actions.join(' ')).toMatch(/createInsertProjectItemAction\(V3/);
    // Nothing else moved: the insert is limited to the new, empty track.
    expect(s.fake.timeline.tracks[1]![0]).toMatchObject({ name: 'title', start: 13.9, end: 20 });
    expect(s.fake.timeline.tracks[0]![0]).toMatchObject({ start: 10, end: 14 });
    expect(keyOf(s.fake.timeline.tracks[0]![0]!)!.params[0]!.value).toBe(3);
  });

  test('plays the matte at media fps x speed so it stays in sync with a sped-up clip', async () => {
    const { fake } = await placed('track-matte', { speed: 2, end: 12 });
    const matte = fake.timeline.tracks[1]!.find((i) => i.media.mediaPath === MATTE_FIRST)!;
    expect(matte.media.overrideFps).toBe(50);
    expect(matte.end - matte.start).toBeCloseTo(2, 9); // same length as the clip on the timeline
  });

  test('a scaled, repositioned clip gets a matte clip with the same Motion values', async () => {
    const motion = {
      Position: { x: 0.31, y: 0.62 },
      Scale: 142,
      Rotation: -7.5,
      Anchor: { x: 0.4, y: 0.55 },
    };
    const { fake, result } = await placed('track-matte', { components: intrinsicComponents('en', motion) });
    const matte = fake.timeline.tracks[1]!.find((i) => i.media.mediaPath === MATTE_FIRST)!;
    expect(motionOf(matte).params).toEqual(motionOf(fake.timeline.tracks[0]![0]!).params);
    expect(motionOf(matte).params[1]!.value).toBe(142);
    expect(result.undoSteps).toBe(3);
    expect(fake.undoStack[2]!.label).toBe('OneShot Roto: matte layer: Motion');
  });

  test('refuses a clip with animated Motion before touching the project', async () => {
    const components = intrinsicComponents('en');
    components[1]!.params[1]!.timeVarying = true; // Scale keyframed
    const s = setup({ components });
    s.fake.stillSequences.set(MATTE_FIRST, 100);
    const clip = await s.adapter.getActiveClip();
    await expect(s.adapter.placeMatte(request(clip, MATTE_FIRST))).rejects.toThrow(
      /keyframes on Motion \(Scale\).*Nest/,
    );
    expect(s.fake.undoStack).toHaveLength(0);
    expect(s.fake.timeline.bin.map((m) => m.mediaPath)).not.toContain(MATTE_FIRST);
  });

  test('cutout mode places the RGBA sequence and disables the clip, in one undo step', async () => {
    const { fake, result } = await placed('cutout');
    expect(result).toMatchObject({ mode: 'cutout', undoSteps: 1 });
    expect(fake.timeline.tracks[0]![0]!.disabled).toBe(true);
    expect(keyOf(fake.timeline.tracks[0]![0]!)).toBeUndefined();
    expect(fake.undoStack).toHaveLength(1);
    fake.undo();
    expect(fake.timeline.tracks[0]![0]!.disabled).toBe(false);
  });

  test('reports whether Track Matte Key exists so the panel can pick the cutout', async () => {
    const withKey = setup();
    const clip = await withKey.adapter.getActiveClip();
    expect(await withKey.adapter.canApplyTrackMatte(clip)).toBe(true);
    const noEffect = setup({}, { hasTrackMatteKey: false });
    noEffect.fake.stillSequences.set(MATTE_FIRST, 100);
    expect(await noEffect.adapter.canApplyTrackMatte(clip)).toBe(false);
    await expect(noEffect.adapter.placeMatte(request(clip, MATTE_FIRST))).rejects.toThrow(/RGBA cutout/);
  });

  test('a clip keyed before keeps one Track Matte Key, pointed at the newer matte', async () => {
    const { fake, adapter, clip } = await placed('track-matte');
    const second = '/work/out/OneShot Roto interview Object 1 r2_000050.png';
    fake.stillSequences.set(second, 100);
    const result = await adapter.placeMatte(request(clip, second));
    expect(result.trackIndex).toBe(2); // V2 holds the first matte
    const keys = fake.timeline.tracks[0]![0]!.components.filter(
      (c) => c.matchName === 'AE.ADBE Track Matte Key',
    );
    expect(keys).toHaveLength(1);
    expect(keys[0]!.params[0]!.value).toBe(3); // Video 3
    expect(result.notes.join(' ')).toMatch(/already had a Track Matte Key.*duplicate the clip/);
    // The first matte is still on V2 with its own files.
    expect(fake.timeline.tracks[1]!.some((i) => i.media.mediaPath === MATTE_FIRST)).toBe(true);
  });

  test('two clips from one folder rendered twice each give four matte sets that never share a file', async () => {
    const fake = new PremiereFake(sampleTimeline());
    const adapter = new PremiereHostAdapter(fake.api);
    // A second clip from the same folder, later on V1.
    const second = { ...fake.timeline.tracks[0]![0]!, name: 'street.mov', start: 20, end: 24 };
    second.media = { name: 'street.mov', mediaPath: '/media/street.mov', fps: 25 };
    fake.timeline.tracks[0]!.push(second);
    const namer = new MatteNamer(() => Date.UTC(2026, 11, 4, 13, 30, 12)); // one instant for all four
    const placedFiles: string[] = [];
    for (const playhead of [11, 21]) {
      for (let render = 0; render < 2; render++) {
        fake.timeline.playhead = playhead;
        const clip = await adapter.getActiveClip();
        const first = `/media/OneShot Roto mattes/${namer.next(clip.name, 'person')}_${String(clip.sourceInFrame).padStart(6, '0')}.png`;
        fake.stillSequences.set(first, 100);
        await adapter.placeMatte(request(clip, first));
        placedFiles.push(first);
      }
    }
    expect(new Set(placedFiles).size).toBe(4);
    // Every matte on the timeline still plays its own files.
    const onTimeline = fake.timeline.tracks.flat().filter((i) => i.name.startsWith('OneShot Roto'));
    expect(onTimeline.map((i) => i.media.mediaPath).sort()).toEqual([...placedFiles].sort());
    // Placing files an earlier matte plays is refused before anything is imported.
    const clip = await adapter.getActiveClip();
    await expect(adapter.placeMatte(request(clip, placedFiles[0]!))).rejects.toThrow(/already used by/);
  });

  test('a failed import (importFiles resolves false) is an error and leaves the timeline alone', async () => {
    const s = setup();
    const clip = await s.adapter.getActiveClip();
    const attempt = s.adapter.placeMatte(request(clip, '/missing/matte_00000.png'));
    await expect(attempt).rejects.toThrow(HostError);
    await expect(attempt).rejects.toThrow(/could not import "\/missing\/matte_00000.png"/);
    expect(s.fake.undoStack).toHaveLength(0);
  });

  test('refuses reversed clips with a way out', async () => {
    const s = setup({ reversed: true });
    s.fake.stillSequences.set(MATTE_FIRST, 100);
    const clip = await s.adapter.getActiveClip();
    await expect(s.adapter.placeMatte(request(clip, MATTE_FIRST))).rejects.toThrow(/plays reversed.*Nest/);
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
        // eslint-disable-next-line @typescript-eslint/no-misused-promises -- an async callback on purpose: the fake must refuse it
        project.executeTransaction((c: { addAction(a: unknown): boolean }) => {
          late = (async () => {
            await Promise.resolve();
            c.addAction(markers.createAddMarkerAction('late'));
          })();
          return late;
        });
      }),
    ).toThrow(/returned a Promise/);
    // The continuation runs after the lock is gone: the action can't even be created.
    await expect(late).rejects.toThrow(/outside project.lockedAccess/);
    expect(fake.timeline.markers).toHaveLength(0);
    expect(fake.undoStack).toHaveLength(0);
  });

  test('createComponent gives an object with no members; parameters exist only on the chain', async () => {
    const fake = new PremiereFake(sampleTimeline());
    const component = await fake.api.VideoFilterFactory.createComponent('AE.ADBE Track Matte Key');
    expect(Object.keys(component)).toEqual([]);
    expect('getParam' in component).toBe(false);
    const seq = await (await fake.api.Project.getActiveProject()).getActiveSequence();
    const [clip] = (await seq.getVideoTrack(0)).getTrackItems(fake.api.Constants.TrackItemType.CLIP, false);
    if (!clip) throw new Error('the sample timeline has no clip on V1');
    const chain = await clip.getComponentChain();
    expect(await chain.getComponentAtIndex(1).getMatchName()).toBe('AE.ADBE Motion');
    // createKeyframe throws on a value of the wrong type, as documented.
    expect(() => chain.getComponentAtIndex(1).getParam(1).createKeyframe(true)).toThrow(/does not fit/);
  });

  test('an overwrite past the last track is refused (only insert creates tracks)', async () => {
    const fake = new PremiereFake(sampleTimeline());
    const project = await fake.api.Project.getActiveProject();
    const seq = await project.getActiveSequence();
    const [media] = await fake.api.FolderItem.cast(await project.getInsertionBin()).getItems();
    if (!media) throw new Error('the insertion bin is empty');
    const editor = fake.api.SequenceEditor.getEditor(seq);
    expect(() =>
      project.lockedAccess(() => {
        project.executeTransaction((c) => {
          c.addAction(editor.createOverwriteItemAction(media, fake.api.TickTime.createWithSeconds(0), 2, 0));
        });
      }),
    ).toThrow(/no video track 2/);
    expect(fake.timeline.tracks).toHaveLength(2);
  });

  test('importFiles resolves to a bare boolean', async () => {
    const fake = new PremiereFake(sampleTimeline());
    fake.stillSequences.set('/a_00000.png', 3);
    const project = await fake.api.Project.getActiveProject();
    const bin = await project.getInsertionBin();
    await expect(project.importFiles(['/a_00000.png'], true, bin, true)).resolves.toBe(true);
  });
});
