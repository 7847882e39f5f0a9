/**
 * Showing results in a notebook (tslab, the TypeScript Jupyter kernel): PNG images, plotly
 * charts, Markdown and tables, through tslab's `display` API.
 *
 * A chart is one output with several renderings of it (a MIME bundle, {@link chartBundle}), so
 * that every viewer shows it: `application/vnd.plotly.v1+json` (drawn natively by JupyterLab with
 * plotly's extension, Notebook 7, VS Code), `image/png` (GitHub, nbviewer, any viewer),
 * `text/html` (the PNG, made interactive in a trusted classic notebook, see `chartHtml`) and
 * `text/plain`. No output carries plotly.js itself.
 *
 * Outside a tslab kernel (scripts, tests) nothing is displayed: each function prints a one-line
 * text stand-in (a table prints as Markdown). They return nothing, so a notebook cell that ends
 * with one prints no stray value.
 *
 * tslab is loaded lazily, only inside a kernel (it pulls in the TypeScript compiler).
 */
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { chartHtml, ChromiumMissingError, copyPlotlyBundle, figureSpec, figureTitle, lastPngOptionsOf, toPng, type PlotlyFigure, type PngOptions } from './plotly.js';

const require = createRequire(import.meta.url);

type Display = import('tslab').Display;

/** True inside a tslab kernel (tslab defines `globalThis.__tslab__` for the code it runs). */
export function inNotebook(): boolean {
  return typeof (globalThis as { __tslab__?: unknown }).__tslab__ !== 'undefined';
}

function display(): Display | null {
  if (!inNotebook()) return null;
  return (require('tslab') as typeof import('tslab')).display;
}

/**
 * Largest PNG (bytes) a notebook output carries. Jupyter stores it base64 (×4/3), and issue 12
 * bounds every output at 1 MB: 600 000 bytes give 800 000 base64 characters.
 */
export const MAX_SHOWN_PNG_BYTES = 600_000;

/** True when the image has at most 256 distinct colours (so a palette PNG of it is exact). */
async function fewColours(png: Buffer): Promise<boolean> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const seen = new Set<number>();
  const c = info.channels;
  for (let i = 0; i < data.length; i += c) {
    let v = 0;
    for (let k = 0; k < c; k++) v = v * 256 + data[i + k];
    seen.add(v);
    if (seen.size > 256) return false;
  }
  return true;
}

/**
 * The copy of `png` a notebook shows: `png` itself when it has at most `maxBytes` bytes; else,
 * for an image of at most 256 colours, its palette PNG (exact, same pixel size) when that fits;
 * else the image scaled down (Lanczos, both sides by one factor s, s shrunk by 10 % until the PNG
 * fits; full colour, or a palette PNG for an image of ≤ 256 colours). `scale` is s (1 when not
 * resized). The figure file a notebook writes keeps the full image.
 */
export async function displayablePng(png: Uint8Array, maxBytes = MAX_SHOWN_PNG_BYTES): Promise<{ png: Buffer; scale: number; width: number; height: number }> {
  const buf = Buffer.from(png);
  const meta = await sharp(buf).metadata();
  const W = meta.width ?? 0, H = meta.height ?? 0;
  if (buf.length <= maxBytes) return { png: buf, scale: 1, width: W, height: H };
  const palette = await fewColours(buf);
  const encode = (img: sharp.Sharp) => (palette ? img.png({ palette: true, colours: 256, dither: 0, compressionLevel: 9 }) : img.png({ compressionLevel: 9, adaptiveFiltering: true })).toBuffer();
  const first = await encode(sharp(buf));
  if (first.length <= maxBytes) return { png: first, scale: 1, width: W, height: H };
  let scale = Math.min(0.95, Math.sqrt(maxBytes / first.length));
  for (;;) {
    const width = Math.max(1, Math.round(W * scale)), height = Math.max(1, Math.round(H * scale));
    const out = await encode(sharp(buf).resize(width, height, { kernel: 'lanczos3' }));
    if (out.length <= maxBytes || width === 1) return { png: out, scale, width, height };
    scale *= 0.9;
  }
}

/**
 * Shows PNG bytes (e.g. from `imageGrid`). One over {@link MAX_SHOWN_PNG_BYTES} is shown as its
 * {@link displayablePng} copy, with a line saying so (the figure file keeps the full size).
 */
export async function showPng(png: Uint8Array): Promise<void> {
  const d = display();
  if (!d) {
    const m = await sharp(png).metadata().catch(() => null);
    console.log(`[PNG ${m ? `${m.width}×${m.height}` : `${png.length} bytes`}]`);
    return;
  }
  const shown = await displayablePng(png);
  if (shown.scale < 1) console.log(`(shown at ${Math.round(100 * shown.scale)} %, ${shown.width}×${shown.height}, to keep the notebook output under 1 MB; the figure file has the full size)`);
  d.png(shown.png);
}

/** Shows an HTML fragment. */
export function showHtml(html: string): void {
  const d = display();
  if (!d) { console.log(`[HTML, ${html.length} characters]`); return; }
  d.html(html);
}

/** Shows Markdown (rendered by the notebook). */
export function showMarkdown(md: string): void {
  const d = display();
  if (!d) { console.log(md); return; }
  d.markdown(md);
}

/** A Jupyter MIME bundle: the renderings of one output, by MIME type, and their metadata. */
export interface MimeBundle {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** The MIME type of plotly figures (plotly's JSON schema, version 1). */
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/**
 * The MIME bundle of a chart: the plotly JSON, the PNG (when given), the HTML rendering
 * (`chartHtml`: the PNG, interactive where scripts run) and a one-line text stand-in.
 */
export function chartBundle(fig: PlotlyFigure, png: Uint8Array | null, pngSize?: { width: number; height: number }): MimeBundle {
  const data: Record<string, unknown> = { [PLOTLY_MIME]: figureSpec(fig) };
  const metadata: Record<string, unknown> = {};
  if (png) {
    data['image/png'] = Buffer.from(png).toString('base64');
    if (pngSize) metadata['image/png'] = pngSize;
  }
  data['text/html'] = chartHtml(fig, png);
  data['text/plain'] = `[chart: ${figureTitle(fig)}]`;
  return { data, metadata };
}

type WriteDisplayData = (content: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: { display_id?: string } }, update: boolean) => void;

/**
 * Sends one MIME bundle as a display output (`update`: replaces the output `displayId` in place).
 * tslab's public `display` sends a single MIME type per output; a bundle goes through the function
 * it uses underneath (`tslab/dist/jupyter.js`, the iopub writer of the running cell).
 */
function writeBundle(bundle: MimeBundle, displayId?: string, update = false): void {
  const jupyter = require('tslab/dist/jupyter.js') as { lastWriteDisplayData?: WriteDisplayData };
  if (typeof jupyter.lastWriteDisplayData !== 'function') throw new Error('showFigure: tslab has no output channel (not inside a running cell?)');
  jupyter.lastWriteDisplayData({ data: bundle.data, metadata: bundle.metadata, transient: displayId ? { display_id: displayId } : {} }, update);
}

let bundleCopied = false;

/**
 * A chart's PNG for a notebook output, made smaller: as a 256-colour palette PNG when that is
 * smaller (a chart has few colours; the output carries the PNG twice, as `image/png` and in its
 * HTML, and must stay far below 1 MB). The file written by `saveFigure` keeps full colour.
 */
export async function compactPng(png: Buffer): Promise<Buffer> {
  const small = await sharp(png).png({ palette: true, colours: 256, dither: 0.5, compressionLevel: 9 }).toBuffer();
  return small.length < png.length ? small : png;
}

/** The PNG of `fig` for display, at the size it was last saved with; null (with a warning) without Chromium. */
async function displayPng(fig: PlotlyFigure, opts: PngOptions): Promise<{ png: Buffer; size: { width: number; height: number } } | null> {
  const o = { ...lastPngOptionsOf(fig), ...opts };
  try {
    const png = await compactPng(await toPng(fig, undefined, o));
    const width = o.width ?? (fig.layout?.width as number | undefined) ?? 900;
    const height = o.height ?? (fig.layout?.height as number | undefined) ?? 500;
    return { png, size: { width, height } };
  } catch (e) {
    if (!(e instanceof ChromiumMissingError)) throw e;
    console.warn(`!! chart '${figureTitle(fig)}' shown without its PNG (only viewers that draw plotly JSON show it): ${e.message.split('\n')[0]}`);
    return null;
  }
}

/**
 * Shows a plotly figure as one output with every rendering of it ({@link chartBundle}); the PNG
 * is the one {@link saveFigure} just made of the same figure (else rendered now). In a kernel it
 * also copies plotly.js beside the notebook (`plotly.min.js`, git-ignored) once, for the
 * interactive view of the classic notebook.
 */
export async function showFigure(fig: PlotlyFigure, opts: PngOptions = {}): Promise<void> {
  if (!inNotebook()) { console.log(`[chart: ${figureTitle(fig)}]`); return; }
  if (!bundleCopied) { await copyPlotlyBundle(process.cwd()); bundleCopied = true; }
  const r = await displayPng(fig, opts);
  writeBundle(chartBundle(fig, r?.png ?? null, r?.size));
}

/**
 * An output that is drawn again in place (e.g. a chart while training runs): `update(fig)` sends
 * the plotly JSON and a text line only (cheap; for viewers that draw plotly live),
 * `final(fig)` the whole bundle with the PNG (what the saved notebook keeps).
 */
export interface ChartDisplay {
  update(fig: PlotlyFigure, text?: string): void;
  final(fig: PlotlyFigure, opts?: PngOptions): Promise<void>;
}

/** A {@link ChartDisplay}; null outside a tslab kernel. */
export function newChartDisplay(): ChartDisplay | null {
  if (!inNotebook()) return null;
  const id = `auif-${process.pid.toString(36)}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  let shown = false;
  const send = (b: MimeBundle) => { writeBundle(b, id, shown); shown = true; };
  return {
    update: (fig, text) => send({ data: { [PLOTLY_MIME]: figureSpec(fig), 'text/plain': text ?? `[chart: ${figureTitle(fig)}]` }, metadata: {} }),
    final: async (fig, opts = {}) => {
      if (!bundleCopied) { await copyPlotlyBundle(process.cwd()); bundleCopied = true; }
      const r = await displayPng(fig, opts);
      send(chartBundle(fig, r?.png ?? null, r?.size));
    },
  };
}

function cell(v: unknown, digits: number): string {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    return Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(digits) : v.toExponential(2);
  }
  return String(v ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * A Markdown table of `rows` (columns: `columns`, else the keys of the first row); numbers
 * with `digits` decimals (default 4), tiny ones in exponent form.
 */
export function markdownTable(rows: Record<string, unknown>[], opts: { columns?: string[]; digits?: number } = {}): string {
  if (rows.length === 0) return '(no rows)';
  const cols = opts.columns ?? Object.keys(rows[0]);
  const digits = opts.digits ?? 4;
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(cols.map((c) => cell(c, digits))),
    line(cols.map((c) => (typeof rows[0][c] === 'number' ? '---:' : '---'))),
    ...rows.map((r) => line(cols.map((c) => cell(r[c], digits)))),
  ].join('\n');
}

/** Shows `rows` as a table (see {@link markdownTable}). */
export function showTable(rows: Record<string, unknown>[], opts: { columns?: string[]; digits?: number } = {}): void {
  showMarkdown(markdownTable(rows, opts));
}
