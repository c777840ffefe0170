// The panel: pairing with the companion server, "Segment object" (paint on the frame at the
// playhead, fine-tune, segment), correction keyframes, and "Render matte layer". Panel builds the
// parts, holds what they share (the open clip, the current object, the running job) and keeps
// them in step (refresh()). Each part has its file: pairing (connection-view, server-connection),
// painting (paint-target, mask-editor, paint-toolbar, confidence-strip), segmenting and correcting
// (segment-card, segment-flow, correction-flow, job-follower), the matte (render-card,
// matte-render). The host is reached only through a HostAdapter, the server through ServerClient.
import type { JobInfo } from '@oneshot-roto/protocol';
import type { HostAdapter } from '../host/host-adapter';
import { StandaloneHostAdapter } from '../host/standalone-adapter';
import type { ConnectionState, WebSocketFactory } from '../client/server-client';
import { parseServerAddress, type ServerAddress } from '../client/server-address';
import type { FetchLike } from '../client/http-client';
import type { TokenStore } from '../client/token-store';
import { ConfidenceStrip } from './confidence-strip';
import { MaskEditor } from './mask-editor';
import { StandaloneHostBar } from './standalone-host-bar';
import { MatteNamer } from './matte-name';
import { applyCorrection } from './correction-flow';
import { defaultMatteFolder, openActiveClip, startSegmentation } from './segment-flow';
import { ObjectList, type SegmentedObject } from './object-list';
import { ObjectPicker } from './object-picker';
import { ConnectionView } from './connection-view';
import { ServerConnection } from './server-connection';
import { MessageLine } from './message-line';
import { PaintToolbar } from './paint-toolbar';
import { SegmentCard } from './segment-card';
import { RenderCard } from './render-card';
import { placeMatte, renderMatte } from './matte-render';
import type { JobPurpose, PaintedFrame, PanelSession, Placement } from './panel-session';
import { handleShortcut, runIf } from './keyboard-shortcuts';
import { JobFollower, type FollowedJob } from './job-follower';
import { applyWidth, assemblePanel } from './panel-layout';
import { FrameInfoLine } from './frame-info';
import { PaintTarget, type PaintPurpose } from './paint-target';
import { loadConfidence, markFramesToCheck } from './confidence-check';

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

export class Panel {
  readonly root: HTMLElement;
  private readonly server: ServerConnection;
  private readonly target = new PaintTarget();
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
  private readonly messages = new MessageLine();
  private readonly connectionView: ConnectionView;
  private readonly toolbar = new PaintToolbar(this.editor, () => this.refresh());
  private readonly segmentCard = new SegmentCard(this.picker.root, {
    segment: () => void this.segmentObject(),
    start: () => void this.startJob(),
    cancel: () => void this.cancelJob(),
    correct: () => void this.beginCorrection(),
    overlayToggled: (visible) => this.editor.setOverlayVisible(visible),
  });
  private readonly renderCard: RenderCard;
  private readonly jobs = new JobFollower(this.segmentCard.progress, (job, followed) =>
    this.onJobEnd(job, followed),
  );
  private readonly frameInfo = new FrameInfoLine();
  /** What the segment, correction and render flows may use of the panel. */
  private readonly session: PanelSession;

  constructor(private readonly deps: PanelDeps) {
    this.connectionView = new ConnectionView(deps.host.displayName, () => this.pair());
    this.server = new ServerConnection(
      {
        tokens: deps.tokens,
        createSocket: deps.createSocket,
        fetch: deps.fetch,
        clientName: `oneshot-roto-panel (${deps.host.kind})`,
      },
      {
        state: (s) => this.setConnection(s),
        progress: (e) => this.jobs.onProgress(e),
        job: (e) => void this.jobs.onJob(e.job),
        // The overlay of the frame on show is redrawn as the server writes its mask.
        maskFrame: (e) => {
          const open = this.target.clip;
          if (
            open &&
            e.clipId === open.info.clipId &&
            e.objectId === this.objects.current.id &&
            e.frame === this.target.frame
          )
            this.showOverlay(e.seq);
        },
      },
    );
    this.renderCard = new RenderCard({
      onRender: () => void this.startRender(),
      onPieceTrackChange: () => {
        if (this.target.clip && this.objects.current.fineTuned) this.showOverlay(Date.now());
      },
      pickFolder: deps.pickFolder,
      onError: (err) => this.fail(err),
    });
    this.session = {
      host: deps.host,
      currentObject: () => this.objects.current,
      requireClip: () => this.target.require(),
      requireClient: () => this.server.require(),
      say: (text, tone) => this.messages.say(text, tone),
      fail: (err) => this.fail(err),
      resetProgress: (text) => this.segmentCard.progress.reset(text),
      follow: (job, purpose, placement, note) => this.follow(job, purpose, placement, note),
    };
    this.root = this.build();
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
      this.connectionView.tokenText = saved;
      this.pair();
    }
  }

  private build(): HTMLElement {
    const host = this.deps.host;
    return assemblePanel({
      header: this.connectionView.header,
      pairing: this.connectionView.pairing,
      message: this.messages.root,
      hostBar: host instanceof StandaloneHostAdapter ? new StandaloneHostBar(host).root : undefined,
      viewer: this.editor.root,
      frameInfo: this.frameInfo.root,
      strip: this.strip.root,
      toolbar: this.toolbar.root,
      segmentCard: this.segmentCard.root,
      renderCard: this.renderCard.root,
    });
  }

  private layout(): void {
    applyWidth(this.root);
    this.editor.fitCanvas();
  }

  // ---------- state → view ----------

  private refresh(): void {
    const busy = this.jobs.busy;
    const hasClip = this.target.clip !== undefined;
    this.toolbar.render();
    const fineTuned = this.objects.current.fineTuned;
    const strokes = this.editor.strokes;
    this.segmentCard.render({
      connected: this.server.connected,
      busy,
      hasClip,
      strokesReady: !strokes.isEmpty && (strokes.hasForeground || this.target.correcting),
      correcting: this.target.correcting,
      fineTuned,
    });
    this.renderCard.enabled = this.server.connected && !busy && fineTuned;
    this.picker.disabled = busy || !hasClip;
    this.picker.render();
    this.editor.enabled = hasClip && !busy;
    this.frameInfo.show(this.target.describe(this.objects.current.name));
    this.root.classList.toggle('busy', busy);
  }

  private setConnection(state: ConnectionState): void {
    const notice = this.connectionView.show(state);
    if (notice) this.messages.say(notice.text, notice.tone);
    this.refresh();
  }

  private fail(err: unknown): void {
    this.messages.say(err instanceof Error ? err.message : String(err), 'error');
    this.refresh();
  }

  // ---------- pairing ----------

  private pair(): void {
    let address: ServerAddress;
    try {
      address = parseServerAddress(this.connectionView.addressText, this.deps.allowedPorts);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (!this.server.pair(address, this.connectionView.tokenText))
      this.messages.say('Paste the token that "oneshot-roto serve" printed.', 'warn');
  }

  private startRender(): Promise<void> {
    return renderMatte(this.session, this.renderCard, this.namer);
  }

  // ---------- segment object ----------

  private async segmentObject(): Promise<void> {
    try {
      const opened = await openActiveClip(this.deps.host, this.server.require());
      // Another clip starts from one object; the same clip again keeps the objects and their names.
      if (this.target.open(opened)) this.objects.reset();
      this.objects.adopt(opened.info.objects);
      this.renderCard.suggestFolder(defaultMatteFolder(opened.clip.mediaPath));
      await this.goToPlayhead('initial');
      this.messages.say(
        `Paint the object on this frame (green; X switches to background, blue), then Start.`,
      );
    } catch (err) {
      this.fail(err);
    }
  }

  /** Shows the frame under the playhead for painting. */
  private async goToPlayhead(purpose: PaintPurpose): Promise<void> {
    const { clip } = this.target.require();
    const playhead = await this.deps.host.getPlayhead(clip);
    this.showFrame(playhead.sourceFrame - clip.sourceInFrame, purpose, false);
  }

  /** Shows clip frame `frame` for painting; `picked` when it was chosen on the confidence strip. */
  private showFrame(frame: number, purpose: PaintPurpose, picked: boolean): void {
    const open = this.target.clip;
    if (!open || this.jobs.busy) return;
    // Strokes belong to the frame they were painted on.
    if (this.target.moveTo(frame, purpose, picked)) {
      this.editor.strokes.clear();
      this.editor.redraw();
    }
    this.editor.showFrame(this.server.frameUrl(open.info.clipId, this.target.frame));
    if (this.objects.current.fineTuned) this.showOverlay(Date.now());
    else this.editor.clearOverlay();
    this.strip.setCurrent(this.target.frame);
    this.refresh();
  }

  /** Another object picked: its own strokes, result overlay, corrections and render from here on. */
  private onObjectSelected(object: SegmentedObject): void {
    this.target.restart();
    this.editor.strokes.clear();
    this.editor.redraw();
    if (object.fineTuned) {
      this.showOverlay(Date.now());
      void this.loadConfidence();
    } else {
      this.editor.clearOverlay();
      this.strip.hide();
    }
    this.messages.say(
      object.fineTuned
        ? `"${object.name}": its result is shown. Add a correction or render its matte layer.`
        : `"${object.name}": paint it on this frame (green; X switches to background, blue), then Start.`,
    );
    this.refresh();
  }

  private async loadConfidence(): Promise<void> {
    const open = this.target.clip;
    const client = this.server.current;
    if (!open || !client) return;
    await loadConfidence(this.strip, client, open.info, this.objects.current.id, () => this.target.frame);
  }

  /** The strip's "mark frames to check": a timeline marker on each. */
  private async markFrames(frames: number[]): Promise<void> {
    const open = this.target.clip;
    if (!open) return;
    try {
      await markFramesToCheck(this.deps.host, open.clip, frames);
      this.messages.say(`Marked ${frames.length} frames to check on the timeline.`, 'success');
    } catch (err) {
      this.fail(err);
    }
  }

  private showOverlay(version: number): void {
    const open = this.target.clip;
    if (!open) return;
    const objectId = this.objects.current.id;
    // The preview shows what the render will keep: with or without the piece track, as its box says.
    const track = this.renderCard.controls.pieceTrack !== false;
    this.editor.showOverlay(
      this.server.overlayUrl(open.info.clipId, this.target.frame, objectId, version, track),
    );
    this.editor.setOverlayVisible(this.segmentCard.overlayVisible);
  }

  /** Start / Apply correction: the painted frame goes to the server. */
  private startJob(): Promise<void> {
    const painted: PaintedFrame = {
      frame: this.target.frame,
      preset: this.segmentCard.preset,
      mask: (base) => this.editor.strokes.toMask(this.editor.space, base),
    };
    return this.target.correcting
      ? applyCorrection(this.session, painted)
      : startSegmentation(this.session, painted);
  }

  private async follow(
    job: JobInfo,
    purpose: JobPurpose,
    placement?: Placement,
    /** Told again when the job ends (what went wrong beside it, e.g. a refused marker). */
    note?: string,
  ): Promise<void> {
    this.jobs.start(job, { purpose, objectId: this.objects.current.id, placement, note });
    this.refresh();
    await this.jobs.subscribe(this.server.require(), job.jobId);
  }

  /** The followed job ended (its progress bar says so already). */
  private async onJobEnd(job: JobInfo, mine: FollowedJob): Promise<void> {
    if (job.state === 'done') {
      if (mine.purpose === 'render') {
        await placeMatte(this.session, job, mine.placement ?? 'none');
      } else {
        const object = this.objects.find(mine.objectId);
        if (object) object.fineTuned = true;
        this.target.restart();
        this.editor.strokes.clear();
        this.editor.redraw();
        if (mine.objectId === this.objects.current.id) this.showOverlay(Date.now());
        const frames = job.framesTotal ?? this.target.clip?.info.frameCount ?? 0;
        if (mine.objectId === this.objects.current.id) await this.loadConfidence();
        const done = `${mine.purpose === 'correction' ? 'Refined' : 'Segmented'} ${frames} frames. Check the result; add a correction where it is wrong, or render the matte layer.`;
        this.messages.say(mine.note ? `${done} ${mine.note}` : done, mine.note ? 'warn' : 'success');
      }
    } else if (job.state === 'cancelled') {
      this.messages.say('Cancelled. Frames finished so far are kept.', 'warn');
    } else {
      this.messages.say(job.error ? job.error.message : 'The job failed.', 'error');
    }
    this.refresh();
  }

  private async cancelJob(): Promise<void> {
    const job = this.jobs.current;
    if (!job) return;
    try {
      await this.server.require().request('cancel', { jobId: job.id });
    } catch (err) {
      this.fail(err);
    }
  }

  // ---------- corrections ----------

  private async beginCorrection(): Promise<void> {
    try {
      this.target.require();
      // A frame picked on the confidence strip is the one to correct; otherwise the playhead's.
      const picked = this.target.picked;
      if (picked !== undefined) this.showFrame(picked, 'correction', true);
      else await this.goToPlayhead('correction');
      this.messages.say(
        'Paint the correction: green adds to the object, blue removes from it. Then Apply correction.',
      );
    } catch (err) {
      this.fail(err);
    }
  }

  // ---------- keys ----------

  private onKey(ev: KeyboardEvent): void {
    const strokes = this.editor.strokes;
    handleShortcut(ev, {
      ...this.toolbar.shortcuts,
      ...this.segmentCard.shortcuts,
      ...this.renderCard.shortcuts,
      nextFrame: () => runIf(!this.jobs.busy, () => this.strip.pickNext()),
      // Enter closes a polygon being drawn before it starts anything.
      confirm: () =>
        this.editor.tool === 'polygon' && strokes.openPolygon
          ? runIf(true, () => this.editor.closePolygon())
          : runIf(this.segmentCard.canStart, () => void this.startJob()),
      escape: () =>
        strokes.openPolygon
          ? runIf(true, () => this.editor.cancelPolygon())
          : runIf(this.jobs.busy, () => void this.cancelJob()),
    });
  }
}
