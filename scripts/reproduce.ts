/**
 * `npm run reproduce`: the whole reproduction in one command. It
 *
 * 1. stages the upstream data if missing (as `npm run data`),
 * 2. rebuilds `dist/` when any `lib/` source is newer (the notebooks import the built library),
 * 3. registers the tslab kernel in a project-local Jupyter path (`.jupyter/`, git-ignored; nothing
 *    is installed globally),
 * 4. executes every `notebooks/0*.ipynb` in order, headless, with nbclient (the engine of
 *    `jupyter nbconvert --execute`; scripts/run_notebook.py), writing the executed copies to
 *    `results/notebooks/` (signed as trusted, `plotly.min.js` beside them for the interactive
 *    charts); the notebooks write `figures/` and `results/` (full preset) or their `quick/`
 *    subfolders (quick preset, git-ignored): a quick run changes no tracked file,
 * 5. writes `results/reproduce.json` (preset, wall time per notebook and per cell).
 *
 *   npm run reproduce                      quick preset (default)
 *   AUIF_PRESET=full npm run reproduce     every pair, the paper's training schedule
 *   npm run reproduce -- 02 03             only the notebooks whose name contains 02 or 03
 *   npm run reproduce -- --setup           stage, build and register the kernel only (for Jupyter:
 *                                          JUPYTER_PATH=$PWD/.jupyter jupyter lab notebooks/)
 *
 * Any failing cell stops the run with the notebook, the cell number, its first lines and its
 * error. `AUIF_CELL_TIMEOUT` (seconds, default 3600) bounds each cell.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureStaged, GROUP_NAMES, StagingError } from '../lib/data/stage.js';
import { presetName, PresetError } from '../lib/figures/preset.js';
import { copyPlotlyBundle } from '../lib/figures/plotly.js';
import { writeFileAtomicSync } from '../lib/io/atomic.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const JUPYTER_INSTALL = 'apt-get update && apt-get install -y jupyter-nbconvert python3-nbclient python3-jupyter-client';

class ReproduceError extends Error {}

function log(s: string): void {
  process.stdout.write(`${s}\n`);
}

/**
 * A Python that can import nbclient (what `jupyter nbconvert --execute` uses): `$AUIF_PYTHON`,
 * the interpreter of the `jupyter` command on PATH, /usr/bin/python3 (Debian's packages), python3.
 */
function findPython(): string {
  const candidates: string[] = [];
  if (process.env.AUIF_PYTHON) candidates.push(process.env.AUIF_PYTHON);
  const which = spawnSync('sh', ['-c', 'command -v jupyter'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) {
    const shebang = fs.readFileSync(which.stdout.trim(), 'utf8').split('\n')[0];
    if (shebang.startsWith('#!')) candidates.push(...shebang.slice(2).trim().split(/\s+/).filter((w) => !w.endsWith('/env')).slice(0, 1));
  }
  candidates.push('/usr/bin/python3', 'python3');
  const tried: string[] = [];
  for (const py of [...new Set(candidates)]) {
    const r = spawnSync(py, ['-c', 'import nbclient, nbformat, jupyter_client; print(nbclient.__version__)'], { encoding: 'utf8' });
    if (!r.error && r.status === 0) {
      log(`== jupyter: nbclient ${r.stdout.trim()} (${py})`);
      return py;
    }
    tried.push(`${py}: ${r.error ? (r.error as NodeJS.ErrnoException).code : (r.stderr.trim().split('\n').pop() ?? 'import failed')}`);
  }
  throw new ReproduceError('Jupyter (python3 with nbclient, nbformat, jupyter_client) is needed to execute the notebooks; '
    + `none of these Pythons has it:\n    ${tried.join('\n    ')}\n`
    + `  Install Debian's packages: ${JUPYTER_INSTALL}   (as root; prefix with sudo otherwise)`);
}

/** The tslab kernel spec in `<root>/.jupyter/kernels/tslab`; returns the JUPYTER_PATH entry. */
function writeKernelSpec(): string {
  const tslab = path.join(root, 'node_modules', '.bin', 'tslab');
  if (!fs.existsSync(tslab)) throw new ReproduceError(`the tslab kernel is not installed (${path.relative(root, tslab)} missing): run \`npm install\``);
  const dir = path.join(root, '.jupyter', 'kernels', 'tslab');
  fs.mkdirSync(dir, { recursive: true });
  const spec = {
    argv: [tslab, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript (tslab)',
    language: 'typescript',
  };
  const file = path.join(dir, 'kernel.json');
  const text = `${JSON.stringify(spec, null, 2)}\n`;
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) {
    writeFileAtomicSync(file, text);
  }
  return path.join(root, '.jupyter');
}

function newestMtime(dir: string, ext: string): number {
  let best = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) best = Math.max(best, newestMtime(p, ext));
    else if (e.name.endsWith(ext)) best = Math.max(best, fs.statSync(p).mtimeMs);
  }
  return best;
}

/** Runs `npm run build` when dist/ is missing or older than a lib/ source. */
function buildIfStale(): void {
  const stamp = path.join(root, 'dist', 'index.js');
  const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
  if (built >= newestMtime(path.join(root, 'lib'), '.ts')) {
    log('== dist/ is up to date');
    return;
  }
  log('== building dist/ (npm run build)');
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status === 0) return;
  // tsc still emits JavaScript on type errors; go on if it did (each notebook cell is type-checked again).
  if (fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs > built) {
    log('!! `npm run build` reported type errors (above); continuing with the JavaScript it emitted to dist/');
    return;
  }
  throw new ReproduceError('`npm run build` failed (see above); the notebooks import the built library in dist/');
}

interface NotebookResult {
  notebook: string;
  ok: boolean;
  seconds: number;
  cells?: number;
  cell_seconds?: { cell: number; seconds: number }[];
  failed_cell?: number | null;
  source?: string;
  error?: string;
  output: string;
}

/** Executes one notebook through scripts/run_notebook.py; progress lines go to stderr as they come. */
function execute(python: string, nb: string, out: string, env: NodeJS.ProcessEnv, timeoutS: number): Promise<NotebookResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [path.join(root, 'scripts', 'run_notebook.py'), nb, out, String(timeoutS), 'tslab'], {
      cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        const r = JSON.parse(last) as Omit<NotebookResult, 'notebook' | 'output'>;
        resolve({ notebook: path.basename(nb), output: path.relative(root, out), ...r });
      } catch {
        reject(new ReproduceError(`executing ${path.relative(root, nb)} failed before any result (exit ${code}):\n${stdout.trim()}`));
      }
    });
  });
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const preset = presetName();
  const setupOnly = process.argv.includes('--setup');
  const filters = process.argv.slice(2).filter((a) => a !== '--setup');
  const timeoutS = Number(process.env.AUIF_CELL_TIMEOUT ?? 3600);
  if (!(timeoutS > 0) || !Number.isInteger(timeoutS)) throw new ReproduceError(`AUIF_CELL_TIMEOUT=${process.env.AUIF_CELL_TIMEOUT} is not a positive whole number of seconds`);
  log(`== auif-ts reproduction, preset '${preset}' (AUIF_PRESET=quick|full)`);

  const python = findPython();
  log('== staging the upstream data (npm run data)');
  const staged = await ensureStaged(GROUP_NAMES, { quiet: !process.stderr.isTTY });
  const fresh = staged.filter((g) => g.source !== 'already staged');
  log(`   ${staged.length - fresh.length} of ${staged.length} groups already staged${fresh.map((g) => `; ${g.group} (${g.files} files) from ${g.source}`).join('')}`);
  buildIfStale();
  const jupyterPath = writeKernelSpec();
  if (setupOnly) {
    log(`== set up: kernel spec in ${path.relative(root, jupyterPath)}/kernels/tslab. Open the notebooks with\n   JUPYTER_PATH=${jupyterPath} jupyter lab notebooks/   (or jupyter notebook), kernel "TypeScript (tslab)"`);
    return;
  }

  const nbDir = path.join(root, 'notebooks');
  let notebooks = fs.readdirSync(nbDir).filter((f) => /^0.*\.ipynb$/.test(f)).sort();
  if (filters.length) notebooks = notebooks.filter((f) => filters.some((s) => f.includes(s)));
  if (notebooks.length === 0) throw new ReproduceError(`no notebook in notebooks/ matches ${filters.length ? filters.join(', ') : '0*.ipynb'}`);

  const outDir = path.join(root, 'results', 'notebooks');
  fs.mkdirSync(outDir, { recursive: true });
  await copyPlotlyBundle(outDir); // the executed notebooks' charts load it from beside them when trusted (nothing inlined)
  fs.mkdirSync(path.join(root, 'figures'), { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AUIF_PRESET: preset,
    JUPYTER_PATH: [jupyterPath, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter),
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
  };
  const results: NotebookResult[] = [];
  let failed: NotebookResult | null = null;
  for (const name of notebooks) {
    log(`== executing notebooks/${name}`);
    const r = await execute(python, path.join(nbDir, name), path.join(outDir, name), env, timeoutS);
    results.push(r);
    if (!r.ok) { failed = r; break; }
    log(`   ok in ${r.seconds.toFixed(1)} s → ${r.output}`);
  }

  const total = (performance.now() - t0) / 1000;
  const report = {
    preset,
    date: new Date().toISOString(),
    node: process.version,
    ok: failed === null,
    total_seconds: Math.round(total * 10) / 10,
    notebooks: results.map((r) => ({
      notebook: r.notebook, ok: r.ok, seconds: r.seconds, output: r.output,
      slowest_cells: [...(r.cell_seconds ?? [])].sort((a, b) => b.seconds - a.seconds).slice(0, 3),
      ...(r.ok ? {} : { failed_cell: r.failed_cell, error: r.error }),
    })),
  };
  const reportFile = path.join(root, 'results', 'reproduce.json');
  writeFileAtomicSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);

  log('');
  for (const r of results) log(`   ${r.ok ? 'ok  ' : 'FAIL'} ${r.notebook.padEnd(32)} ${r.seconds.toFixed(1).padStart(7)} s`);
  if (failed) {
    const src = (failed.source ?? '').split('\n').slice(0, 6).map((l) => `      | ${l}`).join('\n');
    const error = (failed.error ?? '').split('\n').filter((l) => !/node_modules\/tslab\/|\(node:vm:|sigintHandlersWrap/.test(l));
    throw new ReproduceError(`notebooks/${failed.notebook}, cell ${failed.failed_cell ?? '?'} failed:\n${src}\n${error.map((l) => `      ${l}`).join('\n')}\n`
      + `   The executed notebook up to that cell: ${failed.output}`);
  }
  log(`== reproduction done in ${total.toFixed(1)} s (preset '${preset}'); executed notebooks in results/notebooks/, figures in figures/, tables in results/, timings in results/reproduce.json`);
}

main().catch((e: unknown) => {
  const known = e instanceof ReproduceError || e instanceof StagingError || e instanceof PresetError;
  process.stderr.write(`\nreproduce: ${known ? (e as Error).message : (e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
