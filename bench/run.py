"""`make bench`: the site under gunicorn with production settings, loaded from a second process.

Steps: make sure the bench database exists, migrate, seed (idempotent, kept between runs),
collect static files, then for each server variant (see bench/targets.py) start gunicorn,
warm up, drive every target with wrk (pages) or bench/flow.py (form flows), sample the peak
RSS of the workers, and print one JSON line per target. The lines are also written to
var/bench/latest.jsonl. Settings through the environment:

  DATABASE_URL       the bench database (`make bench` picks oschatzerland_bench)
  BENCH_DURATION     seconds per target (10)
  BENCH_CONNECTIONS  concurrent connections (16)
  BENCH_THREADS      wrk threads (2)
  BENCH_PORT         port of the bench server (8005)
  BENCH_CACHE_URL    cache of the "cached" server (redis://127.0.0.1:6379/4 when Redis
                     answers, else local memory)
  BENCH_ONLY         run only targets whose label contains this text (several:
                     comma-separated, e.g. "home,results 100k")
  BENCH_ACCEPT_ENCODING  Accept-Encoding of every page request ("gzip, deflate, br" like
                     a browser; empty: uncompressed answers)
  BENCH_VARIANT      "uncached" or "cached": run only that server (both by default)
  GUNICORN_WORKERS   workers (gunicorn.conf.py default: 2 × cores + 1)
  BENCH_EXTERNAL     "0": skip the baselines from outside the portal (bench/external.py:
                     Wagtail's home page, a bare Django constant page and a minimal
                     one-query Django page, in a throwaway virtualenv under var/bench/)
  BENCH_EXTERNAL_PORT          their server's port (BENCH_PORT + 1)
  BENCH_EXTERNAL_DATABASE_URL  their database (the bench database's name + "_external")
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

from bench import cpu, external
from bench.flow import survey_started_cookies
from bench.targets import BASELINES, BENCH_USER, FLOWS, PAGES, SEED_COMMANDS, SURVEY

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PYTHON = sys.executable
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
PORT = int(os.environ.get("BENCH_PORT", "8005"))
EXTERNAL = os.environ.get("BENCH_EXTERNAL", "1") != "0"
EXTERNAL_PORT = int(os.environ.get("BENCH_EXTERNAL_PORT", str(PORT + 1)))
ONLY = tuple(part.strip() for part in os.environ.get("BENCH_ONLY", "").split(",") if part.strip())
ACCEPT_ENCODING = os.environ.get("BENCH_ACCEPT_ENCODING", "gzip, deflate, br")
VARIANT = os.environ.get("BENCH_VARIANT", "")
MB = 1024 * 1024


def selected(label: str) -> bool:
    """Whether BENCH_ONLY (empty: everything) selects this target."""
    return not ONLY or any(part in label for part in ONLY)


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)  # noqa: T201


def ensure_database(url: str) -> None:
    try:
        psycopg2.connect(url, connect_timeout=5).close()
        return
    except psycopg2.OperationalError:
        pass
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")), connect_timeout=5)
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    server.close()
    log(f"created database {name}")


def redis_url() -> str:
    url = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/4")
    if not url.startswith("redis"):
        return url
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.flushdb()  # start cold; DB 4 belongs to the bench
    except Exception:
        log("Redis not reachable: the cached server uses local memory")
        return ""
    return url


def local_production_env(database_url: str, **extra: str) -> dict:
    """Production settings for a server on plain HTTP at 127.0.0.1 (also used by the
    reliability tests): only SSL redirect, secure cookies and HSTS are off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY="local-only-secret-key-not-for-production-0123456789abcdef",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_SECURE_HSTS_SECONDS="0",
        **extra,
    )
    return env


def base_env() -> dict:
    return local_production_env(
        os.environ.get("DATABASE_URL", ""),
        DJANGO_BENCH="true",
        GUNICORN_BIND=f"127.0.0.1:{PORT}",
        # Workers live for the whole run, so their peak RSS is the peak of a long-lived
        # worker and no restart falls into a measurement.
        GUNICORN_MAX_REQUESTS="0",
        # Every flow comes from 127.0.0.1; the survey's per-client limit would stop it.
        SURVEY_SUBMISSIONS_PER_HOUR="1000000",
        SURVEY_SUBMISSIONS_PER_DAY="1000000",
        SURVEY_SUBMISSIONS_PER_ADDRESS="1000000",
    )


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(env: dict) -> None:
    ensure_database(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    # Before the seed commands: bench_results renders the results page (manifest storage).
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    for command in SEED_COMMANDS:
        log("manage.py " + " ".join(command))
        manage(env, *command)
    username, password = BENCH_USER
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model as g; U = g();"
        f"u = U.objects.filter(username={username!r}).first() or U(username={username!r});"
        "u.is_staff = u.is_superuser = True;"
        f"u.check_password({password!r}) or u.set_password({password!r}); u.save()",
    )


def fetch(path: str, headers: dict | None = None, port: int = PORT) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class Server:
    """The portal under gunicorn (gunicorn.conf.py), or ``command`` in ``cwd`` (the external
    baselines), until ``ready_path`` answers 200 on ``port``."""

    def __init__(
        self,
        name: str,
        env: dict,
        command: list[str] | None = None,
        cwd: Path = ROOT,
        port: int = PORT,
        ready_path: str = "/healthz",
    ):
        self.name = name
        self.env = env
        self.command = command or [
            PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "oschatzerland.wsgi"
        ]  # fmt: skip
        self.cwd = cwd
        self.port = port
        self.ready_path = ready_path
        self.peaks: dict[int, int] = {}

    def __enter__(self):
        OUT.mkdir(parents=True, exist_ok=True)
        self.logfile = open(OUT / f"server-{self.name}.log", "w")
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env=self.env,
            stdout=self.logfile,
            stderr=subprocess.STDOUT,
        )
        for _ in range(150):
            time.sleep(0.2)
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.logfile.name}")
            try:
                if fetch(self.ready_path, port=self.port) == 200:
                    return self
            except OSError:
                continue
        raise SystemExit(f"gunicorn did not answer {self.ready_path} within 30 s")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.logfile.close()

    def workers(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.process.pid:
                pids.append(int(entry.name))
        return pids

    def sample_rss(self) -> list[float]:
        """Peak resident memory (VmHWM) of each worker so far, in MB."""
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    kb = int(line.split()[1])
                    self.peaks[pid] = max(self.peaks.get(pid, 0), kb * 1024)
        return sorted(round(v / MB, 1) for v in self.peaks.values())


def request_headers(page) -> dict:
    """What a browser sends, plus the target's own headers."""
    headers = {"Accept-Encoding": ACCEPT_ENCODING} if ACCEPT_ENCODING else {}
    return {**headers, **page.headers}


# Realistic search terms from the seeded content: every distinct word (4 letters or more)
# of the public titles, names and districts, and every pair of neighbouring words, in a
# fixed shuffled order (md5), at most 400. Each is a different query for the search memo.
SEARCH_TERMS_SQL = """
WITH titles(t) AS (
    SELECT title FROM portal_newsarticle WHERE status = 'published' AND published_at <= now()
    UNION ALL SELECT title FROM portal_page WHERE is_published
    UNION ALL SELECT name FROM portal_topic
    UNION ALL SELECT name || ' ' || districts FROM portal_municipality
    UNION ALL SELECT title FROM events_event WHERE publication = 'published'
    UNION ALL SELECT title FROM survey_survey WHERE status <> 'draft'
),
words AS (
    SELECT t, w, n FROM titles,
    regexp_split_to_table(t, '[^[:alpha:]]+') WITH ORDINALITY AS s(w, n)
    WHERE char_length(w) >= 4
),
terms AS (
    SELECT w AS term FROM words
    UNION SELECT a.w || ' ' || b.w FROM words a JOIN words b ON a.t = b.t AND b.n = a.n + 1
)
SELECT term FROM terms ORDER BY md5(term) LIMIT 400
"""


def varied_paths(env: dict, name: str) -> Path:
    """The file of paths for a ``Page.varied`` target (one a line), built from the database."""
    if name != "search":
        raise SystemExit(f"unknown varied target {name!r}")
    with psycopg2.connect(env["DATABASE_URL"]) as conn, conn.cursor() as cursor:
        cursor.execute(SEARCH_TERMS_SQL)
        terms = [term for (term,) in cursor.fetchall()]
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"paths-{name}.txt"
    path.write_text("".join(f"/suche/?{urlencode({'q': term})}\n" for term in terms))
    return path


def run_wrk(
    path: str,
    headers: dict,
    connections: int = CONNECTIONS,
    port: int = PORT,
    paths_file: Path | None = None,
) -> dict:
    """wrk against ``path``, or against every path of ``paths_file`` in turn (paths.lua)."""
    script = "paths.lua" if paths_file else "report.lua"
    command = [
        "wrk",
        f"-t{min(THREADS, connections)}",
        f"-c{connections}",
        f"-d{DURATION}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench" / script),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    if paths_file:
        command += ["--", str(paths_file)]
    env = {**os.environ, "BENCH_REPORT_LUA": str(ROOT / "bench" / "report.lua")}
    output = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_flow(label: str) -> dict:
    output = subprocess.run(
        [PYTHON, "-m", "bench.flow", label, str(PORT), str(DURATION), str(CONNECTIONS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def count(env: dict, query: str) -> int:
    with psycopg2.connect(env["DATABASE_URL"]) as conn, conn.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0]


def summarise(
    label: str, variant: str, raw: dict, baselines: dict, rss: list, connections: int = CONNECTIONS
) -> dict:
    seconds = raw["duration_us"] / 1e6
    rps = raw["requests"] / seconds if seconds else 0.0
    line = {
        "target": label,
        "variant": variant,
        "connections": connections,
        "requests_per_s": round(rps, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "errors": raw["status_errors"] + raw["socket_errors"],
    }
    for name, base in baselines.items():
        line[f"ratio_{name}"] = round(rps / base, 2) if base else None
    line["worker_peak_rss_mb"] = rss
    return line


def external_goals(line: dict, kind: str) -> dict:
    """Issue 18, against the external baselines of the same run (when measured): uncached
    pages at least Wagtail's home page, pages from the page cache at least 0.6 × a bare
    Django constant page, the survey flow and a visitor mid-survey at least 2 × Wagtail."""
    checks = {}
    if "ratio_wagtail" in line and kind == "page" and line["variant"] == "uncached":
        checks["ratio_wagtail>=1"] = (line["ratio_wagtail"] or 0) >= 1
    if "ratio_bare" in line and kind == "page" and line["variant"] == "cached":
        checks["ratio_bare>=0.6"] = (line["ratio_bare"] or 0) >= 0.6
    if "ratio_wagtail" in line and kind == "form":
        checks["ratio_wagtail>=2"] = (line["ratio_wagtail"] or 0) >= 2
    if "ratio_wagtail" in line and line.get("session"):  # a visitor mid-survey, cached
        checks["ratio_wagtail>=2"] = (line["ratio_wagtail"] or 0) >= 2
    return checks


def goals(line: dict, kind: str) -> dict:
    """The issue's goals for this line (2-core machine, 16 connections)."""
    checks = {"no_errors": line["errors"] == 0}
    if kind == "results" and line["variant"] == "uncached":
        checks["p99<300ms"] = line["p99_ms"] < 300
    elif kind == "results":
        kind = "page"  # cached, the results page is a public page like any other
    if kind == "page" and line["variant"] == "uncached":
        checks["ratio_query>=0.6"] = (line.get("ratio_query") or 0) >= 0.6
        checks["p99<100ms"] = line["p99_ms"] < 100
    elif kind == "page" and line["variant"] == "cached":
        checks["ratio_constant>=0.5"] = (line.get("ratio_constant") or 0) >= 0.5
        checks["p99<20ms"] = line["p99_ms"] < 20
    elif kind == "form":
        checks["ratio_query>=0.5"] = (line.get("ratio_query") or 0) >= 0.5
    checks.update(external_goals(line, kind))
    if "lost_or_duplicated" in line:
        checks["none_lost_or_duplicated"] = line["lost_or_duplicated"] == 0
    checks["rss<150MB"] = max(line["worker_peak_rss_mb"] or [0]) < 150
    return {"goals_met": all(checks.values()), "goals": checks}


def machine() -> dict:
    """What else ran: the bench shares the machine with the load generator and anything else."""
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "workers": int(os.environ.get("GUNICORN_WORKERS", (os.cpu_count() or 1) * 2 + 1)),
            "connections": CONNECTIONS,
            "threads": THREADS,
            "seconds_per_target": DURATION,
        }
    }


def emit(line: dict, results: list) -> None:
    results.append(line)
    print(json.dumps(line, ensure_ascii=False), flush=True)  # noqa: T201


EXTERNAL_TARGETS = [
    # (label, server kind, path, baseline key for the ratios)
    ("baseline: Wagtail home", "wagtail", "/", "wagtail"),
    ("baseline: bare Django constant", "bare", "/constant/", "bare"),
    ("baseline: minimal Django query+template", "bare", "/query/", "bare_query"),
]


def external_database_url() -> str:
    configured = os.environ.get("BENCH_EXTERNAL_DATABASE_URL", "")
    if configured:
        return configured
    parts = urlsplit(os.environ.get("DATABASE_URL", ""))
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_external"))


def measure_external(results: list) -> dict[str, float]:
    """Wagtail's home page and the bare Django pages (bench/external.py), each under its own
    gunicorn with as many sync workers as the portal's, with the same wrk settings."""
    database_url = external_database_url()
    ensure_database(database_url)
    external.prepare(database_url)
    workers = int(os.environ.get("GUNICORN_WORKERS", (os.cpu_count() or 1) * 2 + 1))
    baselines: dict[str, float] = {}
    for kind in ("wagtail", "bare"):
        command, cwd, settings = external.command(kind, workers, f"127.0.0.1:{EXTERNAL_PORT}")
        targets = [t for t in EXTERNAL_TARGETS if t[1] == kind]
        env = {**external.env(database_url), **settings}
        log(f"external: {kind} on 127.0.0.1:{EXTERNAL_PORT}")
        with Server(f"external-{kind}", env, command, cwd, EXTERNAL_PORT, targets[0][2]) as server:
            for label, _kind, path, key in targets:
                headers = {"Accept-Encoding": ACCEPT_ENCODING} if ACCEPT_ENCODING else {}
                statuses = {fetch(path, headers, EXTERNAL_PORT) for _ in range(20)}
                if statuses != {200}:
                    log(f"{label} {path}: answered {sorted(statuses)} in the warm-up")
                raw = run_wrk(path, headers, CONNECTIONS, EXTERNAL_PORT)
                line = summarise(label, "external", raw, {}, server.sample_rss())
                line["path"] = path
                baselines[key] = line["requests_per_s"]
                emit(line, results)
    return baselines


SURVEY_PATH = f"/befragungen/{SURVEY}/teilnehmen/"


def wanted(page, variant: str) -> bool:
    """Selected by BENCH_ONLY (baselines always); session targets on the cached server only
    (uncached, a session cookie changes nothing: every page renders)."""
    if page.session and variant != "cached":
        return False
    return page.kind == "baseline" or selected(page.label)


def measure_flows(env: dict, results: list, baselines: dict, server: "Server") -> None:
    """The form flows (bench/flow.py), on the cached server."""
    for flow in FLOWS:
        if not selected(flow.label):
            continue
        before = count(env, flow.count_sql) if flow.count_sql else None
        raw = run_flow(flow.label)
        rss = server.sample_rss()
        line = summarise(flow.label, "cached", raw, baselines, rss, CONNECTIONS)
        line["flows_completed"] = raw["completed"]
        line["flows_failed"] = raw["failed"]
        line["driver_cpu_s"] = raw["driver_cpu_s"]
        if before is not None:
            stored = count(env, flow.count_sql) - before
            line["stored"] = stored
            line["lost_or_duplicated"] = stored - raw["completed"]
        line.update(goals(line, flow.kind))
        emit(line, results)


def measure_server(
    variant: str, env: dict, results: list, external_baselines: dict | None = None
) -> None:
    log(f"{variant}: gunicorn on 127.0.0.1:{PORT}")
    with Server(variant, env) as server:
        baselines: dict[str, float] = dict(external_baselines or {})
        cookies = ""
        for page in [*BASELINES, *PAGES]:
            if not wanted(page, variant):
                continue
            # See Page.kind: the uncached results page is timed one request at a time (and
            # warmed up with two: each takes about a second).
            connections = 1 if page.kind == "results" and variant == "uncached" else CONNECTIONS
            headers = request_headers(page)
            if page.session:
                fetch(page.path, headers)  # stored by an anonymous visitor, as in production
                cookies = cookies or survey_started_cookies(PORT, SURVEY_PATH)
                headers["Cookie"] = cookies
            statuses = {fetch(page.path, headers) for _ in range(20 if connections > 1 else 2)}
            paths_file = varied_paths(env, page.varied) if page.varied else None
            if paths_file:  # a few of the paths answer; the others reach the memo cold
                statuses |= {fetch(path, headers) for path in paths_file.read_text().split()[:5]}
            if statuses != {200}:
                log(f"{page.label} {page.path}: answered {sorted(statuses)} in the warm-up")
            raw = run_wrk(page.path, headers, connections, paths_file=paths_file)
            rss = server.sample_rss()
            line = summarise(page.label, variant, raw, baselines, rss, connections)
            line["path"] = page.path
            if paths_file:
                line["paths"] = len(paths_file.read_text().split())
            if page.session:
                line["session"] = True
            if page.kind == "baseline":
                key = "constant" if "constant" in page.path else "query"
                baselines[key] = line["requests_per_s"]
            else:
                line.update(goals(line, page.kind))
            emit(line, results)
        if variant == "cached":
            measure_flows(env, results, baselines, server)
        log(f"{variant}: worker peak RSS (MB) {server.sample_rss()}")


def summarise_ratios(results: list) -> None:
    """Each target against Wagtail's home page and the bare Django constant page of this
    run (issue 18 compares with those), on stderr; the JSON lines have them too."""
    lines = [line for line in results if "ratio_wagtail" in line]
    if not lines:
        return
    log("ratios to the baselines outside the portal (same run): × Wagtail home, × bare Django")
    for line in lines:
        log(
            f"  {line['target']} ({line['variant']}): {line['ratio_wagtail']} × Wagtail,"
            f" {line.get('ratio_bare')} × bare Django constant"
        )


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    env = base_env()
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("DATABASE_URL must point at PostgreSQL (run `make bench`)")
    log(f"database {urlsplit(env['DATABASE_URL']).path.lstrip('/')}; {DURATION} s per target")
    prepare(env)
    results: list[dict] = []
    emit(machine(), results)
    outside = measure_external(results) if EXTERNAL else {}
    if VARIANT in ("", "uncached"):
        measure_server("uncached", {**env, "DJANGO_CACHE_URL": "dummy://"}, results, outside)
    if VARIANT in ("", "cached"):
        measure_server("cached", {**env, "DJANGO_CACHE_URL": redis_url()}, results, outside)
    emit(machine(), results)
    summarise_ratios(results)
    if not ONLY and not VARIANT:
        log("CPU time per request, in one process (bench/cpu.py)")
        for line in cpu.run(env, redis_url()):
            print(json.dumps(line, ensure_ascii=False), flush=True)  # noqa: T201
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "latest.jsonl").write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in results)
    )
    log(f"written to {OUT / 'latest.jsonl'}")


if __name__ == "__main__":
    main()
