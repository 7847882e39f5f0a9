/**
 * figures/README.md lists every figure in figures/ and none that is not there: the PNGs named in
 * its table (with `{a,b}` alternatives expanded) are exactly the PNGs of the folder, and the
 * notebook named in each row declares that file as an output (`metadata.auif.outputs`), or the
 * `npm run` script a row names instead exists.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../helpers/upstream.js';

const t = suite('figures/README');
const dir = path.join(projectRoot, 'figures');

/** `a-{x,y}.png` → a-x.png, a-y.png. */
function expandBraces(s: string): string[] {
  const m = /\{([^{}]*)\}/.exec(s);
  if (!m) return [s];
  return m[1].split(',').flatMap((alt) => expandBraces(s.slice(0, m.index) + alt + s.slice(m.index + m[0].length)));
}

/** The table rows of the README: the PNG names of the first column and the notebook number. */
function readmeRows(): { files: string[]; notebook: string }[] {
  const text = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
  return text.split('\n').filter((l) => /^\| `/.test(l)).map((l) => {
    const cells = l.split(/(?<!\\)\|/).map((c) => c.trim());
    const files = [...cells[1].matchAll(/`([^`]+)`/g)].flatMap((m) => expandBraces(m[1]));
    return { files, notebook: cells[2] };
  });
}

t('expandBraces', () => {
  assert.equal(expandBraces('s-{a,b}-{1,2}.png'), ['s-a-1.png', 's-a-2.png', 's-b-1.png', 's-b-2.png']);
  assert.equal(expandBraces('x.png'), ['x.png']);
});

t('the table lists exactly the PNGs in figures/', () => {
  const listed = readmeRows().flatMap((r) => r.files).sort();
  const present = fs.readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
  assert.ok(listed.length > 0, 'no table rows found in figures/README.md');
  assert.equal(listed.filter((f) => !present.includes(f)), [], 'listed in figures/README.md but not in figures/');
  assert.equal(present.filter((f) => !listed.includes(f)), [], 'in figures/ but not listed in figures/README.md');
  assert.is(new Set(listed).size, listed.length, 'a file listed twice');
});

t('each figure is declared as an output by the notebook its row names', () => {
  const notebooks = fs.readdirSync(path.join(projectRoot, 'notebooks')).filter((f) => /^0.*\.ipynb$/.test(f));
  const scripts = (JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  for (const row of readmeRows()) {
    const script = /^`npm run ([\w:-]+)`$/.exec(row.notebook); // a figure made by a script (e.g. the site's screenshot)
    if (script) { assert.ok(scripts[script[1]], `figures/README.md names \`npm run ${script[1]}\`, which package.json does not define`); continue; }
    const nb = notebooks.find((f) => f.startsWith(row.notebook));
    assert.ok(nb, `figures/README.md names notebook ${row.notebook}, which does not exist`);
    const outputs = (JSON.parse(fs.readFileSync(path.join(projectRoot, 'notebooks', nb!), 'utf8')) as { metadata: { auif?: { outputs?: string[] } } }).metadata.auif?.outputs ?? [];
    for (const f of row.files) {
      assert.ok(outputs.includes(`{figures}/${f}`), `notebooks/${nb} does not declare {figures}/${f} (figures/README.md says it writes it)`);
    }
  }
});

t.run();
