#!/usr/bin/env bash
# The README's first command: sets up .venv, migrates, builds the demo data once
# (seed_demo does nothing when it is already there), prints where to go and who to log
# in as, and serves the development server on 127.0.0.1 (PORT, default 8000).
# Uses the dev settings profile and SQLite unless DJANGO_SETTINGS_MODULE / DATABASE_URL say otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.dev}
port=${PORT:-8000}
url="http://127.0.0.1:$port"
.venv/bin/python manage.py migrate --noinput --verbosity 0
.venv/bin/python manage.py seed_demo
# The background worker (e-mails, exports, imports) and the notification scheduler
# (reminders and digests every 5 minutes); the dev profile prints e-mails on this console.
.venv/bin/python manage.py db_worker --no-reload --interval 2 &
worker=$!
.venv/bin/python manage.py send_reminders --loop 300 &
scheduler=$!
trap 'kill "$worker" "$scheduler" 2>/dev/null || true' EXIT INT TERM
cat <<BANNER

  Incubator is starting at  $url/
  Back office (admin):      $url/admin/
  API documentation:        $url/api/docs/   (OpenAPI schema: $url/api/schema/)
  Notifications:            $url/notifications/   (e-mails are printed below)
  Log in with a demo persona listed above. Stop the server with Ctrl+C.

BANNER
.venv/bin/python manage.py runserver "127.0.0.1:$port"
