#!/usr/bin/env bash
# Restore a dump made by scripts/backup.sh into the database of DATABASE_URL.
#   DATABASE_URL=postgres://… scripts/restore.sh var/backups/portal-20260101T020000Z.dump
# REPLACES the data of every table in the dump. Stop the app servers first; run
# `manage.py migrate` afterwards when the code is newer than the dump. Asks for
# confirmation unless CONFIRM=yes. One transaction: on any error nothing is changed.
set -euo pipefail
cd "$(dirname "$0")/.."

FILE="${1:-}"
if [ -z "$FILE" ] || [ ! -f "$FILE" ]; then
  echo "usage: DATABASE_URL=postgres://… $0 FILE.dump   (make restore FILE=…)" >&2
  exit 2
fi
if [[ "${DATABASE_URL:-}" != postgres://* && "${DATABASE_URL:-}" != postgresql://* ]]; then
  echo "ERROR: DATABASE_URL must point at the PostgreSQL database to restore into." >&2
  exit 2
fi
TARGET="${DATABASE_URL##*@}"
if [ "${CONFIRM:-}" != "yes" ]; then
  read -r -p "Replace all data in ${TARGET} with ${FILE}? Type yes: " answer
  [ "$answer" = "yes" ] || { echo "Aborted." >&2; exit 1; }
fi
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
  --exit-on-error --dbname="$DATABASE_URL" "$FILE"
echo "Restored ${FILE} into ${TARGET}."
