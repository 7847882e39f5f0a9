import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { imageGrid, imageStrip, writeImageGrid } from '../../lib/figures/imageGrid.js';

const t = suite('figures/imageGrid');

const flat = (v: number, width = 40, height = 20) => ({ width, height, data: new Uint8Array(width * height).fill(v) });
const raw = async (png: Buffer) => sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });

t('layout: cells of one width, rows as tall as their tallest image, images placed at their cells', async () => {
  const png = await imageGrid([[{ image: flat(10) }, { image: flat(20) }, { image: flat(30) }], [{ image: flat(40, 40, 10) }, null, { image: flat(60) }]], { cellWidth: 40, gap: 8 });
  assert.is((await sharp(png).metadata()).channels, 1, 'grey PNG');
  const { data, info } = await raw(png);
  assert.is(info.width, 8 + 3 * (40 + 8));
  assert.is(info.height, 8 + (20 + 8) + (20 + 8));
  const px = (x: number, y: number) => data[y * info.width + x];
  assert.is(px(8 + 20, 8 + 10), 10);
  assert.is(px(8 + 48 + 20, 8 + 10), 20);
  assert.is(px(8 + 96 + 20, 8 + 28 + 10), 60);
  assert.is(px(8 + 20, 8 + 28 + 10), 40, 'a shorter image is centred in its row');
  assert.is(px(8 + 48 + 20, 8 + 28 + 10), 255, 'an empty cell stays background');
});

t('float images in [0, 1] are shown as rint(255·x); images are scaled to the cell width', async () => {
  const f = { width: 20, height: 10, data: new Float32Array(200).fill(0.5) };
  const { data, info } = await raw(await imageGrid([[{ image: f }]], { cellWidth: 40, gap: 0 }));
  assert.is(info.width, 40);
  assert.is(info.height, 20);
  assert.is(data[10 * 40 + 20], 128);
});

t('titles and captions add margins and draw text (not background) there', async () => {
  const plain = await raw(await imageGrid([[{ image: flat(128) }]], { cellWidth: 40 }));
  const titled = await raw(await imageStrip([flat(128), flat(128)], ['k = 0', 'k = 1'], {
    cellWidth: 40, title: 'Strip', columnTitles: ['IR', 'VIS'], rowTitles: ['TNO 1'],
  }));
  assert.ok(titled.info.height > plain.info.height + 40, `${titled.info.height} vs ${plain.info.height}`);
  assert.ok(titled.info.width > 2 * 48 + 8);
  const dark = [...titled.data.subarray(0, titled.info.width * 30)].filter((v) => v < 100).length;
  assert.ok(dark > 20, `title text drawn (${dark} dark pixels in the top band)`);
});

async function rejects(p: () => Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await p();
  } catch (e) {
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected an error matching ${re}`);
}

t('errors name the problem: no images, row-title count, wrong data length', async () => {
  await rejects(() => imageGrid([]), /no images/);
  await rejects(() => imageGrid([[{ image: flat(1) }]], { rowTitles: ['a', 'b'] }), /2 row titles for 1 rows/);
  await rejects(() => imageGrid([[{ image: { width: 4, height: 4, data: new Uint8Array(3) } }]]), /row 1, column 1 has 3 values for 4×4/);
});

t('writeImageGrid writes the PNG atomically, creating the folder', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-grid-'));
  try {
    const file = path.join(dir, 'sub', 'g.png');
    const png = await writeImageGrid(file, [[{ image: flat(5) }]]);
    assert.equal(fs.readFileSync(file), png);
    assert.equal(fs.readdirSync(path.join(dir, 'sub')), ['g.png']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t('an RGB cell makes an RGB PNG, its colours kept, grey cells beside it stay grey', async () => {
  const red = { width: 40, height: 20, channels: 3 as const, data: Uint8Array.from({ length: 40 * 20 * 3 }, (_, i) => [200, 30, 40][i % 3]) };
  const png = await imageGrid([[{ image: red }, { image: flat(90) }]], { cellWidth: 40, gap: 8 });
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.is(info.channels, 3);
  const px = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
  assert.equal(px(8 + 20, 8 + 10), [200, 30, 40]);
  assert.equal(px(8 + 48 + 20, 8 + 10), [90, 90, 90]);
  await rejects(() => imageGrid([[{ image: { ...red, data: new Uint8Array(5) } }]]), /row 1, column 1 has 5 values for 40×20×3/);
});

t.run();
