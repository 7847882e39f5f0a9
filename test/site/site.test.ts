/**
 * The static teaching page (issue 19) in a real browser: `site/` is built (lib/site/build.ts),
 * opened from file:// in headless Chromium (playwright-core, system chromium), a 96×80 crop of
 * TNO pair 1 (staged, cropped here, written as PNGs to a temp folder) is loaded through the file
 * inputs, and the fused pixels the page publishes (`window.__auifResult`) are compared with
 * Node's `fuse()` (native kernels where built): every pixel within 1 grey level. Run on the
 * default browser backend and again with WebGL disabled (`--disable-webgl`, and every canvas
 * refusing a WebGL context, since headless Chromium keeps SwiftShader WebGL despite the flag),
 * where the page must fall back to wasm. The colour path likewise: a 96×80 crop of VIFB carShadow
 * (staged; colour visible, 3-channel JPEG infrared) is written as lossless PNGs, fused in the page,
 * and its RGB result compared with `fuseColour()` (lib/fusion/colour.ts, the registry's AUIF,
 * native kernels where built) on the same crop: every channel of every pixel within 1 level, on
 * both backends, and the canvases show those pixels; then the colour visible crop is given as the
 * infrared image too: reduced to luma, with the note shown, again = fuseColour(). Unsupported files (alpha, 16-bit, CMYK, TIFF, undecodable, unequal, too large)
 * must each give one line on the page naming the file and the fault (a BMP is decoded by
 * lib/io/bmp.ts, as in Node: its size appears in the message). A screenshot is saved under
 * results/tmp/site/ (ignored) on failure.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { initBackend } from '../../lib/backend/select.js';
import { loadWeights } from '../../lib/model/checkpoint.js';
import { fuse } from '../../lib/model/auif.js';
import sharp from 'sharp';
import { encodeGreyPng, readGrey8, u8ToUnit, unitToU8, type Grey8Image } from '../../lib/io/image.js';
import { encodePng, readImage8 } from '../../lib/io/colour_image.js';
import { fuseColour } from '../../lib/fusion/colour.js';
import { getMethod } from '../../lib/methods/index.js';
import { stagedPath } from '../../lib/data/stage.js';
import { crop8 } from '../helpers/crop.js';
import { datasetPairs } from '../../lib/data/datasets.js';
import { StagingError } from '../../lib/data/stage.js';
import { buildSite } from '../../lib/site/build.js';
import { chromiumPath } from '../../lib/figures/plotly.js';
import { projectRoot, skipLoudly, upstreamGroup } from '../helpers/upstream.js';

const t = suite('site/page');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const CROP = { left: 150, top: 120, width: 96, height: 80 };
const shotDir = path.join(projectRoot, 'results', 'tmp', 'site');

function crop(img: Grey8Image, c = CROP): Grey8Image {
  const out = new Uint8Array(c.width * c.height);
  for (let r = 0; r < c.height; r++) out.set(img.data.subarray((c.top + r) * img.width + c.left, (c.top + r) * img.width + c.left + c.width), r * c.width);
  return { width: c.width, height: c.height, data: out };
}

let ctx: { site: string; ir: string; vis: string; expected: Uint8Array; tnoIrBmp: string } | null | undefined;
async function setup(): Promise<typeof ctx> {
  if (ctx !== undefined) return ctx;
  try { chromiumPath(); } catch (e) { skipLoudly('site browser test', (e as Error).message); return (ctx = null); }
  let pair;
  try { pair = (await datasetPairs('tno', { quiet: true }))[0]; } catch (e) {
    if (e instanceof StagingError) { skipLoudly('site browser test (TNO pair 1)', e.message); return (ctx = null); }
    throw e;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-site-'));
  const [ir8, vis8] = [crop(await readGrey8(pair.ir)), crop(await readGrey8(pair.vis))];
  const ir = path.join(tmp, 'IR1-crop.png');
  const vis = path.join(tmp, 'VIS1-crop.png');
  fs.writeFileSync(ir, await encodeGreyPng(ir8));
  fs.writeFileSync(vis, await encodeGreyPng(vis8));
  await initBackend({ quiet: true });
  const params = await loadWeights();
  const F = await fuse({ ...ir8, data: u8ToUnit(ir8.data) }, { ...vis8, data: u8ToUnit(vis8.data) }, params, 'sum');
  const site = path.join(tmp, 'site');
  await buildSite(site);
  return (ctx = { site, ir, vis, expected: unitToU8(F.data), tnoIrBmp: pair.ir });
}

interface PageResult { backend?: string; width?: number; height?: number; channels?: number; colour?: boolean; irReducedToLuma?: boolean; fused?: number[]; error?: string }

/** Makes WebGL unavailable to the page: every canvas refuses a 'webgl'/'webgl2' context (as on a machine without it). */
function noWebgl(): void {
  for (const C of [HTMLCanvasElement, typeof OffscreenCanvas === 'undefined' ? null : OffscreenCanvas]) {
    if (!C) continue;
    const orig = C.prototype.getContext as (this: unknown, id: string, ...rest: unknown[]) => unknown;
    (C.prototype as { getContext: unknown }).getContext = function (this: unknown, id: string, ...rest: unknown[]) { return /webgl/i.test(id) ? null : orig.call(this, id, ...rest); };
  }
}

type Page = import('playwright-core').Page;

/** Opens the built page in Chromium, waits for tfjs to start, runs `body`; screenshot + page log on failure. */
async function withPage<T>(extraArgs: string[], name: string, withoutWebgl: boolean, body: (page: Page) => Promise<T>): Promise<T> {
  const c = (await setup())!;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...ARGS, ...extraArgs] });
  const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
  const logs: string[] = [];
  page.on('console', (m) => logs.push(m.text()));
  page.on('pageerror', (e) => logs.push(String(e)));
  if (withoutWebgl) await page.addInitScript(noWebgl);
  try {
    await page.goto(pathToFileURL(path.join(c.site, 'index.html')).href);
    await page.waitForFunction(() => (window as unknown as { __auifBackend?: string }).__auifBackend || (window as unknown as { __auifResult?: unknown }).__auifResult, null, { timeout: 60_000 });
    return await body(page);
  } catch (e) {
    fs.mkdirSync(shotDir, { recursive: true });
    await page.screenshot({ path: path.join(shotDir, `${name}.png`), fullPage: true }).catch(() => {});
    throw new Error(`${(e as Error).message.split('\n')[0]}; page log: ${logs.slice(-5).join(' | ')}; screenshot in ${shotDir}`);
  } finally {
    await browser.close();
  }
}

/** Gives the page files through its inputs (only those named) and waits for the run's published result. */
async function fuseIn(page: Page, files: { ir?: string; vis?: string }): Promise<PageResult> {
  await page.evaluate(() => { (window as unknown as { __auifResult?: unknown }).__auifResult = undefined; });
  if (files.ir) await page.setInputFiles('#ir-file', files.ir);
  if (files.vis) await page.setInputFiles('#vis-file', files.vis);
  await page.waitForFunction(() => (window as unknown as { __auifResult?: unknown }).__auifResult, null, { timeout: 120_000 });
  return page.evaluate(() => (window as unknown as { __auifResult: PageResult }).__auifResult);
}

async function runPage(extraArgs: string[], name: string, withoutWebgl = false): Promise<{ result: PageResult; backend: string }> {
  return withPage(extraArgs, name, withoutWebgl, async (page) => {
    const result = await fuseIn(page, { ir: ctx!.ir, vis: ctx!.vis });
    const backend = await page.evaluate(() => (window as unknown as { __auifBackend?: string }).__auifBackend ?? '');
    return { result, backend };
  });
}

async function check(extraArgs: string[], name: string, withoutWebgl = false): Promise<string> {
  if (!(await setup())) return '';
  const { result, backend } = await runPage(extraArgs, name, withoutWebgl);
  const c = ctx!;
  assert.is(result.error, undefined, `page error: ${result.error}`);
  assert.is(result.channels, 1, 'a grey pair gives a grey result');
  assert.is(result.width, CROP.width);
  assert.is(result.height, CROP.height);
  const got = result.fused!;
  assert.is(got.length, c.expected.length);
  let worst = 0, differing = 0;
  for (let i = 0; i < got.length; i++) { const d = Math.abs(got[i] - c.expected[i]); worst = Math.max(worst, d); if (d) differing++; }
  console.log(`    site (${name}, ${backend}): ${differing} of ${got.length} pixels differ from fuse(), by at most ${worst} grey level(s)`);
  assert.ok(worst <= 1, `browser F differs from fuse() by ${worst} grey levels (> 1) on ${backend}`);
  return backend;
}

t('the page fuses a TNO crop like fuse() (≤ 1 grey level) on the default browser backend', async () => {
  const backend = await check([], 'default');
  if (backend) assert.ok(['webgl', 'wasm'].includes(backend), `default backend ${backend}`);
});

t('with WebGL disabled the page falls back to wasm, same result', async () => {
  const backend = await check(['--disable-webgl', '--disable-3d-apis'], 'no-webgl', true);
  if (backend) assert.is(backend, 'wasm');
});

/** The colour pair: a crop of VIFB carShadow as PNGs, and fuseColour()'s result on it (Node). */
let colourCtx: { ir: string; vis: string; expected: Uint8Array; irReducedToLuma: boolean; expectedColourIr: Uint8Array; visPixels: Uint8Array } | null | undefined;
const CCROP = { left: 150, top: 90, width: 96, height: 80 };
async function colourSetup(): Promise<typeof colourCtx> {
  if (colourCtx !== undefined) return colourCtx;
  if (!(await setup()) || !(await upstreamGroup('vifb'))) return (colourCtx = null);
  const cut = async (f: string) => crop8(await readImage8(stagedPath(f, 'vifb')), CCROP.left, CCROP.top, CCROP.width, CCROP.height);
  const [ir8, vis8] = [await cut('input/IR/carShadow.jpg'), await cut('input/VI/carShadow.jpg')];
  assert.is(vis8.channels, 3, 'carShadow visible crop is RGB');
  const dir = path.dirname(ctx!.site);
  const ir = path.join(dir, 'carShadow-IR-crop.png');
  const vis = path.join(dir, 'carShadow-VI-crop.png');
  fs.writeFileSync(ir, await encodePng(ir8));
  fs.writeFileSync(vis, await encodePng(vis8));
  const fuser = await getMethod('auif').load();
  const want = await fuseColour(fuser, ir8, vis8);
  const colourIr = await fuseColour(fuser, vis8, vis8); // the visible crop given as the infrared image too
  fuser.dispose();
  assert.ok(want.colour && colourIr.irReducedToLuma);
  return (colourCtx = { ir, vis, expected: want.F.data, irReducedToLuma: want.irReducedToLuma, expectedColourIr: colourIr.F.data, visPixels: vis8.data });
}

const maxDiff = (got: number[], want: Uint8Array) => {
  assert.is(got.length, want.length);
  let worst = 0, differing = 0;
  for (let i = 0; i < got.length; i++) { const d = Math.abs(got[i] - want[i]); worst = Math.max(worst, d); if (d) differing++; }
  return { worst, differing };
};

/**
 * Fuses the colour crop in the page and compares with fuseColour(); with `colourIr`, then also
 * gives the colour visible crop as the infrared image: reduced to luma, and the page says so.
 */
async function checkColour(extraArgs: string[], name: string, withoutWebgl = false, colourIr = false): Promise<string> {
  const cc = await colourSetup();
  if (!cc) return '';
  return withPage(extraArgs, name, withoutWebgl, async (page) => {
    const backend = await page.evaluate(() => (window as unknown as { __auifBackend?: string }).__auifBackend ?? '');
    const result = await fuseIn(page, { ir: cc.ir, vis: cc.vis });
    assert.is(result.error, undefined, `page error: ${result.error}`);
    assert.is(result.colour, true, 'colour path taken');
    assert.is(result.channels, 3);
    assert.is(result.irReducedToLuma, cc.irReducedToLuma);
    assert.ok(await page.$eval('#colour-note', (el) => !(el as HTMLElement).hidden), 'colour note shown');
    const { worst, differing } = maxDiff(result.fused!, cc.expected);
    console.log(`    site colour (${name}, ${backend}): ${differing} of ${result.fused!.length} channel values (${result.fused!.length / 3} RGB pixels) differ from fuseColour(), by at most ${worst} level(s)`);
    assert.ok(worst <= 1, `browser RGB F differs from fuseColour() by ${worst} levels (> 1) on ${backend}`);
    // what the page shows: the fused canvas holds the published RGB pixels, the visible canvas the visible crop's
    const canvasRgb = (id: string) => page.$eval(id, (el) => {
      const cv = el as HTMLCanvasElement;
      const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
      return Array.from(d).filter((_, i) => i % 4 !== 3);
    });
    assert.equal(await canvasRgb('#show-fused'), result.fused, 'the fused canvas shows the RGB result');
    assert.equal(await canvasRgb('#show-vis'), Array.from(cc.visPixels), 'the visible canvas shows the colour image');
    if (colourIr) {
      const r2 = await fuseIn(page, { ir: cc.vis });
      assert.is(r2.error, undefined, `page error: ${r2.error}`);
      assert.is(r2.irReducedToLuma, true);
      const note = await page.$eval('#ir-colour-note', (el) => ((el as HTMLElement).hidden ? '' : el.textContent ?? ''));
      assert.match(note, /infrared image is in colour: it is reduced to its luma/);
      const d2 = maxDiff(r2.fused!, cc.expectedColourIr);
      console.log(`    site colour IR (${name}, ${backend}): reduced to luma, note shown; ${d2.differing} values differ from fuseColour(), by at most ${d2.worst}`);
      assert.ok(d2.worst <= 1, `colour-IR result differs by ${d2.worst} levels`);
    }
    return backend;
  });
}

t('a colour VIFB crop: the page\'s RGB result = fuseColour() (≤ 1 level per channel), default backend; a colour IR image is reduced to luma, with a note', async () => {
  const backend = await checkColour([], 'colour-default', false, true);
  if (backend) assert.ok(['webgl', 'wasm'].includes(backend), `default backend ${backend}`);
});

t('a colour VIFB crop with WebGL disabled (wasm): same', async () => {
  const backend = await checkColour(['--disable-webgl', '--disable-3d-apis'], 'colour-no-webgl', true);
  if (backend) assert.is(backend, 'wasm');
});

t('unsupported files: one line on the page naming the file and the fault', async () => {
  if (!(await setup())) return;
  const dir = path.join(path.dirname(ctx!.site), 'bad');
  fs.mkdirSync(dir, { recursive: true });
  const mk = async (name: string, s: sharp.Sharp) => { const f = path.join(dir, name); await s.toFile(f); return f; };
  const grey = (w: number, h: number, channels: 1 | 3 | 4 = 1) => sharp(Buffer.alloc(w * h * channels, 90), { raw: { width: w, height: h, channels } });
  const ir = await mk('ir.png', grey(32, 24).png());
  const cases: [string, RegExp][] = [
    [await mk('alpha.png', grey(32, 24, 4).png()), /^VIS image 'alpha\.png': PNG with an alpha channel that is not opaque \(pixel \(0, 0\) has alpha 90\); remove the alpha channel first/],
    [await mk('deep.png', grey(32, 24).png().toColourspace('grey16')), /^VIS image 'deep\.png': 16-bit PNG; only 8-bit images are read \(PIL's convert\('L'\) would clip it at 255, a rescaling would change every value\); convert it to 8 bits first/],
    [await mk('cmyk.jpg', grey(32, 24, 3).toColourspace('cmyk').jpeg()), /^VIS image 'cmyk\.jpg': JPEG in CMYK; convert it to RGB or grey first/],
    [await mk('scan.tif', grey(32, 24).tiff()), /^VIS image 'scan\.tif': TIFF, which browsers do not decode; convert it to PNG first/],
    [await mk('small.png', grey(32, 20).png()), /^IR and VIS sizes differ: IR image 'ir\.png' is 32×24, VIS image 'small\.png' is 32×20/],
  ];
  const notImage = path.join(dir, 'notes.png');
  fs.writeFileSync(notImage, 'this is not an image');
  cases.push([notImage, /^VIS image 'notes\.png' is not an image this browser can decode/]);
  const big = await mk('big.png', grey(1500, 1400).png());
  await withPage([], 'bad-files', false, async (page) => {
    await page.setInputFiles('#ir-file', ir);
    for (const [vis, re] of cases) {
      const r = await fuseIn(page, { vis });
      const shown = await page.$eval('#status', (el) => ({ text: el.textContent ?? '', cls: el.className }));
      assert.ok(r.error, `${path.basename(vis)}: no error (${JSON.stringify(r).slice(0, 80)})`);
      assert.match(r.error!, re);
      assert.is(shown.text, r.error, 'the status line shows the message');
      assert.is(shown.cls, 'error');
      assert.not.ok(r.error!.includes('\n'), 'one line');
      assert.ok(await page.$eval('#results', (el) => (el as HTMLElement).hidden), 'no stale result shown');
    }
    // a BMP is decoded by lib/io/bmp.ts in the page (as in Node): its size is in the message
    await fuseIn(page, { vis: path.join(dir, 'small.png') }); // one change per run: no race between two runs
    const rb = await fuseIn(page, { ir: ctx!.tnoIrBmp });
    assert.match(rb.error ?? '', new RegExp(`^IR and VIS sizes differ: IR image '${path.basename(ctx!.tnoIrBmp)}' is \\d+×\\d+, VIS image 'small\\.png' is 32×20`));
    await fuseIn(page, { ir: big });
    const r = await fuseIn(page, { vis: big });
    assert.match(r.error ?? '', /^the images are 1500×1400 = 2100000 pixels; this page handles at most 2000000 pixels on this device \(crop or downscale the pair, or use `npx auif fuse`\)$/);
    console.log(`    site bad files: ${cases.length + 3} refusals, e.g. "${r.error}"`);
  });
});

t.after(() => { if (ctx) fs.rmSync(path.dirname(ctx.site), { recursive: true, force: true }); });
t.run();
