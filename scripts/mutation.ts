/**
 * `npm run mutation`: how much of a mutated `lib/io/` and `lib/metrics/` the test suite catches.
 * Runs Stryker (@stryker-mutator/core, command test runner) once per folder: every mutant of the
 * folder's files is tested with that folder's own tests (`test/<folder>/`), in a child process;
 * a mutant is killed when the tests fail (or time out). Writes `results/mutation.json`
 * (per folder: score = killed / (killed + survived + timeouts counted as killed), the counts,
 * and every surviving mutant with its file, line and replacement). Not run in CI (≈ 1 h here).
 *
 *   npm run mutation [-- --folders io,metrics] [--files lib/io/bmp.ts,…] [--concurrency N]
 *
 * The two slow reference-data suites of test/metrics (authors_outputs: 160 staged triplets;
 * paper_tables: the 40-pair means) are left out of the metrics command: ~50 s per mutant. The
 * per-pair checks that stand in for them on a few pairs are in test/metrics/octave.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Stryker } from '@stryker-mutator/core';
import { packageRoot } from '../lib/data/manifest.js';

interface FolderSpec {
  /** Files to mutate (globs relative to the package root). */
  mutate: string[];
  /** uvu file pattern of the tests that run against each mutant. */
  tests: string;
  note: string;
}

const FOLDERS: Record<string, FolderSpec> = {
  io: {
    mutate: ['lib/io/*.ts'],
    tests: 'io/.*\\.test\\.ts$',
    note: 'all of lib/io; tests: test/io/*',
  },
  metrics: {
    mutate: ['lib/metrics/*.ts', '!lib/metrics/types.ts'],
    tests: 'metrics/(?!authors_outputs|paper_tables).*\\.test\\.ts$',
    note: 'all of lib/metrics but types.ts; tests: test/metrics/* except authors_outputs and paper_tables (~50 s per mutant)',
  },
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

for (const name of folders) {
  const spec = FOLDERS[name];
  if (!spec) throw new Error(`unknown folder ${name}; known: ${Object.keys(FOLDERS).join(', ')}`);
  const mutate = onlyFiles ? onlyFiles.filter((f) => f.startsWith(`lib/${name}/`)) : spec.mutate;
  const report = path.join(packageRoot, 'scratch', `stryker-${name}.json`);
  const t0 = Date.now();
  const stryker = new Stryker({
    testRunner: 'command',
    // AUIF_HOME: the sandbox reads the data staged in this checkout instead of staging its own.
    commandRunner: { command: `AUIF_HOME=${packageRoot} NO_COLOR=1 node --import tsx node_modules/uvu/bin.js test '${spec.tests}'` },
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
  const json = JSON.parse(fs.readFileSync(report, 'utf8')) as { files: Record<string, { mutants: { status: string; mutatorName: string; replacement?: string; location: { start: { line: number } } }[] }> };
  const counts: Record<string, number> = {};
  const survivors: { file: string; line: number; mutator: string; replacement?: string }[] = [];
  for (const [file, f] of Object.entries(json.files)) {
    for (const m of f.mutants) {
      counts[m.status] = (counts[m.status] ?? 0) + 1;
      if (m.status === 'Survived' || m.status === 'NoCoverage') survivors.push({ file, line: m.location.start.line, mutator: m.mutatorName, replacement: m.replacement });
    }
  }
  const killed = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const valid = killed + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  previous.folders[name] = {
    mutated: mutate, tests: `test/${spec.tests}`, note: spec.note,
    score: valid ? Number((killed / valid).toFixed(4)) : null,
    counts, minutes: Number(((Date.now() - t0) / 60000).toFixed(1)),
    survivors,
  };
  previous.date = new Date().toISOString();
  previous.tool = 'Stryker 9 (@stryker-mutator/core), command runner, coverageAnalysis off';
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(`${out}.tmp`, `${JSON.stringify(previous, null, 1)}\n`);
  fs.renameSync(`${out}.tmp`, out);
  console.log(`${name}: score ${previous.folders[name].score} (${JSON.stringify(counts)}) → ${out}`);
}
