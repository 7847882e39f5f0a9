/**
 * Showing results in a notebook (tslab, the TypeScript Jupyter kernel): PNG images, plotly
 * charts (interactive HTML output), Markdown and tables, through tslab's `display` API.
 *
 * Outside a tslab kernel (scripts, tests) nothing is displayed: each function prints a one-line
 * text stand-in (a table prints as Markdown). They return nothing, so a notebook cell that ends
 * with one prints no stray value.
 *
 * tslab is loaded lazily, only inside a kernel (it pulls in the TypeScript compiler).
 */
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { figureSnippet, figureTitle, type PlotlyFigure } from './plotly.js';

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

/** Shows PNG bytes (e.g. from `imageGrid`). */
export async function showPng(png: Uint8Array): Promise<void> {
  const d = display();
  if (!d) {
    const m = await sharp(png).metadata().catch(() => null);
    console.log(`[PNG ${m ? `${m.width}×${m.height}` : `${png.length} bytes`}]`);
    return;
  }
  d.png(png);
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

let plotlySent = false;

/**
 * Shows a plotly figure, interactive. The first chart of a kernel session carries the plotly.js
 * bundle (≈ 4.8 MB, inlined so no network is needed); later ones reuse it
 * (`includePlotly: true` forces it again, e.g. after clearing that first output).
 */
export function showFigure(fig: PlotlyFigure, opts: { includePlotly?: boolean; height?: number } = {}): void {
  const d = display();
  if (!d) { console.log(`[chart: ${figureTitle(fig)}]`); return; }
  const includePlotly = opts.includePlotly ?? !plotlySent;
  d.html(figureSnippet(fig, { includePlotly, height: opts.height }));
  plotlySent ||= includePlotly;
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
