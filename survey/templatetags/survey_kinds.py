"""Template access to the question kinds (``survey.kinds``): templates ask the kind instead
of comparing ``question.kind`` with values."""

from django import template

from survey.kinds import QuestionKindSpec, kind_of

register = template.Library()


@register.filter
def question_kind(question) -> QuestionKindSpec:
    """The kind of a question: ``{% with kind=question|question_kind %}`` and then
    ``{% include kind.print_template %}`` or a flag such as ``kind.has_options``."""
    return kind_of(question)
