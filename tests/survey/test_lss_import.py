"""Import of a LimeSurvey structure (.lss): every mapped type of tests/survey/data/
all_types.lss, conditions, the list of what was not imported, hostile files, who may upload."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from survey.kinds import kind_of
from survey.lss_import import (
    LSS_TYPES,
    MAX_BYTES,
    LssError,
    kind_for,
    lss_import,
    parse_relevance,
)
from survey.models import Question, QuestionKind, Survey, SurveyStatus

pytestmark = pytest.mark.django_db

LSS = Path(__file__).parent / "data" / "all_types.lss"
# LimeSurvey type of each question in the file.
TYPES = {
    "WOHNORT": "L",
    "ALTER": "!",
    "JAHRE": "N",
    "GEBDAT": "D",
    "HINWEIS": "X",
    "WICHTIG": "M",
    "BEWERT": "F",
    "ZUFRIED": "5",
    "VORSCHLAG": "S",
    "FEHLT": "T",
    "SONST": "U",
    "RAD": "Y",
    "PRIO": "R",
    "KOMPLEX": "S",
    "GLEICH": "S",
    "MEHRZAHL": "K",
    "ZUSTAND": "A",
}


@pytest.fixture
def imported():
    return lss_import(data=LSS.read_bytes())


def _question(survey, code) -> Question:
    return Question.objects.get(survey=survey, code=code)


def _options(question):
    return [(o.value, o.label, o.is_other) for o in question.options.order_by("position")]


def test_the_file_covers_every_mapped_type():
    assert set(TYPES.values()) >= set(LSS_TYPES)


def test_draft_with_pages_and_every_type_that_has_a_kind(imported):
    survey = imported.survey
    assert survey.status == SurveyStatus.DRAFT
    assert survey.title == "Bürgerbefragung Mügeln 2024"
    assert survey.intro == "Ihre Meinung zählt."
    assert [s.title for s in survey.sections.order_by("position")] == [
        "Zu Ihrer Person",
        "Ihre Meinung",
    ]
    for code, lss_type in TYPES.items():
        kind = kind_for(lss_type)
        exists = Question.objects.filter(survey=survey, code=code).first()
        if kind is None:
            assert exists is None, code
            assert any(
                p.startswith(f"{code}: ") and "nicht verfügbar" in p for p in imported.problems
            ), code
        else:
            assert exists is not None, code
            assert exists.kind == kind, code
    assert kind_for("L") == QuestionKind.SINGLE
    assert kind_for("T") == QuestionKind.LONG_TEXT
    assert kind_for("K") is None


def test_choice_questions_keep_labels_codes_and_other(imported):
    survey = imported.survey
    wohnort = _question(survey, "WOHNORT")
    assert wohnort.text == "Wo wohnen Sie?"
    assert wohnort.help_text == "Bitte den Hauptwohnsitz."
    assert wohnort.required
    assert _options(wohnort) == [
        (1, "Oschatz", False),
        (2, "Mügeln", False),
        (3, "Dahlen", False),
        (4, "Sonstiges", True),
    ]
    assert "WOHNORT: Die Antwortcodes A1, A2, A3 wurden als 1, 2, 3 übernommen." in (
        imported.problems
    )
    # Numeric codes stay as they are.
    assert _options(_question(survey, "ALTER")) == [
        (1, "unter 30", False),
        (2, "30 bis 64", False),
        (3, "65 und älter", False),
    ]
    wichtig = _question(survey, "WICHTIG")
    assert wichtig.max_choices == 2
    assert [o[1] for o in _options(wichtig)] == ["Radwege", "Bus", "Sonstiges"]


def test_matrix_scale_number_and_texts(imported):
    survey = imported.survey
    bewert = _question(survey, "BEWERT")
    assert [i.label for i in bewert.items.order_by("position")] == ["Straßen", "Schulen"]
    assert (bewert.scale_min, bewert.scale_max) == (1, 3)
    assert (bewert.scale_min_label, bewert.scale_max_label) == ("schlecht", "gut")
    zufried = _question(survey, "ZUFRIED")
    assert (zufried.scale_min, zufried.scale_max, zufried.required) == (1, 5, True)
    jahre = _question(survey, "JAHRE")
    assert (jahre.number_min, jahre.number_max) == (0, 120)
    assert kind_of(_question(survey, "SONST")).is_free_text
    zustand = _question(survey, "ZUSTAND")
    assert (zustand.scale_min, zustand.scale_max, zustand.items.count()) == (1, 5, 2)


def test_simple_conditions_become_display_conditions(imported):
    survey = imported.survey
    page2 = survey.sections.get(position=2)
    assert page2.condition_question.code == "WOHNORT"
    assert sorted(o.label for o in page2.condition_options.all()) == ["Mügeln", "Oschatz"]
    wichtig = _question(survey, "WICHTIG")
    assert wichtig.condition_question.code == "ALTER"
    assert [o.label for o in wichtig.condition_options.all()] == ["unter 30"]
    for code in ("KOMPLEX", "GLEICH"):
        assert _question(survey, code).condition_question is None
    joined = "\n".join(imported.problems)
    assert "KOMPLEX: Die Bedingung „(JAHRE.NAOK > 18)“ wurde nicht übernommen" in joined
    assert "ZUFRIED ist keine übernommene Auswahlfrage" in joined


def test_conditions_on_the_same_page_or_unknown_codes_are_listed():
    data = LSS.read_bytes().replace(b"(JAHRE.NAOK > 18)", b'((WICHTIG.NAOK == "SQ001"))')
    data = data.replace(b'((ZUFRIED.NAOK == "5"))', b'((ALTER.NAOK == "9"))')
    result = lss_import(data=data)
    joined = "\n".join(result.problems)
    assert "WICHTIG ist nicht auf einer früheren Seite" in joined
    assert "ALTER hat keine Antwort 9" in joined


@pytest.mark.parametrize(
    ("expression", "parsed"),
    [
        ('((Q1.NAOK == "A2"))', [("Q1", "A2")]),
        ("Q1 == 'A2'", [("Q1", "A2")]),
        ('((Q1.NAOK == "A1" or Q1.NAOK == "A3"))', [("Q1", "A1"), ("Q1", "A3")]),
        ("(Q1.NAOK == 3) || (Q1.NAOK == 4)", [("Q1", "3"), ("Q1", "4")]),
        ('((Q1.NAOK == "A1" or Q2.NAOK == "A1"))', [("Q1", "A1"), ("Q2", "A1")]),
        ("1", "always"),
        ("", "always"),
        ('((Q1.NAOK == "A1" and Q2.NAOK == "A1"))', None),
        ('((Q1.NAOK != "A1"))', None),
        ('(Q1.NAOK == "A1")) or ((', None),
        ("is_empty(Q1)", None),
    ],
)
def test_parse_relevance(expression, parsed):
    assert parse_relevance(expression) == parsed


def test_multiple_choice_subquestion_conditions_and_mixed_questions():
    data = LSS.read_bytes().replace(
        b'((ZUFRIED.NAOK == "5"))', b'((WICHTIG_SQ002.NAOK == "Y" or WICHTIG_SQ001 == "Y"))'
    )
    data = data.replace(b"(JAHRE.NAOK > 18)", b'((ALTER.NAOK == "1" or WOHNORT.NAOK == "A1"))')
    # GLEICH and KOMPLEX move to a third page, after WICHTIG.
    data = data.replace(
        b"<gid><![CDATA[2]]></gid>\n    <type><![CDATA[S]]></type>\n    <title><![CDATA[KOMPLEX",
        b"<gid><![CDATA[3]]></gid>\n    <type><![CDATA[S]]></type>\n    <title><![CDATA[KOMPLEX",
    )
    data = data.replace(
        b"<gid><![CDATA[2]]></gid>\n    <type><![CDATA[S]]></type>\n    <title><![CDATA[GLEICH",
        b"<gid><![CDATA[3]]></gid>\n    <type><![CDATA[S]]></type>\n    <title><![CDATA[GLEICH",
    )
    data = data.replace(
        b" </groups>",
        b"   <row><gid>3</gid><sid>100</sid><group_order>3</group_order><grelevance>"
        b"</grelevance></row>\n  </rows>\n </groups>",
    ).replace(b"  </rows>\n   <row><gid>3</gid>", b"   <row><gid>3</gid>")
    result = lss_import(data=data)
    gleich = _question(result.survey, "GLEICH")
    assert gleich.section.position == 3
    assert gleich.condition_question.code == "WICHTIG"
    assert sorted(o.label for o in gleich.condition_options.all()) == ["Bus", "Radwege"]
    assert "mehr als eine Frage" in "\n".join(result.problems)
    assert _question(result.survey, "KOMPLEX").condition_question is None


def test_limesurvey_3_layout_with_texts_in_the_rows():
    data = (
        b'<?xml version="1.0" encoding="UTF-8"?><document>'
        b"<LimeSurveyDocType>Survey</LimeSurveyDocType>"
        b"<languages><language>de</language></languages>"
        b"<groups><rows><row><gid>1</gid><group_name>Seite</group_name><group_order>0</group_order>"
        b"<language>de</language></row><row><gid>1</gid><group_name>Page</group_name>"
        b"<group_order>0</group_order><language>en</language></row></rows></groups>"
        b"<questions><rows><row><qid>5</qid><parent_qid>0</parent_qid><gid>1</gid><type>L</type>"
        b"<title>F1</title><question>Frage &lt;b&gt;eins&lt;/b&gt;</question>"
        b"<language>de</language>"
        b"<question_order>1</question_order></row><row><qid>5</qid><parent_qid>0</parent_qid>"
        b"<gid>1</gid><type>L</type><title>F1</title><question>Question one</question>"
        b"<language>en</language></row></rows></questions>"
        b"<answers><rows><row><qid>5</qid><code>7</code><answer>Sieben</answer><sortorder>1"
        b"</sortorder><language>de</language></row><row><qid>5</qid><code>7</code>"
        b"<answer>Seven</answer><language>en</language></row></rows></answers>"
        b"<surveys_languagesettings><rows><row><surveyls_language>de</surveyls_language>"
        b"<surveyls_title>Alt</surveyls_title></row></rows></surveys_languagesettings></document>"
    )
    result = lss_import(data=data, title="Neu")
    question = Question.objects.get(survey=result.survey)
    assert (result.survey.title, question.text) == ("Neu", "Frage eins")
    assert _options(question) == [(7, "Sieben", False)]


# --- Hostile files --------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<document><LimeSurveyDocType>Survey</LimeSurveyDocType><x>&lol3;</x></document>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<document><LimeSurveyDocType>Survey</LimeSurveyDocType><surveys_languagesettings><rows><row>
<surveyls_title>&xxe;</surveyls_title></row></rows></surveys_languagesettings></document>"""


@pytest.mark.parametrize(
    "data",
    [
        BILLION_LAUGHS,
        EXTERNAL,
        b"",
        b"\x00\x01\x02",
        b"<document><LimeSurveyDocType>Survey</LimeSurveyDocType>",
        b"<other/>",
        b"<?xml version='1.0'?><document><LimeSurveyDocType>Survey</LimeSurveyDocType></document>",
        b"<!-- " + b"x" * (MAX_BYTES + 1) + b" -->",
    ],
)
def test_hostile_or_broken_files_are_refused_with_a_german_message(data):
    with pytest.raises(LssError) as error:
        lss_import(data=data)
    assert str(error.value).startswith("Die Datei")
    assert not Survey.objects.exists()


def test_too_many_questions_or_invalid_characters_are_refused(monkeypatch):
    monkeypatch.setattr("survey.lss_import.MAX_QUESTIONS", 5)
    with pytest.raises(LssError, match="mehr als 5 Fragen"):
        lss_import(data=LSS.read_bytes())
    monkeypatch.setattr("survey.lss_import.MAX_QUESTIONS", 1000)
    for bad in (b"Wo wohnen\x00 Sie?", b"Wo wohnen\x01 Sie?"):
        with pytest.raises(LssError, match="keine LimeSurvey-Struktur"):
            lss_import(data=LSS.read_bytes().replace(b"Wo wohnen Sie?", bad))
    assert not Survey.objects.exists()
    # Inside CDATA, character references are HTML text: no NUL or control character is stored.
    result = lss_import(data=LSS.read_bytes().replace(b"Wo wohnen Sie?", b"Wo&#0; wohnen&#1; Sie?"))
    text = _question(result.survey, "WOHNORT").text
    assert text == "Wo\ufffd wohnen Sie?"


def test_command_imports_and_lists_problems(capsys):
    call_command("import_lss", str(LSS), "--title", "Aus LimeSurvey")
    out = capsys.readouterr().out
    assert "Entwurf „Aus LimeSurvey“" in out
    assert "- MEHRZAHL: Der Fragetyp „Mehrfache numerische Eingabe“ ist hier nicht verfügbar" in out
    assert Survey.objects.get().status == SurveyStatus.DRAFT


def test_command_refuses_a_missing_or_hostile_file(tmp_path):
    with pytest.raises(CommandError, match="Datei nicht lesbar"):
        call_command("import_lss", str(tmp_path / "fehlt.lss"))
    hostile = tmp_path / "boese.lss"
    hostile.write_bytes(EXTERNAL)
    with pytest.raises(CommandError, match="keine LimeSurvey-Struktur"):
        call_command("import_lss", str(hostile))


# --- The admin upload ----------------------------------------------------------------------

URL = "/admin/survey/survey/lss-import/"


def _user(django_user_model, *codenames, is_staff=True):
    user = django_user_model.objects.create_user("u", password="x", is_staff=is_staff)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=codenames, content_type__app_label="survey")
    )
    return user


def _upload(content=None, name="umfrage.lss"):
    return SimpleUploadedFile(name, LSS.read_bytes() if content is None else content)


def test_staff_uploads_and_sees_the_german_list(client, django_user_model):
    client.force_login(_user(django_user_model, "add_survey", "change_survey", "view_survey"))
    page = client.get(URL)
    assert page.status_code == 200
    assert "LimeSurvey-Struktur importieren" in page.content.decode()
    response = client.post(URL, {"file": _upload(), "title": ""})
    html = response.content.decode()
    assert response.status_code == 200
    survey = Survey.objects.get()
    assert reverse("admin:survey_survey_change", args=[survey.pk]) in html
    assert "Nicht übernommen oder geändert" in html
    assert "MEHRZAHL: Der Fragetyp" in html
    changelist = client.get(reverse("admin:survey_survey_changelist")).content.decode()
    assert URL in changelist


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL, b"kein xml"])
def test_upload_of_a_hostile_file_is_a_form_error(client, django_user_model, content):
    client.force_login(_user(django_user_model, "add_survey"))
    response = client.post(URL, {"file": _upload(content)})
    assert response.status_code == 400
    assert "keine LimeSurvey-Struktur" in response.content.decode()
    assert not Survey.objects.exists()


def test_upload_without_file_or_too_large(client, django_user_model, settings):
    client.force_login(_user(django_user_model, "add_survey"))
    assert client.post(URL, {}).status_code == 400
    big = _upload(b"<document>" + b" " * MAX_BYTES + b"</document>")
    response = client.post(URL, {"file": big})
    assert response.status_code == 400
    assert "größer als 5 MB" in response.content.decode()


@pytest.mark.parametrize(
    ("codenames", "is_staff", "status"),
    [(("change_survey", "view_survey"), True, 403), (("add_survey",), False, 302)],
)
def test_who_may_not_upload(client, django_user_model, codenames, is_staff, status):
    client.force_login(_user(django_user_model, *codenames, is_staff=is_staff))
    assert client.get(URL).status_code == status
    assert client.post(URL, {"file": _upload()}).status_code == status
    assert not Survey.objects.exists()


def test_anonymous_goes_to_login(client):
    response = client.post(URL, {"file": _upload()})
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not Survey.objects.exists()
