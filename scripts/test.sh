#!/usr/bin/env bash
# The README's test command: type-checks and builds, then runs every test (unit, sandbox
# contract and end-to-end tests against the real Pulumi engine).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
source scripts/bootstrap.sh
source scripts/python-clients.sh
node scripts/link-self.js
npx tsc -p tsconfig.json
# Formatting is part of the type-check step: a file prettier would change fails the run (npm run format fixes it).
npx prettier --check .
npx jest --ci "$@"
echo "test suite wall time: $(( $(date +%s) - started )) s"
