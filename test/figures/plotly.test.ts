import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import {
  ChromiumMissingError, chromiumPath, closeBrowser, chartHtml, figureHtml, figureJson, figureSpec, figureTitle, plotlyBundlePath, plotlyVersion, saveFigure, toPng,
} from '../../lib/figures/plotly.js';
import { lineChart } from '../../lib/figures/charts.js';
import { skipLoudly } from '../helpers/upstream.js';

const t = suite('figures/plotly');
const fig = lineChart([{ name: 'a', y: Float32Array.of(1, 3, 2) }], { title: 'Test <b>chart</b>', width: 300, height: 200 });

t('figureJson: typed arrays → arrays, non-finite → null, no "</" that could close a script', () => {
  assert.is(figureJson({ y: Float32Array.of(1, 2), z: [NaN, Infinity], s: '</script>' }), '{"y":[1,2],"z":[null,null],"s":"<\\/script>"}');
});

t('figureHtml: a standalone page, plotly inlined or loaded by src; title from the layout', () => {
  assert.is(figureTitle(fig), 'Test chart');
  const linked = figureHtml(fig, { plotly: { src: 'plotly.min.js' } });
  assert.match(linked, '<script type="text/javascript" src="plotly.min.js"></script>');
  assert.match(linked, "Plotly.newPlot('plot', [{");
  assert.match(linked, '<title>Test chart</title>');
  const inline = figureHtml(fig);
  assert.ok(inline.length > fs.statSync(plotlyBundlePath()).size, 'bundle inlined');
  assert.match(plotlyVersion(), /^\d+\.\d+\.\d+$/);
});

t('figureSpec: the plotly JSON (plain arrays, config defaults); chartHtml: the PNG as an <img>, the figure for the script, never the bundle', () => {
  const spec = figureSpec(fig);
  assert.equal((spec.data[0] as { y: number[] }).y, [1, 3, 2]);
  assert.equal((figureSpec({ data: [{ y: [Math.PI, 1 / 3, 12345678.9] }] }).data[0] as { y: number[] }).y, [3.141593, 0.3333333, 12345680], '7 significant digits');
  assert.is(spec.config.displaylogo, false);
  const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 1, 2, 3);
  const h = chartHtml(fig, png);
  assert.match(h, /^<div class="auif-chart" id="auif-chart-[^"]+"><img src="data:image\/png;base64,iVBORwECAw==" alt="Test chart"/);
  assert.match(h, '"y":[1,3,2]');
  assert.match(h, "requirejs(['auif-plotly']");
  assert.ok(h.length < 10_000, `${h.length} characters`);
  assert.not.match(h, 'Plotly.register'); // nothing of the bundle
  assert.not.match(chartHtml(fig, null), '<img');
  assert.is.not(chartHtml(fig, null).match(/id="([^"]+)"/)![1], chartHtml(fig, null).match(/id="([^"]+)"/)![1], 'a fresh id per output');
  assert.not.match(chartHtml({ data: [{ name: '</script><b>' }] }, null), '</script><b>');
});

t('chromiumPath: $AUIF_CHROMIUM pointing nowhere is an error; none installed gives the apt-get command', () => {
  const saved = process.env.AUIF_CHROMIUM;
  try {
    process.env.AUIF_CHROMIUM = '/nonexistent/chrome';
    assert.throws(() => chromiumPath(), (e: Error) => e instanceof ChromiumMissingError && /AUIF_CHROMIUM=\/nonexistent\/chrome does not exist/.test(e.message));
  } finally {
    if (saved === undefined) delete process.env.AUIF_CHROMIUM; else process.env.AUIF_CHROMIUM = saved;
  }
  try {
    chromiumPath();
  } catch (e) {
    assert.ok(e instanceof ChromiumMissingError);
    assert.match((e as Error).message, 'apt-get update && apt-get install -y chromium');
  }
});

t('toPng / saveFigure: a PNG of the layout size × scale, and the HTML with the bundle beside it', async () => {
  try {
    chromiumPath();
  } catch (e) {
    skipLoudly('figures/plotly PNG export', (e as Error).message.split('\n')[0]);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-plotly-'));
  try {
    const png = await toPng(fig, undefined, { scale: 1 });
    const m = await sharp(png).metadata();
    assert.equal([m.format, m.width, m.height], ['png', 300, 200]);
    assert.is(await toPng(fig, undefined, { scale: 1 }), png, 'the same figure at the same size is rendered once');
    const out = await saveFigure(fig, path.join(dir, 'c'), { scale: 2 });
    assert.equal(out, { html: path.join(dir, 'c.html'), png: path.join(dir, 'c.png') });
    assert.equal(fs.readdirSync(dir).sort(), ['c.html', 'c.png', 'plotly.min.js']);
    assert.is((await sharp(out.png).metadata()).width, 600);
  } finally {
    await closeBrowser();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
