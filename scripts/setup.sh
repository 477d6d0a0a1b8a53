#!/usr/bin/env bash
# Creates .venv with a Python >= 3.12 and installs the pinned dependencies
# (requirements-dev.txt, which includes requirements.txt).
# Idempotent: re-running installs only when a requirements file changed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
  PY=$(scripts/find-python.sh)
  rm -rf .venv
  echo "Creating .venv with $PY ($("$PY" --version 2>&1))"
  "$PY" -m venv .venv
fi
stamp=.venv/.requirements.sha
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing the pinned dependencies into .venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  echo "$want" > "$stamp"
fi
# Bootstrap Italia and axe-core, pinned in package-lock.json, into static/vendor/.
scripts/assets.sh
