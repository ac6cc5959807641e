"""The survey's per-client limits, attacked: behind the reverse proxy, with forged headers,
from one shared address (a school class) and by a script that sheds its cookies.

Every questionnaire goes through the real HTTP flow, page by page, each person or script
run in a browser (test client) of its own."""

import time

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from portal.clients import client_hash
from survey import participation
from survey.models import AccessMode, Response
from survey.services import access_codes_generate

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
ALICE = "198.51.100.10"
MALLORY = "203.0.113.66"
LIBRARY = "192.0.2.50"  # the one public address of a school or a library


@pytest.fixture
def behind_proxy(settings):
    """The site behind its TLS proxy. Set through pytest-django's ``settings`` (never mixed
    with an override_settings decorator, whose restore order would leak the setting)."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


def via_proxy(client_ip: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_ip)


def pages(filler) -> list[dict]:
    return [filler.page1(), filler.page2(), filler.page3(), filler.page_ideas()]


def take_part(browser: Client, filler) -> int:
    """Fill in the whole questionnaire; the status of the final submission."""
    browser.get(filler.url)
    *first, last = pages(filler)
    for data in first:
        assert browser.post(filler.url, data).status_code == 302
    return browser.post(filler.url, last).status_code


def stored(status: int) -> bool:
    return status == 302  # to the thank-you page; 429 = refused, nothing stored


class Clock:
    """Stands in for the time module of survey.participation, so hours pass at once.
    Starts just after midnight UTC, so a test's hours never straddle two days."""

    def __init__(self):
        self.now = time.time() // 86400 * 86400 + 60

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(participation, "time", fake)
    return fake


# --- behind the proxy -----------------------------------------------------------------------


def test_behind_the_proxy_one_person_cannot_use_up_the_limit_of_everyone(
    behind_proxy, filler, settings
):
    settings.SURVEY_SUBMISSIONS_PER_HOUR = 3
    for _ in range(60):
        if not stored(take_part(via_proxy(MALLORY), filler)):
            break
    else:
        pytest.fail("no limit at all")
    mallory = Response.objects.count()

    assert stored(take_part(via_proxy(ALICE), filler))
    assert Response.objects.count() == mallory + 1


def test_behind_the_proxy_code_guessing_does_not_lock_out_code_holders(
    behind_proxy, filler, settings
):
    filler.survey.access_mode = AccessMode.CODES
    filler.survey.save()
    code = access_codes_generate(survey=filler.survey, count=1)[0]
    settings.SURVEY_CODE_ATTEMPTS_PER_HOUR = 5
    mallory = via_proxy(MALLORY)
    for _ in range(100):
        response = mallory.post(filler.url, {"action": "code", "code": "AAAA-AAAA"})
        if response.status_code == 429:
            break
    else:
        pytest.fail("no limit at all")

    response = via_proxy(ALICE).post(filler.url, {"action": "code", "code": code.code})

    assert response.status_code == 302
    assert response["Location"].endswith("?schritt=1")


def test_a_forged_header_does_not_escape_the_submission_limit(behind_proxy, filler, settings):
    settings.SURVEY_SUBMISSIONS_PER_HOUR = 2
    outcomes = [
        take_part(Client(REMOTE_ADDR=MALLORY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"), filler)
        for n in range(4)
    ]
    assert [stored(status) for status in outcomes] == [True, True, False, False]

    # Mallory named ALICE in the header: Alice's allowance is untouched.
    take_part(Client(REMOTE_ADDR=MALLORY, HTTP_X_FORWARDED_FOR=ALICE), filler)
    assert stored(take_part(via_proxy(ALICE), filler))
    assert stored(take_part(via_proxy(ALICE), filler))


def test_a_forged_header_does_not_escape_the_code_attempt_limit(behind_proxy, filler, settings):
    filler.survey.access_mode = AccessMode.CODES
    filler.survey.save()
    settings.SURVEY_CODE_ATTEMPTS_PER_HOUR = 3
    statuses = [
        Client(REMOTE_ADDR=MALLORY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        .post(filler.url, {"action": "code", "code": "AAAA-AAAA"})
        .status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


# --- one shared address -----------------------------------------------------------------------


def test_a_whole_school_with_codes_gets_in_from_one_address(filler, settings):
    """Default settings. More pupils than wrong tries are allowed: right codes never count."""
    filler.survey.access_mode = AccessMode.CODES
    filler.survey.save()
    codes = access_codes_generate(
        survey=filler.survey, count=settings.SURVEY_CODE_ATTEMPTS_PER_HOUR + 10
    )
    statuses = [
        Client(REMOTE_ADDR=LIBRARY)
        .post(filler.url, {"action": "code", "code": code.code})
        .status_code
        for code in codes
    ]
    assert set(statuses) == {302}


def test_a_code_guesser_on_one_address_is_stopped_before_the_next_lookup(filler, settings):
    """Default settings. After 30 wrong codes even a right one is not looked at."""
    filler.survey.access_mode = AccessMode.CODES
    filler.survey.save()
    code = access_codes_generate(survey=filler.survey, count=1)[0]
    guesser = Client(REMOTE_ADDR=MALLORY)
    statuses = [
        guesser.post(filler.url, {"action": "code", "code": f"AAAA-{n:04d}"}).status_code
        for n in range(settings.SURVEY_CODE_ATTEMPTS_PER_HOUR + 1)
    ]
    assert statuses == [200] * settings.SURVEY_CODE_ATTEMPTS_PER_HOUR + [429]

    response = guesser.post(filler.url, {"action": "code", "code": code.code})
    assert response.status_code == 429
    assert "zu viele Codes" in response.content.decode()


def test_a_school_class_of_thirty_behind_one_address_all_take_part(filler):
    """Default settings. Thirty pupils start together and work through the pages at their
    own pace, interleaved; all send within the same lesson."""
    pupils = [Client(REMOTE_ADDR=LIBRARY) for _ in range(30)]
    for pupil in pupils:
        assert pupil.get(filler.url).status_code == 200
    *first, last = pages(filler)
    for data in first:
        for pupil in pupils:
            assert pupil.post(filler.url, data).status_code == 302

    statuses = [pupil.post(filler.url, last).status_code for pupil in pupils]

    assert statuses == [302] * 30
    assert Response.objects.count() == 30


def test_the_same_browser_cannot_submit_twice(filler):
    browser = Client(REMOTE_ADDR=LIBRARY)
    assert stored(take_part(browser, filler))
    assert "Sie haben bereits teilgenommen" in browser.get(filler.url).content.decode()
    browser.post(filler.url, filler.page1())
    assert Response.objects.count() == 1


def test_the_default_limits_are_forty_an_hour_and_a_hundred_a_day(settings):
    """The figures the README promises; the tests below run the same rules at a tenth of
    them (a hundred questionnaires through the whole flow cost a minute of the suite)."""
    assert settings.SURVEY_SUBMISSIONS_PER_HOUR == 40
    assert settings.SURVEY_SUBMISSIONS_PER_DAY == 100
    assert settings.SURVEY_SUBMISSIONS_PER_ADDRESS == 300


def test_a_script_on_one_address_is_capped_per_hour_and_per_day(filler, settings, clock):
    """The default limits' proportions (a tenth of 40 an hour, 100 a day). A script starts a
    fresh browser for every questionnaire (so the browser's "already taken part" does not
    stop it) and keeps sending, hour after hour."""
    settings.SURVEY_SUBMISSIONS_PER_HOUR = 4
    settings.SURVEY_SUBMISSIONS_PER_DAY = 10
    stored_per_hour = []
    for _hour in range(4):
        before = Response.objects.count()
        for _ in range(6):
            if not stored(take_part(Client(REMOTE_ADDR=MALLORY), filler)):
                break
        stored_per_hour.append(Response.objects.count() - before)
        clock.now += 3600

    assert stored_per_hour == [4, 4, 2, 0]
    # The next day the address may send again: a library is not blocked for good.
    clock.now += 86400
    assert stored(take_part(Client(REMOTE_ADDR=MALLORY), filler))


def test_a_script_on_one_address_is_capped_for_the_whole_survey(filler, settings, clock):
    """Smaller numbers, the same rules: day after day the script meets the survey's cap."""
    settings.SURVEY_SUBMISSIONS_PER_HOUR = 5
    settings.SURVEY_SUBMISSIONS_PER_DAY = 8
    settings.SURVEY_SUBMISSIONS_PER_ADDRESS = 12
    stored_per_hour = []
    for _day in range(3):
        for _hour in range(2):
            before = Response.objects.count()
            for _ in range(6):
                if not stored(take_part(Client(REMOTE_ADDR=MALLORY), filler)):
                    break
            stored_per_hour.append(Response.objects.count() - before)
            clock.now += 3600
        clock.now += 86400

    assert stored_per_hour == [5, 3, 4, 0, 0, 0]
    # Another address is not affected.
    assert stored(take_part(Client(REMOTE_ADDR=LIBRARY), filler))


def test_a_refused_questionnaire_keeps_its_answers_for_later(filler, settings, clock):
    settings.SURVEY_SUBMISSIONS_PER_HOUR = 1
    assert stored(take_part(Client(REMOTE_ADDR=LIBRARY), filler))
    late = Client(REMOTE_ADDR=LIBRARY)
    late.get(filler.url)
    *first, last = pages(filler)
    for data in first:
        late.post(filler.url, data)
    refused = late.post(filler.url, last)
    assert refused.status_code == 429
    assert "Ihre Antworten bleiben erhalten" in refused.content.decode()
    assert "eine ganze Schule oder Bibliothek" in refused.content.decode()

    clock.now += 3600
    response = late.post(filler.url, filler.page_ideas())

    assert response.status_code == 302
    assert Response.objects.count() == 2


def test_a_code_survey_has_no_address_limit_each_code_sends_once(filler, settings):
    """More pupils than the hourly address limit (lowered to 3: the rule is the same at 40),
    a code each (staff hand them out), one address: the codes are the limit, so all take
    part."""
    settings.SURVEY_SUBMISSIONS_PER_HOUR = 3
    filler.survey.access_mode = AccessMode.CODES
    filler.survey.save()
    pupils = settings.SURVEY_SUBMISSIONS_PER_HOUR + 5
    codes = access_codes_generate(survey=filler.survey, count=pupils)
    for code in codes:
        pupil = Client(REMOTE_ADDR=LIBRARY)
        assert pupil.post(filler.url, {"action": "code", "code": code.code}).status_code == 302
        assert stored(take_part(pupil, filler))

    # A script holding a spent code gets nowhere.
    script = Client(REMOTE_ADDR=LIBRARY)
    response = script.post(filler.url, {"action": "code", "code": codes[0].code})
    assert "Diesen Code kennen wir nicht" in response.content.decode()
    assert Response.objects.count() == pupils


def test_counters_that_outlive_the_hour_cannot_name_the_address(filler):
    """The cache's owner, who also has the secret key, tests addresses against the counters
    that are still there long after the questionnaire was sent: none of them carries the
    address's full keyed hash, only 16 bits of it (one counter for 65,536 addresses)."""
    if not hasattr(cache, "_expire_info"):
        pytest.skip("reads the expiry times of the local-memory cache")
    assert stored(take_part(Client(REMOTE_ADDR=LIBRARY), filler))
    full = client_hash(RequestFactory().get("/", REMOTE_ADDR=LIBRARY))

    now = time.time()
    lasting = [
        key for key, expiry in cache._expire_info.items() if expiry is None or expiry - now > 3600
    ]

    assert not any(full in key for key in lasting)
    counters = [key for key in lasting if "survey:submit" in key]
    assert len(counters) == 2  # the day's and the survey's
    assert all(f":{full[:4]}:" in key for key in counters)
