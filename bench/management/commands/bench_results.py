"""Benchmark of the results page: seeds a 15-question survey with many responses straight
in PostgreSQL (INSERT … SELECT generate_series, a few seconds for 100,000 responses), then
times the page uncached and cached, without and with a breakdown, and the first page after
a few new responses arrived (which counts them into the results tallies), and prints the
figures.

    DJANGO_BENCH=true scripts/with-postgres.sh \
        .venv/bin/python manage.py bench_results --responses 100000

The benchmark survey is deleted afterwards unless ``--keep`` is given.
"""

import datetime
import statistics
import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import Municipality
from survey.kinds import kind_of
from survey.models import MatrixItem, Option, Question, QuestionKind, Section, Survey, SurveyStatus
from survey.results.caching import survey_results_invalidate
from survey.results.tallies import survey_results_tally
from survey.results.views import ResultsView

SLUG = "bench-ergebnisse"


class Command(BaseCommand):
    help = "Time the survey results page with many responses (PostgreSQL only)."

    def add_arguments(self, parser):
        parser.add_argument("--responses", type=int, default=100_000)
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark survey.")
        parser.add_argument(
            "--reuse", action="store_true", help="Time a survey kept from an earlier run."
        )

    def handle(self, *args, responses, repeat, keep, reuse, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL (set DATABASE_URL).")
        started = time.perf_counter()
        survey = Survey.objects.filter(slug=SLUG).first() if reuse else None
        if survey is None:
            self._delete()
            survey = self._seed(responses)
            seeded = f"seeded in {time.perf_counter() - started:.1f} s"
        else:
            seeded = "kept from an earlier run"
        # Count responses not counted yet into the results tallies (all of them after
        # seeding), so that the timings below are those of the page, not of this.
        started = time.perf_counter()
        survey_results_tally(survey=survey)
        seeded += f"; results tallies brought up to date in {time.perf_counter() - started:.1f} s"
        responses = survey.responses.count()
        answers = self._answer_count(survey)
        self.stdout.write(
            f"{responses:,} responses with {answers:,} answer rows on 15 questions ({seeded})."
        )
        try:
            for breakdown in ["", "F1", "F2", "kanal"]:
                self._time(survey, breakdown, repeat)
            self._time_arrivals(survey, 10)
        finally:
            if not keep:
                self._delete()

    def _time(self, survey, breakdown, repeat):
        path = f"/befragungen/{survey.slug}/ergebnisse/" + (
            f"?nach={breakdown}" if breakdown else ""
        )
        uncached, cached = [], []
        queries = 0
        for _round in range(repeat):
            survey_results_invalidate(survey.pk)
            with CaptureQueriesContext(connection) as context:
                uncached.append(self._get(path, survey))
            queries = len(context.captured_queries)
            cached.append(self._get(path, survey))
        self.stdout.write(
            f"{path:48} uncached median {statistics.median(uncached) * 1000:7.0f} ms "
            f"({queries} queries) · cached median {statistics.median(cached) * 1000:5.1f} ms"
        )

    def _time_arrivals(self, survey, count):
        """The first uncached page after ``count`` responses arrived, which counts them into
        the results tallies: copies of the first responses with their answers."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM survey_response WHERE survey_id = %s AND channel = 'online'"
                " ORDER BY id LIMIT %s",
                [survey.pk, count],
            )
            for (source,) in cursor.fetchall():
                cursor.execute(
                    "INSERT INTO survey_response (survey_id, channel, submitted_on, batch)"
                    " SELECT survey_id, channel, submitted_on, batch FROM survey_response"
                    " WHERE id = %s RETURNING id",
                    [source],
                )
                (copy,) = cursor.fetchone()
                cursor.execute(
                    "INSERT INTO survey_answer"
                    " (response_id, question_id, option_id, item_id, number, text)"
                    " SELECT %s, question_id, option_id, item_id, number, text"
                    " FROM survey_answer WHERE response_id = %s",
                    [copy, source],
                )
        survey_results_invalidate(survey.pk)
        path = f"/befragungen/{survey.slug}/ergebnisse/?nach=F1"
        with CaptureQueriesContext(connection) as context:
            elapsed = self._get(path, survey)
        self.stdout.write(
            f"{path:48} uncached after {count} new responses {elapsed * 1000:7.0f} ms "
            f"({len(context.captured_queries)} queries, counting them into the tallies)"
        )

    def _get(self, path, survey) -> float:
        host = next((h for h in settings.ALLOWED_HOSTS if "*" not in h), "localhost")
        request = RequestFactory().get(path, HTTP_HOST=host.lstrip("."))
        request.user = AnonymousUser()
        started = time.perf_counter()
        response = ResultsView.as_view()(request, slug=survey.slug)
        response.render()
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        return elapsed

    def _answer_count(self, survey) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM survey_answer a JOIN survey_response r"
                " ON r.id = a.response_id WHERE r.survey_id = %s",
                [survey.pk],
            )
            return cursor.fetchone()[0]

    @transaction.atomic
    def _seed(self, count: int) -> Survey:
        opens = timezone.now() - datetime.timedelta(days=60)
        survey = Survey.objects.create(
            title="Benchmark-Befragung",
            slug=SLUG,
            opens_at=opens,
            closes_at=opens + datetime.timedelta(days=42),
            status=SurveyStatus.PUBLISHED,
        )
        questions = self._questions(survey)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO survey_response"
                " (survey_id, channel, submitted_on, sheet_number, batch)"
                " SELECT %s, CASE WHEN g %% 4 = 0 THEN 'paper' ELSE 'online' END,"
                " %s::date + (g %% 42), CASE WHEN g %% 4 = 0 THEN g END, ''"
                " FROM generate_series(1, %s) g",
                [survey.pk, opens.date(), count],
            )
            for q in questions:
                for sql, params in _answer_inserts(q):
                    cursor.execute(sql, params)
            cursor.execute("ANALYZE survey_response")
            cursor.execute("ANALYZE survey_answer")
        cache.clear()
        return survey

    def _questions(self, survey) -> list[Question]:
        """The 15 questions: three breakdowns (municipality, age group, gender) on the first
        page, every kind on the second."""
        one = Section.objects.create(survey=survey, title="Person", position=1)
        two = Section.objects.create(survey=survey, title="Meinung", position=2)
        municipalities = list(Municipality.objects.order_by("name")) or [None] * 7
        questions = []

        def question(section, code, kind, options=(), items=(), **fields):
            q = Question.objects.create(
                section=section,
                code=code,
                kind=kind,
                text=f"Frage {code}?",
                position=len(questions),
                **fields,
            )
            for number, label in enumerate(options, start=1):
                Option.objects.create(
                    question=q,
                    label=str(label),
                    value=number,
                    position=number,
                    municipality=label if isinstance(label, Municipality) else None,
                    is_other=label == "anderes",
                )
            for number, label in enumerate(items, start=1):
                MatrixItem.objects.create(question=q, label=label, position=number)
            questions.append(q)

        question(
            one,
            "F1",
            QuestionKind.SINGLE,
            municipalities,
            is_breakdown=True,
            breakdown_label="Kommune",
        )
        question(
            one,
            "F2",
            QuestionKind.SINGLE,
            ["<18", "18-29", "30-44", "45-59", "60-74", "75+"],
            is_breakdown=True,
        )
        question(one, "F3", QuestionKind.SINGLE, ["w", "m", "d"], is_breakdown=True)
        question(two, "F4", QuestionKind.SINGLE, list("abcde"))
        question(two, "F5", QuestionKind.DROPDOWN, list("abcdefgh"))
        question(two, "F6", QuestionKind.MULTIPLE, [*"abcdefg", "anderes"])
        question(two, "F7", QuestionKind.MULTIPLE, list("abcdef"))
        question(two, "F8", QuestionKind.SCALE)
        question(two, "F9", QuestionKind.SCALE, scale_min=0, scale_max=10)
        question(two, "F10", QuestionKind.MATRIX, items=[f"Punkt {i}" for i in range(1, 6)])
        question(two, "F11", QuestionKind.MATRIX, items=[f"Aspekt {i}" for i in range(1, 4)])
        question(two, "F12", QuestionKind.NUMBER)
        question(two, "F13", QuestionKind.LONG_TEXT)
        question(two, "F14", QuestionKind.SHORT_TEXT)
        question(two, "F15", QuestionKind.SINGLE, list("abcd"))
        return questions

    def _delete(self):
        survey = Survey.objects.filter(slug=SLUG).first()
        if survey is None:
            return
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM survey_answer a USING survey_response r"
                " WHERE a.response_id = r.id AND r.survey_id = %s",
                [survey.pk],
            )
            cursor.execute("DELETE FROM survey_response WHERE survey_id = %s", [survey.pk])
            survey.delete()


# The share of responses that answer a question, by what its answers are.
_ANSWERED = {"choice": 0.95, "ticked": 0.35, "item": 0.85, "scale": 0.9, "number": 0.8, "text": 0.3}
_INSERT = (
    "INSERT INTO survey_answer (response_id, question_id, option_id, item_id, number, text)"
    " SELECT r.id, %s, {option}, {item}, {number}, {text}"
    " FROM survey_response r WHERE r.survey_id = %s AND random() < %s"
)


def _answer_inserts(q: Question) -> list[tuple[str, list]]:
    """The statements that answer ``q`` for a random share of the responses, chosen by what
    its kind's answers are (``survey.kinds``): an option, ticked options, a scale value per
    item, a scale value, a number or a text."""
    kind = kind_of(q)
    survey_id, values = q.survey_id, q.scale_max - q.scale_min + 1
    scale = "%s + floor(random() * %s)::int"
    if kind.has_options and kind.several_answers:
        text = "CASE WHEN %s THEN 'Sonstiges ' || r.id ELSE '' END"
        sql = _INSERT.format(option="%s", item="NULL", number="NULL", text=text)
        return [
            (sql, [q.pk, option.pk, option.is_other, survey_id, _ANSWERED["ticked"]])
            for option in q.options.all()
        ]
    if kind.has_options:
        option_ids = list(q.options.values_list("pk", flat=True))
        option = "(%s::bigint[])[1 + floor(random() * %s)::int]"
        sql = _INSERT.format(option=option, item="NULL", number="NULL", text="''")
        return [(sql, [q.pk, option_ids, len(option_ids), survey_id, _ANSWERED["choice"]])]
    if kind.has_items:
        sql = _INSERT.format(option="NULL", item="%s", number=scale, text="''")
        return [
            (sql, [q.pk, item_id, q.scale_min, values, survey_id, _ANSWERED["item"]])
            for item_id in q.items.values_list("pk", flat=True)
        ]
    if kind.uses_scale:
        sql = _INSERT.format(option="NULL", item="NULL", number=scale, text="''")
        return [(sql, [q.pk, q.scale_min, values, survey_id, _ANSWERED["scale"]])]
    if kind.is_numeric:
        # An age: 16 to 85.
        sql = _INSERT.format(option="NULL", item="NULL", number=scale, text="''")
        return [(sql, [q.pk, 16, 70, survey_id, _ANSWERED["number"]])]
    if kind.is_free_text:
        text = "'Freitext Nummer ' || r.id"
        sql = _INSERT.format(option="NULL", item="NULL", number="NULL", text=text)
        return [(sql, [q.pk, survey_id, _ANSWERED["text"]])]
    raise CommandError(f"No benchmark answers for the kind {kind.value!r}.")
