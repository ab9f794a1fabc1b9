#!/usr/bin/env bash
# Set up stationmgr on a Debian/Ubuntu machine: system libraries, a virtualenv, pinned
# Python packages. Idempotent: a second run only checks.
#   scripts/setup.sh          what the app needs (Qt's offscreen/desktop libraries)
#   scripts/setup.sh --test   also what the tests need (poppler-utils, PostgreSQL server, the
#                             Node.js test charge point's npm packages in tests/ocpp_cp)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

# Qt (PySide6) needs these shared libraries even offscreen; the PDF tests need poppler.
pkgs=(libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0
      libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0
      libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 fonts-dejavu-core)
if [ "$want_test" = 1 ]; then
  pkgs+=(poppler-utils postgresql)
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing system packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing system packages (install them, e.g. with sudo apt-get install): ${missing[*]}" >&2
    exit 1
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum requirements.lock pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  pipq() {  # quiet pip; on failure show what it said and stop
    if ! .venv/bin/python -m pip "$@" >.venv/pip.log 2>&1; then
      grep -v '^WARNING: Location' .venv/pip.log >&2
      echo "setup: 'pip $*' failed" >&2
      exit 1
    fi
  }
  pipq install -q --upgrade pip
  pipq install -q -r requirements.lock
  pipq install -q --no-deps --no-build-isolation -e .
  .venv/bin/python -c "import stationmgr, PySide6, sqlalchemy" # fail loudly if the install broke
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# The OCPP tests drive a charge point we did not write: Node.js on the npm library ocpp-rpc
# (tests/ocpp_cp). `npm ci` installs exactly its package-lock.json; again only when it changed.
if [ "$want_test" = 1 ]; then
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "setup: the OCPP tests need Node.js (>= 18) and npm: install them (e.g. apt-get install nodejs npm)" >&2
    exit 1
  fi
  cp_dir=tests/ocpp_cp
  cp_stamp=$cp_dir/node_modules/.installed-$(sha256sum $cp_dir/package-lock.json | cut -c1-16)
  if [ ! -f "$cp_stamp" ]; then
    if ! (cd $cp_dir && npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1); then
      cat $cp_dir/npm.log >&2
      echo "setup: 'npm ci' in $cp_dir failed" >&2
      exit 1
    fi
    rm -f $cp_dir/npm.log
    touch "$cp_stamp"
  fi
fi
