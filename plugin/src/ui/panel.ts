// The panel: pairing with the companion server, "Segment object" (paint on the frame at the
// playhead, fine-tune, segment), correction keyframes, and "Render matte layer". It talks to the
// editing application only through a HostAdapter and to the server only through ServerClient.
import type {
  ClipInfo,
  ClipSource,
  JobInfo,
  MatteControls,
  Preset,
  ProgressEvent,
  RenderFormat,
} from '../../../companion-server/src/protocol';
import type { ActiveClip, HostAdapter, MattePlacementMode } from '../host/host-adapter';
import { StandaloneHostAdapter, isFramesFolder } from '../host/standalone-adapter';
import { ServerClient, type ConnectionState, type WebSocketFactory } from '../client/server-client';
import { DEFAULT_ADDRESS, parseServerAddress, type ServerAddress } from '../client/server-address';
import { fetchHealth, frameImageUrl, overlayImageUrl, type FetchLike } from '../client/http-client';
import type { TokenStore } from '../client/token-store';
import { ConfidenceStrip } from './confidence-strip';
import { MaskEditor } from './mask-editor';
import type { Tool } from './mask-strokes';
import { button, el, field } from './dom';
import { StandaloneHostBar } from './standalone-host-bar';
import { jobProgress } from './job-progress';
import { MatteNamer } from './matte-name';
import { startCorrection } from './correction-start';
import { ObjectList, type SegmentedObject } from './object-list';
import { ObjectPicker } from './object-picker';

export interface PanelDeps {
  host: HostAdapter;
  tokens: TokenStore;
  createSocket: WebSocketFactory;
  fetch: FetchLike;
  /** Native folder picker (UXP); absent in a browser, where the path is typed. */
  pickFolder?: () => Promise<string | null>;
  /** Server ports the runtime lets the panel reach (UXP: the manifests' ports); absent: any. */
  allowedPorts?: readonly number[];
}

/** Longest side of frames shown in the panel (the server downsizes). */
const VIEW_MAX_SIDE = 1280;

type PaintPurpose = 'initial' | 'correction';
type JobPurpose = 'segment' | 'correction' | 'render';

interface RenderChoice {
  label: string;
  format: RenderFormat;
  placement: MattePlacementMode | 'none';
}

const RENDER_CHOICES: Record<string, RenderChoice> = {
  matte: { label: 'Luma matte + Track Matte Key', format: 'png8', placement: 'track-matte' },
  matte16: { label: 'Luma matte 16-bit + Track Matte Key', format: 'png16', placement: 'track-matte' },
  cutout: { label: 'RGBA cutout (clip turned off)', format: 'rgba', placement: 'cutout' },
  prores: { label: 'ProRes 4444 with alpha (file only)', format: 'prores', placement: 'none' },
};

function dirname(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i > 0 ? path.slice(0, i) : path;
}

export class Panel {
  readonly root: HTMLElement;
  private client: ServerClient | undefined;
  private address: ServerAddress = DEFAULT_ADDRESS;
  private token = '';
  private clip: ActiveClip | undefined;
  private clipInfo: ClipInfo | undefined;
  private frame = 0;
  private purpose: PaintPurpose = 'initial';
  private job:
    | {
        id: string;
        purpose: JobPurpose;
        /** The object the job works on (the picker is locked while it runs). */
        objectId: string;
        placement?: MattePlacementMode | 'none';
        note?: string;
      }
    | undefined;
  private readonly objects = new ObjectList();
  private readonly picker = new ObjectPicker(
    this.objects,
    (object) => this.onObjectSelected(object),
    () => this.refresh(),
    (err) => this.fail(err),
  );
  private readonly editor = new MaskEditor();
  private readonly namer = new MatteNamer();
  private readonly strip = new ConfidenceStrip();
  /** A frame the editor picked on the confidence strip since the last job: corrections go there. */
  private picked: number | undefined;
  private readonly ui: {
    status: HTMLElement;
    statusText: HTMLElement;
    hostName: HTMLElement;
    pairing: HTMLElement;
    address: HTMLInputElement;
    token: HTMLInputElement;
    pairButton: HTMLButtonElement;
    frameInfo: HTMLElement;
    tools: Record<Tool, HTMLButtonElement>;
    labelButton: HTMLButtonElement;
    size: HTMLInputElement;
    sizeValue: HTMLElement;
    segment: HTMLButtonElement;
    preset: HTMLSelectElement;
    start: HTMLButtonElement;
    progress: HTMLElement;
    progressBar: HTMLElement;
    progressText: HTMLElement;
    cancel: HTMLButtonElement;
    showOverlay: HTMLInputElement;
    correction: HTMLButtonElement;
    format: HTMLSelectElement;
    threshold: HTMLInputElement;
    feather: HTMLInputElement;
    choke: HTMLInputElement;
    soft: HTMLInputElement;
    invert: HTMLInputElement;
    outputFolder: HTMLInputElement;
    render: HTMLButtonElement;
    message: HTMLElement;
  };

  constructor(private readonly deps: PanelDeps) {
    const ui = this.build();
    this.ui = ui.refs;
    this.root = ui.root;
    this.editor.onChange = () => this.refresh();
    this.strip.onPick = (frame) => this.showFrame(frame, 'initial', true);
    this.strip.onMark = (frames) => void this.markFrames(frames);
    document.addEventListener('keydown', (ev) => this.onKey(ev));
    // UXP and browsers both raise resize on the window when the panel is resized or re-docked.
    globalThis.addEventListener?.('resize', () => this.layout());
    this.refresh();
  }

  /** Loads the saved token and connects when there is one. */
  async start(): Promise<void> {
    this.layout();
    const saved = await this.deps.tokens.load();
    if (saved) {
      this.ui.token.value = saved;
      this.pair();
    }
  }

  // ---------- building the DOM ----------

  private build() {
    const statusText = el('span', { className: 'status-text', 'data-testid': 'connection' }, ['Not paired']);
    const status = el('div', { className: 'status status-idle' }, [
      el('span', { className: 'dot' }),
      statusText,
    ]);
    const hostName = el('span', { className: 'host-name' }, [this.deps.host.displayName]);
    const header = el('header', { className: 'panel-header' }, [
      el('h1', {}, ['OneShot Roto']),
      hostName,
      status,
    ]);

    const address = el('input', {
      type: 'text',
      value: `${DEFAULT_ADDRESS.host}:${DEFAULT_ADDRESS.port}`,
      'data-testid': 'address',
    });
    const token = el('input', {
      type: 'password',
      placeholder: 'token printed by "oneshot-roto serve"',
      'data-testid': 'token',
      autocomplete: 'off',
    });
    const pairButton = button('Pair', () => this.pair(), { variant: 'primary', testId: 'pair' });
    const pairing = el('section', { className: 'card pairing' }, [
      el('h2', {}, ['Companion server']),
      field('Address', address),
      field('Token', token, 'Start the server with "oneshot-roto serve"; it prints the token once.'),
      el('div', { className: 'row' }, [pairButton]),
    ]);

    const frameInfo = el('div', { className: 'frame-info', 'data-testid': 'frame-info' }, ['No clip']);

    const tool = (t: Tool, label: string, key: string) =>
      button(label, () => this.setTool(t), {
        variant: 'quiet',
        title: `${label} (${key})`,
        testId: `tool-${t}`,
      });
    const tools: Record<Tool, HTMLButtonElement> = {
      brush: tool('brush', 'Brush', 'B'),
      eraser: tool('eraser', 'Eraser', 'E'),
      polygon: tool('polygon', 'Polygon', 'P'),
    };
    const labelButton = button('Foreground', () => this.swapLabel(), {
      variant: 'quiet',
      title: "Foreground / background / don't care (X)",
      testId: 'label',
    });
    const size = el('input', { type: 'range', min: 2, max: 80, value: 12, 'data-testid': 'brush-size' });
    const sizeValue = el('span', { className: 'value' }, ['12']);
    size.addEventListener('input', () => {
      this.editor.radius = Number(size.value);
      sizeValue.textContent = size.value;
    });
    const toolbar = el('div', { className: 'toolbar' }, [
      el('div', { className: 'segmented' }, [tools.brush, tools.eraser, tools.polygon]),
      labelButton,
      el('label', { className: 'size', title: 'Brush size ([ and ])' }, ['Size', size, sizeValue]),
      button('Undo', () => this.editor.undo(), { variant: 'quiet', title: 'Undo stroke (Ctrl/Cmd+Z)' }),
      button('Clear', () => this.editor.clear(), { variant: 'quiet', title: 'Clear strokes' }),
    ]);

    const segment = button('Segment object', () => void this.segmentObject(), {
      variant: 'cta',
      testId: 'segment',
      title: 'Take the clip under the playhead (S)',
    });
    const preset = el('select', { 'data-testid': 'preset' });
    for (const [value, label] of [
      ['fast', 'Fast'],
      ['balanced', 'Balanced'],
      ['best', 'Best'],
    ]) {
      preset.appendChild(el('option', { value, selected: value === 'balanced' }, [label]));
    }
    const start = button('Start', () => void this.startJob(), {
      variant: 'primary',
      testId: 'start',
      title: 'Start (Enter)',
    });
    const progressBar = el('div', { className: 'bar-fill' });
    const progressText = el('span', { className: 'progress-text', 'data-testid': 'progress-text' }, ['']);
    const cancel = button('Cancel', () => void this.cancelJob(), {
      variant: 'quiet',
      testId: 'cancel',
      title: 'Cancel (Esc)',
    });
    const progress = el('div', { className: 'progress', hidden: true, 'data-testid': 'progress' }, [
      el('div', { className: 'bar', role: 'progressbar' }, [progressBar]),
      el('div', { className: 'row' }, [progressText, cancel]),
    ]);
    const showOverlay = el('input', { type: 'checkbox', checked: true, 'data-testid': 'show-overlay' });
    showOverlay.addEventListener('change', () => this.editor.setOverlayVisible(showOverlay.checked));
    const correction = button('Add correction keyframe mask', () => void this.beginCorrection(), {
      variant: 'secondary',
      testId: 'correction',
      title: 'Correct the result at the playhead (K)',
    });

    const segmentCard = el('section', { className: 'card' }, [
      el('h2', {}, ['Segment object']),
      el('div', { className: 'row' }, [segment]),
      this.picker.root,
      el('div', { className: 'row' }, [field('Quality', preset), start]),
      progress,
      el('label', { className: 'check' }, [showOverlay, 'Show result overlay (O)']),
      el('div', { className: 'row' }, [correction]),
    ]);

    const format = el('select', { 'data-testid': 'format' });
    for (const [value, c] of Object.entries(RENDER_CHOICES))
      format.appendChild(el('option', { value }, [c.label]));
    const threshold = el('input', {
      type: 'number',
      min: 0,
      max: 1,
      step: 0.05,
      value: 0.5,
      'data-testid': 'threshold',
    });
    const feather = el('input', {
      type: 'number',
      min: 0,
      max: 256,
      step: 0.5,
      value: 1,
      'data-testid': 'feather',
    });
    const choke = el('input', {
      type: 'number',
      min: -256,
      max: 256,
      step: 1,
      value: 0,
      'data-testid': 'choke',
    });
    const soft = el('input', { type: 'checkbox', 'data-testid': 'soft' });
    const invert = el('input', { type: 'checkbox', 'data-testid': 'invert' });
    const outputFolder = el('input', {
      type: 'text',
      placeholder: 'next to the media',
      'data-testid': 'output-folder',
    });
    const render = button('Render matte layer', () => void this.renderMatte(), {
      variant: 'primary',
      testId: 'render',
      title: 'Render and place the matte (R)',
    });
    const renderCard = el('section', { className: 'card' }, [
      el('h2', {}, ['Matte layer']),
      field('Output', format),
      el('div', { className: 'grid2' }, [
        field('Threshold', threshold),
        field('Feather (px)', feather),
        field('Choke (px)', choke),
        el('div', { className: 'checks' }, [
          el('label', { className: 'check' }, [soft, 'Soft edges']),
          el('label', { className: 'check' }, [invert, 'Invert']),
        ]),
      ]),
      field('Folder', outputFolder),
      ...(this.deps.pickFolder
        ? [
            el('div', { className: 'row' }, [
              button('Choose folder…', () => void this.chooseFolder(), {
                variant: 'quiet',
                testId: 'choose-folder',
              }),
            ]),
          ]
        : []),
      el('div', { className: 'row' }, [render]),
    ]);

    const message = el('div', { className: 'message', role: 'status', 'data-testid': 'message' });

    const viewerColumn = el('div', { className: 'column viewer-column' }, [
      this.editor.root,
      frameInfo,
      this.strip.root,
      toolbar,
    ]);
    const controls = el('div', { className: 'column controls-column' }, [segmentCard, renderCard]);
    const children: Node[] = [header, pairing, message];
    if (this.deps.host instanceof StandaloneHostAdapter) {
      children.push(new StandaloneHostBar(this.deps.host).root);
    }
    children.push(el('main', { className: 'panel-body' }, [viewerColumn, controls]));
    const root = el('div', { className: 'panel' }, children);
    return {
      root,
      refs: {
        status,
        statusText,
        hostName,
        pairing,
        address,
        token,
        pairButton,
        frameInfo,
        tools,
        labelButton,
        size,
        sizeValue,
        segment,
        preset,
        start,
        progress,
        progressBar,
        progressText,
        cancel,
        showOverlay,
        correction,
        format,
        threshold,
        feather,
        choke,
        soft,
        invert,
        outputFolder,
        render,
        message,
      },
    };
  }

  /** Narrow (docked) vs wide layout, by the panel's own width. */
  private layout(): void {
    const wide = (this.root.clientWidth || document.documentElement.clientWidth) >= 620;
    this.root.classList.toggle('wide', wide);
    this.root.classList.toggle('narrow', !wide);
    this.editor.fitCanvas();
  }

  // ---------- state → view ----------

  private get connected(): boolean {
    return this.client?.connectionState.status === 'connected';
  }

  private refresh(): void {
    const u = this.ui;
    const busy = this.job !== undefined;
    const hasClip = this.clipInfo !== undefined;
    for (const [t, b] of Object.entries(u.tools) as [Tool, HTMLButtonElement][]) {
      b.classList.toggle('selected', this.editor.tool === t);
    }
    u.labelButton.textContent = this.editor.labelName;
    u.labelButton.classList.toggle('bg', this.editor.label === 'bg');
    u.labelButton.classList.toggle('open', this.editor.label === 'open');
    u.segment.disabled = !this.connected || busy;
    u.start.textContent = this.purpose === 'correction' ? 'Apply correction' : 'Start';
    u.start.disabled =
      !this.connected ||
      busy ||
      !hasClip ||
      (!this.editor.strokes.hasForeground && this.purpose === 'initial') ||
      this.editor.strokes.isEmpty;
    const fineTuned = this.objects.current.fineTuned;
    u.correction.disabled = !this.connected || busy || !fineTuned;
    u.render.disabled = !this.connected || busy || !fineTuned;
    this.picker.disabled = busy || !hasClip;
    this.picker.render();
    u.cancel.disabled = !busy;
    this.editor.enabled = hasClip && !busy;
    this.updateFrameInfo();
    this.root.classList.toggle('busy', busy);
  }

  private setConnection(state: ConnectionState): void {
    const u = this.ui;
    const text: Record<ConnectionState['status'], string> = {
      idle: 'Not paired',
      connecting: 'Connecting…',
      connected: 'Connected',
      waiting: 'Reconnecting…',
      unauthorized: 'Token refused',
      incompatible: 'Incompatible server',
    };
    u.status.className = `status status-${state.status}`;
    u.statusText.textContent = text[state.status];
    if (state.status === 'connected') {
      u.statusText.title = `server ${state.serverVersion}, ${state.executionProvider}`;
      u.pairing.classList.add('collapsed');
      this.say(`Connected to the companion server (${state.serverVersion}, ${state.executionProvider}).`);
    } else {
      u.pairing.classList.remove('collapsed');
      if (state.status === 'waiting')
        this.say(
          `Server unreachable (${state.reason}); retrying in ${Math.round(state.retryInMs / 100) / 10} s.`,
          'warn',
        );
      if (state.status === 'unauthorized' || state.status === 'incompatible')
        this.say(state.message, 'error');
    }
    this.refresh();
  }

  private say(text: string, tone: 'info' | 'warn' | 'error' | 'success' = 'info'): void {
    this.ui.message.textContent = text;
    this.ui.message.className = `message message-${tone}`;
  }

  private fail(err: unknown): void {
    this.say(err instanceof Error ? err.message : String(err), 'error');
    this.refresh();
  }

  // ---------- pairing ----------

  private pair(): void {
    try {
      this.address = parseServerAddress(this.ui.address.value, this.deps.allowedPorts);
    } catch (err) {
      this.fail(err);
      return;
    }
    const token = this.ui.token.value.trim();
    if (!token) {
      this.say('Paste the token that "oneshot-roto serve" printed.', 'warn');
      return;
    }
    this.token = token;
    void this.deps.tokens.save(token);
    this.client?.close();
    const address = this.address;
    const client = new ServerClient({
      address,
      token,
      createSocket: this.deps.createSocket,
      clientName: `oneshot-roto-panel (${this.deps.host.kind})`,
      probeAuth: async () => (await fetchHealth(address, token, this.deps.fetch)).status,
    });
    client.on('state', (s) => this.setConnection(s));
    client.on('progress', (e) => this.onProgress(e));
    client.on('job', (e) => void this.onJob(e.job));
    client.on('maskFrame', (e) => {
      if (
        this.clipInfo &&
        e.clipId === this.clipInfo.clipId &&
        e.objectId === this.objects.current.id &&
        e.frame === this.frame
      )
        this.showOverlay(e.seq);
    });
    this.client = client;
    client.connect();
  }

  private requireClient(): ServerClient {
    if (!this.client || !this.connected)
      throw new Error('Not connected to the companion server: pair first.');
    return this.client;
  }

  // ---------- segment object ----------

  private clipSource(clip: ActiveClip): ClipSource {
    if (this.deps.host.kind === 'standalone' && isFramesFolder(clip.mediaPath)) {
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

  private async segmentObject(): Promise<void> {
    try {
      const client = this.requireClient();
      const clip = await this.deps.host.getActiveClip();
      const { clip: info } = await client.request('openClip', {
        source: this.clipSource(clip),
        name: clip.name,
      });
      if (this.deps.host instanceof StandaloneHostAdapter) this.deps.host.setFrameCount(info.frameCount);
      // Another clip starts from one object; the same clip again keeps the objects and their names.
      if (this.clipInfo?.clipId !== info.clipId) this.objects.reset();
      this.objects.adopt(info.objects);
      this.clip = clip;
      this.clipInfo = info;
      if (!this.ui.outputFolder.value)
        this.ui.outputFolder.value = `${dirname(clip.mediaPath)}/OneShot Roto mattes`;
      await this.goToPlayhead('initial');
      this.say(`Paint the object on this frame (green; X switches to background, blue), then Start.`);
    } catch (err) {
      this.fail(err);
    }
  }

  /** Shows the frame under the playhead for painting. */
  private async goToPlayhead(purpose: PaintPurpose): Promise<void> {
    const clip = this.clip!;
    const info = this.clipInfo!;
    const playhead = await this.deps.host.getPlayhead(clip);
    this.showFrame(playhead.sourceFrame - clip.sourceInFrame, purpose, false);
  }

  /** Shows clip frame `frame` for painting; `picked` when it was chosen on the confidence strip. */
  private showFrame(frame: number, purpose: PaintPurpose, picked: boolean): void {
    const info = this.clipInfo;
    if (!info || this.job) return;
    const target = Math.min(Math.max(frame, 0), info.frameCount - 1);
    // Strokes belong to the frame they were painted on.
    if (target !== this.frame) {
      this.editor.strokes.clear();
      this.editor.redraw();
    }
    this.frame = target;
    this.picked = picked ? target : undefined;
    this.purpose = purpose;
    this.editor.showFrame(frameImageUrl(this.address, this.token, info.clipId, this.frame, VIEW_MAX_SIDE));
    if (this.objects.current.fineTuned) this.showOverlay(Date.now());
    else this.editor.clearOverlay();
    this.strip.setCurrent(this.frame);
    this.refresh();
  }

  /** Another object picked: its own strokes, result overlay, corrections and render from here on. */
  private onObjectSelected(object: SegmentedObject): void {
    this.purpose = 'initial';
    this.editor.strokes.clear();
    this.editor.redraw();
    this.picked = undefined;
    if (object.fineTuned) {
      this.showOverlay(Date.now());
      void this.loadConfidence();
    } else {
      this.editor.clearOverlay();
      this.strip.hide();
    }
    this.say(
      object.fineTuned
        ? `"${object.name}": its result is shown. Add a correction or render its matte layer.`
        : `"${object.name}": paint it on this frame (green; X switches to background, blue), then Start.`,
    );
    this.refresh();
  }

  /** Fetches the frames' confidence and shows the strip; an older server without it hides it. */
  private async loadConfidence(): Promise<void> {
    const info = this.clipInfo;
    if (!info || !this.client) return;
    try {
      const view = await this.client.request('getConfidence', {
        clipId: info.clipId,
        objectId: this.objects.current.id,
      });
      this.strip.show(view, info.frameCount, this.frame);
    } catch {
      this.strip.hide();
    }
  }

  /** A timeline marker on each frame the strip marks for checking. */
  private async markFrames(frames: number[]): Promise<void> {
    const clip = this.clip;
    if (!clip) return;
    try {
      for (const frame of frames)
        await this.deps.host.addMarker({
          clip,
          sourceFrame: clip.sourceInFrame + frame,
          name: 'OneShot Roto: check',
          comment: `The result is least sure here (clip frame ${frame + 1}); correct it if it is wrong`,
        });
      this.say(`Marked ${frames.length} frames to check on the timeline.`, 'success');
    } catch (err) {
      this.fail(err);
    }
  }

  private updateFrameInfo(): void {
    const clip = this.clip;
    const info = this.clipInfo;
    if (!clip || !info) {
      this.ui.frameInfo.textContent = 'No clip';
      return;
    }
    const fps = info.fps.toFixed(3).replace(/\.?0+$/, '');
    const what = this.purpose === 'correction' ? ' · correction' : '';
    this.ui.frameInfo.textContent = `${clip.name} · frame ${this.frame + 1} of ${info.frameCount} · ${info.width}×${info.height} · ${fps} fps · ${this.objects.current.name}${what}`;
  }

  private showOverlay(version: number): void {
    if (!this.clipInfo) return;
    const url = overlayImageUrl(
      this.address,
      this.token,
      this.clipInfo.clipId,
      this.frame,
      this.objects.current.id,
      VIEW_MAX_SIDE,
    );
    this.editor.showOverlay(`${url}&v=${version}`);
    this.editor.setOverlayVisible(this.ui.showOverlay.checked);
  }

  private async startJob(): Promise<void> {
    if (this.purpose === 'correction') return this.applyCorrection();
    try {
      const client = this.requireClient();
      const info = this.clipInfo!;
      const mask = this.editor.strokes.toMask(this.editor.space, 'empty');
      this.resetProgress('Sending the annotation…');
      await client.request('addAnnotation', {
        clipId: info.clipId,
        objectId: this.objects.current.id,
        frame: this.frame,
        mask,
      });
      const { job } = await client.request('fineTune', {
        clipId: info.clipId,
        objectId: this.objects.current.id,
        preset: this.ui.preset.value as Preset,
        thenSegment: { playheadFrame: this.frame },
      });
      await this.follow(job, 'segment');
    } catch (err) {
      this.fail(err);
    }
  }

  /** Shows a fresh progress bar the moment a job is asked for (the server answers after). */
  private resetProgress(text: string): void {
    this.ui.progress.hidden = false;
    this.ui.progressBar.style.width = '0%';
    this.ui.progressText.textContent = text;
  }

  private async follow(
    job: JobInfo,
    purpose: JobPurpose,
    placement?: MattePlacementMode | 'none',
    /** Told again when the job ends (what went wrong beside it, e.g. a refused marker). */
    note?: string,
  ): Promise<void> {
    this.job = { id: job.jobId, purpose, objectId: this.objects.current.id, placement, note };
    this.ui.progress.hidden = false;
    this.updateProgress(job);
    this.refresh();
    const jobs = await this.requireClient().subscribeJob(job.jobId, 'none');
    const current = jobs.find((j) => j.jobId === job.jobId);
    if (current) await this.onJob(current);
  }

  private updateProgress(p: JobInfo | ProgressEvent): void {
    const { fraction, text } = jobProgress(p, this.job?.purpose === 'render');
    this.ui.progressBar.style.width = `${Math.round(fraction * 1000) / 10}%`;
    this.ui.progressText.textContent = text;
  }

  private onProgress(e: ProgressEvent): void {
    if (this.job && e.jobId === this.job.id) this.updateProgress(e);
  }

  private async onJob(job: JobInfo): Promise<void> {
    const mine = this.job;
    if (!mine || job.jobId !== mine.id) return;
    if (job.state === 'queued' || job.state === 'running') {
      this.updateProgress(job);
      return;
    }
    this.job = undefined;
    if (job.state === 'done') {
      this.updateProgress({ ...job, phase: 'finished' });
      if (mine.purpose === 'render') {
        await this.placeMatte(job, mine.placement ?? 'none');
      } else {
        const object = this.objects.find(mine.objectId);
        if (object) object.fineTuned = true;
        this.purpose = 'initial';
        this.editor.strokes.clear();
        this.editor.redraw();
        if (mine.objectId === this.objects.current.id) this.showOverlay(Date.now());
        const frames = job.framesTotal ?? this.clipInfo?.frameCount ?? 0;
        this.picked = undefined;
        if (mine.objectId === this.objects.current.id) await this.loadConfidence();
        const done = `${mine.purpose === 'correction' ? 'Refined' : 'Segmented'} ${frames} frames. Check the result; add a correction where it is wrong, or render the matte layer.`;
        this.say(mine.note ? `${done} ${mine.note}` : done, mine.note ? 'warn' : 'success');
      }
    } else if (job.state === 'cancelled') {
      this.ui.progressText.textContent = 'Cancelled';
      this.say('Cancelled. Frames finished so far are kept.', 'warn');
    } else {
      this.ui.progressText.textContent = 'Failed';
      this.say(job.error ? job.error.message : 'The job failed.', 'error');
    }
    this.refresh();
  }

  private async cancelJob(): Promise<void> {
    const job = this.job;
    if (!job) return;
    try {
      await this.requireClient().request('cancel', { jobId: job.id });
    } catch (err) {
      this.fail(err);
    }
  }

  // ---------- corrections ----------

  private async beginCorrection(): Promise<void> {
    try {
      if (!this.clip || !this.clipInfo) throw new Error('Segment an object first.');
      // A frame picked on the confidence strip is the one to correct; otherwise the playhead's.
      if (this.picked !== undefined) this.showFrame(this.picked, 'correction', true);
      else await this.goToPlayhead('correction');
      this.say(
        'Paint the correction: green adds to the object, blue removes from it. Then Apply correction.',
      );
    } catch (err) {
      this.fail(err);
    }
  }

  private async applyCorrection(): Promise<void> {
    try {
      const client = this.requireClient();
      const clip = this.clip!;
      const info = this.clipInfo!;
      const mask = this.editor.strokes.toMask(this.editor.space, 'prediction');
      this.resetProgress('Sending the correction…');
      const frame = this.frame;
      const { job, markerProblem } = await startCorrection(
        async () =>
          (
            await client.request('addCorrection', {
              clipId: info.clipId,
              objectId: this.objects.current.id,
              frame,
              mask,
              preset: this.ui.preset.value as Preset,
              playheadFrame: frame,
            })
          ).job,
        () =>
          this.deps.host.addMarker({
            clip,
            sourceFrame: clip.sourceInFrame + frame,
            name: `OneShot Roto correction: ${this.objects.current.name}`,
            comment: `Correction keyframe mask on clip frame ${frame + 1}`,
          }),
      );
      const note = markerProblem
        ? `${this.deps.host.displayName} refused the correction marker (${markerProblem}); the correction itself runs. Add a marker at clip frame ${frame + 1} by hand if you want one.`
        : undefined;
      if (note) this.say(note, 'warn');
      await this.follow(job, 'correction', undefined, note);
    } catch (err) {
      this.fail(err);
    }
  }

  // ---------- render ----------

  private async chooseFolder(): Promise<void> {
    try {
      const folder = await this.deps.pickFolder?.();
      if (folder) this.ui.outputFolder.value = folder;
    } catch (err) {
      this.fail(err);
    }
  }

  private matteControls(): MatteControls {
    const num = (input: HTMLInputElement) => (input.value.trim() === '' ? undefined : Number(input.value));
    return {
      threshold: num(this.ui.threshold),
      feather: num(this.ui.feather),
      choke: num(this.ui.choke),
      soft: this.ui.soft.checked,
      invert: this.ui.invert.checked,
    };
  }

  private async renderMatte(): Promise<void> {
    try {
      const client = this.requireClient();
      const clip = this.clip!;
      const info = this.clipInfo!;
      let choice = RENDER_CHOICES[this.ui.format.value];
      if (choice.placement === 'track-matte' && !(await this.deps.host.canApplyTrackMatte(clip))) {
        choice = RENDER_CHOICES.cutout;
        this.say(
          `${this.deps.host.displayName} has no Track Matte Key this panel can find (looked up by its match name): rendering an RGBA cutout instead, and the clip will be turned off under it.`,
          'warn',
        );
      }
      const outputFolder = this.ui.outputFolder.value.trim();
      if (!outputFolder) throw new Error('Choose the folder the matte is written to.');
      this.resetProgress('Starting the render…');
      const { job } = await client.request('render', {
        clipId: info.clipId,
        objectId: this.objects.current.id,
        format: choice.format,
        outputFolder,
        // Every render its own files: a matte already on the timeline never changes underneath.
        name: this.namer.next(clip.name, this.objects.current.name),
        matte: this.matteControls(),
        segmentMissing: true,
      });
      await this.follow(job, 'render', choice.placement);
    } catch (err) {
      this.fail(err);
    }
  }

  private async placeMatte(job: JobInfo, placement: MattePlacementMode | 'none'): Promise<void> {
    const outputs = [...(job.outputs ?? [])].sort();
    if (outputs.length === 0) {
      this.say('The render finished but wrote no files.', 'error');
      return;
    }
    if (placement === 'none') {
      this.say(`Matte written: ${outputs[0]}`, 'success');
      return;
    }
    const clip = this.clip!;
    try {
      const result = await this.deps.host.placeMatte({
        clip,
        sequence: {
          firstFramePath: outputs[0],
          frameCount: outputs.length,
          firstSourceFrame: clip.sourceInFrame,
        },
        mode: placement,
        label: `OneShot Roto: matte layer "${this.objects.current.name}"`,
      });
      const where =
        this.deps.host.kind === 'aftereffects' ? `layer ${result.trackIndex}` : `V${result.trackIndex + 1}`;
      const steps =
        result.undoSteps === 1 ? 'one undo step reverts it' : `${result.undoSteps} undo steps revert it`;
      this.say(
        [
          `Matte layer placed on ${where} at ${result.startSeconds.toFixed(2)} s (${outputs.length} frames, ${
            placement === 'track-matte' ? 'Track Matte Key applied' : 'RGBA cutout, clip turned off'
          }); ${steps}.`,
          ...result.notes,
        ].join(' '),
        'success',
      );
    } catch (err) {
      this.fail(err);
    }
  }

  // ---------- tools and keys ----------

  private setTool(tool: Tool): void {
    if (this.editor.tool === 'polygon' && tool !== 'polygon') this.editor.closePolygon();
    this.editor.tool = tool;
    this.refresh();
  }

  private swapLabel(): void {
    this.editor.cycleLabel();
    this.refresh();
  }

  private setSize(delta: number): void {
    const v = Math.min(80, Math.max(2, this.editor.radius + delta));
    this.editor.radius = v;
    this.ui.size.value = String(v);
    this.ui.sizeValue.textContent = String(v);
    this.editor.redraw();
  }

  private onKey(ev: KeyboardEvent): void {
    const target = ev.target as HTMLElement | null;
    const typing =
      !!target &&
      ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName) &&
      (target as HTMLInputElement).type !== 'checkbox' &&
      (target as HTMLInputElement).type !== 'range';
    if (typing && ev.key !== 'Escape') return;
    const mod = ev.ctrlKey || ev.metaKey;
    const k = ev.key.toLowerCase();
    const act = (f: () => void) => {
      ev.preventDefault();
      f();
    };
    if (mod && k === 'z') return act(() => this.editor.undo());
    if (mod) return;
    switch (k) {
      case 'b':
        return act(() => this.setTool('brush'));
      case 'e':
        return act(() => this.setTool('eraser'));
      case 'p':
        return act(() => this.setTool('polygon'));
      case 'x':
        return act(() => this.swapLabel());
      case '[':
        return act(() => this.setSize(-2));
      case ']':
        return act(() => this.setSize(2));
      case 'o':
        return act(() => {
          this.ui.showOverlay.checked = !this.ui.showOverlay.checked;
          this.editor.setOverlayVisible(this.ui.showOverlay.checked);
        });
      case 's':
        if (!this.ui.segment.disabled) act(() => void this.segmentObject());
        return;
      case 'k':
        if (!this.ui.correction.disabled) act(() => void this.beginCorrection());
        return;
      case 'r':
        if (!this.ui.render.disabled) act(() => void this.renderMatte());
        return;
      case 'n':
        if (!this.job) act(() => this.strip.pickNext());
        return;
      case 'enter':
        if (this.editor.tool === 'polygon' && this.editor.strokes.openPolygon)
          return act(() => this.editor.closePolygon());
        if (!this.ui.start.disabled) act(() => void this.startJob());
        return;
      case 'escape':
        if (this.editor.strokes.openPolygon) return act(() => this.editor.cancelPolygon());
        if (this.job) act(() => void this.cancelJob());
        return;
    }
  }
}
