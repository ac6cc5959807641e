"""The ranking kind: put the question's options (3 to 7) in order. Online every option gets
a "place" dropdown (no drag and drop, so it works with a keyboard, a screen reader and on a
phone); a small script adds "up"/"down" buttons. An answer row is the option with its
place (1 = first) in ``number``."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from crispy_forms.layout import Field, Fieldset
from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from portal.widgets import PlainSelect
from survey.kinds.base import (
    AnswerInput,
    AnswerRefs,
    ExportColumn,
    FormPart,
    QuestionKindSpec,
    ResultTallies,
    Sampler,
    number_text,
)
from survey.models import Question, QuestionKind
from survey.results.shapes import Cell, ItemResult, Mean, Row, round_half_up

RANKING_MIN_OPTIONS = 3
RANKING_MAX_OPTIONS = 7


def rank_field_name(question: Question, option) -> str:
    return f"q{question.pk}_r{option.pk}"


def place_label(place: int) -> str:
    return gettext("Place %(place)s") % {"place": place}


class Ranking(QuestionKindSpec):
    value = QuestionKind.RANKING
    has_options = True
    several_answers = True
    answers_add_up = True
    results_per_item = True
    option_count = (RANKING_MIN_OPTIONS, RANKING_MAX_OPTIONS)

    def form_part(self, question: Question, *, label, required: bool) -> FormPart:
        count = len(question.option_list)
        choices = [("", gettext_lazy("– place –"))] + [
            (str(place), place_label(place)) for place in range(1, count + 1)
        ]
        fields, names = {}, []
        for option in question.option_list:
            name = rank_field_name(question, option)
            fields[name] = forms.ChoiceField(
                label=option.label, required=False, choices=choices, widget=PlainSelect
            )
            names.append(Field(name, wrapper_class="ranking__option"))
        hint = gettext("Give every option a different place: 1 = most important.")
        legend = format_html(
            "{} <span class='ranking__help'>{} {}</span>", label, question.help_text, hint
        )
        return FormPart(fields, Fieldset(legend, *names, css_class="ranking"))

    def _ranks(self, question: Question, data: dict) -> dict[int, int]:
        ranks = {}
        for option in question.option_list:
            value = data.get(rank_field_name(question, option))
            if value not in (None, ""):
                ranks[option.pk] = int(value)
        return ranks

    def clean(
        self, question: Question, cleaned: dict, add_error: Callable, *, required: bool = False
    ) -> None:
        names = [rank_field_name(question, option) for option in question.option_list]
        if not names or any(name not in cleaned for name in names):
            return  # a place was invalid: its field says so
        ranks = self._ranks(question, cleaned)
        message = None
        if not ranks:
            if required:
                message = gettext_lazy("Please put the options in order.")
        elif len(ranks) < len(names):
            message = gettext_lazy("Please give every option a place.")
        elif len(set(ranks.values())) < len(ranks):
            message = gettext_lazy("Every place can be given only once.")
        if message:
            add_error(names[0], message)

    def answer_inputs(self, question: Question, data: dict) -> list[AnswerInput]:
        return [
            AnswerInput(question_id=question.pk, option_id=option_id, number=rank)
            for option_id, rank in self._ranks(question, data).items()
        ]

    def value_fits(self, question: Question, answer: AnswerInput, refs: AnswerRefs) -> bool:
        if refs.options.get(answer.option_id) != question.pk or answer.text:
            return False
        count = sum(1 for owner in refs.options.values() if owner == question.pk)
        return answer.number is not None and 1 <= answer.number <= count

    def answers_fit(self, question: Question, answers: list[AnswerInput]) -> bool:
        """Every option ranked, every place once."""
        places = sorted(answer.number for answer in answers)
        return places == list(range(1, question.options.count() + 1))

    def sample_answers(self, question: Question, sample: Sampler) -> list[AnswerInput]:
        options = question.option_list
        return [
            AnswerInput(question_id=question.pk, option_id=option.pk, number=place)
            for option, place in zip(options, sample.order(len(options)), strict=True)
        ]

    def export_columns(self, question: Question) -> list[ExportColumn]:
        options = list(question.options.all())
        codes = gettext("place from 1 (first) to %(count)s") % {"count": len(options)}
        return [
            ExportColumn(
                f"{question.code}_{option.value}",
                f"{question.text} – {option.label}",
                question,
                "rank",
                option_id=option.pk,
                codes=codes,
            )
            for option in options
        ]

    def export_value(self, column: ExportColumn, answers: list, option_values: Mapping):
        for answer in answers:
            if answer.option_id == column.option_id:
                return answer.number
        return ""

    def fill_result(self, result, question: Question, tallies: ResultTallies) -> None:
        qid, cols = question.pk, range(tallies.ncols)
        counts = tallies.counts
        options = list(question.options.all())
        places = range(1, len(options) + 1)
        for option in options:
            per_place = [
                [counts.get((c, qid, option.pk, None, p), 0) for p in places] for c in cols
            ]
            bases = [sum(row) for row in per_place]
            result.items.append(
                ItemResult(
                    option.label,
                    bases,
                    [
                        Row(place_label(p), [Cell(per_place[c][p - 1], bases[c]) for c in cols])
                        for p in places
                    ],
                    [
                        Mean(
                            round_half_up(
                                sum(p * n for p, n in zip(places, per_place[c], strict=True)),
                                bases[c],
                            ),
                            bases[c],
                            1,
                            len(options),
                        )
                        for c in cols
                    ],
                )
            )
        result.bases = [max((i.bases[c] for i in result.items), default=0) for c in cols]
        ranked = [item for item in result.items if item.means[0].value is not None]
        if ranked and result.base >= tallies.threshold:
            best = min(ranked, key=lambda item: item.means[0].value)
            result.summary = gettext(
                "Ranked highest: “%(label)s” (mean place %(mean)s, first for %(percent)s %%)."
            ) % {
                "label": best.label,
                "mean": number_text(best.means[0].value),
                "percent": number_text(best.rows[0].cells[0].percent),
            }
