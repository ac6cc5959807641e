"""Synthetic responses for demos and benchmarks.

Not a path for real answers (those go through ``services.response_pool`` and
``services.response_submit``): this writes in bulk, thousands of responses per statement,
so that 100,000 responses take minutes. It
follows the same rules: display conditions, required questions, maximum choices, scale and
number ranges, other-texts, unique sheet numbers.
"""

import datetime
import random
from collections.abc import Callable, Mapping, Sequence

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from survey.conditions import stored_facts
from survey.kinds import kind_of
from survey.models import Answer, Channel, Question, Response, Survey
from survey.selectors import SurveyDefinition, is_shown, survey_definition

GENERIC_TEXTS = [
    "Mehr Angebote für junge Familien.",
    "Die Straßen in den Ortsteilen müssten dringend saniert werden.",
    "Schnelles Internet überall, auch in den kleinen Dörfern.",
    "Bessere Busverbindungen am Abend und am Wochenende.",
    "Mehr Treffpunkte für ältere Menschen.",
    "Sichere Radwege zwischen den Orten.",
    "Die Vereine brauchen mehr Unterstützung.",
    "Ordnung und Sauberkeit auf den Plätzen.",
]

BATCH_SIZE = 2000


# Shares that look like a rural Saxon survey for the demographic options every demo uses
# (age groups follow the older population; "divers" is rare); other options get random ones.
PLAUSIBLE_SHARES = {
    "unter 18": 0.3,
    "18 bis 29": 0.9,
    "30 bis 44": 1.6,
    "45 bis 59": 2.0,
    "60 bis 74": 1.8,
    "75 und älter": 0.7,
    "weiblich": 2.0,
    "männlich": 1.9,
    "divers": 0.04,
}


class _Plan:
    """Per-question choices made once, so that each response costs only a few random
    draws; the draws of the question's kind (``survey.kinds.Sampler``)."""

    def __init__(
        self,
        question: Question,
        rng: random.Random,
        texts: Sequence[str],
        others: Sequence[str],
    ):
        self.question = question
        self.rng = rng
        self.kind = kind_of(question)
        self.texts = texts or GENERIC_TEXTS
        self.others = others
        options = question.option_list
        self.all_options = options
        if any(option.municipality_id for option in options):
            # Residence follows population, people from outside take part rarely.
            self.weights = [
                option.municipality.population if option.municipality_id else 300
                for option in options
            ]
        else:
            self.weights = [
                PLAUSIBLE_SHARES.get(option.label)
                or (0.3 if option.is_other else 0.5 + rng.random() * 2)
                for option in options
            ]
        span = question.scale_max - question.scale_min
        self.scale_mode = question.scale_min + span * (0.35 + rng.random() * 0.4)
        self.item_modes = {
            item.pk: question.scale_min + span * (0.25 + rng.random() * 0.5)
            for item in question.item_list
        }
        self.answer_rate = 1.0 if question.required else (0.55 if self.kind.is_free_text else 0.85)

    def option(self):
        return self.rng.choices(self.all_options, weights=self.weights)[0]

    def options(self, limit: int) -> list:
        count = self.rng.randint(1, min(limit, len(self.all_options)))
        chosen: dict[int, object] = {}
        while len(chosen) < count:
            option = self.option()
            chosen[option.pk] = option
        return list(chosen.values())

    def other_text(self) -> str:
        return self.rng.choice(self.others)

    def scale_value(self, item=None) -> int:
        mode = self.scale_mode if item is None else self.item_modes[item.pk]
        return round(self.rng.triangular(self.question.scale_min, self.question.scale_max, mode))

    def number(self, low: int, high: int) -> int:
        return round(self.rng.triangular(low, high, low + (high - low) * 0.15))

    def order(self, count: int) -> list[int]:
        places = list(range(1, count + 1))
        self.rng.shuffle(places)
        return places

    def text(self) -> str:
        return self.rng.choice(self.texts)

    def answers(self) -> list[Answer]:
        """The answers of one response to the question (none when it stays unanswered)."""
        if self.rng.random() > self.answer_rate:
            return []
        return [
            Answer(
                question_id=given.question_id,
                option_id=given.option_id,
                item_id=given.item_id,
                number=given.number,
                date=given.date,
                text=given.text,
            )
            for given in self.kind.sample_answers(self.question, self)
        ]


def _response_answers(definition: SurveyDefinition, plans: Mapping[int, _Plan]) -> list[Answer]:
    """The answers of one synthetic response, page by page, following display conditions."""
    answers = []
    facts: dict[int, list[int]] = {}
    for section in definition.sections:
        if not is_shown(section, facts):
            continue
        for question in section.question_list:
            if not is_shown(question, facts):
                continue
            plan = plans[question.pk]
            given = plan.answers()
            if plan.kind.condition_operators:
                facts[question.pk] = stored_facts(given)
            answers.extend(given)
    return answers


def responses_generate(
    *,
    survey: Survey,
    count: int,
    seed: int = 2019,
    paper_share: float = 0.25,
    texts: Mapping[str, Sequence[str]] | None = None,
    batch_for: Callable[[list[Answer]], str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Create ``count`` synthetic responses; reproducible for the same seed and
    questionnaire. ``texts`` maps question codes to free texts to draw from (the key
    ``"<code>_other"`` for other-texts)."""
    texts = texts or {}
    rng = random.Random(seed)
    definition = survey_definition(survey=survey)
    plans = {
        question.pk: _Plan(
            question,
            rng,
            texts.get(question.code, ()),
            texts.get(f"{question.code}_other") or ["Sonstiges"],
        )
        for question in definition.questions
    }
    first_day = timezone.localtime(survey.opens_at).date()
    last_day = min(timezone.localtime(survey.closes_at).date(), timezone.localdate())
    days = max((last_day - first_day).days, 0)
    sheet = (survey.responses.aggregate(top=Max("sheet_number"))["top"] or 0) + 1
    created = 0
    while created < count:
        size = min(BATCH_SIZE, count - created)
        responses, answer_lists = [], []
        for _i in range(size):
            answers = _response_answers(definition, plans)
            # Early days see more responses, like a survey announced in the gazette.
            day = first_day + datetime.timedelta(days=int(days * rng.random() ** 1.6))
            if rng.random() < paper_share:
                response = Response(
                    survey=survey,
                    channel=Channel.PAPER,
                    submitted_on=day,
                    sheet_number=sheet,
                    batch=batch_for(answers) if batch_for else "Sammelstelle",
                )
                sheet += 1
            else:
                response = Response(survey=survey, channel=Channel.ONLINE, submitted_on=day)
            responses.append(response)
            answer_lists.append(answers)
        with transaction.atomic():
            Response.objects.bulk_create(responses)
            rows = []
            for response, answers in zip(responses, answer_lists, strict=True):
                for answer in answers:
                    answer.response_id = response.pk
                rows.extend(answers)
            Answer.objects.bulk_create(rows, batch_size=5000)
        created += size
        if progress:
            progress(created)
    return created
