#!/usr/bin/env bash
# A local trial of the scaled set-up: PostgreSQL + Redis, two single-worker gevent web
# processes (ports 5001 and 5002) sharing Socket.IO rooms through Redis, a Celery worker
# and Celery beat. Put nginx in front (docs/deploy.md) or open either port directly.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/canyu}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export FLASK_APP=wsgi
mkdir -p instance/scaled
# One secret for every process, or sessions would not be valid across them.
export SECRET_KEY="${SECRET_KEY:-$(cat instance/secret_key 2>/dev/null || openssl rand -hex 32)}"
export ALLOWED_ORIGINS="${ALLOWED_ORIGINS:-http://localhost:5001,http://localhost:5002,http://127.0.0.1:5001,http://127.0.0.1:5002,http://localhost:8080}"

db_name="${DATABASE_URL##*/}"
if ! psql "${DATABASE_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$db_name'" | grep -q 1; then
  psql "${DATABASE_URL%/*}/postgres" -c "CREATE DATABASE \"$db_name\"" > /dev/null
fi
redis-cli -u "$REDIS_URL" ping > /dev/null

$BIN/flask db upgrade
$BIN/flask demo

pids=()
cleanup() { kill "${pids[@]}" 2> /dev/null || true; wait 2> /dev/null || true; }
trap cleanup EXIT INT TERM

$BIN/python -m participation.serve --port 5001 --no-periodic > instance/scaled/web-5001.log 2>&1 &
pids+=($!)
$BIN/python -m participation.serve --port 5002 --no-periodic > instance/scaled/web-5002.log 2>&1 &
pids+=($!)
$BIN/celery -A wsgi.celery worker --loglevel INFO -Q "${CELERY_QUEUE:-canyu}" \
  --concurrency 2 > instance/scaled/worker.log 2>&1 &
pids+=($!)
$BIN/celery -A wsgi.celery beat --loglevel INFO \
  --schedule instance/scaled/celerybeat-schedule > instance/scaled/beat.log 2>&1 &
pids+=($!)

echo "Scaled trial running: http://localhost:5001 and http://localhost:5002"
echo "Logs in instance/scaled/. Ctrl-C stops everything."
wait -n "${pids[@]}"
echo "A process stopped; see instance/scaled/*.log" >&2
exit 1
