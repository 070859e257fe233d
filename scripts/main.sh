#!/usr/bin/env bash
# The README's main command: deploys the main example against the local sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
npx tsc -p tsconfig.json
node --disable-warning=ExperimentalWarning dist/scripts/main.js "$@"
