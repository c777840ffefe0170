import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeMaskFrame,
  encodeMaskFrame,
  parseClientMessage,
  validateClientMessage,
  withToken,
  maskUrl,
} from '../src';

describe('protocol validation', () => {
  it('accepts a well-formed stroke annotation and types it', () => {
    const r = validateClientMessage({
      type: 'addAnnotation',
      id: 'r1',
      clipId: 'abc123',
      frame: 3,
      mask: {
        kind: 'strokes',
        strokes: [{ kind: 'polyline', label: 'fg', radius: 5, points: [1, 2, 3, 4] }],
      },
    });
    expect(r.ok).toBe(true);
    if (r.ok && r.message.type === 'addAnnotation') expect(r.message.frame).toBe(3);
  });

  it('names the offending field of the right message type', () => {
    const r = validateClientMessage({ type: 'fineTune', id: 'r2', clipId: 'abc', preset: 'slow' });
    expect(r).toMatchObject({ ok: false, id: 'r2', code: 'bad_message', path: '/preset' });
  });

  it('rejects unknown fields, unknown types, bad JSON and prototype keys', () => {
    expect(validateClientMessage({ type: 'ping', id: 'a', extra: 1 })).toMatchObject({
      ok: false,
      code: 'bad_message',
    });
    expect(validateClientMessage({ type: 'launchMissiles', id: 'a' })).toMatchObject({
      ok: false,
      code: 'unknown_type',
    });
    expect(validateClientMessage({ type: 'toString', id: 'a' })).toMatchObject({
      ok: false,
      code: 'unknown_type',
    });
    expect(parseClientMessage('{"type":')).toMatchObject({ ok: false, code: 'bad_json', id: null });
    expect(parseClientMessage('[1,2]')).toMatchObject({ ok: false, code: 'bad_message' });
    expect(validateClientMessage({ type: 'ping', id: 'bad id with spaces' })).toMatchObject({
      ok: false,
      id: null,
    });
  });

  it("bounds polygon sizes and frame indices; labels are fg, bg and open (the don't-care band)", () => {
    const poly = (points: number[], label = 'bg') =>
      validateClientMessage({
        type: 'addAnnotation',
        id: 'p',
        clipId: 'c',
        frame: 0,
        mask: { kind: 'strokes', strokes: [{ kind: 'polygon', label, points }] },
      });
    expect(poly([0, 0, 1, 0]).ok).toBe(false);
    expect(poly([0, 0, 1, 0, 1, 1]).ok).toBe(true);
    expect(poly([0, 0, 1, 0, 1, 1], 'open').ok).toBe(true);
    expect(poly([0, 0, 1, 0, 1, 1], 'maybe')).toMatchObject({ ok: false, code: 'bad_message' });
    expect(validateClientMessage({ type: 'segment', id: 's', clipId: 'c', playheadFrame: -1 }).ok).toBe(
      false,
    );
  });

  it('takes the render controls from the matte options schema, closed to unknown fields', () => {
    const render = (matte: unknown) =>
      validateClientMessage({
        type: 'render',
        id: 'r',
        clipId: 'c',
        format: 'prores',
        outputFolder: '/tmp/x',
        matte,
      });
    expect(render({ threshold: 0.4, feather: 2, edgeSnap: 'guided', fillHoles: 'all' }).ok).toBe(true);
    expect(render({ threshold: 2 })).toMatchObject({ ok: false, path: '/matte/threshold' });
    expect(render({ bogus: 1 })).toMatchObject({ ok: false, code: 'bad_message' });
    expect(render({ format: 'png8' }).ok).toBe(false);
  });

  it('round-trips the binary mask frame prefix', () => {
    const payload = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
    const enc = encodeMaskFrame({ seq: 7, frame: 42 }, payload);
    const dec = decodeMaskFrame(enc.buffer as ArrayBuffer);
    expect(dec.seq).toBe(7);
    expect(dec.frame).toBe(42);
    expect(Array.from(dec.payload)).toEqual(Array.from(payload));
    expect(() => decodeMaskFrame(new Uint8Array(20))).toThrow(/magic/);
  });

  it('builds token URLs', () => {
    expect(withToken(maskUrl('c1', 'main', 5), 'a b')).toBe('/clips/c1/objects/main/masks/5.png?token=a%20b');
  });
});

describe('protocol module', () => {
  it('imports nothing but TypeBox and its own files (the panel bundles it)', () => {
    const dir = join(__dirname, '..', 'src');
    const files = readdirSync(dir).map((f) => join(dir, f));
    for (const file of files) {
      const specs = [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
      for (const spec of specs)
        expect({
          file,
          spec,
          ok: spec.startsWith('@sinclair/typebox') || spec.startsWith('./'),
        }).toMatchObject({ ok: true });
    }
  });
});
