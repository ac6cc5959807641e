"""Per-client limits behind the reverse proxy: the real client counts, a forged header not.

Every request of these tests arrives the way production sees it: from the proxy's address
with the client in X-Forwarded-For, or straight from an attacker who sends the header
himself."""

import logging
import time

import pytest
from django.core import mail
from django.test import Client, RequestFactory

from portal.clients import client_address
from portal.models import Idea
from portal.spam import make_form_token

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # the TLS proxy, as the app server sees it
ALICE = "198.51.100.10"
BOB = "198.51.100.20"
MALLORY = "203.0.113.66"


@pytest.fixture
def behind_proxy(settings):
    """The site behind its TLS proxy. Set through pytest-django's ``settings`` (never mixed
    with an override_settings decorator, whose restore order would leak the setting)."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


def via_proxy(client_ip: str, forwarded_by_client: str = "") -> dict:
    """Request META as nginx's $proxy_add_x_forwarded_for passes it on."""
    chain = f"{forwarded_by_client}, {client_ip}" if forwarded_by_client else client_ip
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": chain}


def direct(peer: str, forged: str) -> dict:
    return {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forged}


def idea_data(title: str) -> dict:
    return {
        "title": title,
        "text": "Eine Bank zum Ausruhen am Dorfteich.",
        "name": "Karl",
        "email": "karl@example.org",
        "consent": "on",
        "website": "",
        "started": make_form_token(started=time.time() - 30),
    }


def contact_data(subject: str) -> dict:
    return {
        "name": "Erika Muster",
        "email": "erika@example.org",
        "subject": subject,
        "message": "Wann ist das nächste Forum?",
        "website": "",
        "started": make_form_token(started=time.time() - 30),
    }


# --- the address itself -------------------------------------------------------------------


def address(meta: dict) -> str:
    return client_address(RequestFactory().get("/", **meta))


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        (via_proxy(ALICE), ALICE),
        # The client's own header lies left of the address the proxy saw.
        (via_proxy(ALICE, forwarded_by_client=BOB), ALICE),
        (via_proxy(ALICE, forwarded_by_client="10.0.0.7"), ALICE),
        # Two trusted proxies in a row: the first untrusted address from the right.
        ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{BOB}, {ALICE}, 10.0.0.5"}, ALICE),
        ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "[2001:db8::7]:4711"}, "2001:db8::7"),
        ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "::ffff:198.51.100.10"}, ALICE),
        ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{ALICE}:5678"}, ALICE),
        # The proxy sent no header or garbage: count the proxy, never fail.
        ({"REMOTE_ADDR": PROXY}, PROXY),
        ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ""}, PROXY),
        ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "unknown"}, PROXY),
        ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ",,,\x00"}, PROXY),
        ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "1.2.3.4.5, 999.1.1.1"}, PROXY),
        # An untrusted peer's header is ignored, whatever it says.
        (direct(MALLORY, ALICE), MALLORY),
        (direct(MALLORY, f"{ALICE}, {PROXY}"), MALLORY),
    ],
)
def test_client_address_trusts_the_header_only_from_a_trusted_proxy(behind_proxy, meta, expected):
    assert address(meta) == expected


def test_without_trusted_proxies_the_header_never_counts():
    assert address(via_proxy(ALICE)) == PROXY
    assert address(direct(MALLORY, ALICE)) == MALLORY


def test_an_invalid_trusted_proxies_setting_stops_the_start():
    from tests.test_settings import PROD_ENV, load_settings

    outcome = load_settings({**PROD_ENV, "PORTAL_TRUSTED_PROXIES": "10.0.0.1,proxy"}, "s.DEBUG")
    assert "PORTAL_TRUSTED_PROXIES" in str(outcome)


# --- ideas and contact ----------------------------------------------------------------------


def test_ideas_behind_the_proxy_are_counted_per_client(behind_proxy, client, settings):
    settings.SPAM_RATE_LIMIT = 2
    for number in range(3):
        client.post("/mitmachen/", idea_data(f"Alice {number}"), **via_proxy(ALICE))
    assert Idea.objects.count() == 2  # Alice hit her limit

    response = client.post("/mitmachen/", idea_data("Bob"), **via_proxy(BOB))

    assert "mehrere Nachrichten" not in response.content.decode()
    assert Idea.objects.filter(title="Bob").exists()


def test_contact_behind_the_proxy_is_counted_per_client(behind_proxy, client, settings):
    settings.SPAM_RATE_LIMIT = 1
    client.post("/kontakt/", contact_data("Alice 1"), **via_proxy(ALICE))
    client.post("/kontakt/", contact_data("Alice 2"), **via_proxy(ALICE))
    client.post("/kontakt/", contact_data("Bob"), **via_proxy(BOB))

    assert sorted(m.subject.split()[-1] for m in mail.outbox) == ["1", "Bob"]


def test_a_forged_header_does_not_escape_the_limit_or_frame_others(behind_proxy, client, settings):
    settings.SPAM_RATE_LIMIT = 2
    for number in range(4):
        # A new made-up client in every request, sent straight to the app server.
        client.post(
            "/mitmachen/", idea_data(f"Spam {number}"), **direct(MALLORY, f"192.0.2.{number}")
        )
    assert Idea.objects.count() == 2

    # Mallory named Alice in the header; Alice still has her full allowance.
    client.post("/mitmachen/", idea_data("Alice 1"), **via_proxy(ALICE))
    client.post("/mitmachen/", idea_data("Alice 2"), **via_proxy(ALICE))
    assert Idea.objects.filter(title__startswith="Alice").count() == 2


def test_without_trusted_proxies_a_forged_header_changes_nothing(client, settings):
    settings.SPAM_RATE_LIMIT = 1
    client.post("/mitmachen/", idea_data("Spam 1"), **direct(MALLORY, ALICE))
    client.post("/mitmachen/", idea_data("Spam 2"), **direct(MALLORY, BOB))
    assert Idea.objects.count() == 1


# --- admin login lock-out -------------------------------------------------------------------

PASSWORD = "Kooperation-Collm-2026"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        "redakteurin", password=PASSWORD, is_staff=True, is_superuser=True
    )


def login(meta: dict, password: str) -> int:
    data = {"username": "redakteurin", "password": password}
    return Client().post("/admin/login/", data, **meta).status_code


def test_one_person_behind_the_proxy_cannot_lock_out_the_admin(behind_proxy, staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        login(via_proxy(MALLORY), "falsch")
    assert login(via_proxy(MALLORY), PASSWORD) == 429  # Mallory is locked out

    assert login(via_proxy(ALICE), PASSWORD) == 302  # the real admin logs in


def test_a_forged_header_does_not_escape_the_admin_lockout(behind_proxy, staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for number in range(3):
        login(direct(MALLORY, f"192.0.2.{number}"), "falsch")
    assert login(direct(MALLORY, "192.0.2.200"), PASSWORD) == 429
    assert login(via_proxy(ALICE), PASSWORD) == 302  # Alice was not framed


# --- request log ----------------------------------------------------------------------------


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_request_log_names_the_real_client(behind_proxy, client, settings):
    settings.LOG_CLIENT_IP = True
    handler = Collect()
    logger = logging.getLogger("oschatzerland.requests")
    logger.addHandler(handler)
    try:
        client.get("/healthz", **via_proxy(ALICE, forwarded_by_client=BOB))
        client.get("/healthz", **direct(MALLORY, ALICE))
    finally:
        logger.removeHandler(handler)

    assert [record.client_ip for record in handler.records] == [ALICE, MALLORY]
