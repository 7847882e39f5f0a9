// npm run site [-- OUT_DIR] [--screenshot FILE]: builds the static AUIF teaching page
// (lib/site/build.ts) into site/; with --screenshot, also opens it in headless Chromium, fuses TNO
// pair 1 (staged) through the file inputs and saves a full-page PNG (figures/site.png in the README).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSite } from '../lib/site/build.js';
import { datasetPairs } from '../lib/data/datasets.js';
import { chromiumPath } from '../lib/figures/plotly.js';
import { writeFileAtomic } from '../lib/io/atomic.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const si = args.indexOf('--screenshot');
const shot = si >= 0 ? path.resolve(args.splice(si, 2)[1] ?? path.join(root, 'figures', 'site.png')) : null;
const out = path.resolve(args[0] ?? path.join(root, 'site'));

async function screenshot(file: string): Promise<void> {
  const pair = (await datasetPairs('tno', { quiet: true }))[0];
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(pathToFileURL(path.join(out, 'index.html')).href);
    await page.waitForFunction(() => (window as unknown as { __auifBackend?: string }).__auifBackend, null, { timeout: 60_000 });
    await page.setInputFiles('#ir-file', pair.ir);
    await page.setInputFiles('#vis-file', pair.vis);
    await page.waitForFunction(() => (window as unknown as { __auifResult?: unknown }).__auifResult, null, { timeout: 300_000 });
    const r = await page.evaluate(() => (window as unknown as { __auifResult: { error?: string } }).__auifResult);
    if (r.error) throw new Error(`the page reported: ${r.error}`);
    await page.fill('#k', '3').catch(() => {});
    await page.$eval('#k', (el) => { (el as HTMLInputElement).value = '3'; el.dispatchEvent(new Event('input')); });
    await writeFileAtomic(file, await page.screenshot({ fullPage: true }));
  } finally {
    await browser.close();
  }
}

try {
  const { files } = await buildSite(out);
  for (const f of files) console.log(`  ${path.join(path.relative(process.cwd(), out) || '.', f.name)}  ${(f.bytes / 1024).toFixed(0)} KiB`);
  console.log(`open ${path.join(out, 'index.html')} in a browser (file:// works; no server needed)`);
  if (shot) { await screenshot(shot); console.log(`screenshot: ${path.relative(process.cwd(), shot)} (${(fs.statSync(shot).size / 1024).toFixed(0)} KiB)`); }
} catch (e) {
  console.error(`site: ${(e as Error).message.split('\n')[0]}`);
  process.exit(1);
}
