/**
 * BI_BITFIELDS BMPs (issue [R] row 12) read as Pillow's `convert('L')` reads them, for every
 * channel layout Pillow accepts, and refused clearly where Pillow refuses. Expected values:
 * `fixtures/bmp_bitfields.json`, made by `fixtures/make_bmp_bitfields.py` with Pillow 9.4.0
 * (the BMP bytes are written by the script itself, not by Pillow). Layouts with an alpha channel:
 * the fixtures' alpha is not opaque, which the readers refuse (Pillow would drop it); with every
 * alpha set to 255 they read Pillow's values.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readGrey8, ImageError, luma601 } from '../../lib/io/image.js';
import { decodeBmp } from '../../lib/io/bmp.js';
import { projectRoot } from '../helpers/upstream.js';

const t = suite('io/bmp bitfields');
const fx = JSON.parse(fs.readFileSync(path.join(projectRoot, 'test/io/fixtures/bmp_bitfields.json'), 'utf8')) as {
  pillow: string; width: number; height: number; cases: { name: string; bmp: string; L?: number[]; error?: string }[];
};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-bmp-'));
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The alpha mask of a 32-bit BI_BITFIELDS BMP with a ≥ 56-byte header (all-zero masks: BGRA, alpha 0xff000000); 0 when none. */
function alphaMask(b: Buffer): number {
  if (b.readUInt16LE(28) !== 32 || b.readUInt32LE(30) !== 3 || b.readUInt32LE(14) < 56) return 0;
  const m = [54, 58, 62, 66].map((o) => b.readUInt32LE(o));
  return m.every((x) => x === 0) ? 0xff000000 : m[3];
}

for (const [i, c] of fx.cases.entries()) {
  t(`${c.name}: ${c.L ? `as Pillow ${fx.pillow} reads it` : 'refused, as Pillow refuses it'}`, async () => {
    const file = path.join(tmp, `case${i}.bmp`);
    fs.writeFileSync(file, Buffer.from(c.bmp, 'base64'));
    const alpha = alphaMask(Buffer.from(c.bmp, 'base64'));
    if (c.L && alpha) {
      // The decoder reads the colour as Pillow does…
      const d = decodeBmp(fs.readFileSync(file), file);
      assert.equal(Array.from({ length: d.width * d.height }, (_, i) => luma601(d.rgb[3 * i], d.rgb[3 * i + 1], d.rgb[3 * i + 2])), c.L);
      // …but the fixture's alpha is not opaque (pixel (0, 0) has alpha 0): the readers refuse it,
      // where Pillow's convert('L') would drop the transparency unseen (lib/io/decode_image.ts).
      await readGrey8(file).then(() => assert.unreachable('should refuse'), (e: Error) => {
        assert.instance(e, ImageError);
        assert.match(e.message, /case\d+\.bmp: BMP with an alpha channel that is not opaque \(pixel \(0, 0\) has alpha 0\)/);
      });
      // The same image with every alpha set to 255 is read, with Pillow's values.
      const opaque = Buffer.from(c.bmp, 'base64');
      const off = opaque.readUInt32LE(10);
      for (let o = off; o + 4 <= opaque.length; o += 4) opaque.writeUInt32LE((opaque.readUInt32LE(o) | alpha) >>> 0, o);
      fs.writeFileSync(file, opaque);
      assert.equal([...(await readGrey8(file)).data], c.L);
    } else if (c.L) {
      const g = await readGrey8(file);
      assert.is(g.width, fx.width);
      assert.is(g.height, fx.height);
      assert.equal([...g.data], c.L);
    } else {
      try {
        await readGrey8(file);
        assert.unreachable('should refuse');
      } catch (e) {
        assert.instance(e, ImageError);
        assert.match((e as Error).message, /unsupported bitfields layout for 32 bits \(masks r 0x3ff00000/);
        assert.match((e as Error).message, /case\d+\.bmp/);
      }
    }
  });
}

t.run();
