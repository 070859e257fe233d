#!/usr/bin/env bash
# `npm run bench`: the toolchain (bootstrap), a build, then the benchmark (scripts/bench/index.ts).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bootstrap.sh
npx tsc -p tsconfig.json
node --disable-warning=ExperimentalWarning dist/scripts/bench/index.js "$@"
