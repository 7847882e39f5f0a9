/**
 * lib/data/reference_stats.ts and the committed derived values of the uncommitted reference
 * images (datasets/reference/{densefuse,deepfuse}/*.stats.json, scripts/make-reference-stats.ts):
 * - every committed file reads, is consistent with one W×H image, and — wherever the PNG it was
 *   made from is at hand (../shared/reference or $AUIF_REFERENCE_DIR) — equals the values
 *   recomputed from that PNG, whose file sha256 is the recorded one (so they cannot go stale);
 * - the bounds of a parity claim hold at the bound and fail one step past it, on a synthetic image;
 * - the committed values of two variants of the same pair break each other's bounds (the derived
 *   check tells the variants apart, with nothing beside the clone);
 * - a malformed file gives one line naming the file and the key.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { PROJECT_REFERENCE_DIR, findReferenceFile } from '../../lib/data/reference.js';
import {
  ReferenceStatsError, boundViolations, formatGreyStats, greyStats, parityBounds, readGreyStats, statsDistance, statsNameFor,
} from '../../lib/data/reference_stats.js';
import { readGrey8, type Grey8Image } from '../../lib/io/image.js';

const t = suite('data/reference_stats');

const committed = (fs.readdirSync(PROJECT_REFERENCE_DIR, { recursive: true }) as string[])
  .map((f) => f.split(path.sep).join('/'))
  .filter((f) => f.endsWith('.stats.json'))
  .sort();

t('the derived values of the seven reference images the parity tests use are committed, and no PNG', () => {
  assert.equal(committed, [
    'deepfuse/F1_huili.stats.json', 'deepfuse/F5.stats.json', 'deepfuse/F5_huili.stats.json',
    'densefuse/F1_tf1e2_sum.stats.json', 'densefuse/F5_addition.stats.json', 'densefuse/F5_l1.stats.json', 'densefuse/F5_tf1e2_sum.stats.json',
  ]);
  const pngs = (fs.readdirSync(PROJECT_REFERENCE_DIR, { recursive: true }) as string[]).filter((f) => /\.(png|bmp|jpe?g|tiff?|webp)$/i.test(f));
  assert.equal(pngs, [], 'no image in datasets/reference');
});

t('each committed file is consistent; where its PNG is at hand, it equals the values recomputed from it', async () => {
  let recomputed = 0;
  for (const rel of committed) {
    const s = readGreyStats(path.join(PROJECT_REFERENCE_DIR, rel)); // throws on any inconsistency
    assert.is(s.made_by, 'scripts/make-reference-stats.ts', rel);
    const png = rel.replace(/\.stats\.json$/, '.png');
    assert.is(statsNameFor(png), rel);
    assert.ok(s.made_from.file.endsWith(`/${png}`), `${rel}: made from ${s.made_from.file}`);
    const file = findReferenceFile(png);
    if (!file) continue;
    assert.is(crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'), s.made_from.sha256, `${rel}: ${file} is not the PNG it was made from (rerun scripts/make-reference-stats.ts)`);
    const { what: _w, made_from: _m, made_by: _b, ...values } = s;
    assert.equal(greyStats(await readGrey8(file)), values, `${rel} vs ${file}`);
    recomputed++;
  }
  // A clone without ../shared has no PNG to recompute from (not a skip: the values are then the reference).
  console.log(`  ${committed.length} derived-value files consistent; ${recomputed} recomputed from their PNG and equal`);
});

/** A deterministic W×H test image with values in 1…253 (room for +2). */
function image(W: number, H: number): Grey8Image {
  const data = new Uint8Array(W * H);
  let x = 12345;
  for (let i = 0; i < data.length; i++) { x = (x * 1103515245 + 12345) >>> 0; data[i] = 1 + ((x >>> 8) % 253); }
  return { width: W, height: H, data };
}

t('bounds of "≤ k pixels differ, each by ≤ 1": hold at k, fail at k + 1; one pixel off by 2 counts twice', () => {
  const R = image(50, 40);
  const b = parityBounds(50, 40, 1e-2); // N = 2000 → k = 20
  assert.equal(b, { k: 20, rows: 20, cols: 20, histL1: 40, histEmd: 20, exact: false });
  assert.is(parityBounds(768, 576, 1e-3).k, 442);
  assert.is(parityBounds(280, 280, 1e-3).k, 78);
  const ref = greyStats(R);
  const same = statsDistance(greyStats(R), ref);
  assert.equal(same, { sizeMatch: true, sha256Equal: true, rows: 0, cols: 0, histL1: 0, histEmd: 0 });
  const bump = (n: number, by = 1) => {
    const F = { ...R, data: Uint8Array.from(R.data) };
    for (let i = 0; i < n; i++) F.data[i * 97 % F.data.length] += by;
    return statsDistance(greyStats(F), ref);
  };
  const atK = bump(20);
  assert.equal([atK.rows, atK.cols, atK.histEmd], [20, 20, 20]); // all +1: every bound reached exactly
  assert.ok(atK.histL1 <= 40 && !atK.sha256Equal);
  assert.equal(boundViolations(atK, b), []);
  const past = boundViolations(bump(21), b);
  assert.ok(past.some((v) => v.startsWith('Σ|Δ row sum| = 21 > k = 20')), past.join('; '));
  assert.ok(past.some((v) => v.startsWith('cumulative-histogram L1 = 21')), past.join('; '));
  assert.ok(boundViolations(bump(11, 2), b).length > 0, '11 pixels off by 2 = 22 grey levels of transport');
  // Bit-exactness claims (k = 0) ask for the sha256 too: a swap of two pixels keeps no sum but the hash.
  const swapped = { ...R, data: Uint8Array.from(R.data) };
  [swapped.data[0], swapped.data[51]] = [R.data[51], R.data[0]]; // (0,0) ↔ (1,1)
  const ds = statsDistance(greyStats(swapped), ref);
  assert.is(ds.histL1, 0);
  assert.ok(boundViolations(ds, parityBounds(50, 40, 0)).some((v) => v.includes('sha256')));
  assert.equal(boundViolations(statsDistance(greyStats(image(40, 50)), ref), b), ['size differs']);
});

t('the committed values of two variants of one pair break each other\'s bounds', () => {
  const load = (rel: string) => readGreyStats(path.join(PROJECT_REFERENCE_DIR, rel));
  for (const [a, b] of [
    ['densefuse/F5_addition.stats.json', 'densefuse/F5_l1.stats.json'],
    ['densefuse/F5_tf1e2_sum.stats.json', 'densefuse/F5_addition.stats.json'],
    ['deepfuse/F5.stats.json', 'deepfuse/F5_huili.stats.json'],
    ['densefuse/F1_tf1e2_sum.stats.json', 'deepfuse/F1_huili.stats.json'],
  ]) {
    const A = load(a), B = load(b);
    const v = boundViolations(statsDistance(A, B), parityBounds(B.width, B.height, 1e-3));
    assert.ok(v.length >= 3, `${a} vs ${b}: ${v.join('; ')}`);
  }
});

t('a malformed file: one line naming the file and the key; the written form reads back', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-stats-'));
  try {
    const good = readGreyStats(path.join(PROJECT_REFERENCE_DIR, 'densefuse/F5_l1.stats.json'));
    const f = path.join(dir, 'x.stats.json');
    fs.writeFileSync(f, formatGreyStats(good));
    assert.equal(readGreyStats(f), good);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ width: 0 }, /'width' must be a positive integer/],
      [{ sha256: 'abc' }, /'sha256' must be 64 hex digits/],
      [{ histogram: good.histogram.slice(1) }, /'histogram' must be 256 integers/],
      [{ rowSums: [...good.rowSums.slice(1), good.rowSums[0] + 1] }, /'rowSums' add up to \d+, the histogram to \d+/],
      [{ colSums: good.colSums.map((v, i) => (i ? v : -1)) }, /'colSums' must be 280 integers in 0…71400/],
      [{ made_from: { file: 'x' } }, /'made_from' must hold file, sha256/],
    ];
    for (const [patch, re] of cases) {
      fs.writeFileSync(f, JSON.stringify({ ...good, ...patch }));
      assert.throws(() => readGreyStats(f), (e: Error) => e instanceof ReferenceStatsError && re.test(e.message) && e.message.startsWith(`${f}: `) && !e.message.includes('\n'));
    }
    fs.writeFileSync(f, '{');
    assert.throws(() => readGreyStats(f), (e: Error) => e instanceof ReferenceStatsError && e.message.startsWith(`${f}: cannot read`));
    assert.throws(() => statsNameFor('densefuse/F1.bmp'), /must end in \.png/);
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});

t.run();
