/**
 * The notebooks ran: every notebooks/0*.ipynb has an executed copy in results/notebooks/ (written
 * by `npm run reproduce`) whose code is the current code, every code cell ran, there are
 * outputs and no error output, and the files the notebook declares in its metadata
 * (`metadata.auif.outputs`, paths from the repository root) exist with a content such a file must
 * have (checked by content, not by mtime: a fresh checkout's committed files are always newer).
 *
 * Charts render everywhere: every output of a cell that shows a chart (`showFigure`, a live
 * chart's `finish()`) carries the plotly JSON (`application/vnd.plotly.v1+json`, JupyterLab /
 * Notebook 7 / VS Code) and a PNG (`image/png`, GitHub, nbviewer, untrusted notebooks), and an
 * HTML rendering showing that same PNG; no output carries the plotly.js bundle, none is over 1 MB.
 *
 * Where nothing has been executed (no results/notebooks/), the tests are skipped, loudly.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { projectRoot, skipLoudly } from '../helpers/upstream.js';

const PLOTLY_MIME = 'application/vnd.plotly.v1+json';
/** A string only the plotly.js bundle contains (checked below against the installed bundle). */
const BUNDLE_MARKER = 'Plotly.register';
const MAX_OUTPUT_BYTES = 1_000_000;

interface Output { output_type: string; name?: string; ename?: string; evalue?: string; text?: string | string[]; data?: Record<string, unknown>; metadata?: Record<string, unknown> }
interface Cell { cell_type: string; source: string | string[]; execution_count?: number | null; outputs?: Output[]; metadata?: { execution?: Record<string, string> } }
interface Notebook { cells: Cell[]; metadata: { auif?: { outputs?: string[] } } }

const t = suite('notebooks/executed');

/** Why `bytes` is not a plausible `rel` (by extension), or null. */
export function contentProblem(rel: string, bytes: Buffer): string | null {
  const ext = path.extname(rel);
  if (ext === '.png') {
    if (!bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'not a PNG';
    const w = bytes.readUInt32BE(16), h = bytes.readUInt32BE(20);
    if (w < 8 || h < 8) return `a ${w}×${h} PNG`;
    if (bytes.indexOf('IDAT') < 0 || bytes.indexOf('IEND') < 0) return 'PNG without image data or end';
    return null;
  }
  const s = bytes.toString('utf8');
  if (ext === '.json') {
    try { const v = JSON.parse(s); return v && typeof v === 'object' && Object.keys(v).length ? null : 'empty JSON'; } catch (e) { return `not JSON: ${(e as Error).message}`; }
  }
  if (ext === '.csv') {
    const lines = s.trim().split('\n');
    if (lines.length < 2) return 'a CSV without data rows';
    const cols = lines[0].split(',').length;
    return cols >= 2 && lines.every((l) => l.split(',').length >= cols) ? null : 'ragged CSV';
  }
  if (ext === '.md') return /^\|.*\|$/m.test(s) ? null : 'Markdown without a table';
  // A chart page draws a figure: Plotly.newPlot('id', [{trace…}], …) or a {"data": …} figure object.
  if (ext === '.html') return /Plotly\.(newPlot|react)\s*\(\s*['"][^'"]+['"]\s*,\s*\[\s*\{/.test(s) || (/plotly/i.test(s) && /"data"\s*:\s*\[\s*\{/.test(s)) ? null : 'a chart page without a plotly figure';
  return null;
}

t('contentProblem tells good files from bad ones', () => {
  const png = Buffer.alloc(64);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(png);
  png.writeUInt32BE(32, 16); png.writeUInt32BE(32, 20);
  png.write('IDAT', 33); png.write('IEND', 50);
  assert.is(contentProblem('a.png', png), null);
  assert.is(contentProblem('a.png', Buffer.from('GIF89a')), 'not a PNG');
  assert.is(contentProblem('a.json', Buffer.from('{"a":1}')), null);
  assert.match(contentProblem('a.json', Buffer.from('{'))!, /not JSON/);
  assert.is(contentProblem('a.json', Buffer.from('{}')), 'empty JSON');
  assert.is(contentProblem('a.csv', Buffer.from('x,y\n1,2\n')), null);
  assert.is(contentProblem('a.csv', Buffer.from('x,y\n')), 'a CSV without data rows');
  assert.is(contentProblem('a.md', Buffer.from('# T\n| a |\n')), null);
  assert.is(contentProblem('a.md', Buffer.from('# T\n')), 'Markdown without a table');
  assert.is(contentProblem('a.html', Buffer.from('<script>Plotly.newPlot(\'plot\', [{"type":"scatter","x":[0],"y":[1]}], {})</script>')), null);
});
const nbDir = path.join(projectRoot, 'notebooks');
const outDir = path.join(projectRoot, 'results', 'notebooks');
const notebooks = fs.readdirSync(nbDir).filter((f) => /^0.*\.ipynb$/.test(f)).sort();
const read = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8')) as Notebook;
const text = (s: string | string[] | undefined) => (Array.isArray(s) ? s.join('') : s ?? '');
const code = (nb: Notebook) => nb.cells.filter((c) => c.cell_type === 'code').map((c) => text(c.source));

/**
 * The preset of the last `npm run reproduce` (results/reproduce.json). Declared outputs may use
 * {figures} and {results}: figures/ and results/ in the full preset, figures/quick/ and
 * results/quick/ (git-ignored) in the quick one, so a quick run never overwrites committed results.
 */
const lastPreset = (() => {
  try { return (JSON.parse(fs.readFileSync(path.join(projectRoot, 'results', 'reproduce.json'), 'utf8')) as { preset?: string }).preset ?? 'quick'; } catch { return 'quick'; }
})();
const resolveOutput = (rel: string) => rel
  .replace('{figures}', lastPreset === 'full' ? 'figures' : 'figures/quick')
  .replace('{results}', lastPreset === 'full' ? 'results' : 'results/quick');

t('there are numbered notebooks, each with a tslab kernel spec', () => {
  assert.ok(notebooks.length >= 3, `notebooks/: ${notebooks.join(', ')}`);
  for (const f of notebooks) {
    const nb = read(path.join(nbDir, f)) as Notebook & { metadata: { kernelspec?: { name?: string } } };
    assert.is(nb.metadata.kernelspec?.name, 'tslab', f);
  }
});

if (!fs.existsSync(outDir) || fs.readdirSync(outDir).filter((f) => f.endsWith('.ipynb')).length === 0) {
  skipLoudly('notebooks/executed', 'no executed notebooks in results/notebooks/ — run `npm run reproduce` (CI does, before `npm test`) to execute them');
  t.skip('every notebook has an executed copy with outputs and no errors (nothing executed yet)', () => {});
} else {
  for (const f of notebooks) {
    t(`${f}: executed copy is current, every code cell ran, outputs and no errors, declared files written`, () => {
      const execFile = path.join(outDir, f);
      assert.ok(fs.existsSync(execFile), `results/notebooks/${f} is missing: run \`npm run reproduce\``);
      const src = read(path.join(nbDir, f));
      const done = read(execFile);
      assert.equal(code(done), code(src), `results/notebooks/${f} was executed from other code than notebooks/${f}: re-run \`npm run reproduce -- ${f.slice(0, 2)}\``);
      const cells = done.cells.filter((c) => c.cell_type === 'code');
      cells.forEach((c, i) => {
        assert.ok(c.execution_count != null, `${f}: code cell ${i + 1} did not run`);
        const err = (c.outputs ?? []).find((o) => o.output_type === 'error');
        assert.not.ok(err, `${f}: code cell ${i + 1} has an error output: ${err?.ename}: ${err?.evalue}`);
      });
      assert.ok(cells.reduce((n, c) => n + (c.outputs?.length ?? 0), 0) > 0, `${f}: no outputs at all`);
      // The declared outputs: present, and their content is what such a file must hold (a PNG that
      // decodes to a non-blank image, a chart page with its plotly figure, JSON that parses, a CSV with
      // a header and rows, a Markdown table) — not an mtime, which a fresh checkout always passes.
      for (const declared of src.metadata.auif?.outputs ?? []) {
        const rel = resolveOutput(declared);
        const file = path.join(projectRoot, rel);
        assert.ok(fs.existsSync(file), `${f} should have written ${rel}`);
        const bytes = fs.readFileSync(file);
        assert.ok(bytes.length > 0, `${rel} is empty`);
        const problem = contentProblem(rel, bytes);
        assert.is(problem, null, `${rel}: ${problem}`);
      }
    });

    t(`${f}: every chart output has the plotly JSON, a PNG and an HTML showing it; no output carries plotly.js or exceeds 1 MB`, async () => {
      const done = read(path.join(outDir, f));
      const cells = done.cells.filter((c) => c.cell_type === 'code');
      let charts = 0;
      for (const [i, c] of cells.entries()) {
        const where = `${f}, code cell ${i + 1}`;
        for (const o of c.outputs ?? []) {
          const bytes = Buffer.byteLength(JSON.stringify(o));
          assert.ok(bytes <= MAX_OUTPUT_BYTES, `${where}: an output of ${bytes} bytes (over 1 MB)`);
          assert.not.ok(JSON.stringify(o).includes(BUNDLE_MARKER), `${where}: an output carries the plotly.js bundle`);
        }
        const showsChart = /\bshowFigure\(|\bchart\.finish\(\)/.test(text(c.source));
        const chartOutputs = (c.outputs ?? []).filter((o) => o.data && PLOTLY_MIME in o.data);
        // a chart that cannot exist yet (e.g. an ablation knob with no scored run) must say so: a
        // printed line starting "no chart:" with the reason
        const saysNoChart = (c.outputs ?? []).some((o) => /^no chart: \S/m.test(text((o as { text?: string | string[] }).text ?? '')));
        if (showsChart) assert.ok(chartOutputs.length > 0 || saysNoChart, `${where} shows a chart but has no ${PLOTLY_MIME} output (nor a "no chart: <reason>" line)`);
        for (const o of chartOutputs) {
          charts++;
          const spec = o.data![PLOTLY_MIME] as { data?: unknown[]; layout?: unknown };
          assert.ok(Array.isArray(spec.data) && spec.data.length > 0 && typeof spec.layout === 'object', `${where}: the plotly JSON has no traces or no layout`);
          const png = o.data!['image/png'];
          assert.type(png, 'string', `${where}: a chart output without image/png`);
          const m = await sharp(Buffer.from(png as string, 'base64')).stats();
          assert.ok(m.channels.some((ch) => ch.stdev > 5), `${where}: the chart's PNG is blank (one flat colour)`);
          const raw = o.data!['text/html'] as string | string[] | undefined; // nbformat stores multi-line text as a list of lines
          assert.ok(raw !== undefined, `${where}: a chart output without text/html`);
          const html = text(raw);
          assert.ok(html.includes(`src="data:image/png;base64,${png}"`), `${where}: the chart's HTML does not show its PNG`);
        }
      }
      assert.ok(charts > 0 || !code(read(path.join(nbDir, f))).some((s) => /\bshowFigure\(/.test(s)), `${f}: no chart output at all`);
    });
  }
}

t('the marker used to detect an inlined plotly.js is in the bundle', () => {
  assert.ok(fs.readFileSync(path.join(projectRoot, 'node_modules', 'plotly.js-dist-min', 'plotly.min.js'), 'utf8').includes(BUNDLE_MARKER));
});

t.run();
