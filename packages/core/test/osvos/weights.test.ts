/**
 * The fine-tuned weights file: one network or an ensemble in one checkpoint, read back exactly;
 * a damaged ensemble is an error that says what to do, not a network with missing parameters.
 */
import {
  decodeWeights,
  encodeWeights,
  settingsToContinue,
  withSegmentationChoices,
  type FineTunedWeights,
} from '../../src/osvos/weights';
import { resolveMatteOptions } from '../../src/matte/options';
import { networkFinishing, resolveSettings } from '../../src/osvos/presets';
import { encodeCheckpoint } from '@oneshot-roto/onnx-train';

/** The header `encodeWeights` writes for `w`. */
const headerOf = (w: FineTunedWeights) => ({
  kind: 'oneshot-roto/fine-tuned-weights',
  resolution: w.resolution,
  trainable: w.trainable,
  parentSha256: w.parentSha256,
  annotatedFrames: w.annotatedFrames,
  threshold: w.threshold,
});

const params = (seed: number) =>
  new Map([
    ['/stage1d/conv.weight', Float32Array.from({ length: 6 }, (_, i) => seed + i / 8)],
    ['/side1/conv.bias', Float32Array.from([seed, -seed])],
  ]);

const base: FineTunedWeights = {
  resolution: 768,
  trainable: 'decoder-top',
  parentSha256: 'ab'.repeat(32),
  annotatedFrames: [0, 12],
  iterations: 230,
  threshold: 0.5,
  testTimeFlip: true,
  zoomPass: true,
  parameters: params(1),
  ensemble: [],
};

describe('fine-tuned weights file', () => {
  it('round-trips one network, and reads a file written before ensembles as one network', () => {
    expect(decodeWeights(encodeWeights(base))).toEqual(base);
    expect(decodeWeights(encodeWeights({ ...base, zoomPass: false })).zoomPass).toBe(false);
    // The header as it was before ensembles: no ensembleViews.
    const old = encodeCheckpoint({
      step: 120,
      meta: {
        kind: 'oneshot-roto/fine-tuned-weights',
        resolution: 512,
        trainable: 'decoder-top',
        parentSha256: 'cd'.repeat(32),
        annotatedFrames: [0],
        threshold: 0.5,
      },
      tensors: new Map([...params(1)].map(([k, v]) => [k, { dims: [v.length], data: v }])),
    });
    const back = decodeWeights(old);
    expect(back).toMatchObject({
      resolution: 512,
      iterations: 120,
      testTimeFlip: false,
      zoomPass: false,
      ensemble: [],
    });
    expect(back.parameters).toEqual(params(1));
  });

  it('reads a file that still lists test-time resolutions, ignoring them', () => {
    const old = encodeCheckpoint({
      step: 230,
      meta: {
        kind: 'oneshot-roto/fine-tuned-weights',
        resolution: 768,
        trainable: 'decoder-top',
        parentSha256: 'ab'.repeat(32),
        annotatedFrames: [0, 12],
        threshold: 0.5,
        testTimeFlip: true,
        zoomPass: true,
        testTimeResolutions: [1024],
        ensembleViews: [],
      },
      tensors: new Map([...params(1)].map(([k, v]) => [k, { dims: [v.length], data: v }])),
    });
    expect(decodeWeights(old)).toEqual(base);
  });

  it('round-trips the parent guide with its share', () => {
    const guided: FineTunedWeights = {
      ...base,
      parentGuide: { resolution: 1024, agreement: 0.8, annotationShare: 0.9, share: 0.4 },
    };
    expect(decodeWeights(encodeWeights(guided)).parentGuide).toEqual(guided.parentGuide);
  });

  it("round-trips the matte finishing the preset chose, and finishes older files by the matte's default", () => {
    const snapped: FineTunedWeights = { ...base, threshold: 0.55, edgeSnap: 'none' };
    const back = decodeWeights(encodeWeights(snapped));
    expect(networkFinishing(back)).toEqual({ threshold: 0.55, edgeSnap: 'none' });
    // `base` carries no edge snap, as files written before it was a choice: the matte's default applies.
    expect(networkFinishing(decodeWeights(encodeWeights(base)))).toEqual({ threshold: 0.5 });
    // User flags win over the network's finishing (`segment --edge-snap crf`).
    expect(resolveMatteOptions({ ...networkFinishing(back), edgeSnap: 'crf' })).toMatchObject({
      threshold: 0.55,
      edgeSnap: 'crf',
    });
    const bad = encodeCheckpoint({
      step: 1,
      meta: { ...headerOf(base), edgeSnap: 'sharpen' },
      tensors: new Map([...params(1)].map(([k, v]) => [k, { dims: [v.length], data: v }])),
    });
    expect(() => decodeWeights(bad, 'clip.weights')).toThrow(
      /clip\.weights names an unknown edge snap "sharpen" \(known: none, guided, bilateral, crf\); fine-tune the clip again/,
    );
  });

  it('continues a network with its own shape and finishing, whatever preset the correction names', () => {
    // An edge snap no preset names, so that only the weights can have set it.
    const best: FineTunedWeights = { ...base, threshold: 0.55, edgeSnap: 'bilateral' };
    const next = settingsToContinue(resolveSettings('fast'), best);
    expect(next).toMatchObject({
      resolution: 768,
      testTimeFlip: true,
      threshold: 0.55,
      edgeSnap: 'bilateral',
    });
    // Weights saved before the edge snap was stored take the named preset's.
    expect(settingsToContinue(resolveSettings('fast'), base).edgeSnap).toBe(resolveSettings('fast').edgeSnap);
  });

  it('round-trips an ensemble: every network with its views and its own parameters, in order', () => {
    const w = {
      ...base,
      ensemble: [
        { views: 32, parameters: params(2) },
        { views: 16, parameters: params(3) },
      ],
    };
    const back = decodeWeights(encodeWeights(w));
    expect(back.ensemble.map((m) => m.views)).toEqual([32, 16]);
    expect(back.parameters).toEqual(params(1));
    expect(back.ensemble[0]!.parameters).toEqual(params(2));
    expect(back.ensemble[1]!.parameters).toEqual(params(3));
  });

  it('refuses an ensemble network that lacks parameters', () => {
    const partial = new Map([...params(2)].slice(0, 1));
    const bytes = encodeWeights({ ...base, ensemble: [{ views: 32, parameters: partial }] });
    expect(() => decodeWeights(bytes, 'clip.weights')).toThrow(
      /clip\.weights is incomplete: an ensemble network lacks parameters; fine-tune the clip again/,
    );
  });

  it('segments with the saved parent guide unless told otherwise: none drops it, a size moves its pass', () => {
    const guided: FineTunedWeights = {
      ...base,
      parentGuide: { resolution: 1024, agreement: 0.8, annotationShare: 0.9 },
    };
    expect(withSegmentationChoices(guided, {}).parentGuide).toEqual(guided.parentGuide);
    expect(withSegmentationChoices(guided, { parentGuideResolution: 0 }).parentGuide).toBeUndefined();
    expect(withSegmentationChoices(guided, { parentGuideResolution: 768 }).parentGuide).toEqual({
      resolution: 768,
      agreement: 0.8,
      annotationShare: 0.9,
    });
    // A share replaces the saved one (weights saved before shares had none: the guide's 0.5).
    expect(withSegmentationChoices(guided, { parentGuideShare: 0.4 }).parentGuide).toEqual({
      ...guided.parentGuide,
      share: 0.4,
    });
    expect(withSegmentationChoices(base, { parentGuideShare: 0.4 }).parentGuide).toBeUndefined();
    // No guide was measured for these weights: a size alone cannot make one.
    expect(withSegmentationChoices(base, { parentGuideResolution: 1024 }).parentGuide).toBeUndefined();
    // The flip and zoom choices are unchanged by it.
    expect(withSegmentationChoices(guided, { parentGuideResolution: 0, testTimeFlip: false })).toMatchObject({
      testTimeFlip: false,
      zoomPass: true,
    });
  });
});
