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
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: childEnv });
let out = '';
child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
child.on('close', (code, signal) => {
  const num = (label) => { const m = out.match(new RegExp(`${label}:\\s+(\\d+)`)); return m ? Number(m[1]) : NaN; };
  const total = num('Total'), passed = num('Passed'), skipped = num('Skipped');
  if (Number.isNaN(total)) {
    console.log(`\ntest runner ended without a summary (exit ${code}${signal ? `, signal ${signal}` : ''})`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  const failed = Math.max(0, total - passed - skipped) + (code !== 0 && total === passed + skipped ? 1 : 0);
  console.log(`\n${skipped} skipped (each skip prints its reason above, marked !! SKIP)`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
});
