#!/usr/bin/env bash
# Audit the installed (pinned) dependencies in .venv for known vulnerabilities with pip-audit.
# Fails on any known vulnerability, and also when a package could not be checked (--strict),
# so an unreachable service never passes as "no vulnerabilities".
#   scripts/audit.sh          audit; the service: AUDIT_SERVICE (osv or pypi), else the first
#                             one that answers
#   scripts/audit.sh --probe  exit 0 if a vulnerability service answers, 1 if none does
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"

reachable() {
  "$PY" - "$1" <<'PYEOF'
import json, sys, urllib.request
from importlib.metadata import version
service = sys.argv[1]
try:
    if service == "osv":
        body = json.dumps({"package": {"name": "django", "ecosystem": "PyPI"},
                           "version": version("django")}).encode()
        request = urllib.request.Request("https://api.osv.dev/v1/query", data=body)
    else:  # pip-audit's PyPI service reads the JSON of each installed release
        request = urllib.request.Request(f"https://pypi.org/pypi/django/{version('django')}/json")
    urllib.request.urlopen(request, timeout=10).close()
except Exception:
    sys.exit(1)
PYEOF
}

SERVICE="${AUDIT_SERVICE:-}"
if [ -z "$SERVICE" ]; then
  for candidate in osv pypi; do
    if reachable "$candidate"; then SERVICE="$candidate"; break; fi
  done
fi
if [ "${1:-}" = "--probe" ]; then
  [ -n "$SERVICE" ]
  exit
fi
if [ -z "$SERVICE" ]; then
  echo "ERROR: no vulnerability service reachable (api.osv.dev, pypi.org/pypi/<name>/<version>/json)." >&2
  exit 2
fi
echo "pip-audit against ${SERVICE} …"
"$PY" -m pip_audit --local --skip-editable --strict --progress-spinner off \
  --vulnerability-service "$SERVICE"
