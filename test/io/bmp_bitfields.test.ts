/**
 * BI_BITFIELDS BMPs (issue [R] row 12) read as Pillow's `convert('L')` reads them, for every
 * channel layout Pillow accepts, and refused clearly where Pillow refuses. Expected values:
 * `fixtures/bmp_bitfields.json`, made by `fixtures/make_bmp_bitfields.py` with Pillow 9.4.0
 * (the BMP bytes are written by the script itself, not by Pillow).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readGrey8, ImageError } from '../../lib/io/image.js';
import { projectRoot } from '../helpers/upstream.js';

const t = suite('io/bmp bitfields');
const fx = JSON.parse(fs.readFileSync(path.join(projectRoot, 'test/io/fixtures/bmp_bitfields.json'), 'utf8')) as {
  pillow: string; width: number; height: number; cases: { name: string; bmp: string; L?: number[]; error?: string }[];
};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-bmp-'));
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

for (const [i, c] of fx.cases.entries()) {
  t(`${c.name}: ${c.L ? `as Pillow ${fx.pillow} reads it` : 'refused, as Pillow refuses it'}`, async () => {
    const file = path.join(tmp, `case${i}.bmp`);
    fs.writeFileSync(file, Buffer.from(c.bmp, 'base64'));
    if (c.L) {
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
