#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 interpreter, or fails with a clear message.
# Looks on PATH first, then in pyenv's versions, then in the usual system places.
set -euo pipefail
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
candidates=()
for name in python3.14 python3.13 python3.12 python3 python; do
  p=$(command -v "$name" 2>/dev/null) && candidates+=("$p")
done
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for p in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do candidates+=("$p"); done
for p in /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do [ -x "$p" ] && candidates+=("$p"); done
for p in "${candidates[@]}"; do
  if ok "$p"; then echo "$p"; exit 0; fi
done
echo "ERROR: no Python 3.12 or newer found (looked on PATH, in pyenv versions under $root, and /usr/bin)." >&2
echo "Install Python 3.12+ (e.g. 'pyenv install 3.12') and run the command again." >&2
exit 1
