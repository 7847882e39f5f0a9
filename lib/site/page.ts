/**
 * The teaching page's script (issue 19), bundled by lib/site/build.ts into `site/auif-site.js`
 * (an IIFE, so it runs from file://). It picks a tfjs backend (WebGL, else wasm, else cpu), reads
 * the user's IR and VIS files as 8-bit grey exactly as PIL's `convert('L')` (lib/io/image.ts
 * `luma601`), fuses them with the authors' weights (inlined at build time) through
 * lib/site/compute.ts and draws IR | VIS | F, the iterates Bᵏ, Dᵏ of both encoders beside the
 * classic solver's on fixed, labelled scales, and the learned ηₖ, θₖ.
 *
 * For tests the page publishes `window.__auifResult` = { backend, width, height, fused: number[]
 * (8-bit, as `unitToU8`) } or { error } once a run ends. `?backend=wasm|cpu|webgl` forces a backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { decodeSafetensors } from '../io/safetensors.js';
import { paramsFromStateDict, type AuifParams } from '../model/params.js';
import { luma601, u8ToUnit, unitToU8, ImageError, type GreyImage } from '../io/image.js';
import { absQuantile, checkPagePair, computePage, type PageResult } from './compute.js';
import { divergingColour } from '../figures/colormap.js';
import type { FusionMode } from '../fusion/rules.js';

/** Filled in by the build (lib/site/build.ts): base64 of the weights and of the three wasm binaries. */
declare const __AUIF_WEIGHTS_B64__: string;
declare const __AUIF_WASM_B64__: Record<string, string>;

interface PageState { backend: string; params: AuifParams; result?: PageResult; files: { ir?: File; vis?: File } }

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const fromB64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

function status(text: string, kind: 'info' | 'busy' | 'error' = 'info', fraction?: number): void {
  const el = $('status');
  el.textContent = text;
  el.className = kind;
  const bar = $<HTMLProgressElement>('progress');
  bar.hidden = kind !== 'busy';
  if (fraction !== undefined) bar.value = fraction;
}

const repaint = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));

/** WebGL (float32 render targets only: half floats would not reproduce fuse()), else wasm, else cpu. */
async function pickBackend(): Promise<string> {
  const wanted = new URLSearchParams(location.search).get('backend');
  const why: string[] = [];
  if (!wanted || wanted === 'webgl') {
    try {
      if (await tf.setBackend('webgl')) {
        await tf.ready();
        if (tf.env().getBool('WEBGL_RENDER_FLOAT32_CAPABLE')) return 'webgl';
        why.push('webgl: no float32 render targets');
      } else why.push('webgl: could not initialise (WebGL unavailable)');
    } catch (e) { why.push(`webgl: ${(e as Error).message}`); }
  }
  const map: Record<string, string> = {};
  for (const [name, b64] of Object.entries(__AUIF_WASM_B64__)) map[name] = `data:application/wasm;base64,${b64}`;
  if (!wanted || wanted === 'wasm') {
    try {
      setWasmPaths(map);
      if (await tf.setBackend('wasm')) { await tf.ready(); ($('backend-note')).textContent = why.join('; '); return 'wasm'; }
      why.push('wasm: could not initialise');
    } catch (e) { why.push(`wasm: ${(e as Error).message}`); }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  $('backend-note').textContent = why.join('; ');
  return 'cpu';
}

/**
 * Decodes a user file to 8-bit grey: the browser's decoder, then L = (19595 R + 38470 G + 7471 B
 * + 2¹⁵) >> 16 per pixel (PIL `convert('L')`, lib/io/image.ts). Colour management is off
 * (`colorSpaceConversion: 'none'`) so the file's own values are used.
 */
async function readGrey(file: File, label: string): Promise<GreyImage & { colour: boolean; rgba: Uint8ClampedArray }> {
  let bmp: ImageBitmap;
  try {
    bmp = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new ImageError(`${label} '${file.name}' is not an image this browser can decode (use PNG, JPEG, BMP, WebP or GIF)`, file.name);
  }
  const canvas = document.createElement('canvas');
  canvas.width = bmp.width;
  canvas.height = bmp.height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bmp, 0, 0);
  const rgba = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
  const n = bmp.width * bmp.height;
  const L = new Uint8Array(n);
  let colour = false;
  for (let i = 0; i < n; i++) {
    const r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2];
    if (r !== g || g !== b) colour = true;
    L[i] = luma601(r, g, b);
  }
  return { width: bmp.width, height: bmp.height, data: u8ToUnit(L), colour, rgba };
}

/** Draws a map into a canvas: grey on [lo, hi], or diverging on [−m, m] when `signed`. */
function draw(canvas: HTMLCanvasElement, w: number, h: number, data: Float32Array, scale: { signed: boolean; lo: number; hi: number }): void {
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(w, h);
  const lut = scale.signed ? Array.from({ length: 1025 }, (_, j) => divergingColour(j / 512 - 1)) : null;
  for (let i = 0; i < w * h; i++) {
    const v = data[i];
    let rgb: readonly number[];
    if (lut) {
      const t = Math.min(1, Math.max(-1, v / scale.hi));
      rgb = lut[Math.round((Number.isNaN(t) ? 0 : t + 1) * 512)];
    } else {
      const g = Math.round(255 * Math.min(1, Math.max(0, (v - scale.lo) / (scale.hi - scale.lo))));
      rgb = [g, g, g];
    }
    img.data[4 * i] = rgb[0]; img.data[4 * i + 1] = rgb[1]; img.data[4 * i + 2] = rgb[2]; img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

const fmt = (v: number) => (Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(3) : v.toExponential(1)).replace('-', '−');

/** A colour bar with its end and middle values as labels. */
function scaleBar(el: HTMLElement, signed: boolean, lo: number, hi: number): void {
  const stops = signed ? Array.from({ length: 11 }, (_, j) => { const c = divergingColour(j / 5 - 1); return `rgb(${c.join(',')})`; }) : ['#000', '#fff'];
  el.innerHTML = `<span>${fmt(signed ? -hi : lo)}</span><i style="background:linear-gradient(to right,${stops.join(',')})"></i><span>${fmt(signed ? hi : hi)}</span>`
    + (signed ? '<em>0 = white</em>' : '');
}

/** ηₖ and θₖ of both encoders as a small inline SVG line chart. */
function stepChart(steps: PageResult['steps']): string {
  const W = 360, H = 150, L = 40, R = 10, T = 12, B = 28;
  const series = [
    { name: 'η base', v: steps.base.eta, c: '#1f77b4', dash: '' },
    { name: 'θ base', v: steps.base.theta, c: '#1f77b4', dash: '4 3' },
    { name: 'η detail', v: steps.detail.eta, c: '#d62728', dash: '' },
    { name: 'θ detail', v: steps.detail.theta, c: '#d62728', dash: '4 3' },
  ];
  const all = series.flatMap((s) => s.v);
  const lo = Math.min(0, ...all), hi = Math.max(...all);
  const n = steps.base.eta.length;
  const x = (k: number) => L + (k / Math.max(1, n - 1)) * (W - L - R);
  const y = (v: number) => T + (1 - (v - lo) / (hi - lo || 1)) * (H - T - B);
  const lines = series.map((s) => `<polyline fill="none" stroke="${s.c}" stroke-dasharray="${s.dash}" stroke-width="1.5" points="${s.v.map((v, k) => `${x(k).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`).join('');
  const ticks = Array.from({ length: n }, (_, k) => `<text x="${x(k)}" y="${H - B + 14}" text-anchor="middle">${k}</text>`).join('');
  const yt = [lo, (lo + hi) / 2, hi].map((v) => `<text x="${L - 4}" y="${y(v) + 4}" text-anchor="end">${fmt(v)}</text><line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`).join('');
  const legend = series.map((s, i) => `<g transform="translate(${L + 8 + i * 78},${T})"><line x1="0" x2="16" y1="0" y2="0" stroke="${s.c}" stroke-dasharray="${s.dash}" stroke-width="1.5"/><text x="20" y="4">${s.name}</text></g>`).join('');
  return `<svg id="steps-svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-size="10" role="img" aria-label="learned eta and theta per layer">${yt}${lines}${ticks}<text x="${(L + W - R) / 2}" y="${H - 2}" text-anchor="middle">layer k</text>${legend}</svg>`;
}

function showIterates(r: PageResult, k: number): void {
  const { width: w, height: h } = r;
  $('k-value').textContent = String(k);
  const m = Number($('iterates').dataset.m);
  const cells: [string, Float32Array, boolean][] = [
    ['it-lb-ir', r.learned.B.ir[k], false], ['it-lb-vis', r.learned.B.vis[k], false],
    ['it-ld-ir', r.learned.D.ir[k], true], ['it-ld-vis', r.learned.D.vis[k], true],
    ['it-cb-ir', r.classic.B.ir[k], false], ['it-cb-vis', r.classic.B.vis[k], false],
    ['it-cd-ir', r.classic.D.ir[k], true], ['it-cd-vis', r.classic.D.vis[k], true],
  ];
  for (const [id, data, signed] of cells) draw($<HTMLCanvasElement>(id), w, h, data, signed ? { signed, lo: -m, hi: m } : { signed, lo: 0, hi: 1 });
}

async function run(state: PageState): Promise<void> {
  const { ir, vis } = state.files;
  if (!ir || !vis) { status(`choose ${!ir && !vis ? 'an infrared and a visible image' : !ir ? 'the infrared image' : 'the visible image'}`); return; }
  const w = window as unknown as { __auifResult?: unknown };
  w.__auifResult = undefined;
  $('results').hidden = true;
  try {
    status('reading the images…', 'busy', 0);
    const [gi, gv] = [await readGrey(ir, 'IR image'), await readGrey(vis, 'VIS image')];
    const maxSide = state.backend === 'webgl' ? tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE') : Infinity;
    checkPagePair(gi, gv, undefined, maxSide);
    // HOOK(issue 11, colour fusion): when `gv.colour`, fuse on Y and restore the VIS chroma
    // (lib/fusion colour path of issue 11, once merged): F_rgb = fromYCbCr(F, Cb(vis), Cr(vis)).
    // Until then a colour VIS image is reduced to luma, as `npx auif fuse` does today.
    $('colour-note').hidden = !gv.colour;
    const mode = ($<HTMLSelectElement>('mode')).value as FusionMode;
    const t0 = performance.now();
    const r = await computePage(gi, gv, state.params, mode, async (f, what) => { status(`computing: ${what}…`, 'busy', f); await repaint(); });
    state.result = r;
    draw($<HTMLCanvasElement>('show-ir'), r.width, r.height, gi.data, { signed: false, lo: 0, hi: 1 });
    draw($<HTMLCanvasElement>('show-vis'), r.width, r.height, gv.data, { signed: false, lo: 0, hi: 1 });
    draw($<HTMLCanvasElement>('show-fused'), r.width, r.height, r.fused, { signed: false, lo: 0, hi: 1 });
    const m = absQuantile([...r.learned.D.ir, ...r.learned.D.vis, ...r.classic.D.ir, ...r.classic.D.vis]);
    $('iterates').dataset.m = String(m);
    for (const el of document.querySelectorAll<HTMLElement>('.bar-b')) scaleBar(el, false, 0, 1);
    for (const el of document.querySelectorAll<HTMLElement>('.bar-d')) scaleBar(el, true, -m, m);
    $('steps').innerHTML = stepChart(r.steps);
    const slider = $<HTMLInputElement>('k');
    slider.max = String(r.learned.B.ir.length - 1);
    showIterates(r, Number(slider.value));
    $('results').hidden = false;
    const ms = performance.now() - t0;
    status(`fused ${r.width}×${r.height} (${mode} rule) in ${(ms / 1000).toFixed(1)} s on the ${state.backend} backend`);
    const u8 = unitToU8(r.fused);
    $<HTMLAnchorElement>('download').href = pngUrl(r.width, r.height, u8);
    w.__auifResult = { backend: state.backend, width: r.width, height: r.height, mode, fused: Array.from(u8) };
  } catch (e) {
    const msg = e instanceof ImageError ? e.message : `could not fuse: ${(e as Error).message ?? e} (the images may be too large for this device)`;
    status(msg, 'error');
    w.__auifResult = { error: msg };
  }
}

function pngUrl(w: number, h: number, u8: Uint8Array): string {
  const c = document.createElement('canvas');
  c.width = w; c.height = h;
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < u8.length; i++) { img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = u8[i]; img.data[4 * i + 3] = 255; }
  ctx.putImageData(img, 0, 0);
  return c.toDataURL('image/png');
}

async function main(): Promise<void> {
  status('starting tfjs…', 'busy', 0);
  const backend = await pickBackend();
  $('backend').textContent = backend;
  const params = paramsFromStateDict(decodeSafetensors(fromB64(__AUIF_WEIGHTS_B64__), 'auif_pretrained.safetensors').tensors);
  const state: PageState = { backend, params, files: {} };
  (window as unknown as { __auifBackend: string }).__auifBackend = backend;
  const pick = (which: 'ir' | 'vis', f: File | undefined) => { if (!f) return; state.files[which] = f; $(`${which}-name`).textContent = f.name; void run(state); };
  for (const which of ['ir', 'vis'] as const) {
    const input = $<HTMLInputElement>(`${which}-file`);
    input.addEventListener('change', () => pick(which, input.files?.[0]));
    const zone = $(`${which}-drop`);
    zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (e) => { e.preventDefault(); zone.classList.remove('over'); pick(which, e.dataTransfer?.files[0]); });
  }
  $('mode').addEventListener('change', () => void run(state));
  $<HTMLInputElement>('k').addEventListener('input', () => { if (state.result) showIterates(state.result, Number($<HTMLInputElement>('k').value)); });
  status(`ready (${backend} backend): choose an infrared and a visible image`);
}

main().catch((e) => { status(`the page could not start: ${(e as Error).message}`, 'error'); (window as unknown as { __auifResult: unknown }).__auifResult = { error: String(e) }; });
