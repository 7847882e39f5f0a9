/**
 * `npm run mutation`: how much of a mutated `lib/io/` and `lib/metrics/` the test suite catches.
 * Runs Stryker (@stryker-mutator/core, command test runner) once per folder: every mutant of the
 * folder's files is tested with that folder's own tests (`test/<folder>/`), in a child process;
 * a mutant is killed when the tests fail (or time out). Writes `results/mutation.json`
 * (per folder and file: score = (killed + timed out) / all valid mutants, the counts, and every
 * surviving mutant with its file, line and replacement). Not run in CI (about an hour here).
 *
 *   npm run mutation [-- --folders io,metrics] [--files lib/io/bmp.ts,…] [--concurrency N]
 *
 * The two slow reference-data suites of test/metrics (authors_outputs: 160 staged triplets;
 * paper_tables: the 40-pair means) are left out: ~50 s per mutant. test/metrics/octave.test.ts
 * (per-pair Octave values on a few pairs) stands in for them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Stryker } from '@stryker-mutator/core';
import { packageRoot } from '../lib/data/manifest.js';
import { writeFileAtomicSync } from '../lib/io/atomic.js';

interface Job {
  /** Files to mutate (relative to the package root). */
  mutate: string[];
  /** uvu file pattern of the tests of test/<folder>/ that run against each of their mutants. */
  tests: string;
}

/**
 * Per folder, which of its tests run against which file's mutants: the test file that mirrors
 * the source file (plus the folder's tests that exercise it), not the whole folder, to keep a
 * run near a second per mutant. A mutant only another folder's test would catch counts as
 * surviving (the score is a lower bound).
 */
const FOLDERS: Record<string, Job[]> = {
  io: [
    { mutate: ['lib/io/bmp.ts'], tests: 'io/(bmp|image)\\.test\\.ts$' },
    { mutate: ['lib/io/image.ts'], tests: 'io/image\\.test\\.ts$' },
    { mutate: ['lib/io/atomic.ts'], tests: 'io/(atomic|safetensors)\\.test\\.ts$' },
    { mutate: ['lib/io/safetensors.ts'], tests: 'io/safetensors\\.test\\.ts$' },
    { mutate: ['lib/io/tensor_record.ts'], tests: 'io/(safetensors|torch_checkpoint)\\.test\\.ts$' },
    { mutate: ['lib/io/pickle.ts', 'lib/io/torch_checkpoint.ts'], tests: 'io/(pickle|torch_checkpoint)\\.test\\.ts$' },
  ],
  metrics: [
    ...['entropy', 'sd', 'sf', 'ag', 'cc', 'ce', 'psnr', 'mi', 'ssim', 'vif', 'qabf', 'filters'].map((m) => ({
      mutate: [`lib/metrics/${m}.ts`], tests: `metrics/${m}\\.test\\.ts$`,
    })),
    { mutate: ['lib/metrics/scd.ts', 'lib/metrics/histogram.ts', 'lib/metrics/workspace.ts', 'lib/metrics/index.ts'], tests: 'metrics/(index|octave|mi|entropy|cc)\\.test\\.ts$' },
  ],
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const folders = (arg('folders') ?? 'io,metrics').split(',');
const onlyFiles = arg('files')?.split(',');
const concurrency = Number(arg('concurrency') ?? 2);
const out = path.join(packageRoot, 'results', 'mutation.json');
const previous = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : { folders: {} };

type MutantJson = { status: string; mutatorName: string; replacement?: string; location: { start: { line: number } } };

for (const name of folders) {
  const jobs = FOLDERS[name];
  if (!jobs) throw new Error(`unknown folder ${name}; known: ${Object.keys(FOLDERS).join(', ')}`);
  const t0 = Date.now();
  // Files mutated in earlier runs (`--files`) keep their results; the files of this run replace theirs.
  const thisRun = new Set(jobs.flatMap((j) => j.mutate).filter((f) => !onlyFiles || onlyFiles.includes(f)));
  const prev = previous.folders[name] ?? {};
  const counts: Record<string, number> = {};
  const perFile: Record<string, { killed: number; survived: number; tests: string; counts?: Record<string, number> }> = Object.fromEntries(
    Object.entries((prev.files ?? {}) as Record<string, { killed: number; survived: number; tests: string; counts?: Record<string, number> }>).filter(([f]) => !thisRun.has(f)));
  for (const f of Object.values(perFile)) {
    for (const [k, v] of Object.entries(f.counts ?? { Killed: f.killed, Survived: f.survived })) counts[k] = (counts[k] ?? 0) + v;
  }
  const survivors: { file: string; line: number; mutator: string; replacement?: string }[] = ((prev.survivors ?? []) as { file: string; line: number; mutator: string }[]).filter((m) => !thisRun.has(m.file));
  for (const job of jobs) {
    const mutate = onlyFiles ? job.mutate.filter((f) => onlyFiles.includes(f)) : job.mutate;
    if (mutate.length === 0) continue;
    const report = path.join(packageRoot, 'scratch', `stryker-${path.basename(mutate[0], '.ts')}.json`);
    const stryker = new Stryker({
      testRunner: 'command',
      // AUIF_HOME: the sandbox reads the data staged in this checkout instead of staging its own.
      commandRunner: { command: `AUIF_HOME=${packageRoot} AUIF_SAMPLE_PAIRS=1 NO_COLOR=1 node --import tsx node_modules/uvu/bin.js test '${job.tests}'` },
      mutate,
      coverageAnalysis: 'off',
      concurrency,
      timeoutMS: 60_000,
      reporters: ['json', 'progress-append-only'],
      jsonReporter: { fileName: report },
      ignorePatterns: ['datasets/Test_*', 'datasets/Train_*', 'datasets/didfuse', 'datasets/Test_result', 'datasets/image', 'models/upstream', 'results', 'figures', 'notebooks', 'scratch', '.jupyter'],
      tempDirName: 'scratch/.stryker-tmp',
      cleanTempDir: true,
    });
    await stryker.runMutationTest();
    const json = JSON.parse(fs.readFileSync(report, 'utf8')) as { files: Record<string, { mutants: MutantJson[] }> };
    for (const [file, f] of Object.entries(json.files)) {
      const pf = (perFile[file] = { killed: 0, survived: 0, tests: `test/${job.tests}`, counts: {} as Record<string, number> });
      for (const m of f.mutants) {
        counts[m.status] = (counts[m.status] ?? 0) + 1;
        pf.counts[m.status] = (pf.counts[m.status] ?? 0) + 1;
        if (m.status === 'Killed' || m.status === 'Timeout') pf.killed++;
        if (m.status === 'Survived' || m.status === 'NoCoverage') {
          pf.survived++;
          survivors.push({ file, line: m.location.start.line, mutator: m.mutatorName, replacement: m.replacement });
        }
      }
    }
    write(name, { counts, perFile, survivors, minutes: (Date.now() - t0) / 60000, partial: true });
  }
  write(name, { counts, perFile, survivors, minutes: (Date.now() - t0) / 60000, partial: false });
}

function write(name: string, r: { counts: Record<string, number>; perFile: Record<string, { killed: number; survived: number; tests: string; counts?: Record<string, number> }>; survivors: unknown[]; minutes: number; partial: boolean }): void {
  const killed = (r.counts.Killed ?? 0) + (r.counts.Timeout ?? 0);
  const valid = killed + (r.counts.Survived ?? 0) + (r.counts.NoCoverage ?? 0);
  previous.folders[name] = {
    score: valid ? Number((killed / valid).toFixed(4)) : null,
    counts: r.counts,
    files: Object.fromEntries(Object.entries(r.perFile).map(([f, v]) => [f, { ...v, score: Number((v.killed / Math.max(1, v.killed + v.survived)).toFixed(4)) }])),
    minutes: Number(r.minutes.toFixed(1)),
    ...(r.partial ? { incomplete: 'run in progress or stopped: only the files listed were mutated' } : {}),
    survivors: r.survivors,
  };
  previous.date = new Date().toISOString();
  previous.tool = 'Stryker 9 (@stryker-mutator/core), command runner, coverageAnalysis off; score = (killed + timeout) / (killed + timeout + survived + no coverage)';
  fs.mkdirSync(path.dirname(out), { recursive: true });
  writeFileAtomicSync(out, `${JSON.stringify(previous, null, 1)}\n`);
  console.log(`${name}: score ${previous.folders[name].score} (${JSON.stringify(r.counts)}) → ${out}`);
}
