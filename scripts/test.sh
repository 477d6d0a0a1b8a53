#!/usr/bin/env bash
# The README's test command. Sets up .venv, then runs, continuing past a failure so
# that one run reports everything:
#   ruff check, ruff format --check, the import-linter contracts (pyproject.toml),
#   makemigrations --check, the OpenAPI schema validated
#   with warnings as failures, compilemessages (when
#   locale/ has .po files and msgfmt exists), the pytest suite on SQLite, and again on
#   PostgreSQL when reachable (scripts/postgres-url.sh: DATABASE_URL, else
#   postgres://postgres@127.0.0.1:5432/incubator; with CI=true an unreachable
#   PostgreSQL is a failure). Extra arguments go to both pytest runs
#   (e.g. ./scripts/test.sh tests/incubator -k demo).
# PYTEST_WORKERS sets pytest-xdist's -n (default auto; 0 runs in one process).
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/system-deps.sh
. scripts/system-deps.sh

started=$SECONDS
summary=()
failed=0
PY=.venv/bin/python

banner() { printf '\n==> %s\n' "$*"; }
record() {
  # $1 status (0 ok), $2 label, $3 detail
  if [ "$1" -eq 0 ]; then summary+=("ok      $2${3:+  ($3)}"); else summary+=("FAILED  $2${3:+  ($3)}"); failed=1; fi
}
step() {
  # step LABEL COMMAND...: runs the command, records its result and duration
  local label=$1 t0=$SECONDS status
  shift
  banner "$label"
  "$@"
  status=$?
  record "$status" "$label" "$((SECONDS - t0))s"
  return 0
}
redact() { sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#'; }

banner "Setup (.venv, pinned dependencies, system tools)"
if ! scripts/setup.sh; then
  echo "Setup failed: see the messages above." >&2
  exit 1
fi
ensure_system_tools

step "ruff check" .venv/bin/ruff check .
step "ruff format --check" .venv/bin/ruff format --check .
step "import-linter contracts" .venv/bin/lint-imports --no-cache
step "makemigrations --check" env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.test \
  "$PY" manage.py makemigrations --check --dry-run

step "OpenAPI schema (no warnings)" env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.test \
  "$PY" manage.py spectacular --validate --fail-on-warn --file /dev/null

if compgen -G "locale/*/LC_MESSAGES/*.po" >/dev/null; then
  if command -v msgfmt >/dev/null 2>&1; then
    step "compilemessages" env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.test \
      "$PY" manage.py compilemessages --ignore=.venv --verbosity 0
  else
    summary+=("skipped compilemessages  (no msgfmt: the committed .mo files are used)")
  fi
else
  summary+=("skipped compilemessages  (no .po files in locale/)")
fi

# loadscope keeps a module (or a TestCase class and its setUpTestData) on one worker.
pytest_args=(-n "${PYTEST_WORKERS:-auto}" --dist loadscope --durations=10)
[ "${PYTEST_WORKERS:-auto}" = "0" ] && pytest_args=(-p no:xdist --durations=10)

declare -A totals=([passed]=0 [failed]=0 [skipped]=0)
EXTRA_ARGS=("$@")
run_pytest() {
  # run_pytest LABEL [env arguments...]: the suite with EXTRA_ARGS; adds its counts to totals
  local label=$1 t0=$SECONDS status log last kind n
  shift
  log=$(mktemp)
  banner "pytest on $label"
  env "$@" "$PY" -m pytest "${pytest_args[@]}" -q "${EXTRA_ARGS[@]}" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  last=$(grep -E '(passed|failed|error|no tests ran)' "$log" | tail -n 1 | tr -d '=' | sed -E 's/^ +| +$//g')
  record "$status" "pytest on $label" "${last:-no result line}; $((SECONDS - t0))s"
  for kind in passed failed skipped; do
    n=$(echo "$last" | grep -oE "[0-9]+ $kind" | cut -d' ' -f1)
    totals[$kind]=$(( ${totals[$kind]} + ${n:-0} ))
  done
  n=$(echo "$last" | grep -oE "[0-9]+ errors?" | cut -d' ' -f1)
  totals[failed]=$(( ${totals[failed]} + ${n:-0} ))
  rm -f "$log"
}

run_pytest "SQLite" -u DATABASE_URL

pg_log=$(mktemp)
pg_url=$(scripts/postgres-url.sh 2>"$pg_log")
case $? in
  0) run_pytest "PostgreSQL ($(echo "$pg_url" | redact))" DATABASE_URL="$pg_url" ;;
  2) summary+=("skipped pytest on PostgreSQL  ($(tail -n 1 "$pg_log"))") ;;
  *) cat "$pg_log" >&2; record 1 "pytest on PostgreSQL" "$(head -n 1 "$pg_log")" ;;
esac
rm -f "$pg_log"

banner "Summary ($((SECONDS - started))s)"
printf '  %s\n' "${summary[@]}"
# Both pytest runs added up, in the plain form CI reads.
echo "tests: ${totals[passed]} passed, ${totals[failed]} failed, ${totals[skipped]} skipped"
exit "$failed"
