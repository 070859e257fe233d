#!/usr/bin/env bash
# The project-local Python environment for the contract tests: the services' official clients
# (scripts/python-clients.txt) installed from PyPI into <repo>/.venv, and the client sources the
# tests parse (scripts/python-sources.txt) unpacked into <repo>/.venv/sources/.
#
#   source scripts/python-clients.sh   # from scripts/test.sh: exports PDI_PYTHON, PDI_PY_SOURCES
#   bash scripts/python-clients.sh     # the same, standalone
#
# Rebuilt only when either list changes: the stamp holding their hash is written last, so an
# interrupted run leaves no stamp and the next run starts the environment again from nothing.
_pdc_log() { printf '[python-clients] %s\n' "$*" >&2; }
_pdc_main() {
    local repo venv stamp want py line name ver
    repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || return 1
    venv="${repo}/.venv"
    py=$(command -v python3) || { _pdc_log "ERROR: python3 is not on PATH (needed for the official clients)"; return 1; }
    want=$(cat "${repo}/scripts/python-clients.txt" "${repo}/scripts/python-sources.txt" | sha256sum | cut -c1-16)
    stamp="${venv}/.pdi-stamp"
    if [ -x "${venv}/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        _pdc_log "official clients ready in ${venv} ($(${venv}/bin/python --version 2>&1))"
    else
        _pdc_log "installing the official clients into ${venv} (pip, from scripts/python-clients.txt)"
        rm -rf "$venv"
        "$py" -m venv "$venv" || { _pdc_log "ERROR: python3 -m venv failed"; return 1; }
        "${venv}/bin/pip" install --quiet --disable-pip-version-check -r "${repo}/scripts/python-clients.txt" ||
            { _pdc_log "ERROR: pip install of scripts/python-clients.txt failed"; rm -rf "$venv"; return 1; }
        mkdir -p "${venv}/sources/.wheels"
        while IFS= read -r line; do
            line="${line%%#*}"; line="${line// /}"
            [ -z "$line" ] && continue
            name="${line%%==*}"; ver="${line##*==}"
            # A wheel where there is one; else the source archive (older hsfs releases ship only that).
            if "${venv}/bin/pip" download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
                -d "${venv}/sources/.wheels/${name}-${ver}" "${name}==${ver}" 2>/dev/null; then
                "${venv}/bin/python" -m zipfile -e "${venv}/sources/.wheels/${name}-${ver}/"*.whl "${venv}/sources/${name}-${ver}" ||
                    { _pdc_log "ERROR: unpacking ${name}==${ver} failed"; rm -rf "$venv"; return 1; }
            else
                "${venv}/bin/pip" download --quiet --disable-pip-version-check --no-deps \
                    -d "${venv}/sources/.wheels/${name}-${ver}" "${name}==${ver}" ||
                    { _pdc_log "ERROR: pip download ${name}==${ver} failed"; rm -rf "$venv"; return 1; }
                # The archive holds one top folder, <name>-<version>/: unpack beside and move it in place.
                "${venv}/bin/python" -m tarfile -e "${venv}/sources/.wheels/${name}-${ver}/"*.tar.gz "${venv}/sources/.wheels/${name}-${ver}/x" &&
                    mv "${venv}/sources/.wheels/${name}-${ver}/x/"* "${venv}/sources/${name}-${ver}" ||
                    { _pdc_log "ERROR: unpacking ${name}==${ver} failed"; rm -rf "$venv"; return 1; }
            fi
        done < "${repo}/scripts/python-sources.txt"
        rm -rf "${venv}/sources/.wheels"
        echo "$want" > "$stamp"
        _pdc_log "official clients installed: $(${venv}/bin/pip freeze | grep -iE '^(qualytics-cli|databricks-sdk|moto)==' | tr '\n' ' ')"
    fi
    export PDI_PYTHON="${venv}/bin/python" PDI_PY_SOURCES="${venv}/sources"
}
if [ "${BASH_SOURCE[0]}" != "$0" ]; then
    _pdc_main || { unset -f _pdc_log _pdc_main; return 1; }
    unset -f _pdc_log _pdc_main
else
    _pdc_main || exit 1
fi
