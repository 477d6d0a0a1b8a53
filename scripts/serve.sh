#!/usr/bin/env bash
# Production-style serving on this machine: gunicorn + PostgreSQL + Redis, static files
# compressed and served by WhiteNoise with far-future cache headers.
#   DATABASE_URL  default postgres://postgres@127.0.0.1:5432/incubator
#   REDIS_URL     default redis://127.0.0.1:6379/0
#   SECRET_KEY    required (a random one is generated for a local trial if unset)
#   WEB_CONCURRENCY  gunicorn workers (default 2 x cores + 1), PORT (default 8000)
#   MAX_REQUESTS  requests after which a worker is replaced (default 2000; 0 never)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export DJANGO_SETTINGS_MODULE=config.settings.prod
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/incubator}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
# Loopback trial without a TLS proxy in front: no redirect to https.
export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-false}
if [ -z "${SECRET_KEY:-}" ]; then
  echo "SECRET_KEY is not set: generating a throw-away key for this local run." >&2
  SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
  export SECRET_KEY
fi
.venv/bin/python scripts/ensure_database.py
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
workers=${WEB_CONCURRENCY:-$(( $(nproc) * 2 + 1 ))}
echo "Serving on http://127.0.0.1:${PORT:-8000}/ with $workers gunicorn workers (PostgreSQL + Redis)"
exec .venv/bin/gunicorn config.wsgi:application --bind "127.0.0.1:${PORT:-8000}" --workers "$workers" \
  --access-logfile - --max-requests "${MAX_REQUESTS:-2000}" --max-requests-jitter 200 --timeout 60
