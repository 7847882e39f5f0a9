/**
 * The skip accounting of scripts/test.mjs (scripts/test-report.mjs): markers printed by
 * skipLoudly are attributed to the test that printed them (uvu prints "• " or "✘ " as each test
 * ends), import-time markers and stderr markers count as skipped parts, and CI=true or
 * AUIF_REQUIRE_DATA=1 makes skips fatal. Plus one real run of the runner on a fixture suite.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { projectRoot } from '../helpers/upstream.js';

type Report = { tests: { file: string; index: number; reasons: string[] }[]; parts: string[] };
const mod = (await import(path.join(projectRoot, 'scripts', 'test-report.mjs') as string)) as {
  skipReport: (out: string, err: string) => Report;
  skipsAreFatal: (env: Record<string, string | undefined>) => boolean;
};

const t = suite('scripts/test-report: skips counted per test');

t('markers between two test ends belong to the next test; before the first file header they are parts', () => {
  const out = [
    '  !! SKIP native kernels: not built', // import time
    'model/a.test.ts',
    ' model/a  • ',
    '  !! SKIP reference fixtures: not found',
    '  !! SKIP reference fixtures: not found', // twice in one test: one skipped test, one reason
    '• ✘ ',
    '  !! SKIP data group tno: no source',
    '•   (4 / 4)',
    '',
    '\u001b[1mmodel/b.test.ts\u001b[22m',
    ' model/b  \u001b[90m• \u001b[39m',
    '  !! SKIP trailing: after the last test',
  ].join('\n');
  const r = mod.skipReport(out, '  !! SKIP on stderr: somewhere\n');
  assert.equal(r.tests, [
    { file: 'model/a.test.ts', index: 2, reasons: ['reference fixtures: not found'] },
    { file: 'model/a.test.ts', index: 4, reasons: ['data group tno: no source'] },
  ]);
  assert.equal(r.parts, ['native kernels: not built', 'on stderr: somewhere', 'trailing: after the last test']);
  assert.equal(mod.skipReport('a.test.ts\n • • \n', ''), { tests: [], parts: [] });
  // A failing test that skipped is a failure, not a skip.
  assert.equal(mod.skipReport('a.test.ts\n !! SKIP x: y\n✘ \n', '').tests, []);
});

t('CI=true or AUIF_REQUIRE_DATA=1 makes skips fatal; 0, false and empty do not', () => {
  assert.ok(mod.skipsAreFatal({ CI: 'true' }));
  assert.ok(mod.skipsAreFatal({ AUIF_REQUIRE_DATA: '1' }));
  for (const v of ['', '0', 'false', 'FALSE', undefined]) assert.not.ok(mod.skipsAreFatal({ CI: v, AUIF_REQUIRE_DATA: v }), String(v));
});

t('the runner end to end: a skipping test is reported as skipped (not passed); with CI=true the run fails listing it; the last line stays "N passed, N failed"', () => {
  const dir = path.join(projectRoot, 'test', 'scripts', 'fixtures');
  fs.mkdirSync(dir, { recursive: true });
  const runner = path.join(projectRoot, 'scripts', 'test.mjs');
  const run = (env: Record<string, string>) => spawnSync(process.execPath, [runner, 'scripts/fixtures/skipping'], { cwd: projectRoot, encoding: 'utf8', env: { ...process.env, CI: '', AUIF_REQUIRE_DATA: '', AUIF_SKIP_FIXTURE_SUITE: '1', ...env } });
  const quiet = run({});
  const lines = quiet.stdout.trim().split('\n');
  assert.is(lines.at(-1), '1 passed, 0 failed', quiet.stdout);
  assert.is(lines.at(-2), '1 skipped test(s), 0 skipped part(s)');
  assert.match(quiet.stdout, /skipping\.test\.ts #2: fixture data: not here on purpose/);
  assert.is(quiet.status, 0);
  const ci = run({ CI: 'true' });
  assert.is(ci.stdout.trim().split('\n').at(-1), '1 passed, 1 failed', ci.stdout);
  assert.match(ci.stdout, /!! 1 skipped test\(s\) and 0 skipped part\(s\) with CI/);
  assert.is(ci.status, 1);
  // A failure is counted even beside more tests registered with .skip (uvu's Total leaves those out).
  const failing = run({ AUIF_SKIP_FIXTURE_SUITE: '2' });
  assert.is(failing.stdout.trim().split('\n').at(-1), '1 passed, 1 failed', failing.stdout);
  assert.match(failing.stdout, /2 test\(s\) registered with \.skip/);
  assert.is(failing.status, 1);
});

t.run();
