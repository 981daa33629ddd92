#!/bin/sh
# Container entrypoint: bring the database up to date, then run the command (gunicorn by default).
# Every step is idempotent, so it is safe on every start and after an upgrade.
#
# With MIGRATION_DATABASE_URL set (the shipped compose file sets it), the set-up runs as the owner of
# the tables, and the app then runs as DATABASE_URL's role, which `grant_runtime_privileges` leaves
# with SELECT and INSERT only on the access log: the app cannot change, delete or truncate it, nor
# disable its triggers (docs/DEPLOYMENT.md, "Two database roles").
set -eu

# Run from the project root (/app in the image), wherever the script is called from.
cd "$(dirname "$0")/.."

# SKIP_MIGRATIONS=1: another container (compose's `migrate`) brings the database up to date, once,
# before the app's instances start; two instances migrating at once could collide.
if [ "${SKIP_MIGRATIONS:-0}" != "1" ]; then
  owner_url="${MIGRATION_DATABASE_URL:-$DATABASE_URL}"
  DATABASE_URL="$owner_url" python manage.py migrate --noinput
  DATABASE_URL="$owner_url" python manage.py createcachetable
  DATABASE_URL="$owner_url" python manage.py load_key_messages
  if [ -n "${MIGRATION_DATABASE_URL:-}" ]; then
    DATABASE_URL="$owner_url" python manage.py grant_runtime_privileges "${DATABASE_APP_ROLE:?set DATABASE_APP_ROLE}" \
      --password-env DATABASE_APP_PASSWORD
  fi
fi

exec "$@"
