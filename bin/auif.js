#!/usr/bin/env node
// The `auif` command: runs the compiled library (built by `npm install` / `npm run build`).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
