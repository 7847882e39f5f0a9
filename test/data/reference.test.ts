/**
 * The project's copy of the reference data (datasets/reference/): every file listed in its README
 * with the sha256 and size there, no upstream weights among them, and the lookup order of
 * lib/data/reference.ts (project copy → $AUIF_REFERENCE_DIR, which replaces ../shared/reference).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { PROJECT_REFERENCE_DIR, findReferenceFile, referenceDirs } from '../../lib/data/reference.js';
import { packageRoot } from '../../lib/data/manifest.js';

const t = suite('data/reference');

const readme = fs.readFileSync(path.join(PROJECT_REFERENCE_DIR, 'README.md'), 'utf8');
const listed = [...readme.matchAll(/^\| `([^`]+)` \| (\d+) \| `([0-9a-f]{64})` \|/gm)].map((m) => ({ file: m[1], size: Number(m[2]), sha256: m[3] }));

t('every file in datasets/reference/ is listed in its README with its size and sha256', () => {
  assert.ok(listed.length >= 11, `${listed.length} files listed`);
  for (const { file, size, sha256 } of listed) {
    const p = path.join(PROJECT_REFERENCE_DIR, file);
    const bytes = fs.readFileSync(p);
    assert.is(bytes.length, size, file);
    assert.is(crypto.createHash('sha256').update(bytes).digest('hex'), sha256, file);
  }
  const onDisk = (fs.readdirSync(PROJECT_REFERENCE_DIR, { recursive: true }) as string[])
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => fs.statSync(path.join(PROJECT_REFERENCE_DIR, f)).isFile() && f !== 'README.md' && !f.endsWith('.sha256.json') && !f.endsWith('.stats.json'));
  // (*.sha256.json, *.stats.json: made here from files that are not committed; their own tests check them)
  assert.equal(onDisk.sort(), listed.map((l) => l.file).sort(), 'no unlisted file');
});

t("the authors' weights are not committed: only their per-tensor digests", () => {
  assert.not.ok(fs.existsSync(path.join(PROJECT_REFERENCE_DIR, 'auif_pretrained.safetensors')));
  const d = JSON.parse(fs.readFileSync(path.join(PROJECT_REFERENCE_DIR, 'auif_pretrained.sha256.json'), 'utf8'));
  assert.is(Object.keys(d.tensors).length, 186);
  for (const v of Object.values(d.tensors) as { sha256: string }[]) assert.match(v.sha256, /^[0-9a-f]{64}$/);
});

t('where ../shared/reference exists, the project copies are identical to it', () => {
  const shared = path.resolve(packageRoot, '../shared/reference');
  if (!fs.existsSync(shared)) return; // nothing to compare with on a clone (not a skip: the copy is the reference)
  for (const { file } of listed) {
    assert.ok(fs.readFileSync(path.join(shared, file)).equals(fs.readFileSync(path.join(PROJECT_REFERENCE_DIR, file))), file);
  }
});

t('lookup: project copy, then $AUIF_REFERENCE_DIR (replacing ../shared/reference); AUIF_NO_PROJECT_REFERENCE, AUIF_NO_SHARED hide them', () => {
  const keys = ['AUIF_REFERENCE_DIR', 'AUIF_NO_PROJECT_REFERENCE', 'AUIF_NO_SHARED'] as const;
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-ref-'));
  try {
    for (const k of keys) delete process.env[k];
    assert.equal(referenceDirs().map((d) => d.name), ['datasets/reference', '../shared/reference']);
    assert.is(findReferenceFile('paper_tables.csv'), path.join(PROJECT_REFERENCE_DIR, 'paper_tables.csv'));
    process.env.AUIF_REFERENCE_DIR = dir;
    assert.equal(referenceDirs().map((d) => d.name), ['datasets/reference', '$AUIF_REFERENCE_DIR']);
    fs.writeFileSync(path.join(dir, 'only-here.csv'), 'x\n');
    assert.is(findReferenceFile('only-here.csv'), path.join(dir, 'only-here.csv'));
    process.env.AUIF_NO_PROJECT_REFERENCE = '1';
    assert.equal(referenceDirs().map((d) => d.name), ['$AUIF_REFERENCE_DIR']);
    assert.is(findReferenceFile('paper_tables.csv'), null);
    delete process.env.AUIF_REFERENCE_DIR;
    process.env.AUIF_NO_SHARED = '1';
    assert.equal(referenceDirs(), []);
    process.env.AUIF_NO_PROJECT_REFERENCE = '0';
    assert.equal(referenceDirs().map((d) => d.name), ['datasets/reference']);
  } finally {
    for (const k of keys) { if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k]; }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t('a clone cites no file that only ../shared holds: notebooks, READMEs and lib/ name committed copies instead', () => {
  // Folders as staging or lookup sources (`../shared/upstream/auif`, `../shared/reference`) are fine;
  // a file under them (`../shared/reference/didfuse.md`, `…/README.md`) is missing on a clone.
  const files = [
    ...fs.readdirSync(path.join(packageRoot, 'notebooks')).filter((f) => /\.(ipynb|md)$/.test(f)).map((f) => path.join('notebooks', f)),
    ...['README.md', 'datasets/README.md', 'models/README.md', 'figures/README.md'],
    ...(fs.readdirSync(path.join(packageRoot, 'lib'), { recursive: true }) as string[]).filter((f) => /\.(ts|md)$/.test(f)).map((f) => path.join('lib', f)),
  ];
  const bad: string[] = [];
  for (const f of files) {
    const text = fs.readFileSync(path.join(packageRoot, f), 'utf8');
    for (const m of text.matchAll(/\.\.\/shared\/[\w./-]*\.[a-z]{2,12}\b/g)) bad.push(`${f}: ${m[0]}`);
  }
  assert.equal(bad, []);
});

t.run();
