#!/usr/bin/env bash
# The sandbox command line for people: start/stop/status, list what each service holds, make a
# named out-of-band change. `bash scripts/sandbox.sh help` lists the commands.
set -euo pipefail
here=$PWD # relative --home / --config paths are the caller's
cd "$(dirname "$0")/.."
repo=$PWD
source scripts/bootstrap.sh >&2
# Build when dist is missing or older than a source the CLI is made of (a full tsc takes ~15 s).
cli=dist/scripts/sandbox-cli.js
if [ ! -f "$cli" ] || [ -n "$(find sandbox scripts tsconfig.json \( -name '*.ts' -o -name tsconfig.json \) -newer "$cli" -print -quit 2>/dev/null)" ]; then
    npx tsc -p tsconfig.json >&2 || {
        # tsc still emits on type errors (elsewhere in the tree, say): run that build if there is one.
        [ -f "$cli" ] || exit 1
        echo "sandbox.sh: tsc reported errors (above); running the build it emitted" >&2
    }
fi
cd "$here"
exec node --disable-warning=ExperimentalWarning "$repo/$cli" "$@"
