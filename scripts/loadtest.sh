#!/usr/bin/env bash
# A bounded load test on loopback: serves the data in DATABASE_URL with scripts/serve.sh
# (gunicorn, PostgreSQL, Redis, the prod settings) and runs wrk against a list endpoint of
# the API (token authentication) beside an authenticated list with no rows (the request's
# fixed cost), and a tutor's calendar feed (~500 events), then prints
# requests per second and the 99th percentile latency of each.
#   DATABASE_URL     default postgres://postgres@127.0.0.1:5432/incubator (build it first:
#                    manage.py seed_demo --scale 1)
#   PORT             default 8010            DURATION     default 20s
#   THREADS          default 2               CONNECTIONS  default 16
#   LOADTEST_USER    default coordinator     LOADTEST_LIST default attendance-list
#   WARMUP           default 5s: every target is requested for this long, unmeasured,
#                    before the first measurement (each worker's first requests open its
#                    connections and fill its caches; they fell on the first target)
# wrk is installed with apt-get when missing (as root); the API's per-user rate limit is
# lifted for the run (API_THROTTLE_USER), since one user makes every request.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null

if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing wrk (apt-get)..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
    }
  else
    echo "wrk is not installed: run 'apt-get install -y wrk' as root (or install it another way)." >&2
    exit 1
  fi
fi

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/incubator}
export PORT=${PORT:-8010}
export API_THROTTLE_USER=${API_THROTTLE_USER:-1000000/minute}
# Workers are not replaced during the run: serve.sh replaces one after about 2,000
# requests, and a worker starting Django again takes a core for a second or two, which
# fell on whichever target ran when the workers reached their count (the last ones).
export MAX_REQUESTS=${MAX_REQUESTS:-0}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
export SECRET_KEY=${SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')}
DURATION=${DURATION:-20s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
WARMUP=${WARMUP:-5s}

targets=$(DJANGO_SETTINGS_MODULE=config.settings.prod .venv/bin/python manage.py loadtest_targets \
  --user "${LOADTEST_USER:-coordinator}" --list "${LOADTEST_LIST:-attendance-list}")
eval "$targets"

log=$(mktemp -t loadtest-serve.XXXXXX)
# The server in its own process group, so that stopping it stops every worker.
setsid scripts/serve.sh >"$log" 2>&1 &
server=$!
stop() { kill -TERM -- "-$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap stop EXIT

for _ in $(seq 1 120); do
  if curl -fsS -o /dev/null -H "Authorization: Token $TOKEN" "http://127.0.0.1:$PORT$LIST_PATH" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "The server did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 1
done
workers=$(grep -o 'with [0-9]* gunicorn workers' "$log" | head -1 || true)

run() {
  local name=$1 path=$2
  shift 2
  local out
  out=$(wrk --latency -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" "$@" "http://127.0.0.1:$PORT$path")
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx responses/ {print $5}' <<<"$out")
  printf '%-52s %10s req/s   p99 %-9s non-2xx %s\n' "$name" "$rps" "$p99" "${errors:-0}"
}

etag=$(curl -fsSI "http://127.0.0.1:$PORT$FEED_PATH" | awk -F': ' 'tolower($1) == "etag" {print $2}' | tr -d '\r')
for warm in "$BARE_PATH" "$LIST_PATH"; do
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "$WARMUP" -H "Authorization: Token $TOKEN" "http://127.0.0.1:$PORT$warm" >/dev/null
done
wrk -t "$THREADS" -c "$CONNECTIONS" -d "$WARMUP" "http://127.0.0.1:$PORT$FEED_PATH" >/dev/null
wrk -t "$THREADS" -c "$CONNECTIONS" -d "$WARMUP" -H "If-None-Match: $etag" "http://127.0.0.1:$PORT$FEED_PATH" >/dev/null

echo "Load test $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores: wrk -t$THREADS -c$CONNECTIONS -d$DURATION, loopback, ${workers:-gunicorn}"
run "GET $BARE_PATH (no rows, token: the fixed cost)" "$BARE_PATH" -H "Authorization: Token $TOKEN"
run "GET $LIST_PATH (50 rows, token)" "$LIST_PATH" -H "Authorization: Token $TOKEN"
run "GET calendar feed (whole, ~500 events)" "$FEED_PATH"
run "GET calendar feed (If-None-Match: 304)" "$FEED_PATH" -H "If-None-Match: $etag"
