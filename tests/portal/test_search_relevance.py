"""Relevance test set of the site search over the demo content (``manage.py seed_demo``).

Each case is a query as a visitor types it into ``/suche/`` and the pages that must be among
the first three results, or that nothing at all may be found (drafts, scheduled news,
unpublished ideas, senders' names and e-mail addresses, registrants). The test prints the
score, ``n/N`` cases passed, and requires every case to pass; run it with ``-s`` to see the
table::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/osl_search \
        .venv/bin/pytest -q -s tests/portal/test_search_relevance.py
"""

import io
import re
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from portal.models import IdeaStatus, NewsStatus
from survey.models import SurveyStatus
from tests.factories import IdeaFactory, NewsArticleFactory, SurveyFactory

pytestmark = pytest.mark.django_db

RESULT_LINK = re.compile(r'<li class="search-result">\s*<h2 class="h5"><a href="([^"]+)"')
SUGGESTION_LINK = re.compile(r'<p class="search-suggestion">.*?<a href="([^"]+)"', re.S)

MUEGELN = "/kommunen/muegeln/"
WERMSDORF = "/kommunen/wermsdorf/"
LIEBSCHUETZBERG = "/kommunen/liebschuetzberg/"
OSCHATZ = "/kommunen/oschatz/"
RESULTS_2019 = "/befragungen/buergerbefragung-2019/ergebnisse/"
MOBILITY_2026 = "/befragungen/mobilitaet-2026/"
IDEAS = "/mitmachen/"


@dataclass
class Case:
    query: str
    top3: list[str] = field(default_factory=list)
    nothing: bool = False  # no result at all may be found
    max_results: int | None = None  # precision: at most this many results
    suggestion: str | None = None  # the "Meinten Sie …" query offered


CASES = [
    # Single words, German word forms.
    Case("Radwege", top3=[IDEAS, "/aktuelles/zwischenstand-buergerbefragung/"]),
    Case("Feuerwehr", top3=["/themen/feuerwehr/"]),
    Case("Döllnitzbahn", top3=["/themen/doellnitzbahn/"]),
    Case("Impressum", top3=["/impressum/"]),
    Case("Zschöllau", top3=[OSCHATZ]),  # a district of Oschatz
    Case("Hubertusburg", top3=[WERMSDORF]),
    # Several words: every word must occur.
    Case("Wermsdorf Ortsteile", top3=[WERMSDORF], max_results=3),
    Case("Kommunalforum Naundorf", top3=["/termine/kommunalforum-naundorf-2027/"], max_results=3),
    Case("Radverkehr Workshop", top3=["/termine/workshop-radverkehr-oepnv-2027/"], max_results=3),
    Case("Förderbescheid Zusammenhalt", top3=["/aktuelles/foerderbescheid-sozialer-zusammenhalt/"]),
    Case("Mobilität Oschatzer Land", top3=[MOBILITY_2026]),
    Case("Waldbad Schmannewitz", top3=["/kommunen/dahlen/"], max_results=3),
    # Umlauts typed as ae/oe/ue/ss, and the other way round.
    Case("Muegeln", top3=[MUEGELN, "/termine/kommunalforum-muegeln-2026/"]),
    Case("Buergerbefragung", top3=[RESULTS_2019]),
    Case("Liebschuetzberg", top3=[LIEBSCHUETZBERG, "/termine/kommunalforum-liebschuetzberg-2027/"]),
    Case("Doellnitzbahn", top3=["/themen/doellnitzbahn/"]),
    Case("Oepnv", top3=["/themen/oepnv/"]),
    Case("Strasse", top3=["/themen/infrastruktur/"]),
    # Capitals.
    Case("MÜGELN", top3=[MUEGELN]),
    Case("BÜRGERFORUM COLLM", top3=["/termine/buergerforum-collm-2020/"]),
    # Phrases in quotes.
    Case('"Sozialer Zusammenhalt"', top3=["/aktuelles/foerderbescheid-sozialer-zusammenhalt/"]),
    Case('"Wilder Robert"', top3=["/themen/doellnitzbahn/"]),
    Case('"Zusammenhalt sozialer"', nothing=True),  # the words, but not as this phrase
    # Ideas (published only) and survey results (published only).
    Case("Veranstaltungskalender", top3=[IDEAS]),
    Case("Radweg Döllnitz Schüler", top3=[IDEAS]),
    Case("Bürgerbefragung Ergebnisse", top3=[RESULTS_2019]),
    # A typo gets a suggestion that links to the corrected search.
    Case("Regionalform", suggestion="Regionalforum"),
    Case("Kommunalfroum Mügeln", suggestion="Kommunalforum Mügeln"),
    # Must find nothing: unpublished or personal data.
    Case("Hängebrückenidee", nothing=True),  # only in an idea not yet approved
    Case("Seilbahnprojekt", nothing=True),  # only in a rejected idea
    Case("Hildegard", nothing=True),  # a sender's name
    Case("hildegard.sommerfeld@example.org", nothing=True),  # a sender's e-mail address
    Case("Radwegekonzept Entwurf", nothing=True),  # a draft article's title
    Case("angekündigt", nothing=True),  # a scheduled article, not yet published
    Case("Geheimumfrage", nothing=True),  # a draft survey
    Case("Jana Richter", nothing=True),  # someone registered for an event
]


@pytest.fixture
def demo_site():
    call_command("seed_demo", stdout=io.StringIO())
    IdeaFactory(
        title="Hängebrückenidee über die Döllnitz",
        text="Eine Hängebrückenidee, noch nicht geprüft.",
        status=IdeaStatus.NEW,
    )
    IdeaFactory(
        title="Seilbahnprojekt", text="Eine Seilbahn auf den Collm.", status=IdeaStatus.REJECTED
    )
    IdeaFactory(
        title="Mehr Bänke am Horstsee",
        text="Zum Ausruhen beim Spaziergang.",
        name="Hildegard Sommerfeld",
        email="hildegard.sommerfeld@example.org",
        status=IdeaStatus.APPROVED,
    )
    NewsArticleFactory(
        title="Geheimplan", body="<p>Geheimumfrage in Vorbereitung.</p>", status=NewsStatus.DRAFT
    )
    SurveyFactory(title="Geheimumfrage", slug="geheimumfrage", status=SurveyStatus.DRAFT)


def run_case(client, case: Case) -> tuple[bool, str]:
    body = client.get("/suche/", {"q": case.query}).content.decode()
    urls = [unescape(url) for url in RESULT_LINK.findall(body)]
    top3 = [url.split("#")[0] for url in urls[:3]]
    problems = []
    if case.nothing and urls:
        problems.append(f"expected nothing, found {urls[:5]}")
    missing = [url for url in case.top3 if url not in top3]
    if missing:
        problems.append(f"not in top 3: {missing}")
    if case.max_results is not None and len(urls) > case.max_results:
        problems.append(f"{len(urls)} results, at most {case.max_results} expected")
    if case.suggestion is not None:
        match = SUGGESTION_LINK.search(body)
        offered = None
        if match:
            link = urlsplit(unescape(match.group(1)))
            offered = parse_qs(link.query).get("q", [None])[0] if link.path == "/suche/" else None
        if offered != case.suggestion:
            problems.append(f"suggestion {offered!r}, expected {case.suggestion!r}")
    detail = "; ".join(problems) or f"top 3: {top3}"
    return not problems, detail


def test_relevance_test_set(client, demo_site):
    assert len(CASES) >= 25
    failures = []
    passed = 0
    lines = []
    for case in CASES:
        ok, detail = run_case(client, case)
        passed += ok
        lines.append(f"{'ok  ' if ok else 'FAIL'} {case.query!r}: {detail}")
        if not ok:
            failures.append(f"{case.query!r}: {detail}")
    # The score is the figure to report (pytest -s shows it); the assert wants all cases.
    print("\n".join(lines))  # noqa: T201
    print(f"Search relevance score: {passed}/{len(CASES)}")  # noqa: T201
    assert not failures, f"score {passed}/{len(CASES)}\n" + "\n".join(failures)
