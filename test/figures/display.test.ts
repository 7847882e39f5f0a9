import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import crypto from 'node:crypto';
import sharp from 'sharp';
import { chartBundle, compactPng, displayablePng, inNotebook, MAX_SHOWN_PNG_BYTES, markdownTable, PLOTLY_MIME, showFigure, showMarkdown } from '../../lib/figures/display.js';

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

/** W×H noise from sha256 in counter mode (deterministic, incompressible). */
function noise(n: number, tag: string): Buffer {
  return Buffer.concat(Array.from({ length: Math.ceil(n / 32) }, (_, k) => crypto.createHash('sha256').update(`${tag} ${k}`).digest())).subarray(0, n);
}

t('displayablePng: within the bound kept as is; ≤ 256 colours → exact palette PNG; else scaled down under the bound, colour kept', async () => {
  const W = 700, H = 500;
  // 128 grey levels + a red frame (129 colours), as RGB: its palette PNG (1 byte/pixel) is exact and about half the size
  const g = noise(W * H, 'grey');
  const rgb = Buffer.alloc(W * H * 3);
  for (let i = 0; i < W * H; i++) rgb.fill(g[i] & 0xfe, 3 * i, 3 * i + 3);
  for (let x = 100; x < 300; x++) for (const y of [100, 200]) rgb.set([255, 0, 0], 3 * (y * W + x));
  const grey = await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
  const same = await displayablePng(grey, grey.length);
  assert.ok(same.png.equals(grey));
  assert.equal([same.scale, same.width, same.height], [1, W, H]);
  const half = Math.floor(grey.length * 0.6);
  const pal = await displayablePng(grey, half);
  assert.ok(pal.png.length <= half && pal.scale === 1 && pal.width === W, `${pal.png.length} bytes, scale ${pal.scale}`);
  const back = await sharp(pal.png).removeAlpha().toColourspace('srgb').raw().toBuffer();
  assert.ok(back.equals(rgb), 'the palette copy is pixel for pixel the image');
  // full-colour noise: no palette; scaled down until it fits, still in colour
  const colour = await sharp(noise(W * H * 3, 'rgb'), { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
  const bound = Math.floor(colour.length / 3);
  const small = await displayablePng(colour, bound);
  assert.ok(small.png.length <= bound, `${small.png.length} > ${bound}`);
  assert.ok(small.scale < 1 && small.scale > 0.3, `scale ${small.scale}`);
  const m = await sharp(small.png).metadata();
  assert.equal([m.width, m.height, m.channels], [small.width, small.height, 3]);
  assert.is(small.width, Math.round(W * small.scale));
  assert.ok(MAX_SHOWN_PNG_BYTES * 4 / 3 < 1_000_000, 'base64 of the bound stays under 1 MB');
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
