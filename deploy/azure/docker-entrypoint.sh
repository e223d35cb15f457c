#!/bin/sh
# Clarion container entrypoint.
#   serve [ARGS]   (default) first sync when the database is missing, a background re-sync every
#                  CLARION_SYNC_INTERVAL seconds (0 = never), then `clarion serve` on 0.0.0.0:$PORT
#   anything else  passed to `clarion` as is (e.g. `mcp --http 8081`, `sync --source azure`)
set -eu
DB="${CLARION_DB:-/data/clarion.db}"
INTERVAL="${CLARION_SYNC_INTERVAL:-3600}"

sync_once() {
  # shellcheck disable=SC2086 # CLARION_SYNC_ARGS is a word list on purpose (e.g. "--subscription A B")
  clarion sync --source azure --db "$DB" --no-progress ${CLARION_SYNC_ARGS:-}
}

if [ "$#" -eq 0 ] || [ "$1" = "serve" ]; then
  [ "$#" -gt 0 ] && shift
  if [ ! -f "$DB" ]; then
    echo "clarion: no database at $DB yet; running the first sync" >&2
    sync_once || echo "clarion: first sync failed; serving what exists" >&2
  fi
  if [ "$INTERVAL" -gt 0 ]; then
    ( while sleep "$INTERVAL"; do sync_once || echo "clarion: sync failed; retrying in ${INTERVAL}s" >&2; done ) &
  fi
  DASH=""
  [ -f /app/web/dist/index.html ] || DASH="--no-dashboard"
  # shellcheck disable=SC2086
  exec clarion serve --db "$DB" --host 0.0.0.0 --port "${PORT:-8080}" $DASH "$@"
fi
exec clarion "$@"
