/**
 * lib/report/bayes_table.ts: the committed transcription of BF's Table 3 column parses to the
 * printed values (read off image/Quantitative_result.png), bad files are refused naming the line,
 * and the deltas are ours − printed.
 */
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compareBf, loadBfTable, parseBfTable, bfTableCsv, bfTableMarkdown } from '../../lib/report/bayes_table.js';
import { METRIC_NAMES, type MetricValues } from '../../lib/metrics/index.js';
import { projectRoot } from '../helpers/upstream.js';

const t = suite('report/bayes_table');

t('the committed transcription: BF on TNO = EN 6.633, MI 2.828, Qabf 0.523, SD 27.511, SSIM 1.008', () => {
  const rows = loadBfTable(path.join(projectRoot, 'results/bayes/paper-table3-bf.csv'));
  assert.equal(rows.map((r) => r.dataset), ['TNO', 'NIR-Oldbuilding', 'NIR-Street', 'NIR-Urban']);
  assert.equal(rows[0].values, { EN: 6.633, MI: 2.828, Qabf: 0.523, SD: 27.511, SSIM: 1.008 });
  assert.equal(rows[0].printed.SD, '27.511');
});

t('malformed transcriptions are refused, naming file and line', () => {
  assert.throws(() => parseBfTable('# note\ndataset,EN,MI\nTNO,1,2\n', 'x.csv'), /x\.csv:2: header must be dataset,EN,MI,Qabf,SD,SSIM/);
  assert.throws(() => parseBfTable('dataset,EN,MI,Qabf,SD,SSIM\nTNO,1,2,3,4\n', 'x.csv'), /x\.csv:2: 5 cells, expected 6/);
  assert.throws(() => parseBfTable('dataset,EN,MI,Qabf,SD,SSIM\nTNO,1,2,abc,4,5\n', 'x.csv'), /x\.csv:2: Qabf is not a number/);
});

t('compareBf: delta = ours − printed, relative = delta/printed; the reports carry every mean', () => {
  const [row] = parseBfTable('dataset,EN,MI,Qabf,SD,SSIM\nTNO,6,2,0.5,20,1\n');
  const means = Object.fromEntries(METRIC_NAMES.map((k) => [k, 1])) as MetricValues;
  Object.assign(means, { EN: 6.6, MI: 1, Qabf: 0.5, SD: 25, SSIM: 1.5 });
  const c = compareBf(row, { dataset: 'TNO', pairs: 40, convention: 'paper', means });
  assert.ok(Math.abs(c.cells[0].delta - 0.6) < 1e-12 && Math.abs(c.cells[0].relative - 0.1) < 1e-12);
  assert.is(c.cells[1].relative, -0.5);
  assert.ok(Math.abs(c.meanAbsRelative - (0.1 + 0.5 + 0 + 0.25 + 0.5) / 5) < 1e-12);
  const md = bfTableMarkdown(row, [c], [{ dataset: 'TNO', pairs: 40, convention: 'paper', means }], ['note']);
  assert.match(md, /\| SD \| 20 \| 25\.0000 \| \+25\.0 % \|/);
  assert.match(bfTableCsv(row, [{ dataset: 'TNO', pairs: 40, convention: 'paper', means }]), /^source,dataset,pairs,convention,EN,/);
});

t.run();
