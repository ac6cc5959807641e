"""Garbage POSTs to the questionnaire: errors or 400, never a 500, never a partial response."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.models import Question, Response, Section

pytestmark = pytest.mark.django_db

values = st.one_of(
    st.text(max_size=300),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.lists(st.text(max_size=10), max_size=5),
    st.just("\x00"),
)


def stored_responses_are_complete(survey) -> bool:
    required = set(
        Question.objects.filter(survey=survey, required=True).values_list("code", flat=True)
    )
    for response in Response.objects.filter(survey=survey):
        codes = set(response.answers.values_list("question__code", flat=True))
        if not required <= codes:
            return False
    return True


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_posts_never_crash_or_store_partial_responses(filler, mobility, data):
    client = Client()
    client.get(filler.url)
    sections = [
        str(pk) for pk in Section.objects.filter(survey=mobility).values_list("pk", flat=True)
    ]
    names = [filler.name(code) for code in filler.questions] + [
        filler.other("M4"),
        filler.item("M7", 1),
    ]
    for _step in range(data.draw(st.integers(min_value=1, max_value=3))):
        post = data.draw(st.dictionaries(st.sampled_from([*names, "junk"]), values, max_size=8))
        post["section"] = data.draw(st.one_of(st.sampled_from(sections), st.text(max_size=5)))
        post["action"] = data.draw(st.sampled_from(["next", "back", "code", "", "x"]))
        response = client.post(filler.url, post)
        assert response.status_code in {200, 302, 400, 429}
    assert stored_responses_are_complete(mobility)


def test_valid_pages_mixed_with_garbage_still_store_one_complete_response(client, filler):
    client.get(filler.url)
    assert client.post(filler.url, {"section": "x", "action": "next"}).status_code == 400
    assert client.post(filler.url, filler.page1() | {"junk": "1"}).status_code == 302
    bad = filler.page2()
    bad[filler.name("M5")] = "7"
    assert client.post(filler.url, bad).status_code == 200
    filler.fill_all(client)
    assert Response.objects.count() == 1
    assert stored_responses_are_complete(filler.survey)


def test_oversized_body_is_refused_without_a_500(client, filler, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.get(filler.url)
    response = client.post(filler.url, filler.page1() | {"junk": "x" * 20_000})
    assert response.status_code == 400
    assert Response.objects.count() == 0


def test_too_many_fields_are_refused_without_a_500(client, filler):
    client.get(filler.url)
    data = filler.page1() | {f"f{n}": "1" for n in range(1200)}
    response = client.post(filler.url, data)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    ["schritt=%00", "schritt=" + "9" * 5000, "schritt=-1", "schritt=99999999999999999999"],
)
def test_scanner_step_parameter_never_crashes(client, filler, query):
    client.get(filler.url)
    response = client.get(f"{filler.url}?{query}")
    assert response.status_code in {200, 302, 400}
    if "%00" in query:
        assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/befragungen/{slug}%00/",
        "/befragungen/{slug}/teilnehmen/%00/",
        "/befragungen/{slug}/ergebnisse/?nach=%00",
        "/befragungen/{slug}/fragebogen/?nach=%00",
    ],
)
def test_nul_in_survey_addresses_is_a_400_or_404(client, mobility, path):
    response = client.get(path.format(slug=mobility.slug))
    assert response.status_code in {400, 404}


@pytest.mark.parametrize("code", ["\x00", "AB\x00CD", "x" * 5000, "ÄÖÜ-ß"])
def test_scanner_access_codes_get_a_message_not_a_500(client, mobility, code):
    from survey.models import AccessMode

    mobility.access_mode = AccessMode.CODES
    mobility.save()
    url = f"/befragungen/{mobility.slug}/teilnehmen/"
    client.get(url)

    response = client.post(url, {"action": "code", "code": code})

    assert response.status_code == 200
    assert Response.objects.count() == 0
