/**
 * The static teaching page (issue 19) in a real browser: `site/` is built (lib/site/build.ts),
 * opened from file:// in headless Chromium (playwright-core, system chromium), a 96×80 crop of
 * TNO pair 1 (staged, cropped here, written as PNGs to a temp folder) is loaded through the file
 * inputs, and the fused pixels the page publishes (`window.__auifResult`) are compared with
 * Node's `fuse()` (native kernels where built): every pixel within 1 grey level. Run on the
 * default browser backend and again with WebGL disabled (`--disable-webgl`, and every canvas
 * refusing a WebGL context, since headless Chromium keeps SwiftShader WebGL despite the flag),
 * where the page must fall back to wasm. A screenshot is saved under results/tmp/site/ (ignored) on failure.
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
import { encodeGreyPng, readGrey8, u8ToUnit, unitToU8, type Grey8Image } from '../../lib/io/image.js';
import { datasetPairs } from '../../lib/data/datasets.js';
import { StagingError } from '../../lib/data/stage.js';
import { buildSite } from '../../lib/site/build.js';
import { chromiumPath } from '../../lib/figures/plotly.js';
import { projectRoot, skipLoudly } from '../helpers/upstream.js';

const t = suite('site/page');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const CROP = { left: 150, top: 120, width: 96, height: 80 };
const shotDir = path.join(projectRoot, 'results', 'tmp', 'site');

function crop(img: Grey8Image, c = CROP): Grey8Image {
  const out = new Uint8Array(c.width * c.height);
  for (let r = 0; r < c.height; r++) out.set(img.data.subarray((c.top + r) * img.width + c.left, (c.top + r) * img.width + c.left + c.width), r * c.width);
  return { width: c.width, height: c.height, data: out };
}

let ctx: { site: string; ir: string; vis: string; expected: Uint8Array } | null | undefined;
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
  return (ctx = { site, ir, vis, expected: unitToU8(F.data) });
}

interface PageResult { backend?: string; width?: number; height?: number; fused?: number[]; error?: string }

/** Makes WebGL unavailable to the page: every canvas refuses a 'webgl'/'webgl2' context (as on a machine without it). */
function noWebgl(): void {
  for (const C of [HTMLCanvasElement, typeof OffscreenCanvas === 'undefined' ? null : OffscreenCanvas]) {
    if (!C) continue;
    const orig = C.prototype.getContext as (this: unknown, id: string, ...rest: unknown[]) => unknown;
    (C.prototype as { getContext: unknown }).getContext = function (this: unknown, id: string, ...rest: unknown[]) { return /webgl/i.test(id) ? null : orig.call(this, id, ...rest); };
  }
}

async function runPage(extraArgs: string[], name: string, withoutWebgl = false): Promise<{ result: PageResult; backend: string }> {
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
    await page.setInputFiles('#ir-file', c.ir);
    await page.setInputFiles('#vis-file', c.vis);
    await page.waitForFunction(() => (window as unknown as { __auifResult?: unknown }).__auifResult, null, { timeout: 120_000 });
    const result = await page.evaluate(() => (window as unknown as { __auifResult: PageResult }).__auifResult);
    const backend = await page.evaluate(() => (window as unknown as { __auifBackend?: string }).__auifBackend ?? '');
    return { result, backend };
  } catch (e) {
    fs.mkdirSync(shotDir, { recursive: true });
    await page.screenshot({ path: path.join(shotDir, `${name}.png`), fullPage: true }).catch(() => {});
    throw new Error(`${(e as Error).message.split('\n')[0]}; page log: ${logs.slice(-5).join(' | ')}; screenshot in ${shotDir}`);
  } finally {
    await browser.close();
  }
}

async function check(extraArgs: string[], name: string, withoutWebgl = false): Promise<string> {
  if (!(await setup())) return '';
  const { result, backend } = await runPage(extraArgs, name, withoutWebgl);
  const c = ctx!;
  assert.is(result.error, undefined, `page error: ${result.error}`);
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

t.after(() => { if (ctx) fs.rmSync(path.dirname(ctx.site), { recursive: true, force: true }); });
t.run();
