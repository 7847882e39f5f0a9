import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import sharp from 'sharp';
import { chartBundle, compactPng, inNotebook, markdownTable, PLOTLY_MIME, showFigure, showMarkdown } from '../../lib/figures/display.js';

const t = suite('figures/display');

t('markdownTable: header, right-aligned numeric columns, fixed decimals, exponents for tiny values, escaped pipes', () => {
  const md = markdownTable([{ set: 'T|NO', pairs: 40, diff: 0.0000493, sd: 12.3456789 }], { digits: 2 });
  assert.is(md, '| set | pairs | diff | sd |\n| --- | ---: | ---: | ---: |\n| T\\|NO | 40 | 4.93e-5 | 12.35 |');
  assert.is(markdownTable([]), '(no rows)');
});

t('outside a tslab kernel nothing is displayed and the show functions say so', () => {
  assert.is(inNotebook(), false);
  const log = console.log;
  const lines: string[] = [];
  console.log = (s: string) => lines.push(s);
  try {
    showFigure({ data: [], layout: { title: { text: 'x' } } });
    showMarkdown('**hi**');
  } finally {
    console.log = log;
  }
  assert.equal(lines, ['[chart: x]', '**hi**']);
});

t('chartBundle: plotly JSON, PNG (with its display size), HTML showing that PNG, a text line', () => {
  const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47);
  const b = chartBundle({ data: [{ type: 'bar', y: Float64Array.of(1, 2) }], layout: { title: { text: 'T' } } }, png, { width: 900, height: 420 });
  assert.equal(Object.keys(b.data).sort(), [PLOTLY_MIME, 'image/png', 'text/html', 'text/plain'].sort());
  assert.equal((b.data[PLOTLY_MIME] as { data: { y: number[] }[] }).data[0].y, [1, 2]);
  assert.is(b.data['image/png'], 'iVBORw==');
  assert.equal(b.metadata['image/png'], { width: 900, height: 420 });
  assert.match(b.data['text/html'] as string, 'src="data:image/png;base64,iVBORw=="');
  assert.is(b.data['text/plain'], '[chart: T]');
  assert.not.ok('image/png' in chartBundle({ data: [] }, null).data);
});

t('compactPng: never larger, same size in pixels, colours of a chart kept', async () => {
  // A chart-like image: white, with a few coloured anti-aliased lines.
  const w = 300, h = 120;
  const data = Buffer.alloc(w * h * 3, 255);
  for (let x = 0; x < w; x++) for (const [c, y0] of [[[0, 114, 178], 30], [[230, 159, 0], 80]] as const) {
    const y = Math.round(y0 + 20 * Math.sin(x / 17));
    for (let dy = -1; dy <= 1; dy++) data.set(c, ((y + dy) * w + x) * 3);
  }
  const png = await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
  const small = await compactPng(png);
  assert.ok(small.length <= png.length, `${small.length} vs ${png.length} bytes`);
  const m = await sharp(small).metadata();
  assert.equal([m.width, m.height], [w, h]);
  const { data: back } = await sharp(small).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  assert.equal([...back.subarray(((Math.round(30 + 20 * Math.sin(0))) * w) * 3, ((Math.round(30 + 20 * Math.sin(0))) * w) * 3 + 3)], [0, 114, 178]);
});

t.run();
