/**
 * The teaching page's script (issue 19), bundled by lib/site/build.ts into `site/auif-site.js`
 * (an IIFE, so it runs from file://). It picks a tfjs backend (WebGL, else wasm, else cpu), reads
 * the user's IR and VIS files as 8-bit grey or RGB (refusing transparent pixels, > 8 bits, CMYK, TIFF with one
 * line), fuses them with the authors' weights (inlined at build time) through lib/site/compute.ts
 * inside the library's colour path (lib/fusion/colour.ts `fuseColour`: a colour visible image is
 * fused on its PIL YCbCr luma Y and keeps its Cb, Cr; a colour infrared image is reduced to PIL
 * luma L; grey images are fused as grey), and draws IR | VIS | F, the iterates Bᵏ, Dᵏ of both
 * encoders (of Y for a colour visible image) beside the classic solver's on fixed, labelled
 * scales, and the learned ηₖ, θₖ.
 *
 * For tests the page publishes `window.__auifResult` = { backend, width, height, mode, channels,
 * colour, irReducedToLuma, fused: number[] (8-bit; interleaved RGB when channels = 3, as
 * `fuseColour().F`) } or { error } once a run ends. `?backend=wasm|cpu|webgl` forces a backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { decodeSafetensors } from '../io/safetensors.js';
import { paramsFromStateDict, type AuifParams } from '../model/params.js';
import { ImageError } from '../io/image.js';
import { luma8, type Image8 } from '../io/colour_image.js';
import { formatName, readImageHeader, unsupportedReason } from '../io/image_header.js';
import { decodeBmp } from '../io/bmp.js';
import { fuseColour } from '../fusion/colour.js';
import { absQuantile, checkPagePair, image8FromPixels, pageFuser, type PageResult } from './compute.js';
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
 * Decodes a user file to an 8-bit grey or RGB image (lib/io/colour_image.ts `Image8`) without
 * changing a value: first its header is checked (lib/io/image_header.ts: more than 8 bits,
 * CMYK and TIFF are refused with one line, as `readImage8` refuses them in Node, because a
 * browser would silently convert them); BMP is decoded by lib/io/bmp.ts, exactly as in Node;
 * anything else by the browser with colour management off (`colorSpaceConversion: 'none'`), and
 * a pixel with alpha < 255 is refused.
 */
async function readImage(file: File, label: string): Promise<Image8> {
  const name = `${label} '${file.name}'`;
  const bytes = new Uint8Array(await file.arrayBuffer());
  const header = readImageHeader(bytes);
  const why = unsupportedReason(header, { browser: true });
  if (why) throw new ImageError(`${name}: ${why}`, file.name);
  if (header.format === 'BMP') {
    let decoded;
    try { decoded = decodeBmp(bytes, name); } catch (e) { throw new ImageError((e as Error).message, file.name); }
    return image8FromPixels(decoded.width, decoded.height, decoded.rgb, 3, name);
  }
  let bmp: ImageBitmap;
  try {
    bmp = await createImageBitmap(new Blob([bytes]), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new ImageError(`${name} is not an image this browser can decode (use PNG, JPEG, BMP, WebP or GIF)`, file.name);
  }
  const canvas = document.createElement('canvas');
  canvas.width = bmp.width;
  canvas.height = bmp.height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bmp, 0, 0);
  return image8FromPixels(bmp.width, bmp.height, ctx.getImageData(0, 0, bmp.width, bmp.height).data, 4, name, formatName(header));
}

/** Draws an 8-bit grey or RGB image into a canvas. */
function drawImage8(canvas: HTMLCanvasElement, im: Image8): void {
  canvas.width = im.width;
  canvas.height = im.height;
  const ctx = canvas.getContext('2d')!;
  const out = ctx.createImageData(im.width, im.height);
  for (let i = 0; i < im.width * im.height; i++) {
    for (let c = 0; c < 3; c++) out.data[4 * i + c] = im.channels === 3 ? im.data[3 * i + c] : im.data[i];
    out.data[4 * i + 3] = 255;
  }
  ctx.putImageData(out, 0, 0);
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
  $('colour-note').hidden = $('ir-colour-note').hidden = true;
  try {
    status('reading the images…', 'busy', 0);
    const [ir8, vis8] = [await readImage(ir, 'IR image'), await readImage(vis, 'VIS image')];
    const maxSide = state.backend === 'webgl' ? tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE') : Infinity;
    const names = { ir: `IR image '${ir.name}'`, vis: `VIS image '${vis.name}'` };
    checkPagePair(ir8, vis8, undefined, maxSide, names);
    const mode = ($<HTMLSelectElement>('mode')).value as FusionMode;
    const t0 = performance.now();
    // A colour VIS image is fused on its PIL YCbCr luma Y and keeps its Cb, Cr; a colour IR image
    // is reduced to PIL luma L (lib/fusion/colour.ts, the same function as `npx auif fuse`).
    const fuser = pageFuser(state.params, mode, async (f, what) => { status(`computing: ${what}…`, 'busy', f); await repaint(); });
    const c = await fuseColour(fuser, ir8, vis8, { names });
    const r = fuser.last!;
    state.result = r;
    $('colour-note').hidden = !c.colour;
    $('ir-colour-note').hidden = !c.irReducedToLuma;
    drawImage8($<HTMLCanvasElement>('show-ir'), { ...luma8(ir8), channels: 1 });
    drawImage8($<HTMLCanvasElement>('show-vis'), vis8);
    drawImage8($<HTMLCanvasElement>('show-fused'), c.F);
    $('vis-caption').textContent = c.colour ? 'visible (its luma Y is fused)' : 'visible';
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
    status(`fused ${r.width}×${r.height} (${mode} rule${c.colour ? ', colour: Y fused, Cb/Cr kept' : ''}) in ${(ms / 1000).toFixed(1)} s on the ${state.backend} backend`);
    $<HTMLAnchorElement>('download').href = pngUrl(c.F);
    w.__auifResult = { backend: state.backend, width: r.width, height: r.height, mode, channels: c.F.channels, colour: c.colour, irReducedToLuma: c.irReducedToLuma, fused: Array.from(c.F.data) };
  } catch (e) {
    const msg = e instanceof ImageError ? e.message : `could not fuse: ${(e as Error).message ?? e} (the images may be too large for this device)`;
    status(msg, 'error');
    w.__auifResult = { error: msg };
  }
}

function pngUrl(im: Image8): string {
  const c = document.createElement('canvas');
  drawImage8(c, im);
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
