"""The results report (PDF) and the chart downloads: what they contain, what they never
contain, what they load, and when they are made anew."""

import io
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from survey.models import QuestionKind, Quote, ResultsPublication, SurveyStatus
from survey.results import report
from survey.results.caching import survey_results_invalidate
from tests.factories import QuestionFactory, SectionFactory, SurveyFactory
from tests.survey_results.conftest import OTHER_SECRETS, SECRETS
from tests.survey_results.test_pages import analyst  # noqa: F401 (a fixture used below)

pytestmark = pytest.mark.django_db

PUBLIC_TEXTS = ["Wo wohnen Sie?", "Was ist wichtig?", "Wie bewerten Sie …", "Wie zufrieden?"]


def _report_url(survey):
    return reverse("survey:results_report", kwargs={"slug": survey.slug})


def _chart_url(survey, question_id, fmt="svg"):
    return reverse(
        f"survey:results_chart_{fmt}", kwargs={"slug": survey.slug, "question_id": question_id}
    )


def _pdf(client, survey) -> PdfReader:
    response = client.get(_report_url(survey))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def _text(reader: PdfReader) -> str:
    # Line breaks in the layout become spaces, so phrases can be searched for.
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _outline_titles(outline) -> list[str]:
    titles = []
    for entry in outline:
        if isinstance(entry, list):
            titles += _outline_titles(entry)
        else:
            titles.append(entry.title)
    return titles


def test_report_is_tagged_german_with_title_bookmarks_and_every_question(client, published):
    reader = _pdf(client, published.survey)
    root = reader.trailer["/Root"]
    text = _text(reader)

    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert root["/Lang"] == "de"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]) is True
    assert reader.metadata.title == "Ergebnisbericht: Bürgerbefragung Testland"
    titles = _outline_titles(reader.outline)
    for heading in ["Methode", "Teilnahme", "Zu Ihrer Person", "Ihre Meinung", "Glossar"]:
        assert heading in titles
    assert any("Was ist wichtig?" in title for title in titles)
    for question_text in [*PUBLIC_TEXTS, "Was fehlt?", "Wie alt sind Sie?"]:
        assert question_text in text
    assert "12 Menschen haben teilgenommen." in text
    assert "Ahausen" in text  # participation by municipality
    alternatives = _figure_alternatives(root["/StructTreeRoot"])
    assert "Diagramm zu F3; die Zahlen stehen in der Tabelle darunter." in alternatives
    assert all(alternatives)  # every figure (charts, logo) has a text alternative


def _figure_alternatives(node) -> list[str]:
    node = node.get_object()
    if isinstance(node, list):
        return [alt for child in node for alt in _figure_alternatives(child)]
    if not isinstance(node, dict):
        return []
    found = [str(node.get("/Alt") or "")] if node.get("/S") == "/Figure" else []
    if "/K" in node:
        found += _figure_alternatives(node["/K"])
    return found


def test_results_report_command_writes_the_pdf_and_says_how_long(published, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    target = tmp_path / "bericht.pdf"
    call_command("results_report", "testland", "-o", str(target), "--cold", stdout=out)

    assert PdfReader(target).metadata.title == "Ergebnisbericht: Bürgerbefragung Testland"
    assert re.search(r"bericht\.pdf: \d+ KiB in \d+,?\.?\d* s", out.getvalue())


def test_report_leaves_out_hidden_questions_unreleased_quotes_and_free_texts(client, published):
    publication = ResultsPublication.objects.create(survey=published.survey)
    publication.hidden_questions.add(published.f7)
    Quote.objects.create(
        question=published.f6,
        answer=published.texts[0],
        text="Freigegeben: mehr Busse",
        is_released=True,
    )
    Quote.objects.create(
        question=published.f6, answer=published.texts[1], text="NICHT-FREIGEGEBEN-ZITAT"
    )
    survey_results_invalidate(published.survey.pk)

    text = _text(_pdf(client, published.survey))

    assert "Wie alt sind Sie?" not in text
    assert "„Freigegeben: mehr Busse“" in text
    for secret in [*SECRETS, *OTHER_SECRETS, "NICHT-FREIGEGEBEN-ZITAT"]:
        assert secret not in text


def test_report_shows_no_figure_the_results_page_withholds(client, published):
    """Attack: read a withheld share off the PDF. F5 (n = 4) and the second matrix item
    (n = 2) have their percentages withheld on the page; every percentage the report
    prints must be one the page prints too."""
    page = client.get(reverse("survey:results", kwargs={"slug": published.survey.slug}))
    page_text = " ".join(page.content.decode().split())
    percent = re.compile(r"\d+,\d\s%")

    figures = set(percent.findall(_text(_pdf(client, published.survey))))

    assert figures  # the test can fail: the report prints percentages
    assert figures <= set(percent.findall(page_text.replace("\u00a0", " ")))
    assert "25,0 %" not in figures  # F5's answer "1" (1 of 4)


def test_report_loads_nothing_a_question_or_quote_points_to(published):
    """Attack: markup in a question text or a quote that would make the server fetch a URL
    or read a file while rendering. It is escaped, and the fetcher refuses it anyway."""
    published.f3.text = (
        'Was ist wichtig? <img src="http://127.0.0.1:9/spy.png">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
    )
    published.f3.save()
    Quote.objects.create(
        question=published.f6,
        answer=published.texts[0],
        text='<img src="file:///etc/hostname">',
        is_released=True,
    )
    survey_results_invalidate(published.survey.pk)

    pdf, fetcher = report.render_results_report(survey=published.survey)

    assert fetcher.fetched == [
        "https://report.invalid/static/css/report.css",
        "https://report.invalid/static/img/logo.svg",
    ]
    assert fetcher.refused == []
    assert '<img src="http://127.0.0.1:9/spy.png">' in _text(PdfReader(io.BytesIO(pdf)))


def test_report_fetcher_refuses_every_other_url():
    from weasyprint import HTML

    fetcher = report._static_fetcher()
    HTML(
        string=(
            '<html lang="de"><title>t</title><img src="http://127.0.0.1:9/a.png" alt="a">'
            '<img src="file:///etc/passwd" alt="b">'
            '<img src="https://report.invalid/static/../../oschatzerland/settings.py" alt="c">'
            '<img src="https://report.invalid/static/css/site.css" alt="d">'
            '<img src="data:image/svg+xml,%3Csvg%2F%3E" alt="e"></html>'
        ),
        base_url=report.STATIC_BASE,
        url_fetcher=fetcher,
    ).write_pdf()

    assert fetcher.fetched == []
    assert len(fetcher.refused) == 5


def test_report_is_made_once_and_again_after_the_results_change(
    client, published, monkeypatch, django_capture_on_commit_callbacks
):
    made = []
    render = report.render_results_report

    def counting(**kwargs):
        made.append(kwargs["survey"].pk)
        return render(**kwargs)

    monkeypatch.setattr(report, "render_results_report", counting)

    first = client.get(_report_url(published.survey)).content
    again = client.get(_report_url(published.survey)).content
    assert made == [published.survey.pk]
    assert again == first

    with django_capture_on_commit_callbacks(execute=True):
        survey_results_invalidate(published.survey.pk)
    client.get(_report_url(published.survey))
    assert len(made) == 2


def test_report_being_made_elsewhere_answers_503_rather_than_waiting_forever(
    client, published, monkeypatch
):
    monkeypatch.setattr(report, "WAIT_SECONDS", 0.3)
    cache.add(f"{report._report_key(published.survey)}:lock", 1, timeout=60)

    response = client.get(_report_url(published.survey))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Bitte versuchen Sie es in einer Minute noch einmal." in response.content.decode()


def test_report_of_unpublished_results_is_staff_only_and_never_cached(
    client,
    counted,
    analyst,  # noqa: F811 (the fixture)
):
    assert client.get(_report_url(counted.survey)).status_code == 404
    client.force_login(analyst)

    text = _text(_pdf(client, counted.survey))

    assert "Vorschau für Mitarbeitende" in text
    assert cache.get(report._report_key(counted.survey)) is None


# --- Chart downloads -------------------------------------------------------------------------


def test_chart_svg_has_caption_with_question_base_and_date(client, published):
    response = client.get(_chart_url(published.survey, published.f3.pk))
    svg = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert 'filename="testland-f3.svg"' in response["Content-Disposition"]
    assert "F3 Was ist wichtig?" in svg
    assert "(n = 10)" in svg
    assert "Stand: 1. August 2019" in svg
    assert re.search(r"60,0\u00a0% ±\d+,\d \(6\)", svg)  # Radwege, as on the page
    assert "<title" in svg
    assert "<desc" in svg


def test_chart_png_is_an_image(client, published):
    response = client.get(_chart_url(published.survey, published.f4.pk, "png"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(response.content) > 5000


def test_chart_withholds_what_the_page_withholds(client, published):
    """F5 has n = 4, below the threshold: no percentage in its chart."""
    svg = client.get(_chart_url(published.survey, published.f5.pk)).content.decode()

    assert "–" in svg
    assert "25,0" not in svg
    assert "50,0" not in svg


def test_chart_escapes_markup_in_question_texts(client, published):
    published.f3.text = 'Was ist <img src="http://127.0.0.1:9/x.png"> wichtig?'
    published.f3.save()
    survey_results_invalidate(published.survey.pk)

    svg = client.get(_chart_url(published.survey, published.f3.pk)).content.decode()

    assert "<img" not in svg
    assert "&lt;img src=&quot;http://127.0.0.1:9/x.png&quot;&gt;" in svg


def test_chart_downloads_of_what_the_page_does_not_show_are_404(
    client,
    published,
    analyst,  # noqa: F811 (the fixture)
):
    """Attack: tampered ids: a hidden question, one without a chart (number), one of another
    survey, an id that does not exist, an absurdly large one; and an unpublished survey."""
    publication = ResultsPublication.objects.create(survey=published.survey)
    publication.hidden_questions.add(published.f5)
    survey_results_invalidate(published.survey.pk)
    other = QuestionFactory(
        section=SectionFactory(survey=SurveyFactory(status=SurveyStatus.PUBLISHED)),
        kind=QuestionKind.YES_NO,
    )
    closed = QuestionFactory(
        section=SectionFactory(survey=SurveyFactory(status=SurveyStatus.CLOSED)),
        kind=QuestionKind.YES_NO,
    )

    for question_id in [published.f5.pk, published.f7.pk, other.pk, 999999, 10**30]:
        for fmt in ["svg", "png"]:
            response = client.get(_chart_url(published.survey, question_id, fmt))
            assert response.status_code == 404, (question_id, fmt)
    assert client.get(_chart_url(closed.survey, closed.pk)).status_code == 404
    client.force_login(analyst)  # hidden questions are not downloadable in a preview either
    assert client.get(_chart_url(published.survey, published.f5.pk)).status_code == 404


def test_results_page_links_report_and_charts_with_accessible_names(client, published):
    body = client.get(reverse("survey:results", kwargs={"slug": published.survey.slug}))
    body = body.content.decode()

    assert 'href="/befragungen/testland/ergebnisse/bericht.pdf"' in body
    assert f'href="/befragungen/testland/ergebnisse/diagramme/{published.f3.pk}.svg"' in body
    assert f'href="/befragungen/testland/ergebnisse/diagramme/{published.f3.pk}.png"' in body
    assert 'aria-label="Diagramm als SVG herunterladen: F3 Was ist wichtig?"' in body
    # The number question has no chart, so no download links.
    assert f"diagramme/{published.f7.pk}." not in body


def test_chart_download_is_cached_until_the_results_change(client, published, monkeypatch):
    from survey.results import views

    drawn = []
    draw = views.chart_svg

    def counting(chart, **kwargs):
        drawn.append(chart.question_id)
        return draw(chart, **kwargs)

    monkeypatch.setattr(views, "chart_svg", counting)
    url = _chart_url(published.survey, published.f3.pk, "png")

    first = client.get(url).content
    assert client.get(url).content == first
    assert drawn == [published.f3.pk]
    survey_results_invalidate(published.survey.pk)
    client.get(url)
    assert drawn == [published.f3.pk, published.f3.pk]


def _weight(published):
    """Targets for the residence question: the results become weighted."""
    import datetime

    from survey.models import WeightingTarget

    for option in published.f1.options.all():
        WeightingTarget.objects.create(
            survey=published.survey,
            option=option,
            population=option.municipality.population,
            source="Statistisches Landesamt Sachsen",
            as_of=datetime.date(2019, 12, 31),
        )
    survey_results_invalidate(published.survey.pk)


def test_weighted_report_explains_weighting_and_withholds_what_the_page_does(client, published):
    _weight(published)
    page = client.get(reverse("survey:results", kwargs={"slug": published.survey.slug}))
    page_text = " ".join(page.content.decode().split()).replace("\u00a0", " ")
    percent = re.compile(r"\d+,\d\s%")

    text = _text(_pdf(client, published.survey))

    assert "Gewichtete Ergebnisse." in text
    assert "Statistisches Landesamt Sachsen" in text
    assert "± Prozentpunkte" in text
    figures = set(percent.findall(text))
    assert figures
    assert figures <= set(percent.findall(page_text))


def test_weighted_chart_says_so_and_the_unweighted_one_does_not(client, published):
    _weight(published)
    url = _chart_url(published.survey, published.f3.pk)

    weighted = client.get(url).content.decode()
    unweighted = client.get(url + "?gewichtet=0").content.decode()

    assert "nach Einwohnerzahl gewichtet" in weighted
    assert "nach Einwohnerzahl gewichtet" not in unweighted
    assert "60,0\u00a0% " in unweighted  # Radwege unweighted, as on the unweighted page
    assert "95-Prozent-Intervall" in weighted
