import { AfterEffectsHostAdapter } from '../src/host/aftereffects-adapter';
import { AfterEffectsFake, sampleComp, type FakeLayer } from './fakes/aftereffects-fake';

const MATTE_FIRST = '/work/out/OneShot Roto matte_00000.png';

function setup(layer: Partial<FakeLayer> = {}) {
  const fake = new AfterEffectsFake(sampleComp(layer));
  fake.stillSequences.set(MATTE_FIRST, 100);
  return { fake, adapter: new AfterEffectsHostAdapter(fake.api) };
}

describe('AfterEffectsHostAdapter', () => {
  test('uses the module as the Application and imports through ImportOptions.file', async () => {
    const { fake, adapter } = setup();
    const clip = await adapter.getActiveClip();
    await adapter.placeMatte({
      clip,
      sequence: { firstFramePath: MATTE_FIRST, frameCount: 100, firstSourceFrame: 50 },
      mode: 'track-matte',
      label: 'matte',
    });
    expect(fake.comp.footage.find((f) => f.path === MATTE_FIRST)).toMatchObject({ isSequence: true });
  });

  test('without ImportOptions, MarkerValue or TrackMatteType on the module it imports with a plain object, offers the cutout and refuses the marker clearly', async () => {
    const fake = new AfterEffectsFake(sampleComp(), false);
    fake.stillSequences.set(MATTE_FIRST, 100);
    const adapter = new AfterEffectsHostAdapter(fake.api);
    const clip = await adapter.getActiveClip();
    expect(await adapter.canApplyTrackMatte(clip)).toBe(false);
    const result = await adapter.placeMatte({
      clip,
      sequence: { firstFramePath: MATTE_FIRST, frameCount: 100, firstSourceFrame: 50 },
      mode: 'cutout',
      label: 'cutout',
    });
    expect(result.mode).toBe('cutout');
    expect(fake.comp.footage.find((f) => f.path === MATTE_FIRST)).toMatchObject({ isSequence: true });
    await expect(
      adapter.addMarker({ clip, sourceFrame: 60, name: 'Correction', comment: 'c' }),
    ).rejects.toThrow(/no MarkerValue.*by hand/);
  });

  test('reads the footage layer under the current time with its trimmed source range', async () => {
    const { adapter } = setup();
    const clip = await adapter.getActiveClip();
    expect(clip).toMatchObject({
      name: 'interview.mov',
      mediaPath: '/media/interview.mov',
      sourceInFrame: 50,
      sourceOutFrame: 150,
      mediaFps: 25,
      timelineFps: 25,
      speed: 1,
      timelineStart: 10,
      timelineEnd: 14,
      trackIndex: 2,
    });
    expect((await adapter.getPlayhead(clip)).sourceFrame).toBe(75);
  });

  test('prefers the selected layer and maps time stretch to speed', async () => {
    const { fake, adapter } = setup({ stretch: 50, outPoint: 12, selected: true });
    fake.comp.time = 0; // the selection wins even away from the current time
    const clip = await adapter.getActiveClip();
    expect(clip.speed).toBe(2);
    expect([clip.sourceInFrame, clip.sourceOutFrame]).toEqual([100, 200]); // (10-8)*2 s .. (12-8)*2 s
  });

  test('places the matte right above the layer, same timing, as its luma track matte, in one undo group', async () => {
    const { fake, adapter } = setup();
    const clip = await adapter.getActiveClip();
    const result = await adapter.placeMatte({
      clip,
      sequence: { firstFramePath: MATTE_FIRST, frameCount: 100, firstSourceFrame: 50 },
      mode: 'track-matte',
      label: 'OneShot Roto: matte layer',
    });
    expect(result).toEqual({ trackIndex: 2, startSeconds: 10, mode: 'track-matte', undoSteps: 1, notes: [] });
    expect(fake.comp.layers.map((l) => l.name)).toEqual(['title.png', 'OneShot Roto matte', 'interview.mov']);
    const [, matte, footage] = fake.comp.layers;
    if (!footage) throw new Error('the comp has no third layer');
    expect(matte).toMatchObject({ startTime: 10, inPoint: 10, outPoint: 14, stretch: 100, enabled: false });
    expect(fake.comp.footage.find((f) => f.path === MATTE_FIRST)).toMatchObject({
      isSequence: true,
      conformFrameRate: 25,
    });
    expect(footage.trackMatte).toEqual({ layerName: 'OneShot Roto matte', type: 'luma' });
    expect(footage.enabled).toBe(true);

    expect(fake.undoStack).toHaveLength(1);
    expect(fake.undo()).toBe('OneShot Roto: matte layer');
    expect(fake.comp.layers.map((l) => l.name)).toEqual(['title.png', 'interview.mov']);
    expect(fake.comp.layers[1]!.trackMatte).toBeNull();
  });

  test('cutout mode turns the original layer off instead of keying it', async () => {
    const { fake, adapter } = setup();
    const clip = await adapter.getActiveClip();
    await adapter.placeMatte({
      clip,
      sequence: { firstFramePath: MATTE_FIRST, frameCount: 100, firstSourceFrame: 50 },
      mode: 'cutout',
      label: 'cutout',
    });
    expect(fake.comp.layers[2]).toMatchObject({ name: 'interview.mov', enabled: false, trackMatte: null });
    expect(fake.comp.layers[1]!.enabled).toBe(true);
    expect(fake.undoStack).toHaveLength(1);
  });

  test('a failed import closes the undo group and names the file', async () => {
    const { fake, adapter } = setup();
    const clip = await adapter.getActiveClip();
    await expect(
      adapter.placeMatte({
        clip,
        sequence: { firstFramePath: '/missing/m_00000.png', frameCount: 100, firstSourceFrame: 50 },
        mode: 'track-matte',
        label: 'matte',
      }),
    ).rejects.toThrow(/After Effects refused "matte": File "\/missing\/m_00000.png" not found/);
    expect(fake.undoStack).toHaveLength(0);
    // The group was closed: a later change is its own undo step again.
    await adapter.addMarker({ clip, sourceFrame: 60, name: 'Correction', comment: 'frame 60' });
    expect(fake.undoStack).toHaveLength(1);
  });

  test('adds a comp marker at the comp time of the source frame', async () => {
    const { fake, adapter } = setup();
    const clip = await adapter.getActiveClip();
    await adapter.addMarker({ clip, sourceFrame: 75, name: 'Correction', comment: 'frame 75' });
    expect(fake.comp.markers).toEqual([{ time: 11, comment: 'Correction: frame 75' }]);
  });

  test('the fake counts changes outside an undo group as separate steps (so the test above can fail)', () => {
    const { fake } = setup();
    const comp = fake.api.project.activeItem!;
    comp.layer(2).enabled = false;
    comp.layer(2).name = 'renamed';
    expect(fake.undoStack).toHaveLength(2);
    expect(() => fake.api.endUndoGroup()).toThrow(/without beginUndoGroup/);
  });
});
