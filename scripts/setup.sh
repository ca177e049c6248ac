#!/usr/bin/env bash
# Prepare a machine for vxlan-inspect: Debian packages (when root), a virtualenv
# in .venv with the package and its test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
command -v tcpdump >/dev/null 2>&1 || need_pkgs+=(tcpdump)
command -v ping >/dev/null 2>&1 || need_pkgs+=(iputils-ping)
command -v ip >/dev/null 2>&1 || need_pkgs+=(iproute2)
command -v bridge >/dev/null 2>&1 || need_pkgs+=(iproute2)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_pkgs+=(python3-venv)
# headless Chromium opens 'explain --format html' pages in tests/explain/test_html_page.py
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing Debian packages: ${need_pkgs[*]}" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
    else
        echo "setup: missing ${need_pkgs[*]}; install them (apt-get install ${need_pkgs[*]}) or run as root" >&2
    fi
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -e "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null
    .venv/bin/python -m pip install -q -e '.[test]'
    # atheris (fuzzing) has wheels for common platforms only. The marker file tells the fuzz smoke
    # tests that its absence is known (they skip) rather than a broken install (they fail in CI).
    if .venv/bin/python -m pip install -q -e '.[fuzz]'; then
        rm -f .venv/.atheris-unavailable
    else
        touch .venv/.atheris-unavailable
        echo "setup: atheris unavailable; fuzz smoke runs will be skipped" >&2
    fi
    rm -f .venv/.installed-*
    touch "$stamp"
fi
