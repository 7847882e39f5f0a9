/**
 * Charts with plotly.js (the official prebuilt bundle, `plotly.js-dist-min`): a figure is a plain
 * `{ data, layout, config }` record, as plotly.js takes it, rendered three ways:
 *
 * - {@link figureSpec} / {@link chartHtml}: the plotly JSON and an HTML fragment (the PNG, made
 *   interactive where scripts run) of a notebook output (`display.ts` sends both with the PNG);
 * - {@link figureHtml} / {@link writeFigureHtml}: a standalone interactive HTML page, plotly
 *   inlined or loaded from a copy of the bundle beside the page (`plotly.min.js`);
 * - {@link toPng}: a PNG, rendered headless by Chromium (driven by `playwright-core`) with
 *   plotly's own `Plotly.toImage`. Debian's `chromium` package works; see {@link chromiumPath}.
 *
 * {@link saveFigure} writes both the HTML and the PNG of a figure.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { writeFileAtomic } from '../io/image.js';

const require = createRequire(import.meta.url);

/** A plotly.js figure: traces, layout and config exactly as `Plotly.newPlot` takes them. */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** Absolute path of the plotly.js bundle. */
export function plotlyBundlePath(): string {
  return require.resolve('plotly.js-dist-min/plotly.min.js');
}

/** Version of the plotly.js bundle, e.g. "4.1.2". */
export function plotlyVersion(): string {
  return (require('plotly.js-dist-min/package.json') as { version: string }).version;
}

let bundleText: string | null = null;
/** The plotly.js bundle's source (read once). */
export function plotlyBundle(): string {
  bundleText ??= fs.readFileSync(plotlyBundlePath(), 'utf8');
  return bundleText;
}

/**
 * JSON for embedding in a `<script>`: typed arrays become arrays, non-finite numbers `null`, and
 * `</` is escaped so no string can close the script element.
 */
export function figureJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    if (typeof v === 'number' && !Number.isFinite(v)) return null;
    if (typeof v === 'bigint') return Number(v);
    return v;
  }).replace(/<\//g, '<\\/');
}

function checkFigure(fig: PlotlyFigure, where: string): void {
  if (!fig || !Array.isArray(fig.data)) throw new Error(`${where}: a figure needs a 'data' array of traces`);
}

/**
 * The figure as plain JSON — the payload of the `application/vnd.plotly.v1+json` MIME type —
 * with numbers rounded to 7 significant digits (for display; keeps notebook outputs small).
 */
export function figureSpec(fig: PlotlyFigure): { data: unknown[]; layout: Record<string, unknown>; config: Record<string, unknown> } {
  checkFigure(fig, 'figureSpec');
  return JSON.parse(figureJson({ data: fig.data, layout: fig.layout ?? {}, config: { responsive: true, displaylogo: false, ...fig.config } }),
    (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(7)) : v));
}

let chartCount = 0;

/**
 * The `text/html` rendering of a chart for a notebook output: the PNG as an `<img>` (what any
 * viewer shows: untrusted notebooks, GitHub, nbviewer, nbconvert HTML) in a `<div class="auif-chart">`,
 * and a script that, where scripts run (a trusted notebook), replaces the image by the interactive
 * chart. The script never carries plotly.js: it uses `window.Plotly` when present, else loads
 * `plotly.min.js` from the notebook's own folder (the classic notebook's `/files/` URL, through
 * its require.js; elsewhere the URL relative to the page), and keeps the image when that fails.
 */
export function chartHtml(fig: PlotlyFigure, png: Uint8Array | null): string {
  const spec = figureSpec(fig);
  const id = `auif-chart-${process.pid.toString(36)}-${Date.now().toString(36)}-${chartCount++}`;
  const title = figureTitle(fig).replace(/[<&"]/g, (c) => ({ '<': '&lt;', '&': '&amp;', '"': '&quot;' })[c]!);
  const width = (fig.layout?.width as number | undefined) ?? 900;
  const img = png ? `<img src="data:image/png;base64,${Buffer.from(png).toString('base64')}" alt="${title}" style="max-width:100%;width:${width}px">` : '';
  return `<div class="auif-chart" id="${id}">${img}</div>
<script type="text/javascript">(function start(tries) {
  // The classic notebook runs an output's scripts before it attaches the output to the page: wait for it.
  var el = document.getElementById(${JSON.stringify(id)});
  if (!el) { if (tries < 100) setTimeout(function () { start(tries + 1); }, 50); return; }
  var spec = ${figureJson(spec)};
  function draw(P) {
    if (!P || !P.newPlot) return;
    var div = document.createElement('div');
    div.style.width = '100%';
    var img = el.querySelector('img');
    el.appendChild(div);
    P.newPlot(div, spec.data, spec.layout, spec.config).then(function () { if (img) img.remove(); }, function (e) { div.remove(); console.error('auif chart: plotly could not draw it, the PNG stays', e); });
  }
  if (window.Plotly) return draw(window.Plotly);
  var body = document.body, nb = body && body.getAttribute('data-notebook-path');
  var url = nb != null ? (body.getAttribute('data-base-url') || '/') + 'files/' + nb.split('/').slice(0, -1).map(function (p) { return p + '/'; }).join('') + 'plotly.min.js' : 'plotly.min.js';
  if (typeof window.requirejs === 'function') {
    window.requirejs.config({ paths: { 'auif-plotly': url.slice(0, -3) } });
    window.requirejs(['auif-plotly'], function (P) { /* the bundle sets window.Plotly itself; P may be undefined */ window.Plotly = window.Plotly || P; draw(window.Plotly); }, function (e) { console.error('auif chart: could not load ' + url + ', the PNG stays', e); });
  } else {
    var s = document.createElement('script');
    s.src = url;
    s.onload = function () { draw(window.Plotly); };
    document.head.appendChild(s);
  }
})(0);</script>`;
}

/** Where a standalone page gets plotly.js: inlined, or a `<script src>` (relative or absolute URL). */
export type PlotlySource = 'inline' | { src: string };

/** The layout's title as plain text ('chart' when it has none). */
export function figureTitle(fig: PlotlyFigure): string {
  const t = fig.layout?.title;
  const text = typeof t === 'string' ? t : t && typeof t === 'object' && typeof (t as { text?: unknown }).text === 'string' ? (t as { text: string }).text : '';
  return text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim() || 'chart';
}

/** A standalone interactive HTML page showing `fig`. */
export function figureHtml(fig: PlotlyFigure, opts: { title?: string; plotly?: PlotlySource } = {}): string {
  checkFigure(fig, 'figureHtml');
  const title = opts.title ?? figureTitle(fig);
  const source = opts.plotly ?? 'inline';
  const lib = source === 'inline'
    ? `<script type="text/javascript">${plotlyBundle()}</script>`
    : `<script type="text/javascript" src="${source.src.replace(/"/g, '&quot;')}"></script>`;
  const config = { responsive: true, displaylogo: false, ...fig.config };
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${title.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}</title>
${lib}
<style>html,body{margin:0;height:100%}#plot{width:100%;height:100%}</style></head>
<body><div id="plot"></div>
<script type="text/javascript">Plotly.newPlot('plot', ${figureJson(fig.data)}, ${figureJson(fig.layout ?? {})}, ${figureJson(config)});</script>
</body></html>
`;
}

/** Copies the plotly.js bundle into `dir` as `plotly.min.js` unless an identical copy is there. */
export async function copyPlotlyBundle(dir: string): Promise<string> {
  const dest = path.join(dir, 'plotly.min.js');
  const src = plotlyBundlePath();
  const srcSize = fs.statSync(src).size;
  if (!fs.existsSync(dest) || fs.statSync(dest).size !== srcSize) {
    await fs.promises.mkdir(dir, { recursive: true });
    await writeFileAtomic(dest, await fs.promises.readFile(src));
  }
  return dest;
}

/**
 * Writes `fig` as an interactive page to `file` (atomically). By default the page loads
 * `plotly.min.js` from its own folder, copied there once, so many charts share one bundle;
 * `plotly: 'inline'` makes a single self-contained file.
 */
export async function writeFigureHtml(file: string, fig: PlotlyFigure, opts: { title?: string; plotly?: PlotlySource } = {}): Promise<string> {
  const dir = path.dirname(path.resolve(file));
  await fs.promises.mkdir(dir, { recursive: true });
  const plotly = opts.plotly ?? { src: 'plotly.min.js' };
  if (typeof plotly === 'object' && plotly.src === 'plotly.min.js') await copyPlotlyBundle(dir);
  await writeFileAtomic(file, Buffer.from(figureHtml(fig, { ...opts, plotly }), 'utf8'));
  return file;
}

// ---------------------------------------------------------------------------------------------
// PNG export through headless Chromium.

/** No Chromium executable was found; the message gives the install command. */
export class ChromiumMissingError extends Error {
  constructor(message: string) { super(message); this.name = 'ChromiumMissingError'; }
}

/** Where {@link chromiumPath} looks, after `$AUIF_CHROMIUM` and `$CHROME_PATH`. */
export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The command that installs Debian's Chromium. */
export const CHROMIUM_INSTALL = 'apt-get update && apt-get install -y chromium';

/**
 * The Chromium executable for PNG export: `$AUIF_CHROMIUM`, `$CHROME_PATH`, else the first of
 * {@link CHROMIUM_CANDIDATES} that exists.
 * @throws {ChromiumMissingError} naming where it looked and how to install it.
 */
export function chromiumPath(): string {
  for (const env of ['AUIF_CHROMIUM', 'CHROME_PATH']) {
    const p = process.env[env];
    if (p) {
      if (fs.existsSync(p)) return p;
      throw new ChromiumMissingError(`$${env}=${p} does not exist; unset it or point it at a Chromium/Chrome executable`);
    }
  }
  const found = CHROMIUM_CANDIDATES.find((p) => fs.existsSync(p));
  if (found) return found;
  throw new ChromiumMissingError(
    `PNG export of plotly charts needs a headless Chromium, and none was found (looked at $AUIF_CHROMIUM, $CHROME_PATH, ${CHROMIUM_CANDIDATES.join(', ')}).\n`
    + `  Install Debian's: ${CHROMIUM_INSTALL}   (as root; prefix with sudo otherwise)\n`
    + '  or set AUIF_CHROMIUM=/path/to/chrome.',
  );
}

/**
 * Chromium's flags for headless use on a machine without network or display (the browser is
 * started by playwright-core, which adds `--headless`).
 */
export const CHROMIUM_ARGS: readonly string[] = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

type Browser = import('playwright-core').Browser;
let browser: Promise<Browser> | null = null;
let users = 0;
let idleTimer: NodeJS.Timeout | null = null;

async function acquireBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (idleTimer) { clearTimeout(idleTimer); idleTimer = null; }
  users++;
  browser ??= import('playwright-core').then(({ chromium }) => chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] }));
  try {
    return await browser;
  } catch (e) {
    users--;
    browser = null;
    throw new Error(`could not start Chromium (${executablePath}) for PNG export: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Lets go of the shared browser; it closes once nobody has used it for `idleMs`. */
function releaseBrowser(idleMs: number): void {
  users--;
  if (users > 0 || !browser) return;
  const b = browser;
  idleTimer = setTimeout(() => {
    idleTimer = null;
    if (users === 0 && browser === b) { browser = null; void b.then((x) => x.close()).catch(() => undefined); }
  }, idleMs);
}

/** Closes the shared headless browser now (otherwise it closes after a short idle time). */
export async function closeBrowser(): Promise<void> {
  if (idleTimer) { clearTimeout(idleTimer); idleTimer = null; }
  const b = browser;
  browser = null;
  if (b) await (await b).close().catch(() => undefined);
}

export interface PngOptions {
  /** Size in CSS px (default: the layout's width/height, else 900 × 500). */
  width?: number;
  height?: number;
  /** Pixel ratio (default 2: crisp on high-DPI screens and in READMEs). */
  scale?: number;
  /** Keep the browser this long after the last export, ms (default 2000). */
  idleMs?: number;
}

/**
 * Renders `fig` to PNG with headless Chromium and `Plotly.toImage`; writes it to `file`
 * (atomically, creating the folder) when given, and returns the bytes.
 * @throws {ChromiumMissingError} when no Chromium is installed (with the install command).
 */
export async function toPng(fig: PlotlyFigure, file?: string, opts: PngOptions = {}): Promise<Buffer> {
  checkFigure(fig, 'toPng');
  const width = opts.width ?? (fig.layout?.width as number | undefined) ?? 900;
  const height = opts.height ?? (fig.layout?.height as number | undefined) ?? 500;
  const scale = opts.scale ?? 2;
  lastPngOptions.set(fig, opts);
  const key = `${width}x${height}@${scale}:${figureJson(fig.data)}:${figureJson(fig.layout ?? {})}`;
  let png = recentPngs.get(key);
  if (!png) {
    png = await renderPng(fig, width, height, scale, opts.idleMs ?? 2000);
    recentPngs.set(key, png);
    if (recentPngs.size > 8) recentPngs.delete(recentPngs.keys().next().value!);
  }
  if (file) {
    await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFileAtomic(file, png);
  }
  return png;
}

/** The last few PNGs rendered, by size and figure JSON: showing a figure just saved renders it once. */
const recentPngs = new Map<string, Buffer>();
const lastPngOptions = new WeakMap<PlotlyFigure, PngOptions>();

/** The options `fig` was last rendered with by {@link toPng} / {@link saveFigure} (e.g. its width), if any. */
export function lastPngOptionsOf(fig: PlotlyFigure): PngOptions | undefined {
  return lastPngOptions.get(fig);
}

async function renderPng(fig: PlotlyFigure, width: number, height: number, scale: number, idleMs: number): Promise<Buffer> {
  const b = await acquireBrowser();
  let png: Buffer;
  try {
    const page = await b.newPage();
    try {
      await page.setContent('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0"><div id="plot"></div></body></html>');
      await page.addScriptTag({ content: plotlyBundle() });
      const url = await page.evaluate(async ({ data, layout, width, height, scale }) => {
        const P = (window as unknown as { Plotly: { newPlot: Function; toImage: Function } }).Plotly;
        const el = document.getElementById('plot')!;
        await P.newPlot(el, data, { ...layout, width, height }, { staticPlot: true });
        return (await P.toImage(el, { format: 'png', width, height, scale })) as string;
      }, { data: JSON.parse(figureJson(fig.data)), layout: JSON.parse(figureJson(fig.layout ?? {})), width, height, scale });
      png = Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
    } finally {
      await page.close().catch(() => undefined);
    }
  } finally {
    releaseBrowser(idleMs);
  }
  return png;
}

/**
 * Saves `fig` as `<base>.html` (interactive, bundle beside it) and `<base>.png` (headless
 * Chromium), e.g. `saveFigure(fig, 'figures/parity-histogram')`. Returns both paths.
 */
export async function saveFigure(fig: PlotlyFigure, base: string, opts: PngOptions & { title?: string } = {}): Promise<{ html: string; png: string }> {
  const stem = base.replace(/\.(html|png)$/i, '');
  const html = await writeFigureHtml(`${stem}.html`, fig, { title: opts.title });
  const png = `${stem}.png`;
  await toPng(fig, png, opts);
  return { html, png };
}
