#!/usr/bin/env bash
# make image-check: build the Docker image with buildah and prove that it serves the site.
#   1. docker-compose.yml against the Compose Specification's JSON schema (the copy vendored
#      in check-jsonschema, pinned in pyproject.toml);
#   2. the base image: BASE_IMAGE from its registry, else a local Debian bookworm made with
#      mmdebstrap from Debian's mirror (tar cached in var/image/, renewed after
#      IMAGE_CHECK_BASE_DAYS days, default 7);
#   3. buildah bud with the layer cache (a second run rebuilds only what changed);
#   4. a container of the image, as the image's user: the code is in /app only, no tests or
#      bench; migrate a throwaway database, start gunicorn with production settings on the
#      host network, then over HTTP: /healthz, /, /befragungen/, a static file (brotli,
#      cached for ever), the HTTPS redirect, the image's HEALTHCHECK command;
#   5. stop gunicorn, remove the container and the database (also on failure).
# Needs root for buildah, PostgreSQL (IMAGE_CHECK_PG, trust) and Redis (IMAGE_CHECK_REDIS).
# buildah runs with --isolation chroot: the OCI runtimes fail on cgroups on these machines.
set -euo pipefail
cd "$(dirname "$0")/.."
export BUILDAH_ISOLATION=chroot

IMAGE="${IMAGE:-localhost/oschatzerland:check}"
BASE_IMAGE="${BASE_IMAGE:-docker.io/library/debian:bookworm-slim}"
LOCAL_BASE=localhost/debian-base:bookworm
CACHE=var/image
PG="${IMAGE_CHECK_PG:-postgres://postgres@127.0.0.1:5432}"
DB="${IMAGE_CHECK_DB:-osl_image_check}"
REDIS="${IMAGE_CHECK_REDIS:-redis://127.0.0.1:6379/13}"
PORT="${IMAGE_CHECK_PORT:-18080}"
HOST=portal.example
# A CA bundle for a TLS-inspecting proxy between this machine and PyPI (build secret, never
# in the image); PIP_CERT is what pip on this machine uses.
CA="${IMAGE_CHECK_CA:-${PIP_CERT:-}}"
PY=.venv/bin/python
START=$SECONDS
mkdir -p "$CACHE"

step() { echo "== $* ($((SECONDS - START)) s)"; }
ok() { echo "   ok: $*"; }
fail() {
  echo "   FAILED: $*" >&2
  exit 1
}

for tool in buildah mmdebstrap curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "Installing $tool (Debian) …"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
  fi
done

step "docker-compose.yml against the Compose schema"
.venv/bin/check-jsonschema --quiet --builtin-schema vendor.compose-spec docker-compose.yml
ok "valid (compose-spec schema of check-jsonschema $(.venv/bin/check-jsonschema --version | awk '{print $NF}'))"

step "base image"
if timeout 120 buildah pull --quiet "$BASE_IMAGE" >/dev/null 2>&1; then
  base="$BASE_IMAGE"
  ok "$BASE_IMAGE from its registry"
elif buildah inspect --type image "$BASE_IMAGE" >/dev/null 2>&1; then
  base="$BASE_IMAGE"
  ok "$BASE_IMAGE from local storage (registry not reachable)"
else
  tar="$CACHE/debian-bookworm.tar"
  if [ ! -f "$tar" ] || [ -n "$(find "$tar" -maxdepth 0 -mtime +"${IMAGE_CHECK_BASE_DAYS:-7}")" ]; then
    echo "   registry not reachable: Debian bookworm (minbase, slim like bookworm-slim) with mmdebstrap"
    mirror=http://deb.debian.org
    # Without manuals, docs (copyright notices stay) and translations, like the -slim images;
    # the dpkg settings stay in the image, so later apt-get installs are slim too.
    mmdebstrap --quiet --variant=minbase --format=tar \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
      --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
      --dpkgopt='path-exclude=/usr/share/locale/*' \
      bookworm "$CACHE/debian-bookworm.tmp.tar" \
      "deb $mirror/debian bookworm main" "deb $mirror/debian bookworm-updates main" \
      "deb $mirror/debian-security bookworm-security main"
    mv "$CACHE/debian-bookworm.tmp.tar" "$tar"
  fi
  if ! buildah inspect --type image "$LOCAL_BASE" >/dev/null 2>&1 \
    || [ "$tar" -nt "$CACHE/debian-base.imported" ]; then
    ctr=$(buildah from scratch)
    buildah add --quiet "$ctr" "$tar" /
    buildah config --cmd /bin/bash \
      --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
    buildah commit --quiet --rm "$ctr" "$LOCAL_BASE" >/dev/null
    touch "$CACHE/debian-base.imported"
  fi
  base="$LOCAL_BASE"
  ok "$LOCAL_BASE from $tar ($(date -r "$tar" +%F))"
fi

step "buildah bud (log: $CACHE/build.log)"
build=(bud --format docker --layers --force-rm --build-arg "BASE_IMAGE=$base" -t "$IMAGE")
if [ -n "$CA" ]; then build+=(--secret "id=pip_ca,src=$CA"); fi
buildah "${build[@]}" . >"$CACHE/build.log" 2>&1 || {
  tail -n 30 "$CACHE/build.log" >&2
  fail "build"
}
ok "$IMAGE, $(buildah images --format '{{.Size}}' "$IMAGE" | head -n 1)"
user=$(buildah inspect --type image --format '{{.Docker.Config.User}}' "$IMAGE")
healthcheck=$(buildah inspect --type image --format '{{.Docker.Config.Healthcheck.Test}}' "$IMAGE")
[ "$user" = portal ] || fail "image user is '$user', not portal"
ok "USER $user, HEALTHCHECK $healthcheck"

db() {
  "$PY" - "$PG/postgres" "$1" "$DB" <<'PYEOF'
import sys
import psycopg2
url, action, name = sys.argv[1:]
connection = psycopg2.connect(url, connect_timeout=5)
connection.autocommit = True
with connection.cursor() as cursor:
    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    if action == "create":
        cursor.execute(f'CREATE DATABASE "{name}"')
PYEOF
}

ctr=""
runner=""
gunicorn_pid=""
cleanup() {
  status=$?
  if [ -n "$gunicorn_pid" ] && kill -0 "$gunicorn_pid" 2>/dev/null; then kill -TERM "$gunicorn_pid"; fi
  if [ -n "$runner" ]; then wait "$runner" 2>/dev/null || true; fi
  if [ -n "$ctr" ]; then buildah rm "$ctr" >/dev/null || true; fi
  db drop || true
  exit "$status"
}
trap cleanup EXIT

step "container as the image's user"
if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
  fail "port $PORT is in use (IMAGE_CHECK_PORT=…)"
fi
db create
ctr=$(buildah from --quiet "$IMAGE")
secret=$("$PY" -c "import secrets; print(secrets.token_urlsafe(50))")
envs=(
  --env "DJANGO_SECRET_KEY=$secret"
  --env "DATABASE_URL=$PG/$DB"
  --env "DJANGO_CACHE_URL=$REDIS"
  --env "DJANGO_ALLOWED_HOSTS=$HOST"
  --env "DJANGO_CSRF_TRUSTED_ORIGINS=https://$HOST"
  --env "PORTAL_SITE_URL=https://$HOST"
  --env "GUNICORN_BIND=127.0.0.1:$PORT"
  --env "GUNICORN_WORKERS=2"
)
run() { buildah run "${envs[@]}" "$ctr" -- "$@"; }
[ "$(run id -un)" = portal ] || fail "container user is not portal"
ok "runs as $(run id)"
run sh -c 'test ! -e tests && test ! -e bench && test ! -e templates/bench && test ! -e pyproject.toml' \
  || fail "tests, bench or the project metadata are in the image"
where=$(run python -c "import django, portal; print(portal.__file__, django.__file__)")
case "$where" in /app/portal/*" /opt/venv/"*) ;; *) fail "code not where expected: $where" ;; esac
run python -m pip show --quiet oschatzerland >/dev/null 2>&1 && fail "the project is also installed as a package"
ok "code once, in /app ($where); no tests, no bench"
run python manage.py check --deploy --fail-level WARNING >/dev/null || fail "check --deploy"
ok "manage.py check --deploy: no warnings"
run python manage.py migrate --noinput >"$CACHE/migrate.log" || fail "migrate"
applied=$(grep -c "Applying" "$CACHE/migrate.log" || true)
ok "migrate: $applied migrations applied to $DB"

step "gunicorn (log: $CACHE/gunicorn.log)"
run gunicorn -c gunicorn.conf.py --pid /tmp/gunicorn.pid oschatzerland.wsgi \
  >"$CACHE/gunicorn.log" 2>&1 &
runner=$!
for _ in $(seq 60); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  kill -0 "$runner" 2>/dev/null || {
    tail -n 20 "$CACHE/gunicorn.log" >&2
    fail "gunicorn exited"
  }
  sleep 0.5
done
# buildah's chroot isolation shares the host's network and process table.
gunicorn_pid=$(run cat /tmp/gunicorn.pid)
uid=$(ps -o uid= -p "$gunicorn_pid" | tr -d ' ')
[ "$uid" = "$(run id -u)" ] || fail "gunicorn runs as uid $uid"
ok "listening on 127.0.0.1:$PORT, master pid $gunicorn_pid as uid $uid (portal)"

get() { # path [curl options …] → "status content-type", body in $CACHE/body
  local path=$1
  shift
  curl -sS -o "$CACHE/body" -w '%{http_code} %{content_type}' \
    -H "Host: $HOST" -H "X-Forwarded-Proto: https" "$@" "http://127.0.0.1:$PORT$path"
}
expect() { # path status pattern-in-body [curl options …]
  local path=$1 status=$2 pattern=$3 got
  shift 3
  got=$(get "$path" "$@")
  [ "${got%% *}" = "$status" ] || fail "$path: $got, expected $status"
  grep -q -- "$pattern" "$CACHE/body" || fail "$path: '$pattern' not in the answer"
  ok "GET $path → $got, $(wc -c <"$CACHE/body") bytes"
}

step "HTTP"
expect /healthz 200 '"status": "ok"'
expect / 200 "Oschatzer Land"
css=$(grep -o '/static/css/[^"]*\.css' "$CACHE/body" | head -n 1)
expect /befragungen/ 200 "Befragung"
[ -n "$css" ] || fail "no stylesheet linked from /"
expect "$css" 200 "{"
[[ "$(get "$css")" == "200 text/css"* ]] || fail "$css is not text/css"
get "$css" -H "Accept-Encoding: br" -D "$CACHE/headers" >/dev/null
grep -qi '^content-encoding: br' "$CACHE/headers" || fail "$css not served with brotli"
grep -qi '^cache-control: max-age=315360000' "$CACHE/headers" || fail "$css not cached for ever"
ok "$css: brotli, cached for ever"
redirect=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H "Host: $HOST" \
  "http://127.0.0.1:$PORT/")
[ "$redirect" = "301 https://$HOST/" ] || fail "plain HTTP: $redirect"
ok "plain HTTP → $redirect"
run python scripts/healthcheck.py || fail "HEALTHCHECK command"
ok "HEALTHCHECK command exits 0"

step "stop"
kill -TERM "$gunicorn_pid"
wait "$runner" || true
runner=""
if kill -0 "$gunicorn_pid" 2>/dev/null; then fail "gunicorn still running"; fi
gunicorn_pid=""
ok "gunicorn stopped"
echo "image-check passed in $((SECONDS - START)) s: $IMAGE ($(buildah images --format '{{.Size}}' "$IMAGE" | head -n 1))"
