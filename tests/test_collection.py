"""Guards the test selection that `make test-fast` and machines without Chromium rely on."""

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).parent


def test_not_browser_selects_every_test_outside_the_browser_folder():
    # Collect one browser module together with one ordinary module, as a whole run does:
    # the browser folder's hook sees every item of the session.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "not browser",
         str(TESTS / "browser" / "test_home.py"), str(TESTS / "test_site.py")],
        capture_output=True, text=True, check=False, cwd=TESTS.parent,
    )  # fmt: skip
    selected = [line for line in result.stdout.splitlines() if "::" in line]
    assert selected, result.stdout + result.stderr
    assert all(line.startswith("tests/test_site.py::") for line in selected), selected


def test_tests_log_in_without_slow_key_derivation(settings):
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
