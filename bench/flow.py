"""Load driver for multi-step form flows: ``python -m bench.flow LABEL PORT SECONDS USERS``.

Runs in its own process (not inside the server). Each of USERS threads repeats the flow
with a fresh cookie jar: GET a form, take the CSRF token from the page, POST the fields, and
so on; a flow counts as completed when every step answered with its expected status. Prints
one JSON object: completed flows, requests/s, p50/p99 per request, errors.
"""

import html.parser
import http.client
import json
import re
import resource
import sys
import threading
import time
from itertools import count
from urllib.parse import urlencode, urljoin, urlsplit

from bench.targets import FLOWS, Get, Post, Wizard

RANK_SELECT = re.compile(r"^(.*q\d+)_r\d+$")
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
FILLER = "Bench"
TYPED = {"email": "bench@example.org", "url": "https://example.org/", "date": "2026-01-01"}


class _PostForm(html.parser.HTMLParser):
    """The controls of the first ``<form method="post">`` of a page, in document order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.action: str | None = None
        self.controls: list[tuple[str, dict]] = []  # (tag, attributes); options after selects
        self._inside = False
        self._done = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form" and not self._done and a.get("method", "").lower() == "post":
            self._inside = True
            self.action = a.get("action", "")
        elif self._inside and tag in ("input", "select", "option", "textarea", "button"):
            self.controls.append((tag, a))

    def handle_endtag(self, tag):
        if tag == "form" and self._inside:
            self._inside, self._done = False, True


def _is_honeypot(attributes: dict) -> bool:
    # portal/spam.py: a text field people never reach (tabindex -1, no autocomplete).
    return attributes.get("tabindex") == "-1" and attributes.get("autocomplete") == "off"


def fill_form(page: str) -> tuple[str | None, list[tuple[str, str]]]:
    """The action and a valid filling of the page's post form, as a browser would send it.

    Hidden fields keep their value; of every radio group the first option with a value (a
    "no answer" radio has none, and "other" options come last); of every checkbox group the
    first box; of every select the first option with a value (the place selects of a ranking
    the first, second … in turn, so every place is given once); number fields their ``min``
    (else 1, within ``max``); e-mail, URL and date fields a valid value; other text fields
    and text areas a short text, except fields named ``…_other`` (the text of an "other"
    option that was not chosen) and a honeypot, which stay empty. Buttons are left out: the
    caller adds ``action``.
    """
    parser = _PostForm()
    parser.feed(page)
    fields: list[tuple[str, str]] = []
    chosen: set[str] = set()
    select, skip = None, 0
    ranked: dict[str, int] = {}  # ranking question → its place selects so far
    for tag, a in parser.controls:
        if tag == "option":
            if select and select not in chosen and a.get("value"):
                if skip:
                    skip -= 1
                    continue
                fields.append((select, a["value"]))
                chosen.add(select)
            continue
        select = None
        kind = _control_kind(tag, a)
        if kind is None:
            continue
        name = a["name"]
        if kind == "select":
            select = name
            # The place selects of a ranking ("q7_r31") take places 1, 2, 3 … in turn.
            ranking = RANK_SELECT.match(name)
            if ranking:
                skip = ranked.get(ranking[1], 0)
                ranked[ranking[1]] = skip + 1
        elif kind in ("radio", "checkbox"):
            if name not in chosen and a.get("value", "on"):
                fields.append((name, a.get("value", "on")))
                chosen.add(name)
        else:
            fields.append((name, _typed_value(kind, name, a)))
    return parser.action, fields


def _control_kind(tag: str, attributes: dict) -> str | None:
    """The control's kind ("select", "radio", "email", …), None for what a browser does not
    send with the form (no name, disabled, buttons, files)."""
    if not attributes.get("name") or "disabled" in attributes or tag == "button":
        return None
    kind = attributes.get("type", "text").lower() if tag == "input" else tag
    if kind in ("submit", "button", "image", "reset", "file"):
        return None
    return kind


def _typed_value(kind: str, name: str, attributes: dict) -> str:
    """The value of a control one types into (or a hidden one)."""
    if kind == "hidden":
        return attributes.get("value", "")
    if kind == "number":
        low, high = attributes.get("min"), attributes.get("max")
        value = int(float(low)) if low else 1
        if high:
            value = min(value, int(float(high)))
        return str(value)
    if name.endswith("_other") or _is_honeypot(attributes):
        return ""
    return TYPED.get(kind, FILLER)


def _path_of(location: str, base: str) -> str:
    parts = urlsplit(urljoin(base, location))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def run_wizard(session: "Session", step: Wizard, record) -> bool:
    """One complete pass through a multi-page form (see ``bench.targets.Wizard``).

    ``record(seconds)`` is called for every request. True when the page ending in
    ``step.done_suffix`` was reached and answered 200.
    """
    path = step.path
    for _page in range(step.max_pages):
        started = time.perf_counter()
        status, content, location = session.request_full("GET", path)
        record(time.perf_counter() - started)
        if status != 200:
            return False
        page = content.decode()
        action, fields = fill_form(page)
        if action is None:
            return False
        fields.append(("action", "next"))
        target = _path_of(action or path, path)
        started = time.perf_counter()
        status, content, location = session.request_full("POST", target, urlencode(fields).encode())
        record(time.perf_counter() - started)
        if status != 302 or not location:
            return False  # 200: the page came back with errors; 4xx/5xx: refused
        path = _path_of(location, target)
        if urlsplit(path).path.endswith(step.done_suffix):
            started = time.perf_counter()
            status, _content, _location = session.request_full("GET", path)
            record(time.perf_counter() - started)
            return status == 200
    return False


def start_survey(session, path: str) -> None:
    """Send the first page of the questionnaire at ``path`` as ``session`` (``Session`` or
    anything with its ``request_full``) and follow the redirect: the session and CSRF
    cookie a visitor mid-survey holds."""
    status, content, _location = session.request_full("GET", path)
    action, fields = fill_form(content.decode()) if status == 200 else (None, [])
    if action is None:
        raise SystemExit(f"{path}: no questionnaire ({status})")
    fields.append(("action", "next"))
    target = _path_of(action or path, path)
    status, _content, location = session.request_full("POST", target, urlencode(fields).encode())
    if status != 302 or not location:
        raise SystemExit(f"{target}: the first page was not accepted ({status})")
    session.request_full("GET", _path_of(location, target))  # shows any message


def survey_started_cookies(port: int, path: str) -> str:
    """The ``Cookie`` header of a visitor who has started the questionnaire at ``path``."""
    session = Session(port)
    try:
        start_survey(session, path)
        return "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    finally:
        session.close()


class Session:
    """One visitor: a cookie jar and keep-alive connections; ``port`` may change between
    requests (the same visitor on another app server)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self._connections: dict[int, http.client.HTTPConnection] = {}

    def request(self, method: str, path: str, body: bytes | None = None):
        status, content, _location = self.request_full(method, path, body)
        return status, content

    def request_full(self, method: str, path: str, body: bytes | None = None):
        """Like ``request``, plus the ``Location`` header (or None)."""
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
        return response.status, content, response.getheader("Location")

    def post(self, path: str, fields: dict):
        return self.request("POST", path, urlencode(fields).encode())

    def close(self) -> None:
        for conn in self._connections.values():
            conn.close()


class _Tally:
    """Latencies and counts of all user threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.stats = {"completed": 0, "failed": 0, "socket_errors": 0, "status_errors": 0}

    def record(self, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)

    def count(self, key: str) -> None:
        with self.lock:
            self.stats[key] += 1

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        return self.latencies[min(len(self.latencies) - 1, int(len(self.latencies) * p / 100))]


def _run_wizard_step(session: "Session", step: Wizard, tally: _Tally) -> bool:
    try:
        ok = run_wizard(session, step, tally.record)
    except (OSError, http.client.HTTPException):
        tally.count("socket_errors")
        return False
    if not ok:
        tally.count("status_errors")
    return ok


def _run_request_step(
    session: "Session", step: Get | Post, n: int, token: bytes, tally: _Tally
) -> bytes | None:
    """One GET or POST of the flow; the CSRF token for the next step, None on failure."""
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
        tally.count("socket_errors")
        return None
    tally.record(time.perf_counter() - started)
    if status != step.expect:
        tally.count("status_errors")
        return None
    match = TOKEN.search(content)
    return match.group(1) if match else token


def _run_flow(flow, port: int, n: int, tally: _Tally) -> bool:
    """One pass through the flow with a fresh cookie jar; whether every step succeeded."""
    session = Session(port)
    token = b""
    try:
        for step in flow.steps:
            if isinstance(step, Wizard):
                if not _run_wizard_step(session, step, tally):
                    return False
                continue
            token = _run_request_step(session, step, n, token, tally)
            if token is None:
                return False
        return True
    finally:
        session.close()


def run(label: str, port: int, seconds: float, users: int) -> dict:
    flow = next(f for f in FLOWS if f.label == label)
    numbers = count()
    tally = _Tally()
    deadline = time.monotonic() + seconds

    def user():
        while time.monotonic() < deadline:
            ok = _run_flow(flow, port, next(numbers), tally)
            tally.count("completed" if ok else "failed")

    started = time.monotonic()
    threads = [threading.Thread(target=user) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    tally.latencies.sort()
    latencies = tally.latencies
    return {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1e6),
        "p50_us": int(tally.percentile(50) * 1e6),
        "p90_us": int(tally.percentile(90) * 1e6),
        "p99_us": int(tally.percentile(99) * 1e6),
        "max_us": int((latencies[-1] if latencies else 0) * 1e6),
        # CPU the driver itself took from the machine the server runs on.
        "driver_cpu_s": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 1),
        **tally.stats,
    }


if __name__ == "__main__":
    label, port, seconds, users = sys.argv[1:5]
    print(json.dumps(run(label, int(port), float(seconds), int(users))))  # noqa: T201
