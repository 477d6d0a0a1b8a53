#!/usr/bin/env bash
# Which PostgreSQL the test command runs the suite on. Prints the URL and exits 0 when
# it answers; otherwise explains on stderr and exits 2 (skip) or 1 (fail).
#   DATABASE_URL      used when set (a non-postgres URL means: skip PostgreSQL)
#   PG_DEFAULT_URL    tried otherwise (default postgres://postgres@127.0.0.1:5432/incubator)
#   CI=true, or an explicit DATABASE_URL, turns "unreachable" into a failure.
#   PYTHON            the interpreter with psycopg (default .venv/bin/python)
set -uo pipefail
cd "$(dirname "$0")/.."
url=${DATABASE_URL:-${PG_DEFAULT_URL:-postgres://postgres@127.0.0.1:5432/incubator}}
shown=$(echo "$url" | sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#')
if [[ ! $url =~ ^postgres(ql)?:// ]]; then
  echo "DATABASE_URL is not a postgres:// URL ($shown)" >&2
  exit 2
fi
if error=$("${PYTHON:-.venv/bin/python}" - "$url" 2>&1 <<'PY'
import sys

import dj_database_url
import psycopg

cfg = dj_database_url.parse(sys.argv[1])
try:
    # Django creates the test database from the "postgres" maintenance database.
    psycopg.connect(
        dbname="postgres",
        host=cfg["HOST"] or None,
        port=cfg["PORT"] or None,
        user=cfg["USER"] or None,
        password=cfg["PASSWORD"] or None,
        connect_timeout=5,
    ).close()
except psycopg.Error as exc:
    sys.exit(str(exc).strip().splitlines()[0])
PY
); then
  echo "$url"
  exit 0
fi
reason="PostgreSQL not reachable at $shown: $(echo "$error" | tail -n 1 | sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#')"
if [ "${CI:-}" = "true" ] || [ -n "${DATABASE_URL:-}" ]; then
  echo "ERROR: $reason" >&2
  echo "Start PostgreSQL (pg_ctlcluster <version> main start) or set DATABASE_URL to a reachable server." >&2
  exit 1
fi
echo "$reason" >&2
exit 2
