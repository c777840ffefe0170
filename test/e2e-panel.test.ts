/**
 * The panel's real HTML/JS (the webpack build that UXP loads) in headless Chromium, against a
 * real companion server on a free port: pair, open the sample clip, paint a stroke, Start, see
 * progress reach 100 % and the preview overlay, add a correction (marker), cancel and re-apply
 * it, render the matte and place it. The browser runs the "standalone" host (no Premiere);
 * everything else is the product. A second test loads the same build with the Premiere Pro fake
 * answering require("premierepro") and checks the edits the panel makes through that adapter.
 *
 * Needs Debian's chromium at /usr/bin/chromium (CI: `apt-get install -y chromium`), or
 * CHROMIUM_PATH. Screenshots of each state go to test-artifacts/e2e-panel/ (and to
 * docs/screenshots/ with SAVE_DOCS_SCREENSHOTS=1). The backend is the server's own
 * (ONESHOT_E2E_BACKEND: parent-only by default, osvos when it is built), at 320² for speed.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import pino from 'pino';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import {
  createServer,
  type RunningServer,
  type SegmentationBackend,
  loadBackend,
  type BackendChoice,
} from '@oneshot-roto/companion-server';
import webpack from 'webpack';
import { buildPlugin } from '../plugin/test/support/build-plugin';
import {
  intrinsicComponents,
  type FakeTimeline,
  type PremiereFake,
} from '../plugin/test/fakes/premierepro-fake';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '..');
const SAMPLE = path.join(ROOT, 'samples', 'bear.mp4'); // 24 frames, 24 fps, 854x480
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e-panel');
const DOCS = path.join(ROOT, 'docs', 'screenshots');
const TOKEN = 'e2e-panel-token-0123456789abcdef';
const BACKEND = (process.env.ONESHOT_E2E_BACKEND ?? 'parent-only') as BackendChoice;

jest.setTimeout(420_000);

// The functions given to page.waitForFunction/evaluate run in the page; this file is type-checked
// without the DOM library, so the little of `document` they use is declared here.
interface PageElement {
  textContent: string | null;
  classList: { contains(name: string): boolean };
  hasAttribute(name: string): boolean;
  hidden: boolean;
  complete: boolean;
  naturalWidth: number;
  width: number;
}
declare const document: { querySelector(selector: string): PageElement | null };

let browser: BrowserContext;
let server: RunningServer;
let port: number;
let page: Page;
let workspace: string;
let outputFolder: string;
let pluginDir: string;
/**
 * Serves the built panel over http, so that its requests carry a real origin: a page opened from
 * file:// sends `Origin: null`, which the server refuses as it refuses every browser page. In
 * Premiere the panel's origin is UXP's own `uxp://…`, which the server accepts; here the server is
 * told to accept this one origin (`serve --allow-origin`).
 */
let panelHost: http.Server;
let panelOrigin: string;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};
const pageErrors: string[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function shot(name: string): Promise<void> {
  // JPEG keeps the committed set small (the frames are photographs).
  const file = `${name}.jpg`;
  await page.screenshot({ path: path.join(ARTIFACTS, file), fullPage: true, type: 'jpeg', quality: 85 });
  if (process.env.SAVE_DOCS_SCREENSHOTS === '1')
    fs.copyFileSync(path.join(ARTIFACTS, file), path.join(DOCS, file));
}

const byTestId = (id: string) => page.locator(`[data-testid="${id}"]`);

async function paintStroke(points: [number, number][], button: 'left' = 'left'): Promise<void> {
  // Points are fractions of the displayed frame.
  const box = await page.locator('canvas.paint').boundingBox();
  if (!box) throw new Error('the paint canvas is not visible');
  const at = ([fx, fy]: [number, number]) => [box.x + fx * box.width, box.y + fy * box.height] as const;
  await page.mouse.move(...at(points[0]!));
  await page.mouse.down({ button });
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 6 });
  await page.mouse.up({ button });
}

async function waitForJobDone(): Promise<void> {
  await page.waitForFunction(
    () => {
      const text = document.querySelector('[data-testid="progress-text"]')?.textContent ?? '';
      const msg = document.querySelector('[data-testid="message"]');
      if (msg?.classList.contains('message-error')) throw new Error(`panel error: ${msg.textContent}`);
      return text.startsWith('100 %');
    },
    undefined,
    { timeout: 300_000, polling: 250 },
  );
}

async function overlayShown(): Promise<boolean> {
  return page.evaluate(() => {
    const img = document.querySelector('img.overlay') as {
      hidden: boolean;
      complete: boolean;
      naturalWidth: number;
    } | null;
    return !!img && !img.hidden && img.complete && img.naturalWidth > 0;
  });
}

/**
 * The server's real backend, with a switch that holds each finished frame until released, so the
 * test can press Cancel while a job is certainly running, on any machine speed.
 */
const hold = { paused: false, waiters: [] as (() => void)[] };
function withPause(backend: SegmentationBackend): SegmentationBackend {
  const wait = (signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (!hold.paused) return resolve();
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      hold.waiters.push(resolve);
    });
  return {
    name: backend.name,
    executionProvider: () => backend.executionProvider(),
    fineTune: (req) => backend.fineTune(req),
    segment: (req) =>
      backend.segment({
        ...req,
        onFrame: async (...args) => {
          await wait(req.signal);
          return req.onFrame(...args);
        },
      }),
    close: () => backend.close?.() ?? Promise.resolve(),
  };
}
function release(): void {
  hold.paused = false;
  for (const w of hold.waiters.splice(0)) w();
}

/** Bundles the Premiere Pro fake for the page (it answers the panel's require("premierepro")). */
async function buildPremiereHarness(): Promise<string> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-panel-harness-'));
  const stats = await new Promise<webpack.Stats>((resolve, reject) =>
    webpack(
      {
        mode: 'development',
        devtool: false,
        target: ['web', 'es2020'],
        entry: path.join(ROOT, 'plugin', 'test', 'fakes', 'browser-premiere.ts'),
        output: { path: out, filename: 'harness.js' },
        resolve: { extensions: ['.ts', '.js'] },
        module: {
          rules: [
            {
              test: /\.ts$/,
              loader: 'ts-loader',
              options: { transpileOnly: true, configFile: path.join(ROOT, 'plugin', 'tsconfig.json') },
            },
          ],
        },
      },
      (err, st) => (err || !st ? reject(err ?? new Error('no stats')) : resolve(st)),
    ),
  );
  if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }));
  return fs.readFileSync(path.join(out, 'harness.js'), 'utf8');
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: the panel's browser test needs it. Install Debian's package ` +
        '(`apt-get update && apt-get install -y chromium`, as .ci/run does) or set CHROMIUM_PATH.',
    );
  }
  if (!fs.existsSync(SAMPLE)) throw new Error(`the sample clip ${SAMPLE} is missing (see samples/README.md)`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  if (process.env.SAVE_DOCS_SCREENSHOTS === '1') fs.mkdirSync(DOCS, { recursive: true });
  pluginDir = path.join(await buildPlugin(), 'premierepro');

  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-panel-ws-'));
  outputFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-panel-out-'));
  port = await freePort();
  panelHost = http.createServer((req, res) => {
    const file = path.join(pluginDir, path.normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)));
    if (!file.startsWith(pluginDir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => panelHost.listen(0, '127.0.0.1', resolve));
  panelOrigin = `http://127.0.0.1:${(panelHost.address() as net.AddressInfo).port}`;
  const backend = withPause(loadBackend(BACKEND, { resolution: 320 }));
  server = await createServer({
    workspace,
    backend,
    port,
    token: TOKEN,
    allowedOrigins: [panelOrigin],
    logger: pino({ level: 'warn' }),
  });
  await server.listen();

  // A fresh profile each run.
  browser = await chromium.launchPersistentContext(
    fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-panel-chromium-')),
    {
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1100, height: 860 },
    },
  );
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // Opened from disk like UXP opens the plugin folder: the page has no web origin.
  await page.goto(`${panelOrigin}/index.html`);
});

afterAll(async () => {
  release();
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => panelHost?.close(resolve));
});

test('pair, segment the sample clip, correct it and render the matte layer from the panel', async () => {
  // Pairing: a wrong token is refused with a message, the server's token connects.
  await byTestId('address').fill(`127.0.0.1:${port}`);
  await byTestId('token').fill('wrong-token');
  await byTestId('pair').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="connection"]')?.textContent === 'Token refused',
  );
  expect(await byTestId('message').textContent()).toMatch(/refused the token/);
  await byTestId('token').fill(TOKEN);
  await byTestId('pair').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="connection"]')?.textContent === 'Connected',
  );
  await shot('01-paired');

  // The sample clip in the standalone host's timeline, playhead on frame 0.
  await byTestId('clip-path').fill(SAMPLE);
  await byTestId('clip-fps').fill('24');
  await byTestId('clip-in').fill('0');
  await byTestId('clip-out').fill('12'); // the first half second keeps the test short
  await byTestId('playhead').fill('0');
  await byTestId('use-clip').click();
  await byTestId('segment').click();
  await page.waitForSelector('.viewer:not(.empty)', { timeout: 60_000 });
  await page.waitForFunction(
    () => (document.querySelector('canvas.paint') as { width: number } | null)?.width ?? 0 > 0,
  );
  expect(await byTestId('frame-info').textContent()).toContain('frame 1 of 12 · 854×480');

  // Paint the bear: a brush stroke across its body plus a polygon, and a background dab.
  await paintStroke([
    [0.42, 0.45],
    [0.5, 0.5],
    [0.58, 0.55],
    [0.62, 0.62],
  ]);
  await page.keyboard.press('p');
  const box = (await page.locator('canvas.paint').boundingBox())!;
  for (const [fx, fy] of [
    [0.45, 0.6],
    [0.6, 0.6],
    [0.55, 0.75],
  ] as const) {
    await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
  }
  await page.keyboard.press('Enter'); // closes the polygon
  await page.keyboard.press('b');
  await page.keyboard.press('x'); // background
  await paintStroke([
    [0.08, 0.1],
    [0.2, 0.12],
  ]);
  await page.keyboard.press('x');
  await shot('02-painted');

  // Start: fine-tuning, then every frame; progress reaches 100 % and the preview shows.
  await byTestId('start').click();
  await page.waitForFunction(
    () => !document.querySelector('[data-testid="progress"]')?.hasAttribute('hidden'),
  );
  await waitForJobDone();
  await page.waitForFunction(
    () => {
      const img = document.querySelector('img.overlay') as {
        hidden: boolean;
        complete: boolean;
        naturalWidth: number;
      } | null;
      return !!img && !img.hidden && img.complete && img.naturalWidth > 0;
    },
    undefined,
    { timeout: 30_000 },
  );
  expect(await overlayShown()).toBe(true);
  // The last frame's progress comes before the job ends (the server then plans the previews'
  // piece track, and the panel fetches the scores): wait for the panel's word, not the bar.
  await page.waitForFunction(
    () => document.querySelector('[data-testid="message"]')?.textContent?.startsWith('Segmented 12 frames'),
    undefined,
    { timeout: 60_000 },
  );
  await shot('03-segmented');

  // Correction keyframe at frame 6: paint, apply; a marker is added and the clip is refined.
  await byTestId('playhead').fill('6');
  await byTestId('playhead').dispatchEvent('change');
  await byTestId('correction').click();
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="frame-info"]')?.textContent?.includes('frame 7 of 12'),
  );
  await page.keyboard.press('e'); // eraser: removes from the object
  await paintStroke([
    [0.05, 0.85],
    [0.3, 0.9],
  ]);
  await page.keyboard.press('b');
  await paintStroke([
    [0.48, 0.5],
    [0.55, 0.55],
  ]);
  await shot('04-correction');
  expect(await byTestId('start').textContent()).toBe('Apply correction');
  // Apply, then cancel the refinement while it runs: the panel says so and keeps the strokes.
  hold.paused = true;
  await byTestId('start').click();
  await page.waitForFunction(() => {
    const cancel = document.querySelector('[data-testid="cancel"]');
    const text = document.querySelector('[data-testid="progress-text"]')?.textContent ?? '';
    return !!cancel && !cancel.hasAttribute('disabled') && !text.startsWith('Sending');
  });
  await byTestId('cancel').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="progress-text"]')?.textContent === 'Cancelled',
    undefined,
    {
      timeout: 60_000,
    },
  );
  expect(await byTestId('message').textContent()).toMatch(/^Cancelled/);
  release();
  // Apply again and let it finish.
  await byTestId('start').click();
  await waitForJobDone();
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="message"]')?.textContent?.startsWith('Refined'),
  );
  expect(await byTestId('timeline-edits').textContent()).toContain(
    'Marker "OneShot Roto correction: Object 1" @ 0.25 s',
  );
  await shot('05-refined');

  // The confidence strip under the frame: a cell per frame, the frames to check next marked (never
  // the painted ones); Check next shows the first of them, then the next; Mark on timeline adds a
  // marker on each.
  await page.waitForFunction(() => document.querySelector('.confidence')?.hidden === false);
  expect(await page.locator('[data-testid="confidence-strip"] .confidence-cell').count()).toBe(12);
  const marked = page.locator('.confidence-cell.suggested');
  expect(await marked.count()).toBe(5);
  const suggested: number[] = [];
  for (let i = 0; i < 5; i++) suggested.push(Number(await marked.nth(i).getAttribute('data-frame')));
  expect(suggested).not.toContain(0);
  expect(suggested).not.toContain(6);
  expect(await page.locator('.confidence-cell.annotated').count()).toBe(2);
  const order = /Check next: frames ([\d, ]+)/.exec(
    (await byTestId('confidence-summary').textContent()) ?? '',
  );
  const first = Number(order![1]!.split(', ')[0]) - 1;
  const second = Number(order![1]!.split(', ')[1]) - 1;
  expect(suggested).toContain(first);
  await byTestId('check-next').click();
  await page.waitForFunction(
    (f) =>
      document.querySelector('[data-testid="frame-info"]')?.textContent?.includes(`frame ${f + 1} of 12`),
    first,
  );
  expect(await page.locator('.confidence-cell.current').getAttribute('data-frame')).toBe(String(first));
  await shot('09-check-next');
  await page.keyboard.press('n');
  await page.waitForFunction(
    (f) =>
      document.querySelector('[data-testid="frame-info"]')?.textContent?.includes(`frame ${f + 1} of 12`),
    second,
  );
  await byTestId('mark-suggested').click();
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="message"]')?.textContent?.startsWith('Marked 5 frames'),
  );
  const edits = (await byTestId('timeline-edits').textContent()) ?? '';
  expect(edits.split('OneShot Roto: check').length - 1).toBe(5);

  // Render the matte layer with controls; the panel places it above the clip.
  await byTestId('output-folder').fill(outputFolder);
  await byTestId('feather').fill('2');
  // Piece tracking is on unless the editor turns it off, as on the server; the preview follows the box.
  expect(await byTestId('piece-track').isChecked()).toBe(true);
  const overlayTracked = (tracked: boolean) =>
    page.waitForFunction((want) => {
      const img = document.querySelector('img.overlay') as { getAttribute(n: string): string | null } | null;
      return !(img?.getAttribute('src') ?? 'track=false').includes('track=false') === want;
    }, tracked);
  await overlayTracked(true);
  await byTestId('piece-track').uncheck();
  await overlayTracked(false);
  await byTestId('piece-track').check();
  await overlayTracked(true);
  await byTestId('render').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="message"]')?.textContent?.startsWith('Matte layer placed'),
    undefined,
    { timeout: 300_000 },
  );
  expect(await byTestId('message').textContent()).toContain('12 frames, Track Matte Key applied');
  const written = fs.readdirSync(outputFolder).filter((f) => f.endsWith('.png'));
  expect(written).toHaveLength(12);
  // Each render names its own files: prefix, clip, object, time stamp and counter.
  expect(written.every((f) => /^OneShot Roto .+ Object 1 r\d{8}-\d{9}-1_\d+\.png$/.test(f))).toBe(true);
  expect(await byTestId('timeline-edits').textContent()).toContain(
    `12 frames from ${path.join(outputFolder, written.sort()[0]!)}`,
  );
  await shot('06-rendered');

  // What the server recorded: the initial annotation and the correction on this clip.
  const res = await fetch(`http://127.0.0.1:${port}/clips`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const { clips } = (await res.json()) as {
    clips: { objects: { annotations: { frame: number; role: string }[] }[] }[];
  };
  expect(clips).toHaveLength(1);
  expect(clips[0]!.objects[0]!.annotations.map((a) => [a.frame, a.role])).toEqual([
    [0, 'initial'],
    [6, 'correction'],
  ]);

  // A second object on the same clip: added and named in the panel, painted, segmented and rendered
  // on its own; the first object's result and files stay as they were.
  await byTestId('add-object').click();
  expect(await byTestId('object-name').inputValue()).toBe('Object 2');
  await byTestId('object-name').fill('Ground');
  await byTestId('object-name').press('Enter');
  await byTestId('object-name').dispatchEvent('change');
  expect(await byTestId('frame-info').textContent()).toContain('· Ground');
  expect(await overlayShown()).toBe(false); // no result yet for this object
  expect(await byTestId('render').isDisabled()).toBe(true);
  await page.locator('canvas.paint').focus();
  await paintStroke([
    [0.1, 0.85],
    [0.5, 0.9],
    [0.9, 0.88],
  ]);
  await byTestId('start').click();
  await waitForJobDone();
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="message"]')?.textContent?.startsWith('Segmented 12 frames'),
  );
  await byTestId('render').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="message"]')?.textContent?.startsWith('Matte layer placed'),
    undefined,
    { timeout: 300_000 },
  );
  const all = fs.readdirSync(outputFolder).filter((f) => f.endsWith('.png'));
  const ground = all.filter((f) => / Ground r\d{8}-\d{9}-2_\d+\.png$/.test(f));
  expect(ground).toHaveLength(12);
  expect(all.filter((f) => written.includes(f))).toHaveLength(12); // the first object's files untouched
  // Back to the first object: its result shows again.
  await page.locator('[data-testid="object"]').selectOption('main');
  await page.waitForFunction(() => {
    const img = document.querySelector('img.overlay') as { hidden: boolean } | null;
    return !!img && !img.hidden;
  });
  const after = (await (
    await fetch(`http://127.0.0.1:${port}/clips`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).json()) as { clips: { objects: { objectId: string; annotations: { role: string }[] }[] }[] };
  const byObject = Object.fromEntries(
    after.clips[0]!.objects.map((o) => [o.objectId, o.annotations.map((a) => a.role)]),
  );
  expect(byObject).toEqual({ main: ['initial', 'correction'], 'object-2': ['initial'] });

  // The docked (narrow) layout of the same state.
  await page.setViewportSize({ width: 340, height: 900 });
  await page.waitForFunction(() => document.querySelector('.panel')?.classList.contains('narrow'));
  await shot('07-narrow');
  expect(pageErrors).toEqual([]);
});

test("inside (a fake of) Premiere Pro, the same panel reads the clip, places the matte with the clip's Motion and keys it from the chain", async () => {
  const premiereOut = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-panel-premiere-out-'));
  // The sample clip on V1 from 10 s, its first 12 frames (0.5 s at 24 fps); a title on V2 elsewhere.
  const media = { name: 'bear.mp4', mediaPath: SAMPLE, fps: 24 };
  const timeline: FakeTimeline = {
    sequenceName: 'Edit',
    fps: 24,
    width: 854,
    height: 480,
    playhead: 10.25,
    tracks: [
      [
        {
          name: 'bear.mp4',
          media,
          start: 10,
          end: 10.5,
          inPoint: 0,
          outPoint: 0.5,
          speed: 1,
          reversed: false,
          disabled: false,
          // Scaled and moved: the matte must get the same Motion.
          components: intrinsicComponents('en', { Scale: 80, Position: { x: 0.4, y: 0.6 } }),
        },
      ],
      [
        {
          name: 'title',
          media: { name: 'title.png', mediaPath: '/media/title.png', fps: 24 },
          start: 0,
          end: 5,
          inPoint: 0,
          outPoint: 5,
          speed: 1,
          reversed: false,
          disabled: false,
          components: [],
        },
      ],
    ],
    bin: [media],
    markers: [],
  };
  const harness = await buildPremiereHarness();
  const premiere = await browser.newPage();
  premiere.on('pageerror', (e) => pageErrors.push(e.message));
  await premiere.addInitScript(
    (config) => {
      (globalThis as unknown as { __premiereConfig: unknown }).__premiereConfig = config;
    },
    { timeline, stillFolders: { [premiereOut]: 12 } },
  );
  await premiere.addInitScript({ content: harness });
  await premiere.goto(`${panelOrigin}/index.html`);
  const id = (t: string) => premiere.locator(`[data-testid="${t}"]`);
  expect(await premiere.locator('.host-name').textContent()).toBe('Premiere Pro');
  expect(await premiere.locator('[data-testid="clip-path"]').count()).toBe(0); // no standalone bar

  await id('address').fill(`127.0.0.1:${port}`);
  await id('token').fill(TOKEN);
  await id('pair').click();
  await premiere.waitForFunction(
    () => document.querySelector('[data-testid="connection"]')?.textContent === 'Connected',
  );
  // Same media and range as the first test: the server already has this clip segmented.
  await id('segment').click();
  await premiere.waitForFunction(() =>
    document.querySelector('[data-testid="frame-info"]')?.textContent?.includes('frame 7 of 12'),
  );
  await id('output-folder').fill(premiereOut);
  await id('render').click();
  await premiere.waitForFunction(
    () => {
      const msg = document.querySelector('[data-testid="message"]');
      if (msg?.classList.contains('message-error')) throw new Error(`panel error: ${msg.textContent}`);
      return msg?.textContent?.startsWith('Matte layer placed');
    },
    undefined,
    { timeout: 300_000, polling: 250 },
  );
  expect(await id('message').textContent()).toContain(
    'placed on V2 at 10.00 s (12 frames, Track Matte Key applied)',
  );

  type Seen = Pick<PremiereFake, 'undoStack'> & { timeline: FakeTimeline };
  const seen = (await premiere.evaluate(() => {
    const f = (globalThis as unknown as { __premiereFake: { timeline: unknown; undoStack: unknown } })
      .__premiereFake;
    return JSON.parse(JSON.stringify({ timeline: f.timeline, undoStack: f.undoStack })) as unknown;
  })) as Seen;
  const [matte] = seen.timeline.tracks[1]!.filter((i) => i.media.mediaPath.startsWith(premiereOut));
  if (!matte) throw new Error('no matte clip on the track above the source');
  expect(matte).toMatchObject({ start: 10, end: 10.5 });
  expect(matte.media).toMatchObject({ asNumberedStills: true, overrideFps: 24 });
  const chain = seen.timeline.tracks[0]![0]!.components;
  expect(chain.map((c) => c.matchName)).toEqual([
    'AE.ADBE Opacity',
    'AE.ADBE Motion',
    'AE.ADBE Track Matte Key',
  ]);
  expect(chain[2]!.params.map((p) => p.value)).toEqual([2, 1, false]);
  expect(matte.components[1]!.params).toEqual(chain[1]!.params); // Motion copied
  expect(seen.undoStack.map((u) => u.label)).toEqual([
    'OneShot Roto: matte layer "Object 1"',
    'OneShot Roto: matte layer "Object 1": Track Matte Key settings',
    'OneShot Roto: matte layer "Object 1": Motion',
  ]);
  expect(await id('message').textContent()).toMatch(/3 undo steps revert it.*check them in Effect Controls/);
  await premiere.screenshot({
    path: path.join(ARTIFACTS, '08-premiere-fake.jpg'),
    fullPage: true,
    type: 'jpeg',
    quality: 85,
  });
  if (process.env.SAVE_DOCS_SCREENSHOTS === '1') {
    fs.copyFileSync(path.join(ARTIFACTS, '08-premiere-fake.jpg'), path.join(DOCS, '08-premiere-fake.jpg'));
  }
  await premiere.close();
});
