#!/usr/bin/env bash
# The README's test command: installs what the tests need, then typechecks, lints, builds and runs every test:
# the TypeScript suite (vitest) and the training pipeline's suite (pytest with Debian's PyTorch, including the smoke
# run: a tiny phantom data set, one epoch, ONNX export and parity against onnxruntime-node).
# Ends with one summary line "tests: N passed, N failed" over both, and a non-zero exit when anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
bash training/install-deps.sh
npm ci --no-audit --no-fund
npm run typecheck
npm run lint
npm run build

mkdir -p test-artifacts
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json || status=$?
# Debian's interpreter: the python3 first on PATH may be another one without torch.
(cd training && /usr/bin/python3 -m pytest -q --junitxml=../test-artifacts/pytest.xml) || status=$?

# The summary program is JavaScript in single quotes on purpose: the shell must not expand its ${...} and $1.
# shellcheck disable=SC2016
node --input-type=module -e '
  import { readFileSync } from "node:fs";
  const v = JSON.parse(readFileSync("test-artifacts/vitest.json", "utf8"));
  const xml = readFileSync("test-artifacts/pytest.xml", "utf8");
  const attr = (name) => Number((xml.match(new RegExp(`<testsuite [^>]*\\b${name}="(\\d+)"`)) ?? [])[1] ?? 0);
  const pyTotal = attr("tests"), pyFailed = attr("failures") + attr("errors"), pySkipped = attr("skipped");
  const passed = v.numPassedTests + (pyTotal - pyFailed - pySkipped);
  const failed = v.numFailedTests + pyFailed;
  const skipped = v.numPendingTests + v.numTodoTests + pySkipped;
  console.log(`vitest: ${v.numPassedTests} passed, ${v.numFailedTests} failed; pytest: ${pyTotal - pyFailed - pySkipped} passed, ${pyFailed} failed`);
  console.log(`tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
  if (v.numTotalTests === 0 || pyTotal === 0) { console.error("a suite ran no test"); process.exit(1); }
' || status=1
exit "$status"
