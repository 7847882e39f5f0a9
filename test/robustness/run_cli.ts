// Runs the auif CLI from source in a child process for the bad-input corpus; at exit it writes
// the process's peak RSS (kB) to $AUIF_TEST_RSS_FILE.
import fs from 'node:fs';
import { main } from '../../lib/cli/main.js';

process.on('exit', () => {
  try {
    if (process.env.AUIF_TEST_RSS_FILE) fs.writeFileSync(process.env.AUIF_TEST_RSS_FILE, String(process.resourceUsage().maxRSS));
  } catch { /* e.g. under a file-size limit of 0 */ }
});
process.exitCode = await main(process.argv.slice(2));
