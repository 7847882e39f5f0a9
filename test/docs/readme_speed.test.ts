/**
 * The README's "Speed" paragraph quotes a committed `npm run bench` snapshot
 * (results/bench/quiet-2026-12-02.json): each bold figure there must be the snapshot's value at the
 * precision printed, so the prose cannot drift from the measurement it cites.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../helpers/upstream.js';

const t = suite('README speed paragraph');
const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
const start = readme.indexOf('- **Speed (this 2-core machine');
const para = readme.slice(start, readme.indexOf('![fuse() time vs pixels]', start));
const snap = JSON.parse(fs.readFileSync(path.join(projectRoot, 'results/bench/quiet-2026-12-02.json'), 'utf8'));

t('the paragraph exists and names the snapshot\'s date', () => {
  assert.ok(start >= 0, 'README has no "Speed (this 2-core machine" paragraph');
  assert.ok(para.includes(snap.date.slice(0, 10)), `the paragraph does not give the snapshot's date ${snap.date.slice(0, 10)}`);
});

t('bold figures equal the snapshot at the printed precision', () => {
  const expect: [string, string][] = [
    ['fuse 768×576', `**${Math.round(snap.fuse_768x576_ms)} ms**`],
    ['×tfjs 5×5', `(**×${snap.speedup_vs_tfjs_5x5.toFixed(1)}**)`],
    ['×two-conv', `(**×${snap.speedup_vs_two_conv.toFixed(1)}**)`],
    ['train step', `**${snap.train_step_s.toFixed(2)} s**`],
    ['10000² time', `**${(snap['10000x10000'].ms / 1000).toFixed(1)} s**`],
    ['10000² RSS', `**${(snap['10000x10000'].peak_rss_mb / 1000).toFixed(2)} GB**`],
    ['metrics paper', `**${Math.round(snap.metrics_768x576.median_ms.paper)} ms**`],
  ];
  for (const [what, s] of expect) assert.ok(para.includes(s), `${what}: README does not print ${s}`);
});

t.run();
