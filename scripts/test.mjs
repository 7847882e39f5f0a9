#!/usr/bin/env node
// Runs the uvu suites under test/ (TypeScript, loaded through tsx) and closes with the line
// "N passed, N failed" that CI reads (the skip count on the line before). Extra arguments are a uvu file pattern,
// e.g. `npm test -- unrolling`.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

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
  const total = num('Total'), passed = num('Passed'), skipped = num('Skipped');
  if (Number.isNaN(total)) {
    console.log(`\ntest runner ended without a summary (exit ${code}${signal ? `, signal ${signal}` : ''})`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  const failed = Math.max(0, total - passed - skipped) + (code !== 0 && total === passed + skipped ? 1 : 0);
  // Tests that cannot run here (no data, no native addon, nothing executed) announce it with a
  // "!! SKIP what: why" line (test/helpers/upstream.ts skipLoudly); list them again at the end.
  const announced = [...new Set((out + err).split('\n').filter((l) => l.includes('!! SKIP')).map((l) => l.trim()))];
  if (announced.length) console.log(`\nskipped parts (${announced.length}):\n${announced.map((l) => `  ${l}`).join('\n')}`);
  console.log(`\n${skipped} skipped test(s), ${announced.length} skipped part(s) announced`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
});
