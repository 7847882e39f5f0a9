/**
 * lib/report/paper_table.ts: parsing paper_tables.csv, the delta arithmetic, the Markdown/JSON
 * shapes, and — the point of it — the AUIF TNO row reproduced from the authors' 40 published
 * images under the `printed` convention (through evaluateDataset, ≈ 10 s).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  comparableWithPrinted, compareWithPaper, comparisonJSON, comparisonMarkdown, loadPaperTables, paperRow,
  parsePaperTables, PaperTableError,
} from '../../lib/report/paper_table.js';
import { evaluateDataset } from '../../lib/report/evaluate.js';
import { PROJECT_REFERENCE_DIR, referenceFile, ReferenceFileError } from '../../lib/data/reference.js';
import { referenceDir, skipLoudly, upstreamGroup } from '../helpers/upstream.js';

const t = suite('report/paper_table');

const CSV = `source,dataset,method,EN,MI,SD,SF,VIF,AG,SCD
AUIF,TNO,ADF,6.40,,22.96,10.78,0.29,2.99,1.61
AUIF,TNO,AUIF,6.96,,39.27,13.14,0.66,4.32,1.87
DIDFuse,FLIR,DIDFuse,7.344,2.882,46.888,18.835,0.538,5.574,
`;
const rows = parsePaperTables(CSV, 'mini.csv');

t('parses rows: printed strings kept, empty cells absent', () => {
  assert.is(rows.length, 3);
  const r = rows[1];
  assert.equal([r.source, r.dataset, r.method], ['AUIF', 'TNO', 'AUIF']);
  assert.equal(r.values, { EN: 6.96, SD: 39.27, SF: 13.14, VIF: 0.66, AG: 4.32, SCD: 1.87 });
  assert.is(r.printed.EN, '6.96');
  assert.not.ok('MI' in r.values);
  assert.is(rows[2].printed.MI, '2.882');
  assert.not.ok('SCD' in rows[2].values);
});

t('parse errors name the file, line and column', () => {
  assert.throws(() => parsePaperTables('source,dataset,method,EN,FOO\n', 'x.csv'), (e: Error) => e instanceof PaperTableError && /x\.csv: unknown column 'FOO'/.test(e.message));
  assert.throws(() => parsePaperTables('source,dataset,method,EN\nAUIF,TNO,ADF,6.4o\n', 'x.csv'), /x\.csv:2: column EN is '6\.4o', not a number/);
  assert.throws(() => parsePaperTables('source,dataset,method,EN\nAUIF,TNO,ADF\n', 'x.csv'), /x\.csv:2: 3 cells, header has 4/);
  assert.throws(() => parsePaperTables('source,dataset,method,EN\nAUIF,KAIST,ADF,6\n', 'x.csv'), /unknown dataset 'KAIST'/);
  assert.throws(() => parsePaperTables('dataset,method,EN\n', 'x.csv'), /no 'source' column/);
});

t('paperRow: lookup by source/dataset (any case)/method; a missing row lists what exists', () => {
  assert.is(paperRow('AUIF', 'tno', undefined, rows).values.SD, 39.27);
  assert.is(paperRow('AUIF', 'TNO', 'ADF', rows).values.EN, 6.4);
  assert.throws(() => paperRow('AUIF', 'tno', 'CSR', rows), /no row for AUIF's table, TNO, method 'CSR' \(methods there: ADF, AUIF\)/);
  assert.throws(() => paperRow('AUIF', 'flir', undefined, rows), /that table has no FLIR rows/);
  assert.throws(() => paperRow('AUIF', 'kaist', undefined, rows), /unknown dataset 'kaist'/);
});

t('compareWithPaper: delta = ours − paper, deltaPct = 100·delta/paper, match at printed precision', () => {
  const c = compareWithPaper({ dataset: 'tno', ours: { EN: 6.9649, SD: 39.2751, SF: 13.0, VIF: 0.66, AG: 4.32 }, oursLabel: 'mine', rows });
  assert.is(c.convention, 'printed');
  assert.equal(c.rows.map((r) => r.metric), ['EN', 'SD', 'SF', 'VIF', 'AG', 'SCD']);
  const by = Object.fromEntries(c.rows.map((r) => [r.metric, r]));
  assert.ok(Math.abs(by.EN.delta! - 0.0049) < 1e-12);
  assert.ok(Math.abs(by.EN.deltaPct! - (100 * 0.0049) / 6.96) < 1e-9);
  assert.ok(by.EN.matchesPrinted, '6.9649 → 6.96');
  assert.not.ok(by.SD.matchesPrinted, '39.2751 → 39.28');
  assert.ok(Math.abs(by.SF.delta! + 0.14) < 1e-12);
  assert.is(by.SCD.ours, null);
  assert.is(by.SCD.delta, null);
  assert.is(by.SCD.deltaPct, null);
  assert.not.ok(by.SCD.matchesPrinted);
  assert.is(by.EN.decimals, 2);
  assert.ok(c.rows.every((r) => r.comparable));
});

t('comparability: SD, SF, VIF only under printed; MI not under vifb', () => {
  assert.ok(comparableWithPrinted('EN', 'paper'));
  assert.not.ok(comparableWithPrinted('SD', 'paper'));
  assert.not.ok(comparableWithPrinted('VIF', 'vifb'));
  assert.ok(comparableWithPrinted('VIF', 'printed'));
  assert.ok(comparableWithPrinted('MI', 'paper'));
  assert.not.ok(comparableWithPrinted('MI', 'vifb'));
  const c = compareWithPaper({ dataset: 'TNO', ours: { EN: 7 }, convention: 'paper', rows });
  assert.equal(c.rows.filter((r) => !r.comparable).map((r) => r.metric), ['SD', 'SF', 'VIF']);
  assert.match(c.note, /`paper` convention, where SD, SF, VIF are defined differently/);
});

t('comparisonMarkdown: title, note, header, one line per printed metric, † footnote', () => {
  const md = comparisonMarkdown(compareWithPaper({ dataset: 'flir', source: 'DIDFuse', ours: { EN: 7.3441, MI: 2.8822 }, oursLabel: 'a|b', convention: 'paper', rows }));
  const lines = md.trimEnd().split('\n');
  assert.match(lines[0], /^\*\*FLIR, DIDFuse\*\*: the row printed in DIDFuse's table vs a\|b\.$/);
  assert.match(lines[1], /^Dataset means; metrics under the `paper` convention/);
  assert.is(lines[3], '| metric | paper | a\\|b | Δ | Δ % | = printed |');
  assert.is(lines[4], '| --- | ---: | ---: | ---: | ---: | :---: |');
  assert.is(lines[5], '| EN | 7.344 | 7.34410 | +0.00010 | +0.00 % | yes |');
  assert.is(lines[6], '| MI | 2.882 | 2.88220 | +0.00020 | +0.01 % | yes |');
  assert.is(lines[7], '| SD † | 46.888 | — | — | — | — |');
  assert.is(lines.filter((l) => l.startsWith('| ')).length, 2 + 6, 'header, rule, EN MI SD SF VIF AG');
  assert.is(lines.at(-1), '† not the printed column\'s definition under `paper`.');
});

t('comparisonJSON round-trips (non-finite → null)', () => {
  const c = compareWithPaper({ dataset: 'tno', ours: { EN: 6.96, SD: Infinity }, rows });
  const back = JSON.parse(comparisonJSON(c));
  assert.is(back.source, 'AUIF');
  assert.is(back.rows[0].paper, 6.96);
  assert.is(back.rows[1].ours, null);
  assert.equal(Object.keys(back.rows[0]), ['metric', 'paper', 'printed', 'decimals', 'ours', 'delta', 'deltaPct', 'matchesPrinted', 'comparable']);
});

t('reference files: the project copy first, then $AUIF_REFERENCE_DIR; a missing file names the folders looked in', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-ref-'));
  const saved = { ref: process.env.AUIF_REFERENCE_DIR, noProject: process.env.AUIF_NO_PROJECT_REFERENCE };
  try {
    fs.writeFileSync(path.join(dir, 'paper_tables.csv'), CSV);
    process.env.AUIF_REFERENCE_DIR = dir;
    delete process.env.AUIF_NO_PROJECT_REFERENCE;
    assert.is(referenceFile('paper_tables.csv'), path.join(PROJECT_REFERENCE_DIR, 'paper_tables.csv'));
    process.env.AUIF_NO_PROJECT_REFERENCE = '1';
    assert.is(referenceFile('paper_tables.csv'), path.join(dir, 'paper_tables.csv'));
    assert.is(loadPaperTables(referenceFile('paper_tables.csv')).length, 3);
    delete process.env.AUIF_NO_PROJECT_REFERENCE;
    assert.throws(() => referenceFile('nope.csv'), (e: Error) => e instanceof ReferenceFileError
      && /reference file nope\.csv not found; looked in datasets\/reference .*, \$AUIF_REFERENCE_DIR \(/.test(e.message)
      && !e.message.includes('../shared/reference'));
    assert.throws(() => referenceFile('../x.csv'), /must be a relative path inside/);
  } finally {
    for (const [k, v] of [['AUIF_REFERENCE_DIR', saved.ref], ['AUIF_NO_PROJECT_REFERENCE', saved.noProject]] as const) {
      if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t('the real paper_tables.csv: 54 rows, both papers, all three sets', () => {
  if (!referenceDir()) return skipLoudly('paper_tables.csv', 'reference folder not found');
  const all = loadPaperTables();
  assert.is(all.length, 54);
  assert.is(paperRow('AUIF', 'nir').values.SD, 60.85);
  assert.is(paperRow('DIDFuse', 'tno').printed.MI, '2.347');
  assert.is(paperRow('AUIF', 'flir', 'TSIFVS').values.SF, 18.79);
});

t("AUIF TNO row reproduced from the authors' 40 images (printed convention), every column at printed precision", async () => {
  if (!referenceDir()) return skipLoudly('paper_tables.csv', 'reference folder not found');
  if (!(await upstreamGroup('tno')) || !(await upstreamGroup('results-tno'))) return;
  const e = await evaluateDataset('tno', 'authors', { convention: 'printed' });
  assert.is(e.perPair.length, 40);
  const c = compareWithPaper({ dataset: 'tno', ours: e.means, oursLabel: "authors' outputs", convention: 'printed' });
  assert.equal(c.rows.map((r) => r.metric), ['EN', 'SD', 'SF', 'VIF', 'AG', 'SCD']);
  for (const r of c.rows) {
    assert.ok(r.matchesPrinted, `${r.metric}: mean ${r.ours} vs printed ${r.printed}`);
    assert.ok(Math.abs(r.delta!) <= 0.5 * 10 ** -r.decimals, `${r.metric}: |Δ| within half a printed unit`);
  }
  console.log(`\n${comparisonMarkdown(c)}`);
});

t.run();
