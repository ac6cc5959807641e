"""Real servers for the reliability tests: a throwaway PostgreSQL cluster and gunicorn.

The cluster is our own (initdb/pg_ctl in a temporary directory, on a free port, as user
postgres when we are root), so stopping it never touches the machine's shared server.
"""

import atexit
import concurrent.futures
import contextlib
import fcntl
import html.parser
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from bench.run import local_production_env
from bench.targets import BENCH_USER

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class PostgresCluster:
    def __init__(self):
        self.bin = postgres_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="oschatzerland-ops-pg."))
        self.port = free_port()
        self.run_as = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")

    def _ctl(self, *args: str) -> None:
        subprocess.run([*self.run_as, str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"),
                        *args], check=True, capture_output=True)  # fmt: skip

    def create(self) -> None:
        subprocess.run(
            [*self.run_as, str(self.bin / "initdb"), "-D", str(self.dir / "data"),
             "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            check=True, capture_output=True,
        )  # fmt: skip
        self.start()
        subprocess.run(
            [*self.run_as, str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "postgres", "portal"],
            check=True, capture_output=True,
        )  # fmt: skip

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off"
        self._ctl("-l", str(self.dir / "log"), "-w", "-o", options, "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/portal"


# The data directory of a stopped cluster whose database "portal" is migrated, made by the
# first migrated_cluster() of this process; removed when the process ends.
_MIGRATED_DATA: list[Path] = []
_MIGRATING = threading.Lock()


def migrated_cluster() -> PostgresCluster:
    """A running cluster of our own whose database is migrated (`manage.py migrate` as in
    production). Migrating takes some 15 s of CPU: the first call migrates, keeps a copy of
    the stopped cluster's files, and every later call starts a new cluster on a copy of
    them (a second, seconds) instead of running initdb and the migrations again. Safe to
    call from several threads (the others wait for the first migration)."""
    cluster = PostgresCluster()
    with _MIGRATING:
        if _MIGRATED_DATA:
            # cp -a keeps the owner (postgres) and the modes PostgreSQL insists on.
            subprocess.run(
                ["cp", "-a", str(_MIGRATED_DATA[0]), str(cluster.dir / "data")], check=True
            )
            cluster.start()
            return cluster
        cluster.create()
        manage(production_env(cluster.url), "migrate", "--noinput", "--verbosity", "0")
        cluster.stop()
        keep = Path(tempfile.mkdtemp(prefix="oschatzerland-ops-pg-migrated."))
        subprocess.run(["cp", "-a", str(cluster.dir / "data"), str(keep / "data")], check=True)
        _MIGRATED_DATA.append(keep / "data")
        atexit.register(shutil.rmtree, keep, ignore_errors=True)
    cluster.start()
    return cluster


# The demo content and the bench's superuser, in one process (one Django start-up).
SEED_DEMO = f"""
from django.contrib.auth.models import User
from django.core.management import call_command
call_command("seed_demo")
User.objects.create_superuser({BENCH_USER[0]!r}, password={BENCH_USER[1]!r})
"""


def demo_cluster() -> PostgresCluster:
    """A migrated cluster with the demo content (`seed_demo`) and the bench's superuser."""
    cluster = migrated_cluster()
    # Also when no test asks for it after all (the fixture that does destroys it first).
    atexit.register(cluster.destroy)
    try:
        manage(production_env(cluster.url), "shell", "-c", SEED_DEMO)
    except BaseException:
        cluster.destroy()
        raise
    return cluster


# What the server tests prepare in the background (clusters, static files): they mostly
# wait for their servers, so the next module's cluster is seeded meanwhile.
_BACKGROUND = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="ops-prepare")
_PREPARED: dict = {}
_PREPARING = threading.Lock()


def prepared(make) -> concurrent.futures.Future:
    """``make()`` run once per process in a background thread, started by the first call
    (an earlier module may start what a later one needs); ``.result()`` waits for it."""
    with _PREPARING:
        if make not in _PREPARED:
            _PREPARED[make] = _BACKGROUND.submit(make)
        return _PREPARED[make]


def production_env(database_url: str, **extra: str) -> dict:
    return local_production_env(database_url, DJANGO_LOG_LEVEL="WARNING", **extra)


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


# collectstatic as in production (hashed names and their manifest, which the servers need to
# render any page) but without the brotli and gzip copies whitenoise adds: they are what
# takes collectstatic 40 s of CPU, and no test here looks at them.
COLLECT_STATIC = """
from django.conf import settings
from django.core.management import call_command
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
call_command("collectstatic", interactive=False, verbosity=0)
"""


# One test run: the xdist workers share their run's id, a run in one process has its own.
RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex


def collect_static(env: dict) -> None:
    """Static files for the servers in STATIC_ROOT (var/static), once per test run. `make`
    runs the server tests in one process; should two xdist workers run them at once, the
    second waits for the first (a lock file) and uses its files instead of rewriting them
    under its servers."""
    var = ROOT / "var"
    var.mkdir(exist_ok=True)
    done = var / "static.collected"
    with open(var / "static.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists() and done.read_text() == RUN:
            return
        manage(env, "shell", "-c", COLLECT_STATIC)
        done.write_text(RUN)


def static_files() -> None:
    """collect_static() without a cluster (the settings need a database URL; collecting
    static files connects to none), so it can run while a cluster migrates."""
    collect_static(production_env("postgres://postgres@127.0.0.1:1/no-database-needed"))


class Gunicorn:
    def __init__(self, env: dict, workers: int = 2):
        self.port = free_port()
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_MAX_REQUESTS": "0",
        }
        self.log = tempfile.NamedTemporaryFile(prefix="ops-gunicorn.", suffix=".log")  # noqa: SIM115

    def start(self) -> "Gunicorn":
        """Start the server without waiting for it (``wait_ready``)."""
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "oschatzerland.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        return self

    def wait_ready(self) -> "Gunicorn":
        deadline = time.monotonic() + 90  # generous: a loaded machine starts slowly
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            try:
                if get(self.port, "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("gunicorn did not start:\n" + self.output())

    def __enter__(self):
        self.start()
        try:
            return self.wait_ready()
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


@contextlib.contextmanager
def running(*servers: Gunicorn):
    """Several app servers started at the same time (each boots its workers while the
    others do), all answering before the block runs; all stopped afterwards."""
    with contextlib.ExitStack() as stack:
        for server in servers:
            server.start()
            stack.callback(server.__exit__)
        for server in servers:
            server.wait_ready()
        yield servers

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")


def wait_for(condition, timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds. Tests wait for
    what they need to see, never for a fixed time: a loaded machine only makes them slower."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s in vain for: {what}")
        time.sleep(0.05)


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class FormParser(html.parser.HTMLParser):
    """The fields a browser would submit with each form of a page."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({})
        if not self.forms or ("name" not in a and tag != "option"):
            return
        fields = self.forms[-1]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields[a["name"]] = a.get("value") or ("on" if kind == "checkbox" else "")
        elif tag == "textarea":
            self._textarea = a["name"]
            fields[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            # Browsers drop the newline that Django writes after <textarea>.
            value = self.forms[-1][self._textarea]
            self.forms[-1][self._textarea] = value[1:] if value.startswith("\n") else value
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.forms[-1][self._textarea] += data


def form_fields(page: str) -> dict:
    """The fields of the page's largest form (the admin's logout form comes first)."""
    parser = FormParser()
    parser.feed(page)
    return dict(max(parser.forms, key=len))
