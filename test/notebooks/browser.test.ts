/**
 * The executed notebooks' charts seen in real viewers (issue 12):
 *
 * 1. Debian's classic Jupyter Notebook server (`jupyter-notebook`, 6.x) on 127.0.0.1 with the
 *    project's tslab kernel (`.jupyter/`, written by `npm run reproduce`), each executed notebook
 *    opened in headless Chromium (playwright-core, as for the PNG export): the notebooks are
 *    trusted (signed by the run), so every chart must become an interactive plotly chart, and
 *    every chart area's screenshot must not be blank; an untrusted copy (one changed byte of
 *    metadata) must show every chart as its PNG, scripts not run, not blank either.
 * 2. `jupyter nbconvert --to html` of each executed notebook: every chart output is there as its
 *    PNG (an `<img>` with the output's own PNG data), and in Chromium its area is not blank.
 *
 * Needs the executed notebooks, Chromium, `jupyter-notebook` and `jupyter-nbconvert`; without one
 * of them the tests are skipped, loudly, naming what is missing and how to install it.
 * Screenshots are kept in results/tmp/browser/ (git-ignored) for a look.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { CHROMIUM_ARGS, chromiumPath } from '../../lib/figures/plotly.js';
import { projectRoot, skipLoudly } from '../helpers/upstream.js';

const t = suite('notebooks/browser');
const outDir = path.join(projectRoot, 'results', 'notebooks');
const shotDir = path.join(projectRoot, 'results', 'tmp', 'browser');
const PLOTLY_MIME = 'application/vnd.plotly.v1+json';
const APT = 'apt-get update && apt-get install -y chromium jupyter-notebook jupyter-nbconvert';

interface Output { data?: Record<string, unknown> }
interface Notebook { cells: { cell_type: string; outputs?: Output[] }[]; metadata: Record<string, unknown> }
const executed = fs.existsSync(outDir) ? fs.readdirSync(outDir).filter((f) => /^0.*\.ipynb$/.test(f)).sort() : [];
const chartPngs = (f: string) => (JSON.parse(fs.readFileSync(path.join(outDir, f), 'utf8')) as Notebook).cells
  .flatMap((c) => c.outputs ?? []).filter((o) => o.data && PLOTLY_MIME in o.data).map((o) => String(o.data!['image/png'] ?? ''));

/** Why the browser checks cannot run here (null: they can). */
function missing(): string | null {
  if (executed.length === 0) return 'no executed notebooks in results/notebooks/ — run `npm run reproduce` first';
  try { chromiumPath(); } catch (e) { return (e as Error).message.split('\n')[0]; }
  for (const cmd of ['jupyter-notebook', 'jupyter-nbconvert']) {
    if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0) return `${cmd} is not installed (Debian: ${APT})`;
  }
  if (!fs.existsSync(path.join(projectRoot, '.jupyter', 'kernels', 'tslab', 'kernel.json'))) return 'the tslab kernel spec .jupyter/kernels/tslab is missing — run `npm run reproduce -- --setup`';
  return null;
}

/**
 * How much of a screenshot is drawn: the fraction of pixels that differ from the most common
 * colour (the background) by more than 24 grey levels in some channel.
 */
async function inkFraction(png: Buffer): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const counts = new Map<number, number>();
  for (let i = 0; i < data.length; i += 3) { const k = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2]; counts.set(k, (counts.get(k) ?? 0) + 1); }
  const bg = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  const [r, g, b] = [bg >> 16, (bg >> 8) & 255, bg & 255];
  let ink = 0;
  for (let i = 0; i < data.length; i += 3) if (Math.max(Math.abs(data[i] - r), Math.abs(data[i + 1] - g), Math.abs(data[i + 2] - b)) > 24) ink++;
  return ink / (info.width * info.height);
}
/** Below this much ink a chart area counts as blank (an axis-only plotly chart has ~1–2 %). */
const MIN_INK = 0.02;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address() as net.AddressInfo; s.close(() => resolve(port)); });
  });
}

type Browser = import('playwright-core').Browser;
type Page = import('playwright-core').Page;

async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_ARGS] });
}

/** Screenshots every `.auif-chart` of the page (scrolled into view); returns their ink fractions. */
async function chartInk(page: Page, tag: string): Promise<number[]> {
  const charts = await page.locator('.auif-chart').all();
  const inks: number[] = [];
  for (const [i, el] of charts.entries()) {
    await el.scrollIntoViewIfNeeded();
    const png = await el.screenshot({ timeout: 30_000 });
    fs.writeFileSync(path.join(shotDir, `${tag}-chart${i + 1}.png`), png);
    inks.push(await inkFraction(png));
  }
  return inks;
}

const why = missing();
if (why) {
  skipLoudly('notebooks/browser', why);
  t.skip('classic notebook in Chromium: trusted → interactive charts, untrusted → PNGs, none blank (cannot run here)', () => {});
  t.skip('nbconvert --to html: every chart as its PNG, not blank (cannot run here)', () => {});
} else {
  fs.mkdirSync(shotDir, { recursive: true });

  t('classic notebook in Chromium: trusted → interactive charts, untrusted → PNGs, none blank', async () => {
    const port = await freePort();
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-jupyter-config-'));
    const untrusted = path.join(shotDir, 'untrusted.ipynb');
    let server: ChildProcess | null = null;
    let log = '';
    let browser: Browser | null = null;
    try {
      server = spawn('jupyter-notebook', [
        '--no-browser', '--allow-root', `--port=${port}`, '--ip=127.0.0.1', '--NotebookApp.port_retries=0',
        "--NotebookApp.token=", "--NotebookApp.password=", `--notebook-dir=${projectRoot}`,
      ], {
        cwd: projectRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, JUPYTER_PATH: path.join(projectRoot, '.jupyter'), JUPYTER_CONFIG_DIR: configDir, BROWSER: 'true' },
      });
      server.stdout!.on('data', (d) => { log += d; });
      server.stderr!.on('data', (d) => { log += d; });
      const base = `http://127.0.0.1:${port}`;
      const t0 = Date.now();
      for (;;) {
        try { if ((await fetch(`${base}/api/status`)).ok) break; } catch { /* not up yet */ }
        if (Date.now() - t0 > 90_000 || server.exitCode !== null) assert.unreachable(`jupyter-notebook did not start on ${base}:\n${log.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      const specs = (await (await fetch(`${base}/api/kernelspecs`)).json()) as { kernelspecs: Record<string, { spec: { argv: string[] } }> };
      assert.ok(specs.kernelspecs.tslab, `the server does not see the project's tslab kernel (has: ${Object.keys(specs.kernelspecs).join(', ')})`);
      assert.ok(specs.kernelspecs.tslab.spec.argv[0].startsWith(projectRoot), `tslab kernel spec is not the project's: ${specs.kernelspecs.tslab.spec.argv[0]}`);

      browser = await launch();
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      const open = async (rel: string) => {
        await page.goto(`${base}/notebooks/${rel}`, { waitUntil: 'load', timeout: 90_000 });
        await page.waitForSelector('.output_area', { timeout: 90_000 });
      };
      for (const f of executed) {
        const n = chartPngs(f).length;
        if (n === 0) continue;
        await open(`results/notebooks/${f}`);
        assert.ok(await page.evaluate(() => (window as unknown as { IPython: { notebook: { trusted: boolean } } }).IPython.notebook.trusted), `${f} is not trusted in the classic notebook (the run should sign it)`);
        await page.waitForFunction((k) => document.querySelectorAll('.auif-chart .js-plotly-plot').length >= k, n, { timeout: 60_000 })
          .catch(() => undefined);
        const interactive = await page.locator('.auif-chart .js-plotly-plot').count();
        assert.is(await page.locator('.auif-chart').count(), n, `${f}: chart areas on the page`);
        assert.is(interactive, n, `${f}: interactive (plotly) charts in the trusted notebook; page errors: ${errors.join(' | ') || 'none'}`);
        const inks = await chartInk(page, f.slice(0, 2));
        inks.forEach((ink, i) => assert.ok(ink >= MIN_INK, `${f}: chart ${i + 1} looks blank in the trusted notebook (${(100 * ink).toFixed(2)} % ink)`));
        await page.screenshot({ path: path.join(shotDir, `${f.slice(0, 2)}-page.png`) });
      }

      // An untrusted notebook: the same charts, as their PNGs (scripts are not run).
      const first = executed.find((f) => chartPngs(f).length > 0)!;
      const nb = JSON.parse(fs.readFileSync(path.join(outDir, first), 'utf8')) as Notebook;
      nb.metadata.auif_untrusted_copy = true;
      fs.writeFileSync(untrusted, JSON.stringify(nb));
      await open(path.relative(projectRoot, untrusted));
      assert.not.ok(await page.evaluate(() => (window as unknown as { IPython: { notebook: { trusted: boolean } } }).IPython.notebook.trusted), 'the modified copy should be untrusted');
      const n = chartPngs(first).length;
      assert.is(await page.locator('.auif-chart img').count(), n, `untrusted copy of ${first}: every chart shows its PNG`);
      assert.is(await page.locator('.js-plotly-plot').count(), 0, 'untrusted: no script ran');
      const inks = await chartInk(page, 'untrusted');
      inks.forEach((ink, i) => assert.ok(ink >= MIN_INK, `untrusted copy of ${first}: chart ${i + 1} looks blank (${(100 * ink).toFixed(2)} % ink)`));
    } finally {
      await browser?.close().catch(() => undefined);
      if (server?.pid && server.exitCode === null) {
        try { process.kill(-server.pid, 'SIGTERM'); } catch { /* gone */ }
        await new Promise((r) => setTimeout(r, 1500));
        try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ }
      }
      fs.rmSync(configDir, { recursive: true, force: true });
      fs.rmSync(untrusted, { force: true });
    }
  });

  t('nbconvert --to html: every chart as its PNG, not blank', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-nbconvert-'));
    let browser: Browser | null = null;
    try {
      const r = spawnSync('jupyter-nbconvert', ['--to', 'html', '--output-dir', dir, ...executed.map((f) => path.join(outDir, f))], { encoding: 'utf8', timeout: 300_000 });
      assert.is(r.status, 0, `jupyter nbconvert --to html failed:\n${(r.stderr ?? '').slice(-2000)}`);
      browser = await launch();
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      for (const f of executed) {
        const pngs = chartPngs(f);
        const html = fs.readFileSync(path.join(dir, f.replace(/\.ipynb$/, '.html')), 'utf8');
        for (const [i, png] of pngs.entries()) {
          assert.ok(png.length > 0 && html.includes(`src="data:image/png;base64,${png}"`), `${f}: chart ${i + 1}'s PNG is not in the nbconvert HTML`);
        }
        // domcontentloaded: the page's own CDN scripts (require.js, MathJax) cannot load without network.
        await page.goto(`file://${path.join(dir, f.replace(/\.ipynb$/, '.html'))}`, { waitUntil: 'domcontentloaded' });
        await page.waitForFunction(() => [...document.querySelectorAll('.auif-chart img')].every((i) => (i as HTMLImageElement).complete), undefined, { timeout: 30_000 });
        assert.is(await page.locator('.auif-chart img').count(), pngs.length, `${f}: chart images in the nbconvert HTML`);
        const inks = await chartInk(page, `nbconvert-${f.slice(0, 2)}`);
        inks.forEach((ink, i) => assert.ok(ink >= MIN_INK, `${f} (nbconvert HTML): chart ${i + 1} looks blank (${(100 * ink).toFixed(2)} % ink)`));
      }
    } finally {
      await browser?.close().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

t.run();
