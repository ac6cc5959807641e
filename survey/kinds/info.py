"""The information block: a text between questions (a note, a new topic). No field, no
answer, no export column, no result; shown online, in paper entry and in print."""

from __future__ import annotations

from crispy_forms.layout import LayoutObject
from django.template.loader import render_to_string

from survey.kinds.base import (
    AnswerInput,
    AnswerRefs,
    ExportColumn,
    FormPart,
    QuestionKindSpec,
    ResultTallies,
    Sampler,
)
from survey.models import Question, QuestionKind


class InfoText(LayoutObject):
    """The text of an information block in a form (a template, so the text is escaped and
    never read as template code)."""

    def __init__(self, question: Question):
        self.question = question
        self.fields = []

    def render(self, form, context, template_pack=None, **kwargs):
        return render_to_string("survey/kinds/form/info.html", {"question": self.question})


class Info(QuestionKindSpec):
    value = QuestionKind.INFO
    has_answers = False

    def form_part(self, question: Question, *, label, required: bool) -> FormPart:
        return FormPart({}, InfoText(question))

    def answer_inputs(self, question: Question, data: dict) -> list[AnswerInput]:
        return []

    def value_fits(self, question: Question, answer: AnswerInput, refs: AnswerRefs) -> bool:
        return False  # nothing to answer

    def sample_answers(self, question: Question, sample: Sampler) -> list[AnswerInput]:
        return []

    def export_columns(self, question: Question) -> list[ExportColumn]:
        return []

    def fill_result(self, result, question: Question, tallies: ResultTallies) -> None:
        """No result: ``compute_results`` leaves information blocks out."""
