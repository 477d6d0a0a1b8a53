#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 interpreter, or fails with a clear message.
# Looks on PATH first, then in pyenv's versions, then in the usual system places.
# PYENV_ROOT and FIND_PYTHON_SYSTEM_DIRS (default "/usr/local/bin /usr/bin") say where
# else to look; tests point them at empty folders to check the failure message.
set -euo pipefail
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
candidates=()
for name in python3.14 python3.13 python3.12 python3 python; do
  # pyenv shims exist for every installed version but fail unless it is selected: `ok` sorts them out.
  if p=$(command -v "$name" 2>/dev/null); then candidates+=("$p"); fi
done
root=${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}
while IFS= read -r p; do
  [ -n "$p" ] && candidates+=("$p")
done < <(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV)
system_dirs=${FIND_PYTHON_SYSTEM_DIRS-/usr/local/bin /usr/bin}
for dir in $system_dirs; do
  for p in "$dir"/python3.1[2-9]; do
    if [ -x "$p" ]; then candidates+=("$p"); fi
  done
done
for p in ${candidates[@]+"${candidates[@]}"}; do
  if ok "$p"; then
    echo "$p"
    exit 0
  fi
done
echo "ERROR: no Python 3.12 or newer found (looked on PATH, in pyenv versions under $root, and in ${system_dirs:-no system folder})." >&2
echo "Install Python 3.12+ (e.g. 'pyenv install 3.12', or your system's python3.12 package) and run the command again." >&2
exit 1
