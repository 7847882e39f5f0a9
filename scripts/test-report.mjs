// Skip accounting of scripts/test.mjs (a module of its own so that it can be tested: test/runner/skips.test.ts).

/**
 * Which tests skipped: test/helpers/upstream.ts skipLoudly() prints "!! SKIP what: why" on stdout.
 * uvu runs tests one at a time and prints "• " (pass) or "✘ " (fail) when each ends, so a marker
 * between two of those belongs to the test that ended next. Markers before the first test file's
 * header were printed while the files were imported (a part skipped for a whole file, e.g. one
 * operator variant), as are markers on stderr (not attributable).
 */
export function skipReport(stdout, stderr) {
  // eslint-disable-next-line no-control-regex
  const text = stdout.replace(/\u001b\[[0-9;]*m/g, '');
  const header = /^[\w./-]+\.test\.ts$/m.exec(text);
  const start = header ? header.index : text.length;
  const parts = [];
  const tests = [];
  const marker = /!! SKIP ([^\n]*)/g;
  for (const m of text.slice(0, start).matchAll(marker)) parts.push(m[1].trim());
  for (const m of stderr.matchAll(marker)) parts.push(m[1].trim());
  let file = header ? header[0] : '';
  let pending = [];
  let index = 0;
  const event = /(^[\w./-]+\.test\.ts$)|!! SKIP ([^\n]*)|(• )|(✘ )/gm;
  for (const m of text.slice(start).matchAll(event)) {
    if (m[1]) { file = m[1]; index = 0; continue; }
    if (m[2]) { pending.push(m[2].trim()); continue; }
    index++;
    if (m[3] && pending.length) tests.push({ file, index, reasons: [...new Set(pending)] });
    pending = [];
  }
  parts.push(...pending);
  return { tests, parts: [...new Set(parts)] };
}

/** `CI=true` (set by CI) or `AUIF_REQUIRE_DATA=1`: every skip is a failure. */
export function skipsAreFatal(env = process.env) {
  const on = (v) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
  return on(env.CI) || on(env.AUIF_REQUIRE_DATA);
}

