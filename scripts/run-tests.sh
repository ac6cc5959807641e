#!/usr/bin/env bash
# The test suite in two parts at the same time (make test, test-fast, test-ops):
#   - the tests marked `servers` (a PostgreSQL cluster and gunicorn of their own; they
#     mostly wait for their servers) in one process, in the background, output to a log;
#   - everything else with pytest-xdist, one worker per core, in the foreground.
# The servers' log is printed afterwards. Exit code 5 ("no tests selected", e.g. when ARGS
# names a folder without server tests) counts as success; any other failure fails the run.
# Usage: scripts/run-tests.sh "MARK EXPRESSION" [pytest arguments …] (an empty expression
# selects everything); PARALLEL=-n0 runs the second part in one process, SERVERS_LOG
# writes the log elsewhere.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST="${PYTEST:-.venv/bin/pytest}"
MARK="${1:-}"
shift || true
# A mark expression among the arguments (ARGS="-m slow") narrows both parts.
ARGS=()
while [ $# -gt 0 ]; do
  if [ "$1" = "-m" ] && [ $# -gt 1 ]; then
    MARK="${MARK:+($MARK) and }($2)"
    shift 2
  else
    ARGS+=("$1")
    shift
  fi
done
set -- "${ARGS[@]+"${ARGS[@]}"}"
SELECT_SERVERS="servers"
SELECT_OTHERS="not servers"
if [ -n "$MARK" ]; then
  SELECT_SERVERS="servers and ($MARK)"
  SELECT_OTHERS="($MARK) and not servers"
fi
mkdir -p var
LOG="${SERVERS_LOG:-var/test-servers.log}"

"$PYTEST" -n 0 -m "$SELECT_SERVERS" "$@" >"$LOG" 2>&1 &
SERVERS_PID=$!

"$PYTEST" ${PARALLEL--n auto --maxprocesses 4 --dist load} -m "$SELECT_OTHERS" "$@"
MAIN=$?

ok() { [ "$1" = 0 ] || [ "$1" = 5 ]; }
wait "$SERVERS_PID"
SERVERS=$?
echo "---- tests marked 'servers' (run beside the others; whole log in $LOG) ----"
if ok "$SERVERS"; then tail -n 3 "$LOG"; else cat "$LOG"; fi

if ok "$MAIN" && ok "$SERVERS"; then
  exit 0
fi
exit 1
