"""CPU time per request, in one process: the part of `make bench` that does not depend on
what else runs on the machine.

``python -m bench.cpu`` (called by ``bench.run`` after the load test, on the same database)
starts one child process per variant, each with the bench server's production settings:
*uncached* (``DJANGO_CACHE_URL=dummy://``) and *cached* (the bench's Redis database, or
local memory). The child sends every page of ``bench.targets`` through Django's test
client, one warm-up request and then ``ROUNDS`` requests (3 for the uncached results
pages), and the survey flow (complete submissions as new visitors, ``bench.flow.run_wizard``)
on the cached variant, and prints one JSON line per target: mean CPU milliseconds
(``time.process_time``, this process only: Python, templates, the ORM) and mean wall
milliseconds (plus waiting for PostgreSQL and Redis). ``python -m bench.cpu --table``
turns ``var/bench/cpu.jsonl`` into the table in BENCHMARKS.md.
"""

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench" / "cpu.jsonl"
ROUNDS = 50
FLOWS = 20


def _measure(client, path: str, rounds: int, paths: list[str] | None = None) -> dict:
    """``rounds`` requests of ``path``, or of ``paths`` in turn (each once at most)."""
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    order = paths[:rounds] if paths else [path] * rounds
    rounds = len(order)
    cpu, wall = time.process_time(), time.perf_counter()
    for each in order:
        client.get(each)
    return {
        "cpu_ms": round((time.process_time() - cpu) * 1000 / rounds, 2),
        "wall_ms": round((time.perf_counter() - wall) * 1000 / rounds, 2),
    }


class _ClientSession:
    """``bench.flow.Session``'s interface over Django's test client, so the load test's
    ``run_wizard`` drives the flow here too; it times only the requests, not the form filling."""

    def __init__(self, client):
        self.client = client
        self.cpu = self.wall = 0.0
        self.requests = 0

    def request_full(self, method: str, path: str, body: bytes | None = None):
        cpu, wall = time.process_time(), time.perf_counter()
        if method == "POST":
            response = self.client.post(
                path, body, content_type="application/x-www-form-urlencoded"
            )
        else:
            response = self.client.get(path)
        self.cpu += time.process_time() - cpu
        self.wall += time.perf_counter() - wall
        self.requests += 1
        return response.status_code, response.content, response.get("Location")


def _survey_flows(client, start: str, flows: int) -> dict:
    """Complete submissions, each as a new visitor; CPU and wall time per request."""
    from bench.flow import run_wizard
    from bench.targets import Wizard

    session = _ClientSession(client)

    def one_flow() -> None:
        client.cookies.clear()
        if not run_wizard(session, Wizard(start), record=lambda _seconds: None):
            raise SystemExit(f"survey flow: {start} did not reach the thank-you page")

    one_flow()  # warm-up
    session.cpu = session.wall = 0.0
    session.requests = 0
    for _ in range(flows):
        one_flow()
    return {
        "cpu_ms": round(session.cpu * 1000 / session.requests, 2),
        "wall_ms": round(session.wall * 1000 / session.requests, 2),
        "requests_per_flow": session.requests // flows,
    }


def child(variant: str) -> None:
    """Runs inside the child process: settings come from its environment."""
    import django

    django.setup()
    logging.disable(logging.CRITICAL)  # no request log lines in the measurement
    from django.test import Client

    from bench.flow import start_survey
    from bench.run import SURVEY_PATH, selected, varied_paths, wanted
    from bench.targets import BASELINES, PAGES, Wizard
    from bench.targets import FLOWS as LOAD_FLOWS

    client = Client(HTTP_HOST="127.0.0.1")
    visitor = None  # mid-survey: the session targets
    for page in [*BASELINES, *PAGES]:
        if not wanted(page, variant):
            continue
        rounds = 3 if page.kind == "results" and variant == "uncached" else ROUNDS
        line = {"target": page.label, "variant": variant, "path": page.path}
        if page.session and visitor is None:
            visitor = Client(HTTP_HOST="127.0.0.1")
            start_survey(_ClientSession(visitor), SURVEY_PATH)
        if page.session:
            client.get(page.path)  # stored by an anonymous visitor, as in production
        paths = None
        if page.varied:  # every request a different term (bench/paths.lua)
            paths = varied_paths(dict(os.environ), page.varied).read_text().split()
            rounds = 200
        line |= _measure(visitor if page.session else client, page.path, rounds, paths)
        print(json.dumps(line, ensure_ascii=False), flush=True)  # noqa: T201
    if variant != "cached":
        return
    for flow in LOAD_FLOWS:
        if not selected(flow.label):
            continue
        wizards = [step for step in flow.steps if isinstance(step, Wizard)]
        if wizards:
            line = {"target": flow.label, "variant": variant, "path": wizards[0].path}
            line |= _survey_flows(Client(HTTP_HOST="127.0.0.1"), wizards[0].path, FLOWS)
            print(json.dumps(line, ensure_ascii=False), flush=True)  # noqa: T201


def run(env: dict, cached_url: str) -> list[dict]:
    """Both variants in child processes; the lines are written to var/bench/cpu.jsonl."""
    lines = []
    for variant, cache_url in (("uncached", "dummy://"), ("cached", cached_url)):
        output = subprocess.run(
            [sys.executable, "-m", "bench.cpu", "--child", variant],
            cwd=ROOT,
            env={**env, "DJANGO_CACHE_URL": cache_url},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        lines += [json.loads(text) for text in output.splitlines() if text.startswith("{")]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    return lines


def table(lines: list[dict]) -> str:
    by_target: dict[str, dict] = {}
    for line in lines:
        by_target.setdefault(line["target"], {"path": line["path"]})[line["variant"]] = line
    query = by_target.get("baseline: query+template", {})
    rows = [
        "| target | uncached CPU ms | uncached wall ms | cached CPU ms | cached wall ms "
        "| uncached CPU × query baseline |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for target, variants in by_target.items():
        uncached, cached = variants.get("uncached"), variants.get("cached")
        ratio = "–"
        if uncached and query.get("uncached") and not target.startswith("baseline"):
            ratio = f"{query['uncached']['cpu_ms'] / uncached['cpu_ms']:.2f}"
        cells = [
            f"{v[key]}" if v else "–" for v in (uncached, cached) for key in ("cpu_ms", "wall_ms")
        ]
        rows.append(f"| {target} `{variants['path']}` | {' | '.join(cells)} | {ratio} |")
    return "\n".join(rows)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oschatzerland.settings")
        child(sys.argv[2])
    elif sys.argv[1:] == ["--table"]:
        lines = [json.loads(text) for text in OUT.read_text().splitlines() if text.strip()]
        print(table(lines))  # noqa: T201
    else:
        from bench.run import base_env, redis_url

        env = base_env()
        if not env.get("DATABASE_URL", "").startswith("postgres"):
            raise SystemExit("DATABASE_URL must point at PostgreSQL (run `make bench`)")
        print(table(run(env, redis_url())))  # noqa: T201
