#!/usr/bin/env bash
# Dump the database of DATABASE_URL in pg_dump's custom format into var/backups/ (or
# BACKUP_DIR) as <database>-<UTC timestamp>.dump and print the file name.
#   DATABASE_URL=postgres://… scripts/backup.sh
# Restore with scripts/restore.sh (README, section "Betrieb").
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${DATABASE_URL:-}" != postgres://* && "${DATABASE_URL:-}" != postgresql://* ]]; then
  echo "ERROR: DATABASE_URL must point at the PostgreSQL database to back up." >&2
  exit 2
fi
DIR="${BACKUP_DIR:-var/backups}"
mkdir -p "$DIR"
chmod 700 "$DIR"
NAME="${DATABASE_URL##*/}"
NAME="${NAME%%\?*}"
FILE="$DIR/${NAME}-$(date -u +%Y%m%dT%H%M%SZ).dump"
# Custom format: compressed, restorable table by table; no owners or grants, so it restores
# into a database of another user too.
pg_dump --format=custom --no-owner --no-privileges --file="$FILE.part" --dbname="$DATABASE_URL"
chmod 600 "$FILE.part"
mv "$FILE.part" "$FILE"
echo "$FILE"
