"""Load driver for multi-step form flows: ``python -m bench.flow LABEL PORT SECONDS USERS``.

Runs in its own process (not inside the server). Each of USERS threads repeats the flow
with a fresh cookie jar: GET a form, take the CSRF token from the page, POST the fields, and
so on; a flow counts as completed when every step answered with its expected status. Prints
one JSON object: completed flows, requests/s, p50/p99 per request, errors.
"""

import http.client
import json
import re
import resource
import sys
import threading
import time
from itertools import count
from urllib.parse import urlencode

from bench.targets import FLOWS, Get, Post

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    """One visitor: a cookie jar and keep-alive connections; ``port`` may change between
    requests (the same visitor on another app server)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self._connections: dict[int, http.client.HTTPConnection] = {}

    def request(self, method: str, path: str, body: bytes | None = None):
        conn = self._connections.get(self.port)
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self._connections[self.port] = conn
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # As a browser does; Django checks it against the Host header.
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                value = rest.split(";", 1)[0]
                if value in ("", '""'):
                    self.cookies.pop(key.strip(), None)
                else:
                    self.cookies[key.strip()] = value
        return response.status, content

    def post(self, path: str, fields: dict):
        return self.request("POST", path, urlencode(fields).encode())

    def close(self) -> None:
        for conn in self._connections.values():
            conn.close()


def run(label: str, port: int, seconds: float, users: int) -> dict:
    flow = next(f for f in FLOWS if f.label == label)
    numbers = count()
    lock = threading.Lock()
    latencies: list[float] = []
    stats = {"completed": 0, "failed": 0, "socket_errors": 0, "status_errors": 0}
    deadline = time.monotonic() + seconds

    def user():
        while time.monotonic() < deadline:
            n = next(numbers)
            session = Session(port)
            token = b""
            ok = True
            for step in flow.steps:
                if isinstance(step, Post):
                    fields = {k: str(v).replace("{n}", str(n)) for k, v in step.fields.items()}
                    fields["csrfmiddlewaretoken"] = token.decode()
                    body, method = urlencode(fields).encode(), "POST"
                else:
                    assert isinstance(step, Get)
                    body, method = None, "GET"
                started = time.perf_counter()
                try:
                    status, content = session.request(method, step.path, body)
                except (OSError, http.client.HTTPException):
                    with lock:
                        stats["socket_errors"] += 1
                    ok = False
                    break
                with lock:
                    latencies.append(time.perf_counter() - started)
                if status != step.expect:
                    with lock:
                        stats["status_errors"] += 1
                    ok = False
                    break
                match = TOKEN.search(content)
                if match:
                    token = match.group(1)
            session.close()
            with lock:
                stats["completed" if ok else "failed"] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=user) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def percentile(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))]

    return {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1e6),
        "p50_us": int(percentile(50) * 1e6),
        "p90_us": int(percentile(90) * 1e6),
        "p99_us": int(percentile(99) * 1e6),
        "max_us": int((latencies[-1] if latencies else 0) * 1e6),
        # CPU the driver itself took from the machine the server runs on.
        "driver_cpu_s": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 1),
        **stats,
    }


if __name__ == "__main__":
    label, port, seconds, users = sys.argv[1:5]
    print(json.dumps(run(label, int(port), float(seconds), int(users))))  # noqa: T201
