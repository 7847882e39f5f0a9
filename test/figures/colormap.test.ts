import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { divergingBar, divergingColour, greyBar, RDBU_STOPS, toDiverging } from '../../lib/figures/colormap.js';

const t = suite('figures/colormap');

t('divergingColour: the RdBu stops at their positions, white-ish 0, clipped ends, NaN as 0', () => {
  assert.equal(divergingColour(-1), [0x05, 0x30, 0x61]);
  assert.equal(divergingColour(0), [0xf7, 0xf7, 0xf7]);
  assert.equal(divergingColour(1), [0x67, 0x00, 0x1f]);
  assert.equal(divergingColour(0.2), [...RDBU_STOPS[6]]);        // stop 6 of 0…10 sits at t = 0.2
  assert.equal(divergingColour(-5), divergingColour(-1));
  assert.equal(divergingColour(NaN), divergingColour(0));
  const mid = divergingColour(0.1);                                 // halfway between stops 5 and 6
  assert.equal(mid, [0, 1, 2].map((c) => Math.round((RDBU_STOPS[5][c] + RDBU_STOPS[6][c]) / 2)));
  const [r, , b] = divergingColour(0.6);
  const [r2, , b2] = divergingColour(-0.6);
  assert.ok(r > b && b2 > r2, 'positive red, negative blue');
});

t('toDiverging: x/m per pixel, ±m the ends; errors name the problem', () => {
  const img = toDiverging({ width: 3, height: 1, data: Float32Array.of(-2, 0, 2) }, 2);
  assert.is(img.channels, 3);
  assert.equal([...img.data], [...RDBU_STOPS[0], ...RDBU_STOPS[5], ...RDBU_STOPS[10]]);
  assert.throws(() => toDiverging({ width: 1, height: 1, data: Float32Array.of(0) }, 0), /m must be > 0/);
  assert.throws(() => toDiverging({ width: 2, height: 1, data: Float32Array.of(0) }, 1), /1 values for a 2×1 image/);
});

t('bars: diverging from −m to +m, grey from black to white, left to right', () => {
  const d = divergingBar(11, 2);
  assert.equal([...d.data.subarray(0, 3)], [...RDBU_STOPS[0]]);
  assert.equal([...d.data.subarray(15, 18)], [...RDBU_STOPS[5]]);
  assert.equal([...d.data.subarray(33 + 30, 33 + 33)], [...RDBU_STOPS[10]], 'second row too');
  const g = greyBar(3, 1);
  assert.equal([...g.data], [0, 128, 255]);
});

t.run();
