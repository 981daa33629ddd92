#!/bin/sh
# Container entrypoint: bring the database up to date, then run the command (gunicorn by default).
# Every step is idempotent, so it is safe on every start and after an upgrade.
set -eu

# Run from the project root (/app in the image), wherever the script is called from.
cd "$(dirname "$0")/.."

python manage.py migrate --noinput
python manage.py createcachetable
python manage.py load_key_messages

exec "$@"
