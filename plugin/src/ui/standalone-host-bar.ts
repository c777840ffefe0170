// The stand-in for a timeline when the panel runs in a browser: a clip path, its frame rate and
// range, a playhead, and the list of edits the panel made (matte placed, markers).
import type { StandaloneHostAdapter } from '../host/standalone-adapter';
import { button, el, field, setChildren } from './dom';

export class StandaloneHostBar {
  readonly root: HTMLElement;

  constructor(private readonly host: StandaloneHostAdapter) {
    const path = el('input', {
      type: 'text',
      placeholder: '/path/to/frames-folder or clip.mp4',
      'data-testid': 'clip-path',
    });
    const fps = el('input', {
      type: 'number',
      min: 1,
      max: 240,
      step: 0.001,
      value: 25,
      'data-testid': 'clip-fps',
    });
    const inFrame = el('input', { type: 'number', min: 0, value: 0, 'data-testid': 'clip-in' });
    const outFrame = el('input', { type: 'number', min: 1, placeholder: 'all', 'data-testid': 'clip-out' });
    const playhead = el('input', { type: 'number', min: 0, value: 0, 'data-testid': 'playhead' });
    const edits = el('ul', { className: 'edits', 'data-testid': 'timeline-edits' });
    const apply = () => {
      host.setClip({
        path: path.value.trim(),
        fps: Number(fps.value) || 25,
        inFrame: Number(inFrame.value) || 0,
        outFrame: outFrame.value.trim() === '' ? undefined : Number(outFrame.value),
      });
    };
    for (const input of [path, fps, inFrame, outFrame]) input.addEventListener('change', apply);
    playhead.addEventListener('change', () => host.setPlayheadFrame(Number(playhead.value) || 0));
    host.onChange = () => {
      setChildren(
        edits,
        host.edits.map((e) => el('li', { className: `edit edit-${e.kind}` }, [e.description])),
      );
    };
    this.root = el('section', { className: 'card host-bar' }, [
      el('h2', {}, ['Timeline (standalone host)']),
      el('div', { className: 'grid-host' }, [
        field('Clip', path),
        field('fps', fps),
        field('In', inFrame),
        field('Out', outFrame),
        field('Playhead', playhead),
        el('div', { className: 'row' }, [
          button('Use clip', apply, { variant: 'secondary', testId: 'use-clip' }),
        ]),
      ]),
      edits,
    ]);
  }
}
