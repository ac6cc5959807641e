"""Fixtures for the survey tests: the seeded mobility survey (every question kind, a matrix
and display conditions) opened around now, and helpers to fill it in."""

import datetime
import io

import pytest
from auditlog.context import disable_auditlog
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from survey.demo import seed_mobility
from survey.models import AccessMode, Option, Question
from survey.services import access_codes_generate


@pytest.fixture
def mobility(db):
    now = timezone.now()
    # Setting the stage is not staff work: without the audit log it takes half the time.
    with disable_auditlog():
        return seed_mobility(
            io.StringIO(),
            opens_at=now - datetime.timedelta(days=3),
            closes_at=now + datetime.timedelta(days=30),
        )


class Filler:
    """Builds POST data for the mobility survey by question code and option label."""

    def __init__(self, survey):
        self.survey = survey
        self.questions = {q.code: q for q in Question.objects.filter(survey=survey)}
        self.url = reverse("survey:participate", kwargs={"slug": survey.slug})

    def name(self, code: str) -> str:
        return f"q{self.questions[code].pk}"

    def other(self, code: str) -> str:
        return f"q{self.questions[code].pk}_other"

    def item(self, code: str, position: int) -> str:
        question = self.questions[code]
        item = question.items.get(position=position)
        return f"q{question.pk}_i{item.pk}"

    def option(self, code: str, label: str) -> str:
        return str(Option.objects.get(question=self.questions[code], label=label).pk)

    def section(self, code: str) -> str:
        return str(self.questions[code].section_id)

    def page(self, first_code: str, values: dict, action: str = "next") -> dict:
        return {"section": self.section(first_code), "action": action, **values}

    # The pages of a complete, valid questionnaire (for someone from Mügeln by bike).
    def page1(self, residence="Mügeln", **extra):
        return self.page(
            "M1",
            {
                self.name("M1"): self.option("M1", residence),
                self.name("M2"): self.option("M2", "30 bis 44"),
                self.name("M3"): "3",
                **extra,
            },
        )

    def page2(self, **extra):
        return self.page(
            "M4",
            {
                self.name("M4"): [
                    self.option("M4", "Fahrrad oder E-Bike"),
                    self.option("M4", "Bus"),
                ],
                self.name("M5"): "4",
                self.name("M6"): "Mügeln – Oschatz",
                **extra,
            },
        )

    def page3(self, **extra):
        values = {self.item("M7", position): str(position) for position in range(1, 5)}
        values[self.name("M8")] = "12"
        values.update(extra)
        return self.page("M7", values)

    def page_oschatz(self, **extra):
        return self.page("M9", {self.name("M9"): self.option("M9", "jede Woche"), **extra})

    def page_ideas(self, **extra):
        return self.page("M10", {self.name("M10"): "Ein Rufbus am Abend.", **extra})

    def fill_all(self, client, residence="Mügeln"):
        client.get(self.url)
        pages = [self.page1(residence), self.page2(), self.page3()]
        if residence == "Oschatz":
            pages.append(self.page_oschatz())
        pages.append(self.page_ideas())
        response = None
        for data in pages:
            response = client.post(self.url, data)
            assert response.status_code == 302, response.content.decode()[:3000]
        return response

    def use_codes(self, count: int) -> list[str]:
        """Switch the survey to access codes and generate ``count`` of them."""
        self.survey.access_mode = AccessMode.CODES
        self.survey.save()
        return [code.code for code in access_codes_generate(survey=self.survey, count=count)]

    def send_with_code(self, code: str, *, way: str, ideas: str | None = None) -> Client:
        """One person in a new browser: the code, every page (``way`` as M6, ``ideas`` as
        M10), up to the thank-you page. The client keeps the person's cookies."""
        client = Client()
        response = client.post(self.url, {"action": "code", "code": code})
        assert response.status_code == 302, response.content.decode()[:2000]
        last = self.page_ideas() if ideas is None else self.page_ideas(**{self.name("M10"): ideas})
        for data in [self.page1(), self.page2(**{self.name("M6"): way}), self.page3(), last]:
            response = client.post(self.url, data)
            assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"].endswith("/danke/")
        return client


def question_form(section, code, kind, **extra) -> dict:
    """POST data of the admin's question form: a new question without options or items."""
    return {
        "section": section.pk,
        "position": 9,
        "code": code,
        "kind": kind,
        "text": f"Neue Frage {code}?",
        "scale_min": 1,
        "scale_max": 5,
        "options-TOTAL_FORMS": 0,
        "options-INITIAL_FORMS": 0,
        "items-TOTAL_FORMS": 0,
        "items-INITIAL_FORMS": 0,
        "conditions-TOTAL_FORMS": 0,
        "conditions-INITIAL_FORMS": 0,
        **extra,
    }


def db_rows(sql: str, params=()) -> list[tuple]:
    """What someone holding the database reads: raw SQL, rows as tuples."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def filler(mobility):
    return Filler(mobility)
