#!/usr/bin/env node
// Runs the uvu suites under test/ (TypeScript, loaded through tsx) and closes with the line
// "N passed, N failed" that CI reads (the skip counts on the line before). Extra arguments are a uvu file pattern,
// e.g. `npm test -- unrolling`. A test that cannot run (no data, no native addon) prints "!! SKIP what: why"
// (test/helpers/upstream.ts skipLoudly): it is counted as skipped, not passed, and listed with its reason; with
// CI=true or AUIF_REQUIRE_DATA=1 every skip counts as a failure. AUIF_NO_PROJECT_REFERENCE=1 AUIF_NO_SHARED=1
// hides the reference data (datasets/reference/, ../shared) to check that this fails.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { skipReport, skipsAreFatal } from './test-report.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const uvuBin = path.join(root, 'node_modules', 'uvu', 'bin.js');
const pattern = process.argv[2] ? `${process.argv[2]}.*\\.test\\.ts$` : '\\.test\\.ts$';
const childEnv = { ...process.env };
if (!process.stdout.isTTY) { childEnv.NO_COLOR = '1'; delete childEnv.FORCE_COLOR; }
const child = spawn(process.execPath, ['--import', 'tsx', uvuBin, 'test', pattern],
  { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv });
let out = '';
let err = '';
child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
child.stderr.on('data', (d) => { err += d; process.stderr.write(d); });
child.on('close', (code, signal) => {
  const num = (label) => { const m = out.match(new RegExp(`${label}:\\s+(\\d+)`)); return m ? Number(m[1]) : NaN; };
  const total = num('Total'), uvuPassed = num('Passed'), uvuSkipped = num('Skipped');
  if (Number.isNaN(total)) {
    console.log(`\ntest runner ended without a summary (exit ${code}${signal ? `, signal ${signal}` : ''})`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  // uvu's Total counts the tests that ran; tests registered with .skip are only in Skipped.
  let failed = Math.max(0, total - uvuPassed) + (code !== 0 && total === uvuPassed ? 1 : 0);
  const { tests, parts } = skipReport(out, err);
  const passed = uvuPassed - tests.length;
  const skipped = uvuSkipped + tests.length;
  const lines = [];
  for (const t of tests) for (const r of t.reasons) lines.push(`${t.file} #${t.index}: ${r}`);
  for (const p of parts) lines.push(`(whole file / part) ${p}`);
  if (lines.length) console.log(`\nskipped (${tests.length} test(s), ${parts.length} part(s)):\n${lines.map((l) => `  ${l}`).join('\n')}`);
  if (uvuSkipped) console.log(`  ${uvuSkipped} test(s) registered with .skip`);
  const fatal = skipsAreFatal() && (skipped > 0 || parts.length > 0);
  if (fatal) {
    console.log(`\n!! ${skipped} skipped test(s) and ${parts.length} skipped part(s) with CI / AUIF_REQUIRE_DATA set: each counts as a failure (the data they need should be here).`);
    failed += skipped + parts.length;
  }
  console.log(`\n${skipped} skipped test(s), ${parts.length} skipped part(s)`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
});
