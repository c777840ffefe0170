// Pure pieces of the panel: strokes to protocol masks, time mapping, progress text, addresses.
import { MaskStrokes } from '../src/ui/mask-strokes';
import { MAX_CELLS, stripCells } from '../src/ui/confidence-cells';
import { jobProgress } from '../src/ui/job-progress';
import { startCorrection } from '../src/ui/correction-start';
import { FIRST_OBJECT_ID, ObjectList } from '../src/ui/object-list';
import {
  allowedOrigins,
  DEFAULT_PORT,
  MANIFEST_PORTS,
  parseServerAddress,
  wsUrl,
} from '../src/client/server-address';
import { sourceFrameAt, timelineSecondsOf, sequencePlaybackFps } from '../src/host/time-mapping';
import type { ActiveClip } from '../src/host/host-adapter';
import { StrokesMaskSchema, createChecker, type FrameConfidenceInfo } from '@oneshot-roto/protocol';

const checkMask = createChecker(StrokesMaskSchema);

describe('MaskStrokes', () => {
  test('brush, eraser and polygon become a schema-valid strokes mask in display space', () => {
    const m = new MaskStrokes();
    m.beginBrush('fg', 10, { x: 10, y: 10 });
    m.extendBrush({ x: 10.5, y: 10 }); // under the minimum step: dropped
    m.extendBrush({ x: 30, y: 12.3456 });
    m.endBrush();
    m.beginBrush(MaskStrokes.labelFor('eraser', 'fg'), 4, { x: 5, y: 5 });
    m.endBrush();
    expect(m.addPolygonPoint('fg', { x: 100, y: 100 })).toBe(false);
    m.addPolygonPoint('fg', { x: 200, y: 100 });
    m.addPolygonPoint('fg', { x: 200, y: 200 });
    expect(m.addPolygonPoint('fg', { x: 102, y: 101 })).toBe(true); // near the first point: closes
    const mask = m.toMask({ width: 640, height: 360 }, 'empty');
    expect(mask).toEqual({
      kind: 'strokes',
      base: 'empty',
      space: { width: 640, height: 360 },
      strokes: [
        { kind: 'polyline', label: 'fg', radius: 10, points: [10, 10, 30, 12.35] },
        { kind: 'polyline', label: 'bg', radius: 4, points: [5, 5] },
        { kind: 'polygon', label: 'fg', points: [100, 100, 200, 100, 200, 200] },
      ],
    });
    expect(checkMask.check(mask)).toBe(true);
  });

  test("X flips object and background, D switches don't care, and brush and polygon then send open strokes", () => {
    // X flips object / background (twice is back to the object); D turns don't care on and off.
    expect(MaskStrokes.swappedLabel(MaskStrokes.swappedLabel('fg'))).toBe('fg');
    expect(MaskStrokes.swappedLabel('fg')).toBe('bg');
    expect(MaskStrokes.swappedLabel('open')).toBe('fg');
    expect(MaskStrokes.toggledOpen('bg')).toBe('open');
    expect(MaskStrokes.toggledOpen('open')).toBe('fg');
    const m = new MaskStrokes();
    m.beginBrush('fg', 6, { x: 20, y: 20 });
    m.endBrush();
    m.beginBrush(MaskStrokes.labelFor('brush', 'open'), 5, { x: 30, y: 10 });
    m.extendBrush({ x: 30, y: 40 });
    m.endBrush();
    m.beginBrush(MaskStrokes.labelFor('eraser', 'open'), 2, { x: 1, y: 1 });
    m.endBrush();
    m.addPolygonPoint(MaskStrokes.labelFor('polygon', 'open'), { x: 0, y: 0 });
    m.addPolygonPoint('open', { x: 9, y: 0 });
    m.addPolygonPoint('open', { x: 9, y: 9 });
    m.closePolygon();
    const mask = m.toMask({ width: 64, height: 48 }, 'empty');
    expect(mask.strokes.map((s) => s.label)).toEqual(['fg', 'open', 'bg', 'open']);
    expect(mask.strokes[1]).toEqual({ kind: 'polyline', label: 'open', radius: 5, points: [30, 10, 30, 40] });
    expect(checkMask.check(mask)).toBe(true);
  });

  test('undo removes the last stroke, or the last point of an open polygon', () => {
    const m = new MaskStrokes();
    m.beginBrush('fg', 3, { x: 1, y: 1 });
    m.endBrush();
    m.addPolygonPoint('bg', { x: 1, y: 1 });
    m.addPolygonPoint('bg', { x: 9, y: 1 });
    m.undo();
    expect(m.openPolygon?.points).toHaveLength(1);
    m.undo();
    expect(m.openPolygon).toBeUndefined();
    expect(m.strokes).toHaveLength(1);
    m.undo();
    expect(m.isEmpty).toBe(true);
    expect(() => m.toMask({ width: 1, height: 1 }, 'empty')).toThrow(/Paint the object first/);
  });
});

describe('time mapping', () => {
  const clip: ActiveClip = {
    id: 'x',
    name: 'x',
    mediaPath: '/m.mov',
    sourceInFrame: 100,
    sourceOutFrame: 200,
    mediaFps: 30000 / 1001,
    timelineFps: 30000 / 1001,
    speed: 1,
    timelineStart: 5,
    timelineEnd: 5 + 100 / (30000 / 1001),
    trackIndex: 0,
  };

  test('round-trips every frame at 29.97 fps, at normal and double speed', () => {
    for (const speed of [1, 2, 0.5]) {
      const c = { ...clip, speed };
      for (let f = 100; f < 200; f++) expect(sourceFrameAt(c, timelineSecondsOf(c, f))).toBe(f);
    }
  });

  test('reversed clips start at the last source frame; matte plays at media fps times speed', () => {
    const rev = { ...clip, speed: -1 };
    expect(sourceFrameAt(rev, 5)).toBe(199);
    expect(sourceFrameAt(rev, 1e9)).toBe(100);
    expect(sequencePlaybackFps({ ...clip, mediaFps: 25, speed: 2 })).toBe(50);
  });
});

test('progress: fine-tuning fills the first 60 %, segmentation the rest, finished is 100 %', () => {
  const base = { type: 'progress' as const, jobId: 'j', clipId: 'c', objectId: 'main' };
  expect(
    jobProgress({ ...base, phase: 'fineTune', iteration: 50, iterations: 100, loss: 0.25 }, false),
  ).toEqual({
    fraction: 0.3,
    text: '30 % · Fine-tuning 50/100 · loss 0.250',
  });
  expect(
    jobProgress({ ...base, phase: 'segment', framesDone: 12, framesTotal: 24, etaSeconds: 75 }, false).text,
  ).toBe('80 % · Segmenting 12/24 frames · 1 min 15 s left');
  expect(jobProgress({ ...base, phase: 'render', framesDone: 6, framesTotal: 24 }, true).fraction).toBe(0.25);
  expect(jobProgress({ ...base, phase: 'finished' }, false)).toEqual({ fraction: 1, text: '100 % · Done' });
});

test('server addresses: loopback only, default port', () => {
  expect(parseServerAddress('8765')).toEqual({ host: '127.0.0.1', port: 8765 });
  expect(parseServerAddress('http://localhost:9000/')).toEqual({ host: 'localhost', port: 9000 });
  expect(wsUrl(parseServerAddress('127.0.0.1'))).toBe('ws://127.0.0.1:8765/ws');
  expect(() => parseServerAddress('192.168.1.5:8765')).toThrow(/not a local server address/);
  expect(() => parseServerAddress('evil.example:8765')).toThrow(/127.0.0.1:8765/);
});

test('inside Premiere or After Effects only the manifest ports are accepted, with what another port needs', () => {
  expect(parseServerAddress('127.0.0.1:8765', MANIFEST_PORTS)).toEqual({ host: '127.0.0.1', port: 8765 });
  expect(() => parseServerAddress('localhost:9000', MANIFEST_PORTS)).toThrow(
    /allows only port 8765.*ws:\/\/127\.0\.0\.1:9000.*both manifests/,
  );
  // The manifests list exactly the origins of those ports.
  expect(MANIFEST_PORTS.flatMap(allowedOrigins).sort()).toEqual([...allowedOrigins(DEFAULT_PORT)].sort());
});

describe('starting a correction', () => {
  test('a marker the host refuses leaves the job started and says why', async () => {
    const started = await startCorrection(
      async () => ({ jobId: 'j7' }),
      async () => {
        throw new Error('Premiere refused to add the marker "OneShot Roto correction".');
      },
    );
    expect(started).toEqual({
      job: { jobId: 'j7' },
      markerProblem: 'Premiere refused to add the marker "OneShot Roto correction".',
    });
  });

  test('the marker is added only once the job exists', async () => {
    const calls: string[] = [];
    const refused = startCorrection(
      async () => {
        calls.push('job');
        throw new Error('server said no');
      },
      async () => {
        calls.push('marker');
      },
    );
    await expect(refused).rejects.toThrow('server said no');
    expect(calls).toEqual(['job']);
    const ok = await startCorrection(
      async () => 'j8',
      async () => {
        calls.push('marker');
      },
    );
    expect(ok).toEqual({ job: 'j8' });
    expect(calls).toEqual(['job', 'marker']);
  });
});

describe('ObjectList (several objects per clip)', () => {
  test('adds, names, selects and deletes objects, each with its own server id', () => {
    const objects = new ObjectList();
    expect(objects.all.map((o) => [o.id, o.name])).toEqual([[FIRST_OBJECT_ID, 'Object 1']]);
    const ball = objects.add('  ball ');
    expect(ball).toMatchObject({ name: 'ball', fineTuned: false });
    expect(objects.current.id).toBe(ball.id);
    const third = objects.add();
    expect(third.name).toBe('Object 3');
    expect(new Set(objects.all.map((o) => o.id)).size).toBe(3);
    objects.rename('dog');
    expect(objects.current.name).toBe('dog');
    expect(() => objects.rename('   ')).toThrow(/name/);
    objects.select(FIRST_OBJECT_ID);
    objects.current.fineTuned = true;
    expect(objects.find(ball.id)!.fineTuned).toBe(false); // states stay apart
    objects.select(ball.id);
    expect(objects.removeCurrent().id).toBe(ball.id);
    expect(objects.all.map((o) => o.name)).toEqual(['Object 1', 'dog']);
    objects.removeCurrent();
    expect(() => objects.removeCurrent()).toThrow(/at least one object/);
    expect(() => objects.select('nope')).toThrow(/No object/);
  });

  test('takes in the objects the server already holds for a reopened clip; reset starts over', () => {
    const objects = new ObjectList();
    objects.adopt([
      { objectId: FIRST_OBJECT_ID, fineTuned: true },
      { objectId: 'object-2', fineTuned: false },
    ]);
    expect(objects.all.map((o) => [o.id, o.fineTuned])).toEqual([
      [FIRST_OBJECT_ID, true],
      ['object-2', false],
    ]);
    expect(objects.add().id).toBe('object-3'); // never an id the server already uses
    objects.reset();
    expect(objects.all).toHaveLength(1);
    expect(objects.current.fineTuned).toBe(false);
  });
});

describe('cells of the confidence strip', () => {
  const scored = (frame: number, confidence: number, annotated = false): FrameConfidenceInfo => ({
    frame,
    confidence,
    crispness: confidence,
    consistency: 1,
    annotated,
  });

  test('a short clip gets a cell per frame: painted frames without a score, marked frames flagged', () => {
    const frames = [scored(0, 0.9, true), scored(1, 0.8), scored(2, 0.3), scored(3, 0.7)];
    const cells = stripCells(frames, [2], 6);
    expect(cells.map((c) => [c.first, c.last, c.frame])).toEqual([0, 1, 2, 3, 4, 5].map((f) => [f, f, f]));
    expect(cells[0]).toMatchObject({ annotated: true, suggested: false });
    expect(cells[0]!.confidence).toBeUndefined();
    expect(cells[2]).toMatchObject({ confidence: 0.3, suggested: true });
    expect(cells.filter((c) => c.suggested)).toHaveLength(1);
    // Frames 4 and 5 are not segmented yet.
    expect(cells[4]!.confidence).toBeUndefined();
  });

  test('a long clip gets MAX_CELLS cells of consecutive frames, each showing its least sure frame', () => {
    const n = 30_000;
    const frames: FrameConfidenceInfo[] = [];
    for (let f = 0; f < 20_000; f++)
      frames.push(scored(f, f === 0 ? 0.05 : f === 12_345 ? 0.1 : 0.9, f === 0));
    const cells = stripCells(frames, [19_990, 7], n);
    expect(cells).toHaveLength(MAX_CELLS);
    // The cells cover the clip once, in order.
    expect(cells[0]!.first).toBe(0);
    expect(cells.at(-1)!.last).toBe(n - 1);
    for (let i = 1; i < cells.length; i++) expect(cells[i]!.first).toBe(cells[i - 1]!.last + 1);
    const dip = cells.find((c) => c.first <= 12_345 && 12_345 <= c.last)!;
    expect(dip).toMatchObject({ frame: 12_345, confidence: 0.1, suggested: false });
    // The painted frame's own score does not colour its cell; the cell's other frames do.
    expect(cells[0]).toMatchObject({ annotated: true, confidence: 0.9, suggested: true, frame: 7 });
    const marked = cells.filter((c) => c.suggested);
    expect(marked.map((c) => c.frame)).toEqual([7, 19_990]);
    // Past frame 20,000 nothing is segmented.
    expect(cells.at(-1)!.confidence).toBeUndefined();
    expect(cells.filter((c) => c.annotated)).toHaveLength(1);
  });
});
