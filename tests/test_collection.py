"""Guards the test selection that `make test-fast` and machines without Chromium rely on.

Each check runs pytest in a process of its own, over the whole suite or a folder together
with a module from elsewhere, as a real run does: the browser folder's collection hook sees
every item of the session, not only its own.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).parent
ROOT = TESTS.parent
BROWSER = TESTS / "browser"
# A test outside the browser folder that needs no database.
PLAIN = "tests/test_collection.py::test_tests_log_in_without_slow_key_derivation"


def run_pytest(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key != "CI"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        capture_output=True, text=True, check=False, cwd=ROOT, env={**environment, **env},
    )  # fmt: skip


# The modules with servers of their own (marker `servers`): only `make test` runs them.
SERVER_MODULES = {"tests/ops/test_reliability.py", "tests/ops/test_one_truth.py"}


def test_make_test_fast_selects_every_test_but_browser_and_server_tests():
    assert '-m "not browser and not servers"' in (ROOT / "Makefile").read_text()
    result = run_pytest("--collect-only", "-q", "-m", "not browser and not servers")
    selected = {line.split("::")[0] for line in result.stdout.splitlines() if "::" in line}
    expected = {
        str(path.relative_to(ROOT))
        for path in TESTS.rglob("test_*.py")
        if BROWSER not in path.parents
    } - SERVER_MODULES
    assert result.returncode == 0, result.stdout + result.stderr
    assert selected == expected, selected ^ expected


def test_without_chromium_only_the_browser_tests_skip():
    result = run_pytest("-q", "-rs", str(BROWSER), PLAIN, CHROMIUM_PATH="/nonexistent/chromium")
    output = result.stdout + result.stderr
    skipped = re.findall(r"^SKIPPED \[(\d+)\] (\S+?)(?::\d+)?: (.*)$", output, re.M)
    # Every browser test skipped (none passed or failed), the other one passed.
    assert result.returncode == 0, output
    summary = re.fullmatch(r"1 passed, (\d+) skipped in .*", output.splitlines()[-1])
    assert summary, output
    assert sum(int(n) for n, _path, _why in skipped) == int(summary.group(1)) > 0
    assert all(path.startswith("tests/browser/") for _n, path, _why in skipped), skipped
    assert {why for _n, _path, why in skipped} == {
        "/nonexistent/chromium not installed (apt-get install chromium)"
    }


def test_without_chromium_ci_refuses_to_skip_the_browser_tests():
    result = run_pytest(
        "--collect-only", "-q", str(BROWSER), CHROMIUM_PATH="/nonexistent/chromium", CI="true"
    )
    assert result.returncode == 4, result.stdout + result.stderr  # pytest's usage error
    assert "Browser tests must run in CI" in result.stderr


def test_tests_log_in_without_slow_key_derivation(settings):
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _run_tests_with_fake_pytest(tmp_path, failing_part: str) -> int:
    """scripts/run-tests.sh with a stand-in for pytest that fails the given part only."""
    fake = tmp_path / "pytest"
    fake.write_text(f'#!/bin/sh\ncase "$*" in *"-m {failing_part}"*) exit 1;; esac\nexit 0\n')
    fake.chmod(0o755)
    # Its own log: the real run of the server tests may be writing var/test-servers.log.
    environment = {**os.environ, "PYTEST": str(fake), "SERVERS_LOG": str(tmp_path / "log")}
    return subprocess.run(
        ["bash", "scripts/run-tests.sh", "not browser"],
        capture_output=True, check=False, cwd=ROOT, env=environment,
    ).returncode  # fmt: skip


def test_a_failing_part_of_make_test_fails_the_run(tmp_path):
    """The server tests run in the background: their failure must not be lost."""
    assert _run_tests_with_fake_pytest(tmp_path, "nothing-fails") == 0
    assert _run_tests_with_fake_pytest(tmp_path, "servers and") == 1
    assert _run_tests_with_fake_pytest(tmp_path, "(not browser) and not servers") == 1


def test_only_browser_tests_use_playwright():
    """A test outside tests/browser that names a Playwright fixture (a parameter called
    "page", say) becomes a chromium test: pytest-playwright then orders it among the
    transactional tests, whose flush removes the seeded rows the tests after it need."""
    result = run_pytest("--collect-only", "-q", "-m", "not browser")
    assert result.returncode == 0, result.stdout + result.stderr
    playwright = [line for line in result.stdout.splitlines() if "[chromium" in line]
    assert playwright == []
