#!/usr/bin/env node
import { runCli } from './index.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // A stopped daemon or a finished command must not be kept alive by a stray handle.
    setTimeout(() => process.exit(code), 500).unref();
  },
  (error: unknown) => {
    process.stderr.write(`myoscreen: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
