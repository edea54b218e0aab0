#!/usr/bin/env bash
# The README's test command: installs what the tests need, then typechecks, lints, builds and runs every test.
# Ends with one summary line "tests: N passed, N failed" and a non-zero exit when anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
npm ci --no-audit --no-fund
npm run typecheck
npm run lint
npm run build

mkdir -p test-artifacts
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json || status=$?

node --input-type=module -e '
  import { readFileSync } from "node:fs";
  const r = JSON.parse(readFileSync("test-artifacts/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  if (r.numTotalTests === 0) { console.error("no tests ran"); process.exit(1); }
' || status=1
exit "$status"
